#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A borrowed reference from a list that the caller shares. */
PyObject *first_item(PyObject *list) {
  PyObject *item = PyList_GetItem(list, 0);
  if (item == NULL)
    return NULL;
  return Py_NewRef(item);
}
