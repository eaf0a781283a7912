#include <Python.h>
#include "project.h"

/* A table filled once: the fix needs PyMutex, which the vendored header
 * lacks, so gilport_compat.h provides it, after the vendored header. */
static int digit_value(unsigned char c) {
  static signed char values[128];
  static int ready;
  if (c & 0x80)
    return -1;
  if (!ready) {
    memset(values, 0xff, sizeof values);
    for (int i = 0; i < 10; i++)
      values['0' + i] = (signed char)i;
    ready = 1;
  }
  return values[c];
}

PyObject *lookup(PyObject *memo, PyObject *key) {
  PyObject *value = PyDict_GetItem(memo, key);
  if (value == NULL)
    return NULL;
  PyObject *text = PyObject_Repr(value);
  return text;
}

int first_digit(const char *s) { return digit_value((unsigned char)s[0]); }
