#define WANT_FIRST
#include "shared.h"
int call_first(PyObject *c, PyObject *k) { return first_used(c, k); }
