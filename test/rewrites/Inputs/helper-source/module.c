#include <Python.h>

#include "helper.h"

static PyObject *first_path(PyObject *module, PyObject *unused) {
  return helper_first_path();
}

static PyMethodDef methods[] = {
    {"first_path", first_path, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "module", NULL, 0, methods, slots,
};

PyMODINIT_FUNC PyInit_module(void) { return PyModuleDef_Init(&module_def); }
