/* globalcache: operator functions imported on first use and kept in
 * file-scope pointers, each filled wherever it is needed (at two places),
 * the way many extensions fetch an exception type or a helper. Used by
 * test/stress/publish-global-tsan.test. */
#include <Python.h>

static PyObject *neg_func;
static PyObject *abs_func;
static PyObject *index_func;
static PyObject *invert_func;

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
    if (neg_func == NULL)
        neg_func = operator_attr("neg");
    return PyObject_CallOneArg(neg_func, arg);
}

static PyObject *
call_neg_twice(PyObject *module, PyObject *arg)
{
    PyObject *once, *result;

    if (!neg_func)
        neg_func = operator_attr("neg");
    once = PyObject_CallOneArg(neg_func, arg);
    if (once == NULL)
        return NULL;
    result = PyObject_CallOneArg(neg_func, once);
    Py_DECREF(once);
    return result;
}

static PyObject *
call_abs(PyObject *module, PyObject *arg)
{
    if (abs_func == NULL)
        abs_func = operator_attr("abs");
    return PyObject_CallOneArg(abs_func, arg);
}

static PyObject *
call_abs_twice(PyObject *module, PyObject *arg)
{
    PyObject *once, *result;

    if (!abs_func)
        abs_func = operator_attr("abs");
    once = PyObject_CallOneArg(abs_func, arg);
    if (once == NULL)
        return NULL;
    result = PyObject_CallOneArg(abs_func, once);
    Py_DECREF(once);
    return result;
}

static PyObject *
call_index(PyObject *module, PyObject *arg)
{
    if (index_func == NULL)
        index_func = operator_attr("index");
    return PyObject_CallOneArg(index_func, arg);
}

static PyObject *
call_index_twice(PyObject *module, PyObject *arg)
{
    PyObject *once, *result;

    if (!index_func)
        index_func = operator_attr("index");
    once = PyObject_CallOneArg(index_func, arg);
    if (once == NULL)
        return NULL;
    result = PyObject_CallOneArg(index_func, once);
    Py_DECREF(once);
    return result;
}

static PyObject *
call_invert(PyObject *module, PyObject *arg)
{
    if (invert_func == NULL)
        invert_func = operator_attr("invert");
    return PyObject_CallOneArg(invert_func, arg);
}

static PyObject *
call_invert_twice(PyObject *module, PyObject *arg)
{
    PyObject *once, *result;

    if (!invert_func)
        invert_func = operator_attr("invert");
    once = PyObject_CallOneArg(invert_func, arg);
    if (once == NULL)
        return NULL;
    result = PyObject_CallOneArg(invert_func, once);
    Py_DECREF(once);
    return result;
}

static PyMethodDef globalcache_methods[] = {
    {"call_neg", call_neg, METH_O, NULL},
    {"call_neg_twice", call_neg_twice, METH_O, NULL},
    {"call_abs", call_abs, METH_O, NULL},
    {"call_abs_twice", call_abs_twice, METH_O, NULL},
    {"call_index", call_index, METH_O, NULL},
    {"call_index_twice", call_index_twice, METH_O, NULL},
    {"call_invert", call_invert, METH_O, NULL},
    {"call_invert_twice", call_invert_twice, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef globalcache_module = {
    PyModuleDef_HEAD_INIT, "globalcache", NULL, -1, globalcache_methods,
};

PyMODINIT_FUNC
PyInit_globalcache(void)
{
    return PyModule_Create(&globalcache_module);
}
