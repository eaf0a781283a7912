// A module whose only problem is an object field its methods race on, in a
// way the fix cannot lock: one method changes another object's field.
#include <Python.h>

typedef struct {
  PyObject_HEAD
  long hits;
  PyObject *peer;
} CounterObject;

static PyObject *Counter_hit(CounterObject *self, PyObject *unused) {
  self->hits++;
  Py_RETURN_NONE;
}

static void counter_bump(CounterObject *counter) { counter->hits++; }

static PyObject *Counter_hit_peer(CounterObject *self, PyObject *unused) {
  if (self->peer != NULL)
    counter_bump((CounterObject *)self->peer);
  Py_RETURN_NONE;
}

static PyMethodDef Counter_methods[] = {
    {"hit", (PyCFunction)Counter_hit, METH_NOARGS, NULL},
    {"hit_peer", (PyCFunction)Counter_hit_peer, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "counter.Counter",
    .tp_basicsize = sizeof(CounterObject),
    .tp_methods = Counter_methods,
};

static struct PyModuleDef counter_module = {
    PyModuleDef_HEAD_INIT, "counter", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_counter(void) {
  PyObject *m;

  m = PyModule_Create(&counter_module);
  if (m == NULL)
    return NULL;
  return m;
}
