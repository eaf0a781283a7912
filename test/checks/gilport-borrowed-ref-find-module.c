// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: %check_gilport --check-suffix=REMOVES %s gilport-borrowed-ref %t.removes -- --extra-arg=-DREMOVES_MODULE
// RUN: %check_gilport --check-suffix=311 %s gilport-borrowed-ref %t.311 -- --python=%python_gil

// PyState_FindModule borrows the module from the interpreter's list of
// single-phase modules. When the init function hands back the module it
// already has, a re-import never replaces the entry, and the module lives as
// long as the interpreter: not reported (ujson and msgspec kept these calls
// in their free-threading ports). Without that, or when the extension removes
// the module from the list itself, a re-import or the removal drops the module
// while another thread may use it.

#include <Python.h>

static struct PyModuleDef reused_module;
static struct PyModuleDef recreated_module;

typedef struct {
  PyObject *error;
} module_state;

#define GLOBAL_STATE                                                           \
  ((module_state *)PyModule_GetState(PyState_FindModule(&reused_module)))

static PyObject *raise_error(PyObject *unused, PyObject *args) {
  PyObject *module = PyState_FindModule(&reused_module);
  // CHECK-MESSAGES-REMOVES: :[[@LINE-1]]:22: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  if (module == NULL)
    return NULL;
  module_state *state = (module_state *)PyModule_GetState(module);
  PyErr_SetString(state->error, "failed");
  return NULL;
}

static PyObject *raise_through_macro(PyObject *unused, PyObject *args) {
  PyErr_SetString(GLOBAL_STATE->error, "failed");
  // CHECK-MESSAGES-REMOVES: :[[@LINE-1]]:19: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  // CHECK-MESSAGES-REMOVES: :23:38: note: expanded from macro 'GLOBAL_STATE'
  return NULL;
}

// A second module in the same file whose init function always creates a new
// module: a re-import replaces the one this borrows.
static PyObject *recreated_error(PyObject *unused, PyObject *args) {
  PyObject *module = PyState_FindModule(&recreated_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  // CHECK-MESSAGES-REMOVES: :[[@LINE-2]]:22: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  // CHECK-MESSAGES-311: :[[@LINE-3]]:22: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  return Py_XNewRef(module);
}

#ifdef REMOVES_MODULE
static PyObject *forget(PyObject *unused, PyObject *args) {
  if (PyState_RemoveModule(&reused_module) < 0)
    return NULL;
  Py_RETURN_NONE;
}
#endif

static PyMethodDef methods[] = {
    {"raise_error", raise_error, METH_NOARGS, NULL},
    {"raise_through_macro", raise_through_macro, METH_NOARGS, NULL},
    {"recreated_error", recreated_error, METH_NOARGS, NULL},
#ifdef REMOVES_MODULE
    {"forget", forget, METH_NOARGS, NULL},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef reused_module = {
    PyModuleDef_HEAD_INIT, "reused", NULL, sizeof(module_state), methods,
};

static struct PyModuleDef recreated_module = {
    PyModuleDef_HEAD_INIT, "recreated", NULL, 0, NULL,
};

PyMODINIT_FUNC PyInit_reused(void) {
  PyObject *module;
  if ((module = PyState_FindModule(&reused_module)) != NULL) {
    // CHECK-MESSAGES-REMOVES: :[[@LINE-1]]:17: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
    Py_INCREF(module);
    return module;
  }
  module = PyModule_Create(&reused_module);
  if (module == NULL)
    return NULL;
  module_state *state = (module_state *)PyModule_GetState(module);
  state->error = PyErr_NewException("reused.Error", NULL, NULL);
  if (state->error == NULL) {
    Py_DECREF(module);
    return NULL;
  }
  return module;
}

PyMODINIT_FUNC PyInit_recreated(void) {
  PyObject *module = PyModule_Create(&recreated_module);
  // Found only to be tested: not reported.
  if (PyState_FindModule(&recreated_module) == NULL)
    return module;
  return module;
}
