/* fmtmod_racy.c ported: each call formats into its own buffer, and `first`
   takes a strong reference with PyList_GetItemRef (3.13). The same tests
   must pass in threads, with nothing reported. Built with -DFMTMOD_KEEP_GIL,
   it does not declare that it runs without the GIL. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sched.h>

static PyObject *
fmtmod_fmt(PyObject *module, PyObject *arg)
{
    char digits[32];
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
    sched_yield(); /* as in fmtmod_racy.c */
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
    return PyList_GetItemRef(list, 0);
}

static PyMethodDef fmtmod_methods[] = {
    {"fmt", fmtmod_fmt, METH_O, NULL},
    {"first", fmtmod_first, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot fmtmod_slots[] = {
#if defined(Py_GIL_DISABLED) && !defined(FMTMOD_KEEP_GIL)
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
