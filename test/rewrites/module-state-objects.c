// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state,gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=BOTH < %t.out

// gilport-global-state with ConvertToModuleState: Python objects kept in
// globals (an exception created at init, an interned string, an imported
// module, a lazily filled function-static cache) and a C counter, used only
// by the module's own functions and its init, move to the module state. The
// single-phase module becomes multi-phase, and, with nothing left global,
// declares a per-interpreter GIL. The counter and the cache are still
// written while the module is in use, which module state does not make safe
// between threads: Py_mod_gil is not declared. With gilport-missing-gil-decl
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

static PyObject *objs_separator(PyObject *self, PyObject *unused) {
  static PyObject *cached = NULL;
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'cached' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
  if (cached == NULL) {
    cached = PyUnicode_FromString(", ");
    if (cached == NULL)
      return NULL;
  }
  Py_INCREF(cached);
  return cached;
}

static PyObject *objs_calls(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(calls);
}

static PyMethodDef objs_methods[] = {
    {"parse", objs_parse, METH_O, NULL},
    {"separator", objs_separator, METH_NOARGS, NULL},
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
// CHECK-FIXES-NEXT:   long calls;
// CHECK-FIXES-NEXT:   PyObject *cached;
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
// CHECK-FIXES-NEXT:   Py_VISIT(state->cached);
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
// CHECK-FIXES-NEXT:   Py_CLEAR(state->cached);
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
//
// The function-static cache is a field; its declaration goes.
// CHECK-FIXES:      static PyObject *objs_separator(PyObject *self, PyObject *unused) {
// CHECK-FIXES:        if (get_objs_state(self)->cached == NULL) {
// CHECK-FIXES-NEXT:     get_objs_state(self)->cached = PyUnicode_FromString(", ");
// CHECK-FIXES:        Py_INCREF(get_objs_state(self)->cached);
// CHECK-FIXES-NEXT:   return get_objs_state(self)->cached;
// CHECK-FIXES:        return PyLong_FromLong(get_objs_state(module)->calls);
//
// CHECK-FIXES:      static int objs_exec(PyObject *m);
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static PyModuleDef_Slot objs_slots[] = {
// CHECK-FIXES-NEXT:     {Py_mod_exec, objs_exec},
// CHECK-FIXES-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// CHECK-FIXES-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
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

// BOTH: note: 'calls' moves to the module state, which isolates it, but it is still written while the module is in use: guard it with a lock before declaring that the module runs without the GIL
// BOTH: note: 'cached' moves to the module state, which isolates it, but it is still written while the module is in use: guard it with a lock before declaring that the module runs without the GIL
// BOTH: warning: module init function 'PyInit_objs' does not declare
// BOTH: note: the fix is gilport-global-state's module-state conversion, which converts the module to multi-phase init; some globals move but are still written while the module is in use, so the slot waits until they are guarded by hand
// BOTH: note: no automatic fix: globals written while the module is in use still race in the module state (see gilport-global-state)
// BOTH: 5 findings fixed in 1 file, 1 left for a human
// BOTH: ==== fixed module-state-objects.c ====
// BOTH: {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// BOTH-NOT: Py_mod_gil
