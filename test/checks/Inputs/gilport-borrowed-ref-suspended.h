// A helper in a header: its lookup is held across a callback.
static inline PyObject *header_lookup_then_call(PyObject *d, PyObject *key,
                                                PyObject *callback) {
  PyObject *result = NULL;
  Py_BEGIN_CRITICAL_SECTION(d);
  PyObject *item = PyDict_GetItem(d, key);
  if (item != NULL) {
    Py_XDECREF(PyObject_CallNoArgs(callback));
    result = PyObject_Repr(item);
  }
  Py_END_CRITICAL_SECTION();
  return result;
}
