/*
 * counter: a step counter type with an optional limit.
 *
 *     >>> import counter
 *     >>> c = counter.Counter(start=10, step=5, limit=20, label="retries")
 *     >>> c.increment()
 *     15
 *     >>> c.increment(2)
 *     Traceback (most recent call last):
 *       ...
 *     counter.CounterError: counter 'retries' would exceed its limit (20)
 *
 * When an on_limit callback is given, reaching past the limit calls
 * on_limit(counter) and restarts the counter instead of raising.
 *
 * The module also keeps track of how many Counter objects were created
 * (counter.instances()) and how many are still alive (counter.alive()).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "structmember.h"

#include <limits.h>

typedef struct {
    PyObject_HEAD
    long long start;
    long long value;
    long long step;
    long long limit;
    int has_limit;
    PyObject *label;        /* any object, shown in messages; may be NULL */
    PyObject *on_limit;     /* callable or NULL */
} CounterObject;

static PyTypeObject CounterType;

/* counter.CounterError, created in PyInit_counter. */
static PyObject *CounterError = NULL;

/* Statistics over all Counter objects. */
static long instances_created = 0;
static long instances_alive = 0;


static PyObject *
Counter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    CounterObject *self;

    self = (CounterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->start = 0;
    self->value = 0;
    self->step = 1;
    self->limit = 0;
    self->has_limit = 0;
    self->label = NULL;
    self->on_limit = NULL;
    instances_created++;
    instances_alive++;
    return (PyObject *)self;
}

static int
Counter_init(CounterObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"start", "step", "limit", "label", "on_limit",
                             NULL};
    long long start = 0, step = 1;
    PyObject *limit = Py_None, *label = Py_None, *on_limit = Py_None;
    PyObject *tmp;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|LL$OOO:Counter", kwlist,
                                     &start, &step, &limit, &label,
                                     &on_limit)) {
        return -1;
    }
    if (step == 0) {
        PyErr_SetString(CounterError, "step must not be zero");
        return -1;
    }
    if (on_limit != Py_None && !PyCallable_Check(on_limit)) {
        PyErr_SetString(PyExc_TypeError, "on_limit must be callable or None");
        return -1;
    }
    if (limit == Py_None) {
        self->has_limit = 0;
        self->limit = 0;
    }
    else {
        long long lim = PyLong_AsLongLong(limit);
        if (lim == -1 && PyErr_Occurred()) {
            return -1;
        }
        if ((step > 0 && start > lim) || (step < 0 && start < lim)) {
            PyErr_Format(CounterError,
                         "start %lld is already past the limit %lld",
                         start, lim);
            return -1;
        }
        self->has_limit = 1;
        self->limit = lim;
    }
    self->start = start;
    self->value = start;
    self->step = step;

    tmp = self->label;
    if (label == Py_None) {
        self->label = NULL;
    }
    else {
        Py_INCREF(label);
        self->label = label;
    }
    Py_XDECREF(tmp);

    tmp = self->on_limit;
    if (on_limit == Py_None) {
        self->on_limit = NULL;
    }
    else {
        Py_INCREF(on_limit);
        self->on_limit = on_limit;
    }
    Py_XDECREF(tmp);
    return 0;
}

static int
Counter_traverse(CounterObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->label);
    Py_VISIT(self->on_limit);
    return 0;
}

static int
Counter_clear(CounterObject *self)
{
    Py_CLEAR(self->label);
    Py_CLEAR(self->on_limit);
    return 0;
}

static void
Counter_dealloc(CounterObject *self)
{
    PyObject_GC_UnTrack(self);
    Counter_clear(self);
    instances_alive--;
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Counter_repr(CounterObject *self)
{
    if (self->label != NULL) {
        return PyUnicode_FromFormat("<%s %R value=%lld step=%lld>",
                                    Py_TYPE(self)->tp_name, self->label,
                                    self->value, self->step);
    }
    return PyUnicode_FromFormat("<%s value=%lld step=%lld>",
                                Py_TYPE(self)->tp_name,
                                self->value, self->step);
}


/* Raise CounterError for a counter that cannot move any further. */
static void
counter_error(CounterObject *self, const char *what)
{
    if (self->label != NULL) {
        PyErr_Format(CounterError, "counter %R %s", self->label, what);
    }
    else {
        PyErr_Format(CounterError, "counter %s", what);
    }
}

PyDoc_STRVAR(increment_doc,
"increment(n=1)\n"
"--\n"
"\n"
"Advance the counter by n steps and return the new value.");

static PyObject *
Counter_increment(CounterObject *self, PyObject *args)
{
    long long n = 1, delta, next;

    if (!PyArg_ParseTuple(args, "|L:increment", &n)) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "n must be >= 0");
        return NULL;
    }
    if (n != 0 && (self->step > LLONG_MAX / n || self->step < LLONG_MIN / n)) {
        counter_error(self, "would overflow");
        return NULL;
    }
    delta = self->step * n;
    if ((delta > 0 && self->value > LLONG_MAX - delta)
        || (delta < 0 && self->value < LLONG_MIN - delta)) {
        counter_error(self, "would overflow");
        return NULL;
    }
    next = self->value + delta;

    if (self->has_limit
        && ((delta > 0 && next > self->limit)
            || (delta < 0 && next < self->limit))) {
        PyObject *res;

        if (self->on_limit == NULL) {
            if (self->label != NULL) {
                PyErr_Format(CounterError,
                             "counter %R would exceed its limit (%lld)",
                             self->label, self->limit);
            }
            else {
                PyErr_Format(CounterError,
                             "counter would exceed its limit (%lld)",
                             self->limit);
            }
            return NULL;
        }
        res = PyObject_CallOneArg(self->on_limit, (PyObject *)self);
        if (res == NULL) {
            return NULL;
        }
        Py_DECREF(res);
        next = self->start;
    }
    self->value = next;
    return PyLong_FromLongLong(next);
}

