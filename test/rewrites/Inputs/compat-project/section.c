#include <Python.h>
#include "own_compat.h"

static PyObject *registry;

static long count_values(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;
  while (PyDict_Next(registry, &pos, &key, &value))
    count++;
  return count;
}

long use_count(void) { return count_values() + own_compat_unused(); }
