#include "project.h"

static PyObject *registry;

long count_values(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;
  while (PyDict_Next(registry, &pos, &key, &value))
    count++;
  return count;
}
