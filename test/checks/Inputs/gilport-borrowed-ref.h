#ifndef GILPORT_TEST_INPUTS_BORROWED_REF_H
#define GILPORT_TEST_INPUTS_BORROWED_REF_H

#include <Python.h>

// A user macro defined in a header: reported where it is used.
#define HEADER_FIRST_ITEM(list) PyList_GetItem((list), 0)

// Reported in the header, once.
static inline PyObject *header_lookup(PyObject *dict, PyObject *key) {
  return PyDict_GetItem(dict, key);
}

// Only tested for NULL: not reported.
static inline int header_contains(PyObject *dict, PyObject *key) {
  return PyDict_GetItem(dict, key) != NULL;
}

#endif
