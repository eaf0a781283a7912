// A loop over a shared list's items in a header: reported there, never fixed
// (the header has no '#include <Python.h>' line for gilport_compat.h).
static inline long header_sum(PyObject *list) {
  long total = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++)
    total += PyLong_AsLong(PyList_GET_ITEM(list, i));
  return total;
}
