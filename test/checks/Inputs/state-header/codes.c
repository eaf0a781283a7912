#include "codes.h"

static int codes_exec(PyObject *module) {
  codes_state *st = PyModule_GetState(module);
  st->names = PyDict_New();
  if (st->names == NULL)
    return -1;
  return PyDict_SetItemString(st->names, "one", Py_True);
}

static int codes_clear(PyObject *module) {
  codes_state *st = PyModule_GetState(module);
  Py_CLEAR(st->names);
  return 0;
}

// Not reported: only exec fills the dict.
static PyObject *codes_name(PyObject *module, PyObject *key) {
  codes_state *st = PyModule_GetState(module);
  PyObject *name = PyDict_GetItemWithError(st->names, key);
  return name ? PyObject_Str(name) : NULL;
}

static PyMethodDef codes_methods[] = {
    {"name", codes_name, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot codes_slots[] = {
    {Py_mod_exec, codes_exec},
    {0, NULL},
};

static struct PyModuleDef codes_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "codes",
    .m_size = sizeof(codes_state),
    .m_methods = codes_methods,
    .m_slots = codes_slots,
    .m_clear = codes_clear,
};

PyMODINIT_FUNC PyInit_codes(void) { return PyModuleDef_Init(&codes_def); }
