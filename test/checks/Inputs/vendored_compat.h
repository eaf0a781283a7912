// A vendored compatibility header in the style of pythoncapi_compat.h: many
// static inline functions, most of which a given file never calls.
static inline PyObject *compat_sys_get(const char *name) {
  return PySys_GetObject(name);
}

static inline PyObject *compat_dict_get(PyObject *dict, PyObject *key) {
  return PyDict_GetItem(dict, key);
}

// Called only by another function this file never calls: never runs either.
static inline PyObject *compat_config_get(const char *name) {
  return PySys_GetObject(name);
}
static inline int compat_config_get_int(const char *name, int *value) {
  PyObject *obj = compat_config_get(name);
  if (obj == NULL)
    return -1;
  *value = (int)PyLong_AsLong(obj);
  return 0;
}
