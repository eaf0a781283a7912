/* findmodule_kept: as findmodule.c, but its init function first hands back the
 * module the interpreter already has, so a re-import never replaces it and the
 * module PyState_FindModule borrows lives as long as the interpreter. Used by
 * test/stress/advice.test. */
#include <Python.h>

static struct PyModuleDef findmodule_kept_module;

static PyObject *
module_name(PyObject *self, PyObject *unused)
{
    PyObject *module = PyState_FindModule(&findmodule_kept_module);
    if (module == NULL)
        Py_RETURN_NONE;
    return PyModule_GetNameObject(module);
}

static PyMethodDef findmodule_kept_methods[] = {
    {"module_name", module_name, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef findmodule_kept_module = {
    PyModuleDef_HEAD_INIT, "findmodule_kept", NULL, 0, findmodule_kept_methods,
};

PyMODINIT_FUNC
PyInit_findmodule_kept(void)
{
    PyObject *module = PyState_FindModule(&findmodule_kept_module);
    if (module != NULL)
        return Py_NewRef(module);
    module = PyModule_Create(&findmodule_kept_module);
#ifdef Py_GIL_DISABLED
    if (module != NULL)
        PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
    return module;
}
