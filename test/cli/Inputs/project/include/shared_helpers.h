#ifndef SHARED_HELPERS_H
#define SHARED_HELPERS_H
#include <Python.h>

/* Included by two sources: its finding must be reported once. */
static inline PyObject *peek_first(PyObject *list) {
  return PyList_GetItem(list, 0);
}
#endif
