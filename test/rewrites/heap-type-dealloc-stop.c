// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// Uses in tp_dealloc that are not a statement of their own updating a C
// variable stay global, with a note: a read ('if (self->id < floor_id)').
// What tp_dealloc writes races between threads, which module state would
// not end: a check-then-update ('alive') and an object pointer stay, an
// update that is the body of an if ('freed') becomes an atomic where it is
// (AtomicCounters). The type and the counter its tp_new updates still move,
// the counter as an atomic field; the converted module declares that it does
// not support subinterpreters.
#include <Python.h>

typedef struct {
  PyObject_HEAD
  long id;
} NodeObject;

static long alive;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'alive' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long made;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'made' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long freed;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'freed' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static PyObject *last_dead;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'last_dead' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static double floor_id;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'floor_id' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]

static PyObject *Node_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  NodeObject *self = (NodeObject *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  alive++;
  made++;
  return (PyObject *)self;
}

static void Node_dealloc(NodeObject *self) {
  if (alive > 0)
    alive--;
  if (self->id != 0)
    freed++;
  if (self->id < floor_id)
    PyErr_WarnEx(PyExc_RuntimeWarning, "node below the floor", 1);
  Py_XSETREF(last_dead, PyLong_FromLong(self->id));
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject Node_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Node_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nodes.Node",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = (destructor)Node_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Node_new,
};

static PyObject *nodes_made(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(made);
}

static PyMethodDef nodes_methods[] = {
    {"made", nodes_made, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef nodes_module = {
    PyModuleDef_HEAD_INIT, "nodes", NULL, -1, nodes_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_nodes(void) {
  PyObject *m;
  if (PyType_Ready(&Node_Type) < 0)
    return NULL;
  m = PyModule_Create(&nodes_module);
  if (m == NULL)
    return NULL;
  floor_id = 1.0;
  if (PyModule_AddObjectRef(m, "Node", (PyObject *)&Node_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      } NodeObject;
// CHECK-FIXES:      static long alive;
// CHECK-FIXES:      static _Atomic long freed;
// CHECK-FIXES:      static PyObject *last_dead;
// CHECK-FIXES:      static double floor_id;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   _Atomic long made;
// CHECK-FIXES-NEXT:   PyTypeObject *Node_Type;
// CHECK-FIXES-NEXT: } nodes_state;
// CHECK-FIXES:        alive++;
// CHECK-FIXES-NEXT:   get_nodes_state(PyType_GetModuleByDef(type, &nodes_module))->made++;
// CHECK-FIXES:      static void Node_dealloc(NodeObject *self) {
// CHECK-FIXES-NEXT:   PyTypeObject *tp = Py_TYPE(self);
// CHECK-FIXES-NEXT:   if (alive > 0)
// CHECK-FIXES-NEXT:     alive--;
// CHECK-FIXES-NEXT:   if (self->id != 0)
// CHECK-FIXES-NEXT:     atomic_fetch_add(&freed, 1);
// CHECK-FIXES-NEXT:   if (self->id < floor_id)
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},

// NOTES:      ==== report ====
// NOTES:      note: no automatic fix: not moved to the module state: 'alive' is written while the module is in use, and the module's threads share its state as well: moved there, it would still race; nor can it be made atomic: 'Node_dealloc' (line {{[0-9]+}}) both reads and updates 'alive'
// NOTES:      note: no automatic fix: not moved to the module state: 'last_dead' is written while the module is in use
// NOTES:      note: not moved to the module state: 'floor_id' is used in 'Node_dealloc' (line {{[0-9]+}}), which runs while objects of its type are destroyed{{.*}}; only a statement of its own that updates it ('floor_id--;', 'floor_id += n;') can reach the state there
// NOTES-NOT:  Py_mod_gil
