#include <Python.h>

PyObject *suppressions(PyObject *list, PyObject *dict) {
  PyObject *a = PyList_GetItem(list, 0); // NOLINT
  PyObject *b = PyList_GetItem(list, 1); // NOLINT(gilport-borrowed-ref)
  PyObject *c = PyList_GetItem(list, 2); // NOLINT(gilport-*)
  PyObject *d = PyList_GetItem(list, 3); // NOLINT(gilport-global-state)
  // NOLINTNEXTLINE(gilport-borrowed-ref)
  PyObject *e = PyList_GetItem(list, 4);
  // NOLINTBEGIN(gilport-borrowed-ref)
  PyObject *f = PyList_GetItem(list, 5);
  PyObject *g = PyDict_GetItemString(dict, "g");
  // NOLINTEND(gilport-borrowed-ref)
  PyObject *h = PyList_GetItem(list, 6);
  return PyTuple_Pack(8, a, b, c, d, e, f, g, h);
}
