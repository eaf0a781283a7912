#include <Python.h>

PyObject *first(PyObject *list) {
  PyObject *item = PyList_GetItem(list, 0);
  return Py_XNewRef(item);
}
