/* objcounter: a Counter object whose hit() increments a field of the
 * object, the commonest thread-unsafe object of a port. Two threads that
 * call hit() on one counter at once race on `hits`. Built with -DLOCKED,
 * hit() holds the object's critical section, the fix gilport advises. Used
 * by test/stress/object-state-tsan.test. */
#include <Python.h>

typedef struct {
    PyObject_HEAD
    long hits;
} CounterObject;

static PyObject *
Counter_hit(CounterObject *self, PyObject *unused)
{
#ifdef LOCKED
    Py_BEGIN_CRITICAL_SECTION(self);
#endif
    self->hits++;
#ifdef LOCKED
    Py_END_CRITICAL_SECTION();
#endif
    Py_RETURN_NONE;
}

static PyObject *
Counter_value(CounterObject *self, PyObject *unused)
{
    long hits;

#ifdef LOCKED
    Py_BEGIN_CRITICAL_SECTION(self);
#endif
    hits = self->hits;
#ifdef LOCKED
    Py_END_CRITICAL_SECTION();
#endif
    return PyLong_FromLong(hits);
}

static PyMethodDef Counter_methods[] = {
    {"hit", (PyCFunction)Counter_hit, METH_NOARGS, NULL},
    {"value", (PyCFunction)Counter_value, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "objcounter.Counter",
    .tp_basicsize = sizeof(CounterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_methods = Counter_methods,
};

static struct PyModuleDef objcounter_module = {
    PyModuleDef_HEAD_INIT, "objcounter", NULL, -1, NULL,
};

PyMODINIT_FUNC
PyInit_objcounter(void)
{
    PyObject *m;

    if (PyType_Ready(&CounterType) < 0)
        return NULL;
    m = PyModule_Create(&objcounter_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Counter", (PyObject *)&CounterType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    return m;
}
