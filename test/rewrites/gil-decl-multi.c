// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --header %S/Inputs/gil-decl.h --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.out
// Fixing against the 3.11 headers gives the same result.
// RUN: env GILPORT_TEST_PYTHON=%python_gil %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir311 --header %S/Inputs/gil-decl.h --compile %python_ft --compile %python_gil %s > %t.311.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.311.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.311.out

// gilport-missing-gil-decl fixes for multi-phase init: the slots are added
// before the terminator; Py_mod_multiple_interpreters only when the module
// keeps no global state.

#include <Python.h>

#include "Inputs/gil-decl.h"

static int plain_exec(PyObject *module) { return 0; }

// ---- Both slots are added ----

static PyModuleDef_Slot plain_slots[] = {
    {Py_mod_exec, plain_exec},
    {0, NULL},
};
// FIXED-LABEL: ==== fixed gil-decl-multi.c ====
// FIXED:      static PyModuleDef_Slot plain_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, plain_exec},
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},
// FIXED-NEXT: };

static struct PyModuleDef plain_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "plain",
    .m_size = 0,
    .m_slots = plain_slots,
};

PyMODINIT_FUNC PyInit_plain(void) { return PyModuleDef_Init(&plain_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_plain' does not declare whether the module can run without the GIL

// ---- The array on one line ----

static PyModuleDef_Slot oneline_slots[] = {{Py_mod_exec, plain_exec}, {0, NULL}};
// FIXED:      static PyModuleDef_Slot oneline_slots[] = {{[{][{]}}Py_mod_exec, plain_exec},
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL}};

static struct PyModuleDef oneline_module = {
    PyModuleDef_HEAD_INIT, "oneline", NULL, 0, NULL, oneline_slots,
};

PyMODINIT_FUNC PyInit_oneline(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_oneline'
  return PyModuleDef_Init(&oneline_module);
}

// ---- Py_mod_multiple_interpreters is there: only Py_mod_gil ----

static PyModuleDef_Slot interp_slots[] = {
    {Py_mod_exec, plain_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
#endif
    {0, NULL},
};
// FIXED:      static PyModuleDef_Slot interp_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, plain_exec},
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},

static struct PyModuleDef interp_module = {
    PyModuleDef_HEAD_INIT, "interp", NULL, 0, NULL, interp_slots,
};

PyMODINIT_FUNC PyInit_interp(void) { return PyModuleDef_Init(&interp_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_interp'

// ---- m_size = -1: global state, no per-interpreter GIL ----

static PyModuleDef_Slot global_slots[] = {
    {Py_mod_exec, plain_exec},
    {0, NULL},
};
// FIXED:      static PyModuleDef_Slot global_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, plain_exec},
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},

static struct PyModuleDef global_module = {
    PyModuleDef_HEAD_INIT, "global", NULL, -1, NULL, global_slots,
};

PyMODINIT_FUNC PyInit_global(void) { return PyModuleDef_Init(&global_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_global'
// CHECK-MESSAGES: note: the fix does not add 'Py_mod_multiple_interpreters': its 'm_size' is -1, so its state is global

// ---- No slots array: one is added (positional m_slots = NULL) ----

// FIXED:      static PyModuleDef_Slot slotless_slots[] = {
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: static struct PyModuleDef slotless_module = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT, "slotless", NULL, 0, NULL, slotless_slots,
static struct PyModuleDef slotless_module = {
    PyModuleDef_HEAD_INIT, "slotless", NULL, 0, NULL, NULL,
};

PyMODINIT_FUNC PyInit_slotless(void) { return PyModuleDef_Init(&slotless_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_slotless'

// ---- No slots array, designated initializers without m_slots ----

// FIXED:      static PyModuleDef_Slot designated_slots[] = {
// FIXED:      static struct PyModuleDef designated_module = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT,
// FIXED-NEXT:     .m_name = "designated",
// FIXED-NEXT:     .m_size = 0,
// FIXED-NEXT:     .m_slots = designated_slots,
// FIXED-NEXT: };
static struct PyModuleDef designated_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "designated",
    .m_size = 0,
};

PyMODINIT_FUNC PyInit_designated(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_designated'
  return PyModuleDef_Init(&designated_module);
}

// ---- Macros: no edit inside an expansion ----

#define SLOTS_END {0, NULL}

static PyModuleDef_Slot macro_end_slots[] = {
    {Py_mod_exec, plain_exec},
    SLOTS_END,
};
// FIXED:      static PyModuleDef_Slot macro_end_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, plain_exec},
// FIXED-NEXT:     SLOTS_END,

static struct PyModuleDef macro_end_module = {
    PyModuleDef_HEAD_INIT, "macro_end", NULL, 0, NULL, macro_end_slots,
};

PyMODINIT_FUNC PyInit_macro_end(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_macro_end'
  return PyModuleDef_Init(&macro_end_module);
}
// REPORT: warning: module init function 'PyInit_macro_end'
// REPORT: note: no automatic fix: the terminator of the slots array is spelled inside a macro expansion

// The init function in a macro: the slots array is plain code, so it is
// fixed (in the header, see below).
#define DEFINE_INIT(name, def)                                                 \
  PyMODINIT_FUNC PyInit_##name(void) { return PyModuleDef_Init(&def); }

// ---- Slots array in a header: the header is fixed ----

static struct PyModuleDef header_module = {
    PyModuleDef_HEAD_INIT, "header", NULL, 0, NULL, header_slots,
};

DEFINE_INIT(header, header_module)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: module init function 'PyInit_header'
// FIXED-LABEL: ==== fixed gil-decl.h ====
// FIXED:      static PyModuleDef_Slot header_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, header_exec},
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// FIXED-NEXT: #endif
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},
