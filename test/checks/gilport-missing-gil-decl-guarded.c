// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %check_gilport %s gilport-missing-gil-decl %t.311 -- --python=%python_gil

// Multi-phase init modules whose Py_mod_gil slot is guarded for older
// Pythons. With 3.13 headers the slot is in the AST; with 3.11 headers it is
// in a skipped preprocessor branch. Neither is reported.

#include <Python.h>

#include "Inputs/gilport-missing-gil-decl.h"

static int plain_exec(PyObject *module) { return 0; }

static PyModuleDef_Slot guarded_slots[] = {
    {Py_mod_exec, plain_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef guarded_module = {
    PyModuleDef_HEAD_INIT, "guarded", NULL, 0, NULL, guarded_slots,
};

PyMODINIT_FUNC PyInit_guarded(void) { return PyModuleDef_Init(&guarded_module); }

#if PY_VERSION_HEX >= 0x030D0000
static PyModuleDef_Slot gil_used_slots[] = {
    {Py_mod_exec, plain_exec},
    {Py_mod_gil, Py_MOD_GIL_USED},
    {0, NULL},
};
#else
static PyModuleDef_Slot gil_used_slots[] = {
    {Py_mod_exec, plain_exec},
    {0, NULL},
};
#endif

static struct PyModuleDef gil_used_module = {
    PyModuleDef_HEAD_INIT, "gil_used", NULL, 0, NULL, gil_used_slots,
};

// With 3.11 headers the declaration is the other definition of the array,
// in a skipped branch.
PyMODINIT_FUNC PyInit_gil_used(void) {
  return PyModuleDef_Init(&gil_used_module);
}

#ifdef Py_mod_gil
#define FREE_THREADING_SLOT {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#else
#define FREE_THREADING_SLOT
#endif

static PyModuleDef_Slot macro_slots[] = {
    {Py_mod_exec, plain_exec},
    FREE_THREADING_SLOT
    {0, NULL},
};

static struct PyModuleDef macro_module = {
    PyModuleDef_HEAD_INIT, "macro", NULL, 0, NULL, &macro_slots[0],
};

#define DEFINE_INIT(name, def)                                                 \
  PyMODINIT_FUNC PyInit_##name(void) { return PyModuleDef_Init(&def); }

DEFINE_INIT(macro, macro_module)

// The slots array is in a header.
static struct PyModuleDef header_guarded_module = {
    PyModuleDef_HEAD_INIT, "header_guarded", NULL, 0, NULL,
    header_guarded_slots,
};

PyMODINIT_FUNC PyInit_header_guarded(void) {
  return PyModuleDef_Init(&header_guarded_module);
}
