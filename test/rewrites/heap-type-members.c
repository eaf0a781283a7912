// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: %python %scripts/build-extension.py --python %python_gil --name members --out %t.gil %t.dir/heap-type-members.c
// RUN: %python_gil -c "import sys; sys.path.insert(0, '%t.gil'); import members, weakref; n = members.Node(); print(weakref.ref(n)() is n, members.Leaf().size, members.lookup('x'), members.lookup('x'), issubclass(members.Error, ValueError), issubclass(members.Leaf, members.Node))" | FileCheck %s --check-prefix=RUNS

// A type with its own tp_members array gets the weak reference offset
// there; a type whose base is a converted type of the module is created
// from it (bases first); an exception type whose base is known only when
// exec runs is created where exec sets it. The module already has m_traverse,
// m_clear and m_free: they reach the state through their module parameter
// and visit or clear the moved fields first. A helper with a prototype gets
// the module parameter in both declarations.
#include <Python.h>
#include "structmember.h"
#include <stddef.h>

static PyObject *cache;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'cache' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

typedef struct {
  PyObject_HEAD
  Py_ssize_t size;
  PyObject *weakreflist;
} NodeObject;

static PyMemberDef Node_members[] = {
    {"size", T_PYSSIZET, offsetof(NodeObject, size), READONLY, NULL},
    {NULL} /* Sentinel */
};

static void Node_dealloc(NodeObject *self) {
  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs((PyObject *)self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject Node_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Node_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "members.Node",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = (destructor)Node_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_weaklistoffset = offsetof(NodeObject, weakreflist),
    .tp_members = Node_members,
    .tp_new = PyType_GenericNew,
};

static int Leaf_init(NodeObject *self, PyObject *args, PyObject *kwds) {
  self->size = 1;
  return 0;
}

static PyTypeObject Leaf_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Leaf_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "members.Leaf",
    .tp_basicsize = sizeof(NodeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_init = (initproc)Leaf_init,
    .tp_base = &Node_Type,
};

static PyTypeObject Error_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Error_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "members.Error",
    .tp_basicsize = sizeof(PyBaseExceptionObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
};

static PyObject *lookup(PyObject *key);

static PyObject *members_lookup(PyObject *module, PyObject *key) {
  return lookup(key);
}

static PyObject *lookup(PyObject *key) {
  PyObject *found = PyDict_GetItemWithError(cache, key);
  if (found != NULL || PyErr_Occurred())
    return Py_XNewRef(found);
  if (PyDict_SetItem(cache, key, Py_True) < 0)
    return NULL;
  return Py_NewRef(Py_False);
}

static PyMethodDef members_methods[] = {
    {"lookup", members_lookup, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int members_exec(PyObject *m) {
  cache = PyDict_New();
  if (cache == NULL)
    return -1;
  if (PyType_Ready(&Node_Type) < 0 || PyType_Ready(&Leaf_Type) < 0)
    return -1;
  Error_Type.tp_base = (PyTypeObject *)PyExc_ValueError;
  if (PyType_Ready(&Error_Type) < 0)
    return -1;
  if (PyModule_AddObjectRef(m, "Node", (PyObject *)&Node_Type) < 0 ||
      PyModule_AddObjectRef(m, "Leaf", (PyObject *)&Leaf_Type) < 0 ||
      PyModule_AddObjectRef(m, "Error", (PyObject *)&Error_Type) < 0)
    return -1;
  return 0;
}

static int members_traverse(PyObject *m, visitproc visit, void *arg) {
  return 0;
}

static int members_clear(PyObject *m) {
  return 0;
}

static void members_free(void *m) {
  (void)members_clear((PyObject *)m);
}

static PyModuleDef_Slot members_slots[] = {
    {Py_mod_exec, members_exec},
    {0, NULL},
};

static struct PyModuleDef members_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "members",
    .m_size = 0,
    .m_methods = members_methods,
    .m_slots = members_slots,
    .m_traverse = members_traverse,
    .m_clear = members_clear,
    .m_free = members_free,
};

PyMODINIT_FUNC PyInit_members(void) { return PyModuleDef_Init(&members_module); }

// CHECK-FIXES:          {"size", T_PYSSIZET, offsetof(NodeObject, size), READONLY, NULL},
// CHECK-FIXES-NEXT:     {"__weaklistoffset__", T_PYSSIZET, offsetof(NodeObject, weakreflist), READONLY},
// CHECK-FIXES-NEXT:     {NULL} /* Sentinel */
// CHECK-FIXES:      static PyType_Slot Leaf_Type_slots[] = {
// CHECK-FIXES-NEXT:   {Py_tp_init, (void *)(initproc)Leaf_init},
// CHECK-FIXES-NEXT:   {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
// CHECK-FIXES:      static PyObject *lookup(PyObject *module, PyObject *key);
// CHECK-FIXES:        return lookup(module, key);
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *cache;
// CHECK-FIXES-NEXT:   PyTypeObject *Node_Type;
// CHECK-FIXES-NEXT:   PyTypeObject *Leaf_Type;
// CHECK-FIXES-NEXT:   PyTypeObject *Error_Type;
// CHECK-FIXES-NEXT: } members_state;
// CHECK-FIXES-NOT:  members_state_traverse
// CHECK-FIXES:      static PyObject *lookup(PyObject *module, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *found = PyDict_GetItemWithError(get_members_state(module)->cache, key);
// CHECK-FIXES:      static int members_exec(PyObject *m) {
// CHECK-FIXES-NEXT:   get_members_state(m)->Node_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Node_Type_spec, NULL);
// CHECK-FIXES:        get_members_state(m)->Leaf_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Leaf_Type_spec, (PyObject *)get_members_state(m)->Node_Type);
// CHECK-FIXES:        if (PyType_Ready(get_members_state(m)->Node_Type) < 0 || PyType_Ready(get_members_state(m)->Leaf_Type) < 0)
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   get_members_state(m)->Error_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Error_Type_spec, (PyObject *)(PyTypeObject *)PyExc_ValueError);
// CHECK-FIXES-NEXT:   if (get_members_state(m)->Error_Type == NULL) {
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (PyType_Ready(get_members_state(m)->Error_Type) < 0)
// CHECK-FIXES:      static int members_traverse(PyObject *m, visitproc visit, void *arg) {
// CHECK-FIXES-NEXT:   Py_VISIT(get_members_state(m)->cache);
// CHECK-FIXES-NEXT:   Py_VISIT(get_members_state(m)->Node_Type);
// CHECK-FIXES:      static int members_clear(PyObject *m) {
// CHECK-FIXES-NEXT:   Py_CLEAR(get_members_state(m)->cache);
// CHECK-FIXES:      static void members_free(void *m) {
// CHECK-FIXES-NEXT:   Py_CLEAR(get_members_state((PyObject *)m)->cache);
// CHECK-FIXES:          .m_size = sizeof(members_state),
// CHECK-FIXES-NEXT:     .m_methods = members_methods,
// CHECK-FIXES-NEXT:     .m_slots = members_slots,
// CHECK-FIXES-NEXT:     .m_traverse = members_traverse,
// CHECK-FIXES-NEXT:     .m_clear = members_clear,
// CHECK-FIXES-NEXT:     .m_free = members_free,
// CHECK-FIXES-NEXT: };

// RUNS: True 1 False True True True
