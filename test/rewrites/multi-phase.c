// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-missing-gil-decl.ConvertSinglePhase=true > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.out

// gilport-missing-gil-decl with ConvertSinglePhase: single-phase init
// converted to multi-phase init, and the shapes that are not converted.

#include <Python.h>

// ---- Converted: initialised declaration, goto error ----

static struct PyModuleDef gotomod_module = {
    PyModuleDef_HEAD_INIT, "gotomod", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_gotomod(void) {
  PyObject *module = PyModule_Create(&gotomod_module);
  if (!module)
    return NULL;
  if (PyModule_AddIntConstant(module, "answer", 42) < 0)
    goto error;
  if (PyModule_AddStringConstant(module, "name", "x") < 0)
    goto error;
  return module;
error:
  Py_XDECREF(module);
  return NULL;
}
// FIXED-LABEL: ==== fixed multi-phase.c ====
// FIXED:      static int gotomod_exec(PyObject *module);
// FIXED-EMPTY:
// FIXED-NEXT: static PyModuleDef_Slot gotomod_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, gotomod_exec},
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: static struct PyModuleDef gotomod_module = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT, "gotomod", NULL, 0, NULL, gotomod_slots
// FIXED-NEXT: };
// FIXED:      static int gotomod_exec(PyObject *module) {
// FIXED-NEXT:   if (PyModule_AddIntConstant(module, "answer", 42) < 0)
// FIXED-NEXT:     goto error;
// FIXED-NEXT:   if (PyModule_AddStringConstant(module, "name", "x") < 0)
// FIXED-NEXT:     goto error;
// FIXED-NEXT:   return 0;
// FIXED-NEXT: error:
// FIXED-NEXT:   return -1;
// FIXED-NEXT: }
// FIXED-EMPTY:
// FIXED-NEXT: PyMODINIT_FUNC PyInit_gotomod(void) {
// FIXED-NEXT:   return PyModuleDef_Init(&gotomod_module);
// FIXED-NEXT: }

// ---- Not converted: the module is passed to a helper ----

static struct PyModuleDef helper_module = {
    PyModuleDef_HEAD_INIT, "helper", NULL, -1, NULL,
};

static int remember(PyObject *m) { return m == NULL ? -1 : 0; }

PyMODINIT_FUNC PyInit_helper(void) {
  PyObject *m;
  m = PyModule_Create(&helper_module);
  if (m == NULL) {
    return NULL;
  }
  if (remember(m) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
// FIXED:      PyMODINIT_FUNC PyInit_helper(void) {
// FIXED-NEXT:   PyObject *m;
// REPORT:     warning: module init function 'PyInit_helper'
// REPORT:     no automatic fix: the module object is passed to 'remember' at line {{[0-9]+}}, which may keep a reference to it; convert by hand

// ---- Not converted: m_size > 0 ----

static struct PyModuleDef sized_module = {
    PyModuleDef_HEAD_INIT, "sized", NULL, 16, NULL,
};

PyMODINIT_FUNC PyInit_sized(void) {
  PyObject *m = PyModule_Create(&sized_module);
  if (m == NULL)
    return NULL;
  return m;
}
// REPORT:     warning: module init function 'PyInit_sized'
// REPORT:     no automatic fix: its 'm_size' is 16: the single-phase module keeps state that must be moved by hand

// ---- Not converted: a release without 'return NULL;' ----

static struct PyModuleDef release_module = {
    PyModuleDef_HEAD_INIT, "release", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_release(void) {
  PyObject *m = PyModule_Create(&release_module);
  if (m == NULL)
    return NULL;
  if (PyModule_AddIntConstant(m, "x", 1) < 0) {
    Py_DECREF(m);
    m = NULL;
  }
  return m;
}
// REPORT:     warning: module init function 'PyInit_release'
// REPORT:     no automatic fix: the module is released at line {{[0-9]+}} without 'return NULL;' right after it

// ---- Not converted: the init function is a macro expansion ----

static struct PyModuleDef macro_module = {
    PyModuleDef_HEAD_INIT, "macro", NULL, -1, NULL,
};

#define LEGACY_INIT(name)                                                      \
  PyMODINIT_FUNC PyInit_##name(void) {                                         \
    PyObject *m = PyModule_Create(&name##_module);                             \
    if (m == NULL)                                                             \
      return NULL;                                                             \
    return m;                                                                  \
  }

LEGACY_INIT(macro)
// REPORT:     warning: module init function 'PyInit_macro'
// REPORT:     no automatic fix: the init function is defined inside a macro expansion
