static PyObject *first_item(PyObject *list) {
  PyObject *item = PyList_GetItem(list, 0);
  Py_XINCREF(item);
  return item;
}
