#define WANT_SECOND
#include "shared.h"
int call_second(PyObject *c, PyObject *k) { return second_used(c, k); }
