// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --header %S/Inputs/gil-decl-single.h --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.out
// RUN: env GILPORT_TEST_PYTHON=%python_gil %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir311 --header %S/Inputs/gil-decl-single.h --compile %python_ft --compile %python_gil %s > %t.311.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.311.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.311.out

// gilport-missing-gil-decl fixes for single-phase init: the guarded
// PyUnstable_Module_SetGIL call right after the module is created and
// NULL-checked.

#include <Python.h>

#include "Inputs/gil-decl-single.h"

static struct PyModuleDef legacy_module = {
    PyModuleDef_HEAD_INIT, "legacy", NULL, -1, NULL,
};

// ---- Assignment, braced NULL check ----

PyMODINIT_FUNC PyInit_legacy(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_legacy' does not declare
  PyObject *m;

  // CHECK-MESSAGES: :[[@LINE+1]]:7: note: the module uses single-phase init
  m = PyModule_Create(&legacy_module);
  if (m == NULL) {
    return NULL;
  }
  if (PyModule_AddIntConstant(m, "answer", 42) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
// FIXED-LABEL: ==== fixed gil-decl-single.c ====
// FIXED:      m = PyModule_Create(&legacy_module);
// FIXED-NEXT: if (m == NULL) {
// FIXED-NEXT:   return NULL;
// FIXED-NEXT: }
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT: #endif
// FIXED-NEXT: if (PyModule_AddIntConstant(m, "answer", 42) < 0) {

// ---- Initialised declaration, `!module` check without braces ----

PyMODINIT_FUNC PyInit_compact(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_compact' does not declare
  // CHECK-MESSAGES: :[[@LINE+1]]:22: note: the module uses single-phase init
  PyObject *module = PyModule_Create(&legacy_module);
  if (!module) return NULL;
  return module;
}
// FIXED:      PyObject *module = PyModule_Create(&legacy_module);
// FIXED-NEXT: if (!module) return NULL;
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT: #endif
// FIXED-NEXT: return module;

// ---- The creation is returned: a variable holds it, tested for NULL ----

PyMODINIT_FUNC PyInit_direct(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_direct' does not declare
  return PyModule_Create(&legacy_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: note: the module uses single-phase init
}
// FIXED:      PyMODINIT_FUNC PyInit_direct(void) {
// FIXED:        PyObject *module = PyModule_Create(&legacy_module);
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   if (module != NULL) {
// FIXED-NEXT:     PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT:   }
// FIXED-NEXT: #endif
// FIXED-NEXT:   return module;

// ---- The same where the function already has a 'module' ----

static PyObject *module;

PyMODINIT_FUNC PyInit_named(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_named' does not declare
  Py_XDECREF(module);
  return PyModule_Create(&legacy_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: note: the module uses single-phase init
}
// FIXED:      PyMODINIT_FUNC PyInit_named(void) {
// FIXED:        PyObject *m = PyModule_Create(&legacy_module);
// FIXED:          PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
// FIXED:        return m;

// ---- Something happens between creation and the check: the call right
// after the creation, under its own NULL test ----

PyMODINIT_FUNC PyInit_between(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_between' does not declare
  PyObject *m = PyModule_Create(&legacy_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: note: the module uses single-phase init
  PyErr_Clear();
  if (m == NULL)
    return NULL;
  return m;
}
// FIXED:      PyMODINIT_FUNC PyInit_between(void) {
// FIXED:        PyObject *m = PyModule_Create(&legacy_module);
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   if (m != NULL) {
// FIXED-NEXT:     PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT:   }
// FIXED-NEXT: #endif

// ---- The creation is assigned in its NULL test ----

PyMODINIT_FUNC PyInit_tested(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_tested' does not declare
  PyObject *m;
  if ((m = PyModule_Create(&legacy_module)) == NULL)
  // CHECK-MESSAGES: :[[@LINE-1]]:12: note: the module uses single-phase init
    return NULL;
  return m;
}
// FIXED:      PyMODINIT_FUNC PyInit_tested(void) {
// FIXED:        if ((m = PyModule_Create(&legacy_module)) == NULL)
// FIXED:          return NULL;
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT: #endif
// FIXED-NEXT:   return m;

// ---- Macro: the whole init function is a macro expansion ----

#define LEGACY_INIT(name)                                                      \
  PyMODINIT_FUNC PyInit_##name(void) {                                         \
    PyObject *m = PyModule_Create(&legacy_module);                             \
    if (m == NULL)                                                             \
      return NULL;                                                             \
    return m;                                                                  \
  }

LEGACY_INIT(from_macro)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: module init function 'PyInit_from_macro' does not declare
// CHECK-MESSAGES: :[[@LINE-2]]:1: note: the module uses single-phase init
// FIXED: LEGACY_INIT(from_macro)
// FIXED-NOT: PyUnstable_Module_SetGIL
// REPORT:      warning: module init function 'PyInit_from_macro'
// REPORT:      note: no automatic fix: the module creation is spelled inside a macro expansion

// ---- Creation in a header helper: the header is fixed ----

PyMODINIT_FUNC PyInit_header(void) { return create_header_module(); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_header' does not declare
// CHECK-MESSAGES: gil-decl-single.h:7:22: note: the module uses single-phase init
// FIXED-LABEL: ==== fixed gil-decl-single.h ====
// FIXED:      PyObject *module = PyModule_Create(&header_module);
// FIXED-NEXT: if (module == NULL)
// FIXED-NEXT:   return NULL;
// FIXED-NEXT: #ifdef Py_GIL_DISABLED
// FIXED-NEXT:   PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
// FIXED-NEXT: #endif
// FIXED-NEXT: return module;
