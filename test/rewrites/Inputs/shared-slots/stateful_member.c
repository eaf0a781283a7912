#include "family.h"

static PyObject *cache; /* process-global: this module is not ready */

static PyObject *remember(PyObject *self, PyObject *arg) {
  Py_XSETREF(cache, Py_NewRef(arg));
  Py_RETURN_NONE;
}

FAMILY_MODULE(stateful_member)
