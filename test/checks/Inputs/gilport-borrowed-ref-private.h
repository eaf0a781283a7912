#ifndef GILPORT_TEST_INPUTS_BORROWED_REF_PRIVATE_H
#define GILPORT_TEST_INPUTS_BORROWED_REF_PRIVATE_H

#include <Python.h>

// A user macro over a private lookup, defined in a header.
#define HEADER_LOOKUP_HASHED(dict, key, hash)                                  \
  _PyDict_GetItem_KnownHash((dict), (key), (hash))

// Reported in the header, once, never fixed.
static inline int header_has_name(PyObject *dict) {
  return PyObject_IsTrue(_PyDict_GetItemStringWithError(dict, "name"));
}

#endif
