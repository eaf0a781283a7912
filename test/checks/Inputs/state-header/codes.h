#ifndef CODES_H
#define CODES_H

#include <Python.h>

// The module state of codes.c, in the header named after it.
typedef struct {
  PyObject *names;
} codes_state;

#endif
