/* Sums the ints of a list that other threads may mutate, written for the
 * GIL: the item array is read without a lock. `gilport fix` wraps both loops
 * in a critical section (critical-section-items-run.test). */
#include <Python.h>

static PyObject *
listsum_total(PyObject *module, PyObject *list)
{
    long total = 0;
    Py_ssize_t i;

    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        long value = PyLong_AsLong(item);
        if (value == -1 && PyErr_Occurred()) {
            return NULL;
        }
        total += value;
    }
    return PyLong_FromLong(total);
}

static PyObject *
listsum_fast_total(PyObject *module, PyObject *seq)
{
    PyObject *fast, **items;
    Py_ssize_t i, n;
    long total = 0;

    fast = PySequence_Fast(seq, "expected a sequence");
    if (fast == NULL) {
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(fast);
    items = PySequence_Fast_ITEMS(fast);
    for (i = 0; i < n; i++) {
        total += PyLong_AsLong(items[i]);
    }
    Py_DECREF(fast);
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromLong(total);
}

static PyMethodDef listsum_methods[] = {
    {"total", listsum_total, METH_O, "Sum of the ints of a list."},
    {"fast_total", listsum_fast_total, METH_O,
     "Sum of the ints of a sequence."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot listsum_slots[] = {
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef listsum_module = {
    PyModuleDef_HEAD_INIT, "listsum", NULL, 0, listsum_methods, listsum_slots,
};

PyMODINIT_FUNC
PyInit_listsum(void)
{
    return PyModuleDef_Init(&listsum_module);
}
