#include "shared_helpers.h"

PyObject *two(PyObject *list) { return Py_XNewRef(peek_first(list)); }
#ifdef GILPORT_TEST_FLAG
PyObject *only_with_flag(PyObject *list) { return Py_XNewRef(PyList_GetItem(list, 1)); }
#endif
