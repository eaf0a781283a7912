#include <Python.h>

/* The project's own critical sections for older Pythons, with no guard:
   gilport_compat.h goes after them, where its own stand back. */
#if PY_VERSION_HEX < 0x030d0000
#define Py_BEGIN_CRITICAL_SECTION(op)
#define Py_END_CRITICAL_SECTION()
#endif

static PyObject *memo;

PyObject *lookup(PyObject *key) {
  PyObject *value;
  value = PyDict_GetItemWithError(memo, key);
  if (value != NULL) {
    Py_INCREF(value);
  }
  return value;
}

void clear(void) {
  Py_BEGIN_CRITICAL_SECTION(memo);
  PyDict_Clear(memo);
  Py_END_CRITICAL_SECTION();
}
