#include <Python.h>

PyObject *broken(PyObject *list) {
  return PyList_GetItem(list, 0)  /* missing semicolon */
}
