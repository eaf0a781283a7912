// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %check_gilport %s gilport-missing-gil-decl %t.311 -- --python=%python_gil

// Multi-phase init (PEP 489): the declaration is a Py_mod_gil slot.

#include <Python.h>

#include "Inputs/gilport-missing-gil-decl.h"

static int plain_exec(PyObject *module) { return 0; }

// ---- No Py_mod_gil slot ----

static PyModuleDef_Slot plain_slots[] = {
    {Py_mod_exec, plain_exec},
    {0, NULL},
};

static struct PyModuleDef plain_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "plain",
    .m_size = 0,
    .m_slots = plain_slots,
};

PyMODINIT_FUNC PyInit_plain(void) { return PyModuleDef_Init(&plain_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_plain' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add a '{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13) [gilport-missing-gil-decl]
// CHECK-MESSAGES: :[[@LINE-12]]:5: note: add the slot to 'plain_slots' before its terminator, under '#ifdef Py_mod_gil' while Python 3.12 and older are supported
// CHECK-MESSAGES: :[[@LINE-15]]:25: note: the module does not declare 'Py_mod_multiple_interpreters' either, so it cannot be imported in subinterpreters that have their own GIL (PEP 684); add '{Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}' (Python 3.12) once its state is per module

// ---- A slot only mentioned in a comment does not count ----

static PyModuleDef_Slot commented_slots[] = {
    {Py_mod_exec, plain_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if 0
    // {Py_mod_gil, Py_MOD_GIL_NOT_USED}, once the caches are locked
#endif
    {0, NULL},
};

static struct PyModuleDef commented_module = {
    PyModuleDef_HEAD_INIT, "commented", NULL, 0, NULL, commented_slots,
};

PyMODINIT_FUNC PyInit_commented(void) {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_commented' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add a '{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13) [gilport-missing-gil-decl]
  // CHECK-MESSAGES: :[[@LINE-9]]:5: note: add the slot to 'commented_slots' before its terminator, under '#ifdef Py_mod_gil' while Python 3.12 and older are supported
  return PyModuleDef_Init(&commented_module);
}

// ---- No slots array at all ----

static struct PyModuleDef slotless_module = {
    PyModuleDef_HEAD_INIT, "slotless", NULL, 0, NULL, NULL,
};

PyMODINIT_FUNC PyInit_slotless(void) { return PyModuleDef_Init(&slotless_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_slotless' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add a '{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13) [gilport-missing-gil-decl]
// CHECK-MESSAGES: :[[@LINE-6]]:27: note: 'slotless_module' has no slots array ('m_slots' is NULL); give it one ending in '{0, NULL}'
// CHECK-MESSAGES: :[[@LINE-7]]:27: note: the module does not declare 'Py_mod_multiple_interpreters' either

// Suppressed.
static struct PyModuleDef suppressed_module = {
    PyModuleDef_HEAD_INIT, "suppressed", NULL, 0, NULL, plain_slots,
};

PyMODINIT_FUNC PyInit_suppressed(void) { // NOLINT(gilport-missing-gil-decl)
  return PyModuleDef_Init(&suppressed_module);
}

#define DEFINE_INIT(name, def)                                                 \
  PyMODINIT_FUNC PyInit_##name(void) { return PyModuleDef_Init(&def); }

DEFINE_INIT(macro_plain, plain_module)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: module init function 'PyInit_macro_plain' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add a '{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13) [gilport-missing-gil-decl]
// CHECK-MESSAGES: note: add the slot to 'plain_slots'
// CHECK-MESSAGES: note: the module does not declare 'Py_mod_multiple_interpreters' either

// ---- Slots arrays in a header ----

static struct PyModuleDef header_module = {
    PyModuleDef_HEAD_INIT, "header", NULL, 0, NULL, header_slots,
};

PyMODINIT_FUNC PyInit_header(void) { return PyModuleDef_Init(&header_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_header' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add a '{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13) [gilport-missing-gil-decl]
// CHECK-MESSAGES: gilport-missing-gil-decl.h:6:5: note: add the slot to 'header_slots' before its terminator, under '#ifdef Py_mod_gil' while Python 3.12 and older are supported
// CHECK-MESSAGES: gilport-missing-gil-decl.h:4:25: note: the module does not declare 'Py_mod_multiple_interpreters' either
