// RUN: %check_gilport %s gilport-borrowed-ref %t

// Borrowed calls inside static inline functions of a header that this file
// never calls are not reported: they never run here (issue: vendored
// pythoncapi_compat.h). One the file does call is reported in the header.
#include <Python.h>

#include "Inputs/vendored_compat.h"

static PyObject *lookup(PyObject *module, PyObject *args) {
  PyObject *dict, *key;
  if (!PyArg_ParseTuple(args, "OO", &dict, &key))
    return NULL;
  PyObject *value = compat_dict_get(dict, key);
  return Py_XNewRef(value);
}

// CHECK-MESSAGES: vendored_compat.h:8:10: warning: 'PyDict_GetItem' returns a borrowed reference