PyDoc_STRVAR(reset_doc,
"reset()\n"
"--\n"
"\n"
"Set the counter back to its start value.");

static PyObject *
Counter_reset(CounterObject *self, PyObject *unused)
{
    self->value = self->start;
    Py_RETURN_NONE;
}

static PyMethodDef Counter_methods[] = {
    {"increment", (PyCFunction)Counter_increment, METH_VARARGS,
     increment_doc},
    {"reset", (PyCFunction)Counter_reset, METH_NOARGS, reset_doc},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef Counter_members[] = {
    {"start", T_LONGLONG, offsetof(CounterObject, start), READONLY,
     "value the counter starts from"},
    {"step", T_LONGLONG, offsetof(CounterObject, step), READONLY,
     "amount added by one increment"},
    {NULL, 0, 0, 0, NULL}
};


static PyObject *
Counter_get_value(CounterObject *self, void *closure)
{
    return PyLong_FromLongLong(self->value);
}

static int
Counter_set_value(CounterObject *self, PyObject *value, void *closure)
{
    long long v;

    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete value");
        return -1;
    }
    v = PyLong_AsLongLong(value);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    self->value = v;
    return 0;
}

static PyObject *
Counter_get_limit(CounterObject *self, void *closure)
{
    if (!self->has_limit) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLongLong(self->limit);
}

static PyObject *
Counter_get_label(CounterObject *self, void *closure)
{
    PyObject *label = self->label != NULL ? self->label : Py_None;
    Py_INCREF(label);
    return label;
}

static int
Counter_set_label(CounterObject *self, PyObject *value, void *closure)
{
    PyObject *tmp = self->label;

    if (value == NULL || value == Py_None) {
        self->label = NULL;
    }
    else {
        Py_INCREF(value);
        self->label = value;
    }
    Py_XDECREF(tmp);
    return 0;
}

static PyGetSetDef Counter_getset[] = {
    {"value", (getter)Counter_get_value, (setter)Counter_set_value,
     "current value", NULL},
    {"limit", (getter)Counter_get_limit, NULL,
     "limit, or None when unlimited", NULL},
    {"label", (getter)Counter_get_label, (setter)Counter_set_label,
     "label used in messages (any object)", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

PyDoc_STRVAR(Counter_doc,
"Counter(start=0, step=1, *, limit=None, label=None, on_limit=None)\n"
"--\n"
"\n"
"A counter that advances by step.  With a limit, going past it raises\n"
"CounterError, or calls on_limit(counter) and restarts when on_limit\n"
"is given.");

static PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "counter.Counter",
    .tp_basicsize = sizeof(CounterObject),
    .tp_itemsize = 0,
    .tp_dealloc = (destructor)Counter_dealloc,
    .tp_repr = (reprfunc)Counter_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = Counter_doc,
    .tp_traverse = (traverseproc)Counter_traverse,
    .tp_clear = (inquiry)Counter_clear,
    .tp_methods = Counter_methods,
    .tp_members = Counter_members,
    .tp_getset = Counter_getset,
    .tp_init = (initproc)Counter_init,
    .tp_new = Counter_new,
};


PyDoc_STRVAR(instances_doc,
"instances()\n"
"--\n"
"\n"
"Return the number of Counter objects created since the module was\n"
"loaded.");

static PyObject *
counter_instances(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(instances_created);
}

PyDoc_STRVAR(alive_doc,
"alive()\n"
"--\n"
"\n"
"Return the number of Counter objects that have not been freed yet.");

static PyObject *
counter_alive(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(instances_alive);
}

static PyMethodDef counter_methods[] = {
    {"instances", counter_instances, METH_NOARGS, instances_doc},
    {"alive", counter_alive, METH_NOARGS, alive_doc},
    {NULL, NULL, 0, NULL}
};

PyDoc_STRVAR(module_doc, "Step counters with limits and callbacks.");

static struct PyModuleDef counter_module = {
    PyModuleDef_HEAD_INIT,
    "counter",
    module_doc,
    -1,
    counter_methods,
    NULL,
    NULL,
    NULL,
    NULL
};


PyMODINIT_FUNC
PyInit_counter(void)
{
    PyObject *m;

    if (PyType_Ready(&CounterType) < 0) {
        return NULL;
    }

    m = PyModule_Create(&counter_module);
    if (m == NULL) {
        return NULL;
    }

    if (CounterError == NULL) {
        CounterError = PyErr_NewExceptionWithDoc(
            "counter.CounterError",
            "Raised when a counter cannot advance.",
            NULL, NULL);
        if (CounterError == NULL) {
            Py_DECREF(m);
            return NULL;
        }
    }
    Py_INCREF(CounterError);
    if (PyModule_AddObject(m, "CounterError", CounterError) < 0) {
        Py_DECREF(CounterError);
        Py_DECREF(m);
        return NULL;
    }

    Py_INCREF(&CounterType);
    if (PyModule_AddObject(m, "Counter", (PyObject *)&CounterType) < 0) {
        Py_DECREF(&CounterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
