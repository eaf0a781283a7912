/* lazynames: attribute lookups through strings made on first use, the
 * way many extensions cache them (a function-static pointer filled when
 * NULL). Used by test/stress/lazy-init-tsan.test. */
#include <Python.h>

static PyObject *
get_alpha(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("alpha");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_beta(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("beta");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_gamma(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("gamma");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_delta(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("delta");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_epsilon(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("epsilon");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_zeta(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("zeta");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_eta(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("eta");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_theta(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("theta");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_iota(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("iota");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_kappa(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("kappa");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_lambda_(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("lambda_");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_mu(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("mu");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_nu(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("nu");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_xi(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("xi");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_omicron(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("omicron");
    return PyObject_GetAttr(obj, name);
}

static PyObject *
get_pi(PyObject *module, PyObject *obj)
{
    static PyObject *name = NULL;
    if (name == NULL)
        name = PyUnicode_InternFromString("pi");
    return PyObject_GetAttr(obj, name);
}

static PyMethodDef lazynames_methods[] = {
    {"get_alpha", get_alpha, METH_O, NULL},
    {"get_beta", get_beta, METH_O, NULL},
    {"get_gamma", get_gamma, METH_O, NULL},
    {"get_delta", get_delta, METH_O, NULL},
    {"get_epsilon", get_epsilon, METH_O, NULL},
    {"get_zeta", get_zeta, METH_O, NULL},
    {"get_eta", get_eta, METH_O, NULL},
    {"get_theta", get_theta, METH_O, NULL},
    {"get_iota", get_iota, METH_O, NULL},
    {"get_kappa", get_kappa, METH_O, NULL},
    {"get_lambda_", get_lambda_, METH_O, NULL},
    {"get_mu", get_mu, METH_O, NULL},
    {"get_nu", get_nu, METH_O, NULL},
    {"get_xi", get_xi, METH_O, NULL},
    {"get_omicron", get_omicron, METH_O, NULL},
    {"get_pi", get_pi, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lazynames_module = {
    PyModuleDef_HEAD_INIT, "lazynames", NULL, -1, lazynames_methods,
};

PyMODINIT_FUNC
PyInit_lazynames(void)
{
    PyObject *module = PyModule_Create(&lazynames_module);
#ifdef Py_GIL_DISABLED
    if (module != NULL)
        PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
    return module;
}
