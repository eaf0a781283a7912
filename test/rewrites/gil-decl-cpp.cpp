// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out

// C++: PyInit_* in extern "C" (PyMODINIT_FUNC); the positional definition
// without m_slots gets the missing members and a new slots array.

#include <Python.h>

static PyModuleDef cpp_module = {
    PyModuleDef_HEAD_INIT, "cpp", nullptr, 0,
};
// FIXED:      static PyModuleDef_Slot cpp_slots[] = {
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: static PyModuleDef cpp_module = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT, "cpp", nullptr, 0, NULL, cpp_slots,
// FIXED-NEXT: };

PyMODINIT_FUNC PyInit_cpp(void) { return PyModuleDef_Init(&cpp_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_cpp' does not declare
