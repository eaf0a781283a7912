#include "shared_helpers.h"

PyObject *one(PyObject *list) { return Py_XNewRef(peek_first(list)); }
