#include <Python.h>
#include <conf.h>

PyObject *first_a(PyObject *list) { return first_item(list); }
