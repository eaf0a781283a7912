/* tracehook: Tracer.start() installs a C trace function, as coverage.py's
 * CTracer does, that needs `data` to be set first: on an object nobody set
 * up, the next Python call on that thread crashes. A derived workload must
 * leave start() out rather than crash (single-threaded, and the same with
 * the GIL). Label is a second type, whose methods must be called on Labels
 * only. Used by test/stress/derived-hooks.test. */
#include <Python.h>
#include <frameobject.h>

typedef struct {
    PyObject_HEAD
    PyObject *data;
} TracerObject;

static int
Tracer_trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    TracerObject *self = (TracerObject *)obj;

    if (what == PyTrace_CALL)
        return PyDict_GET_SIZE(self->data) < 0; /* NULL until set up */
    return 0;
}

static PyObject *
Tracer_start(TracerObject *self, PyObject *Py_UNUSED(ignored))
{
    PyEval_SetTrace(Tracer_trace, (PyObject *)self);
    Py_RETURN_NONE;
}

static PyObject *
Tracer_stop(TracerObject *self, PyObject *Py_UNUSED(ignored))
{
    PyEval_SetTrace(NULL, NULL);
    Py_RETURN_NONE;
}

static PyMethodDef Tracer_methods[] = {
    {"start", (PyCFunction)Tracer_start, METH_NOARGS, NULL},
    {"stop", (PyCFunction)Tracer_stop, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TracerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracehook.Tracer",
    .tp_basicsize = sizeof(TracerObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_methods = Tracer_methods,
};

static PyObject *
Label_width(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(4);
}

static PyMethodDef Label_methods[] = {
    {"width", Label_width, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LabelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracehook.Label",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_methods = Label_methods,
};

static int
tracehook_exec(PyObject *m)
{
    if (PyType_Ready(&TracerType) < 0 || PyType_Ready(&LabelType) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "Tracer", (PyObject *)&TracerType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "Label", (PyObject *)&LabelType);
}

static PyModuleDef_Slot tracehook_slots[] = {
    {Py_mod_exec, tracehook_exec},
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef tracehook_module = {
    PyModuleDef_HEAD_INIT, "tracehook", NULL, 0, NULL, tracehook_slots,
};

PyMODINIT_FUNC
PyInit_tracehook(void)
{
    return PyModuleDef_Init(&tracehook_module);
}
