// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out

// Static helpers that use the globals and are only called (directly) where
// the module is known get it as a new first parameter: 'walk' (recursive,
// calling another helper), 'check_depth' (whose parameter is already named
// 'module', so the new one is 'module2'), 'reset' (with '(void)', called from
// a module function and from init). 'twice' needs no state and is left alone.
// The pointers are set at init only (the list they point to changes, not
// they), so moving them is the whole fix.
#include <Python.h>

static PyObject *seen;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'seen' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *too_deep;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'too_deep' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static int twice(int x) { return 2 * x; }

static int check_depth(long module) {
  if (module > 64) {
    PyErr_SetObject(PyExc_ValueError, too_deep);
    return -1;
  }
  return 0;
}

static int walk(PyObject *obj, long depth) {
  if (check_depth(twice(depth)) < 0)
    return -1;
  if (PyList_Check(obj)) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(obj); i++)
      if (walk(PyList_GET_ITEM(obj, i), depth + 1) < 0)
        return -1;
  }
  return PyList_Append(seen, obj);
}

static int reset(void) {
  return PyList_SetSlice(seen, 0, PY_SSIZE_T_MAX, NULL);
}

static PyObject *helpers_walk(PyObject *module, PyObject *obj) {
  if (walk(obj, 0) < 0)
    return NULL;
  return Py_NewRef(seen);
}

static PyObject *helpers_reset(PyObject *module, PyObject *unused) {
  if (reset() < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyMethodDef helpers_methods[] = {
    {"walk", helpers_walk, METH_O, NULL},
    {"reset", helpers_reset, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef helpers_module = {
    PyModuleDef_HEAD_INIT, "helpers", NULL, -1, helpers_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_helpers(void) {
  PyObject *m = PyModule_Create(&helpers_module);
  if (m == NULL)
    return NULL;
  seen = PyList_New(0);
  too_deep = PyUnicode_FromString("nested too deeply");
  if (seen == NULL || too_deep == NULL || reset() < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      static int twice(int x) { return 2 * x; }
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *seen;
// CHECK-FIXES-NEXT:   PyObject *too_deep;
// CHECK-FIXES-NEXT: } helpers_state;
// CHECK-FIXES:      static int check_depth(PyObject *module2, long module) {
// CHECK-FIXES-NEXT:   if (module > 64) {
// CHECK-FIXES-NEXT:     PyErr_SetObject(PyExc_ValueError, get_helpers_state(module2)->too_deep);
// CHECK-FIXES:      static int walk(PyObject *module, PyObject *obj, long depth) {
// CHECK-FIXES-NEXT:   if (check_depth(module, twice(depth)) < 0)
// CHECK-FIXES:            if (walk(module, PyList_GET_ITEM(obj, i), depth + 1) < 0)
// CHECK-FIXES:        return PyList_Append(get_helpers_state(module)->seen, obj);
// CHECK-FIXES:      static int reset(PyObject *module) {
// CHECK-FIXES-NEXT:   return PyList_SetSlice(get_helpers_state(module)->seen, 0, PY_SSIZE_T_MAX, NULL);
// CHECK-FIXES:        if (walk(module, obj, 0) < 0)
// CHECK-FIXES:        if (reset(module) < 0)
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-FIXES:      static int helpers_exec(PyObject *m) {
// CHECK-FIXES:        if (get_helpers_state(m)->seen == NULL || get_helpers_state(m)->too_deep == NULL || reset(m) < 0) {
