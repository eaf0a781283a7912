// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-missing-gil-decl.ConvertSinglePhase=true > %t.out
// RUN: FileCheck %s < %t.out

// A module that finds itself with PyState_FindModule relies on single-phase
// init: it is not converted.

#include <Python.h>

static struct PyModuleDef state_module = {
    PyModuleDef_HEAD_INIT, "state", NULL, -1, NULL,
};

static PyObject *lookup(void) { return PyState_FindModule(&state_module); }

PyMODINIT_FUNC PyInit_state(void) {
  PyObject *m = PyModule_Create(&state_module);
  if (m == NULL)
    return NULL;
  if (lookup() == NULL)
    PyErr_Clear();
  return m;
}
// CHECK:     warning: module init function 'PyInit_state'
// CHECK:     no automatic fix: the file uses 'PyState_FindModule' (line 13), which relies on single-phase init; move the state to module state first
// CHECK-NOT: ==== fixed
