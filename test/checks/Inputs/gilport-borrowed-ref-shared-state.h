#ifndef GILPORT_TEST_INPUTS_BORROWED_REF_SHARED_STATE_H
#define GILPORT_TEST_INPUTS_BORROWED_REF_SHARED_STATE_H

#include <Python.h>

// A state struct in a header that other files could include: code there
// could change its fields, so they are never taken as filled once.
typedef struct {
  PyObject *aliases;
} shared_header_state;

#endif
