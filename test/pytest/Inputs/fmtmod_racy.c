/* A module written for the GIL: its formatter shares one buffer between all
   calls, and `first` returns a list item it only borrowed while another
   thread may replace it. gilport pytest must find both through the tests of
   test_fmtmod.py, which pass in one thread. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sched.h>

static char digits[32];

static PyObject *
fmtmod_fmt(PyObject *module, PyObject *arg)
{
    long value = PyLong_AsLong(arg);
    if (value == -1 && PyErr_Occurred())
        return NULL;
    if (value < 0) {
        PyErr_SetString(PyExc_ValueError, "negative");
        return NULL;
    }
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < 30);
    /* A real formatter does more work between filling the buffer and
       reading it; the yield stands for it, so that the race shows on a
       machine whose cores are busy too (the threads then take turns). */
    sched_yield();
    for (int i = 0; i < n / 2; i++) {
        char c = digits[i];
        digits[i] = digits[n - 1 - i];
        digits[n - 1 - i] = c;
    }
    return PyUnicode_FromStringAndSize(digits, n);
}

static PyObject *
fmtmod_first(PyObject *module, PyObject *list)
{
    PyObject *item = PyList_GetItem(list, 0);
    if (item == NULL)
        return NULL;
    return Py_NewRef(item);
}

static PyObject *
fmtmod_crash(PyObject *module, PyObject *unused)
{
    /* Used by the crash-containment test only. */
    volatile int *nowhere = NULL;
    *nowhere = 1;
    Py_RETURN_NONE;
}

static PyMethodDef fmtmod_methods[] = {
    {"fmt", fmtmod_fmt, METH_O, NULL},
    {"first", fmtmod_first, METH_O, NULL},
    {"crash", fmtmod_crash, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot fmtmod_slots[] = {
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef fmtmod_def = {
    PyModuleDef_HEAD_INIT, "fmtmod", NULL, 0, fmtmod_methods, fmtmod_slots,
};

PyMODINIT_FUNC
PyInit_fmtmod(void)
{
    return PyModuleDef_Init(&fmtmod_def);
}
