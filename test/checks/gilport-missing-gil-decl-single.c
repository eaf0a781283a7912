// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %check_gilport %s gilport-missing-gil-decl %t.311 -- --python=%python_gil

// Single-phase init: the declaration is a PyUnstable_Module_SetGIL call,
// which only exists on free-threaded builds.

#include <Python.h>

static struct PyModuleDef legacy_module = {
    PyModuleDef_HEAD_INIT, "legacy", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_legacy(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_legacy' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, call 'PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED)' under '#ifdef Py_GIL_DISABLED' [gilport-missing-gil-decl]
  PyObject *module = PyModule_Create(&legacy_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: note: the module uses single-phase init, so it cannot be imported in subinterpreters that have their own GIL (PEP 684); multi-phase init ('PyModuleDef_Init') with module state supports them
  if (module == NULL)
    return NULL;
  if (PyModule_AddIntConstant(module, "answer", 42) < 0) {
    Py_DECREF(module);
    return NULL;
  }
  return module;
}

// Declared under #ifdef Py_GIL_DISABLED: active with free-threaded headers,
// skipped with the others.
static struct PyModuleDef declared_module = {
    PyModuleDef_HEAD_INIT, "declared", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_declared(void) {
  PyObject *module = PyModule_Create(&declared_module);
  if (module == NULL)
    return NULL;
#ifdef Py_GIL_DISABLED
  PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
  return module;
}

// Module creation and the declaration in helpers.
static PyObject *create_helper_module(void);

PyMODINIT_FUNC PyInit_helper(void) { return create_helper_module(); }

static struct PyModuleDef helper_module = {
    PyModuleDef_HEAD_INIT, "helper", NULL, -1, NULL,
};

static int declare_gil(PyObject *module) {
#if defined(Py_GIL_DISABLED)
  if (PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED) < 0)
    return -1;
#endif
  return 0;
}

static PyObject *create_helper_module(void) {
  PyObject *module = PyModule_Create(&helper_module);
  if (module != NULL && declare_gil(module) < 0)
    Py_CLEAR(module);
  return module;
}

// A module made without a PyModuleDef is single-phase too.
PyMODINIT_FUNC PyInit_bare(void) { return PyModule_New("bare"); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_bare' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, call 'PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED)' under '#ifdef Py_GIL_DISABLED' [gilport-missing-gil-decl]
// CHECK-MESSAGES: :[[@LINE-2]]:43: note: the module uses single-phase init

// The call only in a comment does not count.
PyMODINIT_FUNC PyInit_commented(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_commented' does not declare
  // TODO: PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
  return PyModule_Create(&legacy_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: note: the module uses single-phase init
}

// Created elsewhere: nothing is known, nothing is reported.
extern PyObject *make_module_elsewhere(void);
PyMODINIT_FUNC PyInit_elsewhere(void) { return make_module_elsewhere(); }

// Suppressed; in a macro.
#define LEGACY_INIT(name)                                                      \
  PyMODINIT_FUNC PyInit_##name(void) { return PyModule_Create(&legacy_module); }

LEGACY_INIT(suppressed) // NOLINT(gilport-missing-gil-decl)
LEGACY_INIT(from_macro)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: module init function 'PyInit_from_macro' does not declare
// CHECK-MESSAGES: :[[@LINE-2]]:1: note: the module uses single-phase init
