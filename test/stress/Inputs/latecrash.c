/* latecrash: damage that shows later, outside the module. spoil() returns an
 * object whose type pointer it overwrote: nothing fails in the module; the
 * interpreter crashes when it next looks at the object's type (to release
 * it, say). Used by test/stress/late-crash.test. */
#include <Python.h>
#include <stdint.h>

static PyObject *
spoil(PyObject *module, PyObject *unused)
{
    PyObject *victim = PyList_New(0);
    if (victim == NULL)
        return NULL;
    Py_SET_TYPE(victim, (PyTypeObject *)(uintptr_t)0x10);
    return victim;
}

static PyMethodDef latecrash_methods[] = {
    {"spoil", spoil, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef latecrash_module = {
    PyModuleDef_HEAD_INIT, "latecrash", NULL, -1, latecrash_methods,
};

PyMODINIT_FUNC
PyInit_latecrash(void)
{
    return PyModule_Create(&latecrash_module);
}
