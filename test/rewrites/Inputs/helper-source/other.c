#include <Python.h>

static PyModuleDef_Slot other_slots[] = {
    {0, NULL},
};

static struct PyModuleDef other_def = {
    PyModuleDef_HEAD_INIT, "other", NULL, 0, NULL, other_slots,
};

PyMODINIT_FUNC PyInit_other(void) { return PyModuleDef_Init(&other_def); }
