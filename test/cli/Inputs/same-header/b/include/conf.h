/* Same name as a/include/conf.h, found through the same relative -I. */

static PyObject *item_of(PyObject *dict) {
  PyObject *item = PyDict_GetItemString(dict, "key");
  Py_XINCREF(item);
  return item;
}
