/* Lists the sorted keys of a dict that other threads may mutate, written for
 * the GIL: the size that sizes the result list is read before the loop that
 * fills it. `gilport fix` must put the size read, the allocation and the loop
 * in one critical section (critical-section-sized-run.test); a section around
 * the loop alone lets the dict grow in between, and the loop then writes past
 * the end of the list. */
#include <Python.h>

static PyObject *
dictkeys_sorted(PyObject *module, PyObject *dict)
{
    Py_ssize_t pos = 0, i = 0;
    PyObject *key, *value;

    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict");
        return NULL;
    }
    PyObject *result = PyList_New(PyDict_Size(dict));
    if (result == NULL)
        return NULL;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        Py_INCREF(key);
        PyList_SET_ITEM(result, i++, key);
    }
    if (PyList_Sort(result) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

static PyMethodDef dictkeys_methods[] = {
    {"sorted", dictkeys_sorted, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot dictkeys_slots[] = {
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef dictkeys_module = {
    PyModuleDef_HEAD_INIT, "dictkeys", NULL, 0, dictkeys_methods, dictkeys_slots,
};

PyMODINIT_FUNC
PyInit_dictkeys(void)
{
    return PyModuleDef_Init(&dictkeys_module);
}
