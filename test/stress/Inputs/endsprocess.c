/* endsprocess: a module that ends the interpreter with exit() (in its init
 * function when ENDS_AT_INIT is defined, else in end()), or sleeps in its
 * init function when SLOW_INIT is defined. Used by
 * test/stress/process-ends.test. */
#include <Python.h>
#include <stdlib.h>
#include <unistd.h>

static PyObject *
end(PyObject *module, PyObject *unused)
{
    exit(3);
}

static PyMethodDef endsprocess_methods[] = {
    {"end", end, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef endsprocess_module = {
    PyModuleDef_HEAD_INIT, "endsprocess", NULL, -1, endsprocess_methods,
};

PyMODINIT_FUNC
PyInit_endsprocess(void)
{
#ifdef ENDS_AT_INIT
    exit(3);
#endif
#ifdef SLOW_INIT
    sleep(60);
#endif
    return PyModule_Create(&endsprocess_module);
}
