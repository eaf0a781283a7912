#include <Python.h>
#include <conf.h>

PyObject *first_b(PyObject *dict) { return item_of(dict); }
