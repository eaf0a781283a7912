#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Strong references only: nothing to report. */
PyObject *length_of(PyObject *obj) {
  Py_ssize_t n = PyObject_Length(obj);
  if (n < 0)
    return NULL;
  return PyLong_FromSsize_t(n);
}
