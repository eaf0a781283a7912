/* Included by first.c and second.c, each of which compiles one half: the
   fixes of both must land in this one file. */
#include <Python.h>

#ifdef WANT_FIRST
static int first_used(PyObject *cache, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(cache, key);
  if (value == NULL)
    return PyErr_Occurred() ? -1 : 0;
  int truth = PyObject_IsTrue(value);
  return truth;
}
#endif

#ifdef WANT_SECOND
static int second_used(PyObject *cache, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(cache, key);
  if (value == NULL)
    return PyErr_Occurred() ? -1 : 0;
  int truth = PyObject_IsTrue(value);
  return truth;
}
#endif
