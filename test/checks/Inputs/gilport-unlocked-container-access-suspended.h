// A helper in a header: it replaces the key it iterates with, so the loop
// cannot own it.
static inline int header_copy_normalized(PyObject *d, PyObject *into) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  int result = 0;
  Py_BEGIN_CRITICAL_SECTION(d);
  while (PyDict_Next(d, &pos, &key, &value)) {
    key = PyUnicode_Check(key) ? key : Py_None;
    if (PyObject_SetItem(into, key, value) < 0) {
      result = -1;
      break;
    }
  }
  Py_END_CRITICAL_SECTION();
  return result;
}
