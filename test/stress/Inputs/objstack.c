/* objstack: a Stack whose push() grows its buffer with PyMem_Realloc and
 * whose peek() only reads it, the thread-unsafe object of a port: while one
 * thread's push() moves the buffer, another's peek() reads the freed one.
 * gilport-unlocked-object-state reports push(); its fix locks push() and
 * peek() both. Used by test/stress/object-lock-fix-tsan.test. */
#include <Python.h>

typedef struct {
    PyObject_HEAD
    long *items;
    Py_ssize_t size, allocated;
} StackObject;

static int
stack_grow(StackObject *self)
{
    Py_ssize_t allocated = self->allocated ? 2 * self->allocated : 4;
    long *items = PyMem_Realloc(self->items, allocated * sizeof(long));

    if (items == NULL)
        return -1;
    self->items = items;
    self->allocated = allocated;
    return 0;
}

static PyObject *
Stack_push(StackObject *self, PyObject *value)
{
    long v = PyLong_AsLong(value);

    if (v == -1 && PyErr_Occurred())
        return NULL;
    if (self->size == self->allocated && stack_grow(self) < 0)
        return PyErr_NoMemory();
    self->items[self->size++] = v;
    Py_RETURN_NONE;
}

static PyObject *
Stack_peek(StackObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->size == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(self->items[self->size - 1]);
}

static void
Stack_dealloc(StackObject *self)
{
    PyMem_Free(self->items);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Stack_methods[] = {
    {"push", (PyCFunction)Stack_push, METH_O, NULL},
    {"peek", (PyCFunction)Stack_peek, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject StackType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "objstack.Stack",
    .tp_basicsize = sizeof(StackObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)Stack_dealloc,
    .tp_methods = Stack_methods,
};

static struct PyModuleDef objstack_module = {
    PyModuleDef_HEAD_INIT, "objstack", NULL, -1, NULL,
};

PyMODINIT_FUNC
PyInit_objstack(void)
{
    PyObject *m;

    if (PyType_Ready(&StackType) < 0)
        return NULL;
    m = PyModule_Create(&objstack_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Stack", (PyObject *)&StackType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    return m;
}
