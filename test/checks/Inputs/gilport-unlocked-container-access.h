#ifndef GILPORT_TEST_INPUTS_UNLOCKED_CONTAINER_ACCESS_H
#define GILPORT_TEST_INPUTS_UNLOCKED_CONTAINER_ACCESS_H

#include <Python.h>

// A user macro defined in a header: reported where it is used.
#define HEADER_LAST_ITEM(list) PyList_GET_ITEM((list), PyList_GET_SIZE(list) - 1)

// Reported in the header, once.
static inline Py_ssize_t header_count_none(PyObject *dict) {
  Py_ssize_t pos = 0, count = 0;
  PyObject *key, *value;
  while (PyDict_Next(dict, &pos, &key, &value))
    count += value == Py_None;
  return count;
}

#endif
