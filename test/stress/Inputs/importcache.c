/* importcache: operator functions imported on first use and kept in
 * function-static pointers, the way many extensions cache what they
 * import (a fill that runs Python code). Used by
 * test/stress/publish-fill-tsan.test. */
#include <Python.h>

/* A new reference to operator.<name>, or NULL with an exception. */
static PyObject *
operator_attr(const char *name)
{
    PyObject *module, *result;

    module = PyImport_ImportModule("operator");
    if (module == NULL)
        return NULL;
    result = PyObject_GetAttrString(module, name);
    Py_DECREF(module);
    return result;
}

static PyObject *
call_neg(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("neg");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_pos(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("pos");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_abs(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("abs");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_invert(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("invert");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_index(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("index");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_truth(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("truth");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_not(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("not_");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyObject *
call_length_hint(PyObject *module, PyObject *arg)
{
    static PyObject *func = NULL;

    if (func == NULL) {
        func = operator_attr("length_hint");
        if (func == NULL)
            return NULL;
    }
    return PyObject_CallOneArg(func, arg);
}

static PyMethodDef importcache_methods[] = {
    {"call_neg", call_neg, METH_O, NULL},
    {"call_pos", call_pos, METH_O, NULL},
    {"call_abs", call_abs, METH_O, NULL},
    {"call_invert", call_invert, METH_O, NULL},
    {"call_index", call_index, METH_O, NULL},
    {"call_truth", call_truth, METH_O, NULL},
    {"call_not", call_not, METH_O, NULL},
    {"call_length_hint", call_length_hint, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef importcache_module = {
    PyModuleDef_HEAD_INIT, "importcache", NULL, -1, importcache_methods,
};

PyMODINIT_FUNC
PyInit_importcache(void)
{
    return PyModule_Create(&importcache_module);
}
