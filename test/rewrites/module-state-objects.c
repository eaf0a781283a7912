// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state,gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out
// RUN: FileCheck %s --check-prefix=BOTH < %t.out

// gilport-global-state with ConvertToModuleState: Python objects kept in
// globals (an exception created at init, an interned string, an imported
// module) and a C counter, used only by the module's own functions and its
// init, move to the module state, the counter as an atomic field
// (AtomicCounters: the module's threads share its state too). The
// single-phase module becomes multi-phase, and, with nothing left global,
// declares a per-interpreter GIL and Py_mod_gil. With gilport-missing-gil-decl
// enabled too, both checks offer the same edits.
#include <Python.h>

/* The error raised by parse(). */
static PyObject *ParseError = NULL;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'ParseError' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *str_name;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'str_name' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *json_module;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'json_module' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static long calls;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'calls' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyObject *objs_parse(PyObject *self, PyObject *arg) {
  calls++;
  if (!PyUnicode_Check(arg)) {
    PyErr_SetString(ParseError, "not a string");
    return NULL;
  }
  return PyObject_CallMethodObjArgs(json_module, str_name, arg, NULL);
}

static PyObject *objs_calls(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(calls);
}

static PyMethodDef objs_methods[] = {
    {"parse", objs_parse, METH_O, NULL},
    {"calls", objs_calls, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef objs_module = {
    PyModuleDef_HEAD_INIT, "objs", NULL, -1, objs_methods,
};

PyMODINIT_FUNC PyInit_objs(void) {
  PyObject *m = PyModule_Create(&objs_module);
  if (m == NULL)
    return NULL;
  ParseError = PyErr_NewException("objs.ParseError", NULL, NULL);
  if (ParseError == NULL)
    goto error;
  Py_INCREF(ParseError);
  if (PyModule_AddObject(m, "ParseError", ParseError) < 0) {
    Py_DECREF(ParseError);
    goto error;
  }
  str_name = PyUnicode_InternFromString("loads");
  if (str_name == NULL)
    goto error;
  json_module = PyImport_ImportModule("json");
  if (json_module == NULL)
    goto error;
  return m;
error:
  Py_DECREF(m);
  return NULL;
}

// The state, its accessor and the GC functions go before the first function
// that uses them; the comment on a global moves with it.
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   /* The error raised by parse(). */
// CHECK-FIXES-NEXT:   PyObject *ParseError;
// CHECK-FIXES-NEXT:   PyObject *str_name;
// CHECK-FIXES-NEXT:   PyObject *json_module;
// CHECK-FIXES-NEXT:   _Atomic long calls;
// CHECK-FIXES-NEXT: } objs_state;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static inline objs_state *
// CHECK-FIXES-NEXT: get_objs_state(PyObject *module)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   return (objs_state *)PyModule_GetState(module);
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static int
// CHECK-FIXES-NEXT: objs_state_traverse(PyObject *module, visitproc visit, void *arg)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   objs_state *state = get_objs_state(module);
// CHECK-FIXES-NEXT:   Py_VISIT(state->ParseError);
// CHECK-FIXES-NEXT:   Py_VISIT(state->str_name);
// CHECK-FIXES-NEXT:   Py_VISIT(state->json_module);
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static int
// CHECK-FIXES-NEXT: objs_state_clear(PyObject *module)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   objs_state *state = get_objs_state(module);
// CHECK-FIXES-NEXT:   Py_CLEAR(state->ParseError);
// CHECK-FIXES-NEXT:   Py_CLEAR(state->str_name);
// CHECK-FIXES-NEXT:   Py_CLEAR(state->json_module);
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static void
// CHECK-FIXES-NEXT: objs_state_free(void *module)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   (void)objs_state_clear((PyObject *)module);
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static PyObject *objs_parse(PyObject *self, PyObject *arg) {
// CHECK-FIXES-NEXT:   get_objs_state(self)->calls++;
// CHECK-FIXES:          PyErr_SetString(get_objs_state(self)->ParseError, "not a string");
// CHECK-FIXES:        return PyObject_CallMethodObjArgs(get_objs_state(self)->json_module, get_objs_state(self)->str_name, arg, NULL);
// CHECK-FIXES:        return PyLong_FromLong(get_objs_state(module)->calls);
//
// CHECK-FIXES:      static int objs_exec(PyObject *m);
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static PyModuleDef_Slot objs_slots[] = {
// CHECK-FIXES-NEXT:     {Py_mod_exec, objs_exec},
// CHECK-FIXES-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// CHECK-FIXES-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-FIXES-NEXT: #endif
// CHECK-FIXES-NEXT: #ifdef Py_mod_gil
// CHECK-FIXES-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// CHECK-FIXES-NEXT: #endif
// CHECK-FIXES-NEXT:     {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static struct PyModuleDef objs_module = {
// CHECK-FIXES-NEXT:     PyModuleDef_HEAD_INIT, "objs", NULL, sizeof(objs_state), objs_methods, objs_slots, objs_state_traverse, objs_state_clear, objs_state_free,
// CHECK-FIXES-NEXT: };
//
// The init code runs in exec, on the state of the module it is given.
// CHECK-FIXES:      static int objs_exec(PyObject *m) {
// CHECK-FIXES-NEXT:   get_objs_state(m)->ParseError = PyErr_NewException("objs.ParseError", NULL, NULL);
// CHECK-FIXES-NEXT:   if (get_objs_state(m)->ParseError == NULL)
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   Py_INCREF(get_objs_state(m)->ParseError);
// CHECK-FIXES-NEXT:   if (PyModule_AddObject(m, "ParseError", get_objs_state(m)->ParseError) < 0) {
// CHECK-FIXES-NEXT:     Py_DECREF(get_objs_state(m)->ParseError);
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   get_objs_state(m)->str_name = PyUnicode_InternFromString("loads");
// CHECK-FIXES:        get_objs_state(m)->json_module = PyImport_ImportModule("json");
// CHECK-FIXES:        return 0;
// CHECK-FIXES-NEXT: error:
// CHECK-FIXES-NEXT:   return -1;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: PyMODINIT_FUNC PyInit_objs(void) {
// CHECK-FIXES-NEXT:   return PyModuleDef_Init(&objs_module);
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-NOT:  static {{.*}}ParseError

// BOTH: 5 findings fixed in 1 file, 0 left for a human
// BOTH: ==== fixed module-state-objects.c ====
// BOTH: {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// BOTH: {Py_mod_gil, Py_MOD_GIL_NOT_USED},
