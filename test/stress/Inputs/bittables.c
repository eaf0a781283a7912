/* bittables: sums of bit positions through a 256-entry table filled for the
 * bit order asked for, kept in function statics keyed by that order, the way
 * some extensions cache lookup tables. Used by
 * test/stress/static-tables-tsan.test. */
#include <Python.h>

static void
fill_positions(unsigned char *table, int big)
{
    int k, j;
    for (k = 0; k < 256; k++) {
        unsigned char t = 0;
        for (j = 0; j < 8; j++)
            if (k & (1 << j))
                t += big ? 7 - j : j;
        table[k] = t;
    }
}

static PyObject *
position_sum(PyObject *module, PyObject *args)
{
    static unsigned char table[256];
    static int order = -1; /* the bit order the table holds */
    Py_buffer data;
    int big;
    Py_ssize_t i;
    long sum = 0;

    if (!PyArg_ParseTuple(args, "y*p", &data, &big))
        return NULL;
    if (order != big) {
        fill_positions(table, big);
        order = big;
    }
    for (i = 0; i < data.len; i++)
        sum += table[((unsigned char *)data.buf)[i]];
    PyBuffer_Release(&data);
    return PyLong_FromLong(sum);
}

static PyMethodDef bittables_methods[] = {
    {"position_sum", position_sum, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef bittables_module = {
    PyModuleDef_HEAD_INIT, "bittables", NULL, -1, bittables_methods,
};

PyMODINIT_FUNC
PyInit_bittables(void)
{
    PyObject *module = PyModule_Create(&bittables_module);
#ifdef Py_GIL_DISABLED
    if (module != NULL)
        PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
    return module;
}
