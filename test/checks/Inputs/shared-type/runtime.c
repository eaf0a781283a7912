#include <Python.h>

#include "helper.h"

/* Single-phase too, but it calls helper_intern() while in use: the write
   is a data race then, whatever the module declares. */
static PyObject *renew(PyObject *module, PyObject *unused) {
  if (helper_intern() < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyMethodDef runtime_methods[] = {
    {"renew", renew, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef runtime_def = {
    PyModuleDef_HEAD_INIT, "runtime", NULL, -1, runtime_methods,
};

PyMODINIT_FUNC PyInit_runtime(void) {
  if (PyType_Ready(&HelperType) < 0)
    return NULL;
  return PyModule_Create(&runtime_def);
}
