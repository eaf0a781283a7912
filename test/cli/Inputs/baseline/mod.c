/* A small extension with borrowed references, for the baseline tests. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *first(PyObject *self, PyObject *list) {
  PyObject *item = PyList_GetItem(list, 0);
  return Py_XNewRef(item);
}

static PyObject *twice(PyObject *self, PyObject *list) {
  PyObject *item;
  item = PyList_GetItem(list, 0);
  if (item == NULL)
    return NULL;
  item = PyList_GetItem(list, 0);
  return Py_XNewRef(item);
}

static PyObject *lookup(PyObject *self, PyObject *dict) {
  PyObject *value = PyDict_GetItemString(dict, "key"); // NOLINT(gilport-borrowed-ref)
  return Py_XNewRef(value);
}

static PyMethodDef methods[] = {
    {"first", first, METH_O, NULL},
    {"twice", twice, METH_O, NULL},
    {"lookup", lookup, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "mod", NULL, -1,
                                    methods};

PyMODINIT_FUNC PyInit_mod(void) { return PyModule_Create(&module); }
