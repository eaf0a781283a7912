#include <Python.h>

#include "helper.h"

/* Multi-phase, and not saying that it cannot be loaded by several
   interpreters: they all share HelperType. */
static int multi_exec(PyObject *module) {
  if (PyType_Ready(&HelperType) < 0)
    return -1;
  return PyModule_AddObjectRef(module, "Helper", (PyObject *)&HelperType);
}

static PyModuleDef_Slot multi_slots[] = {
    {Py_mod_exec, multi_exec},
    {0, NULL},
};

static struct PyModuleDef multi_def = {
    PyModuleDef_HEAD_INIT, "multi", NULL, 0, NULL, multi_slots,
};

PyMODINIT_FUNC PyInit_multi(void) { return PyModuleDef_Init(&multi_def); }
