/* findmodule: a method that finds its own module with PyState_FindModule, a
 * borrowed reference to an object every thread shares. Used by
 * test/stress/advice.test. */
#include <Python.h>

static struct PyModuleDef findmodule_module;

static PyObject *
module_name(PyObject *self, PyObject *unused)
{
    PyObject *module = PyState_FindModule(&findmodule_module);
    if (module == NULL)
        Py_RETURN_NONE;
    return PyModule_GetNameObject(module);
}

static PyMethodDef findmodule_methods[] = {
    {"module_name", module_name, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef findmodule_module = {
    PyModuleDef_HEAD_INIT, "findmodule", NULL, -1, findmodule_methods,
};

PyMODINIT_FUNC
PyInit_findmodule(void)
{
    return PyModule_Create(&findmodule_module);
}
