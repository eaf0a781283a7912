// A vendored compatibility header in the style of pythoncapi_compat.h: many
// static inline functions, most of which a given file never calls.
static inline PyObject *compat_sys_get(const char *name) {
  return PySys_GetObject(name);
}

static inline PyObject *compat_dict_get(PyObject *dict, PyObject *key) {
  return PyDict_GetItem(dict, key);
}
