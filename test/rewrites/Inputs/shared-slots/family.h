/* One slots array for a family of modules, as CPython's cjkcodecs.h does. */
#include <Python.h>

static int family_exec(PyObject *m) { return 0; }

static PyModuleDef_Slot family_slots[] = {
    {Py_mod_exec, family_exec},
    {0, NULL}};

#define FAMILY_MODULE(name)                                                    \
  static struct PyModuleDef name##_def = {PyModuleDef_HEAD_INIT, #name, NULL, \
                                          0,       NULL,  family_slots};       \
  PyMODINIT_FUNC PyInit_##name(void) { return PyModuleDef_Init(&name##_def); }
