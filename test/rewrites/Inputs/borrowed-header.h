// A borrowed lookup in a header: reported there, never fixed (the header
// has no '#include <Python.h>' line for gilport_compat.h).
static inline int header_has_flag(PyObject *options) {
  PyObject *flag = PyDict_GetItemWithError(options, Py_None);
  return flag != NULL && PyObject_IsTrue(flag);
}
