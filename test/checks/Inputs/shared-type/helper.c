#include <Python.h>

#include "helper.h"

PyTypeObject HelperType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "shared.Helper",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};
