#include <Python.h>

#include "helper.h"

/* Single-phase: only one interpreter can load it. */
static struct PyModuleDef single_def = {
    PyModuleDef_HEAD_INIT, "single", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_single(void) {
  if (PyType_Ready(&HelperType) < 0 || helper_intern() < 0)
    return NULL;
  PyObject *module = PyModule_Create(&single_def);
  if (module == NULL)
    return NULL;
  if (PyModule_AddObjectRef(module, "Helper", (PyObject *)&HelperType) < 0) {
    Py_DECREF(module);
    return NULL;
  }
  return module;
}
