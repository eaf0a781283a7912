#include <Python.h>

static PyObject *first(PyObject *module, PyObject *list) {
#ifdef GILPORT_TEST_FLAG
  return Py_XNewRef(PyList_GetItem(list, 0));
#else
  Py_RETURN_NONE;
#endif
}

static PyMethodDef methods[] = {{"first", first, METH_O, NULL}, {NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "dbdemo", NULL, -1,
                                 methods};
PyMODINIT_FUNC PyInit_dbdemo(void) { return PyModule_Create(&def); }
