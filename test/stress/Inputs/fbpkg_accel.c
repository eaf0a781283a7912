/* fbpkg._accel: a single-phase accelerator, which an own-GIL
 * subinterpreter cannot load; fbpkg falls back to fbpkg._pure there. Used by
 * test/stress/subinterpreter-fallback.test. */
#include <Python.h>
static PyObject *double_(PyObject *m, PyObject *x) { return PyNumber_Add(x, x); }
static PyMethodDef methods[] = {{"double", double_, METH_O, NULL}, {NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_accel", NULL, -1, methods};
PyMODINIT_FUNC PyInit__accel(void) {
    PyObject *m = PyModule_Create(&def);
#ifdef Py_GIL_DISABLED
    if (m) PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    return m;
}
