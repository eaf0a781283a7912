/* factory: Tally objects are made only by the factory function tally(); the
 * type itself cannot be called (Py_TPFLAGS_DISALLOW_INSTANTIATION), as with
 * pyrsistent's pvector(). Orphan cannot be made at all. Used by
 * test/stress/factory.test: the derived workload must call Tally's methods
 * on factory-made objects, and say that no Orphan could be made. */
#include <Python.h>

typedef struct {
    PyObject_HEAD
    long count;
} TallyObject;

static PyObject *
Tally_add(TallyObject *self, PyObject *unused)
{
    Py_BEGIN_CRITICAL_SECTION(self);
    self->count++;
    Py_END_CRITICAL_SECTION();
    Py_RETURN_NONE;
}

static PyMethodDef Tally_methods[] = {
    {"add", (PyCFunction)Tally_add, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TallyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "factory.Tally",
    .tp_basicsize = sizeof(TallyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .tp_methods = Tally_methods,
};

static PyTypeObject OrphanType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "factory.Orphan",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
};

static PyObject *
tally(PyObject *module, PyObject *unused)
{
    return (PyObject *)PyObject_New(TallyObject, &TallyType);
}

static PyMethodDef factory_methods[] = {
    {"tally", tally, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int
factory_exec(PyObject *m)
{
    if (PyType_Ready(&TallyType) < 0 || PyType_Ready(&OrphanType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "Orphan", (PyObject *)&OrphanType);
}

static PyModuleDef_Slot factory_slots[] = {
    {Py_mod_exec, factory_exec},
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef factory_module = {
    PyModuleDef_HEAD_INIT, "factory", NULL, 0, factory_methods, factory_slots,
};

PyMODINIT_FUNC
PyInit_factory(void)
{
    return PyModuleDef_Init(&factory_module);
}
