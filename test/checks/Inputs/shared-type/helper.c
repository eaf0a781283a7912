#include <Python.h>

#include "helper.h"

PyTypeObject HelperType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "shared.Helper",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};

/* Written by helper_intern(), which other sources call. */
static PyObject *helper_name;

int helper_intern(void) {
  helper_name = PyUnicode_InternFromString("helper");
  return helper_name == NULL ? -1 : 0;
}

PyObject *helper_get_name(void) { return Py_XNewRef(helper_name); }

/* Written only by helper_count_legacy(), which no source of the run calls:
   the write never runs. */
static long legacy_calls;

void helper_count_legacy(void) { legacy_calls++; }

long helper_legacy_calls(void) { return legacy_calls; }
