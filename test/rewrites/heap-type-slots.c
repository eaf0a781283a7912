// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: %python %scripts/build-extension.py --python %python_ft --name slots --out %t.ft %t.dir/heap-type-slots.c
// RUN: env -u PYTHON_GIL %python_ft %S/Inputs/heap-type-slots.py %t.ft | FileCheck %s --check-prefix=RUNS
// RUN: %python %scripts/build-extension.py --python %python_gil --name slots --out %t.gil %t.dir/heap-type-slots.c
// RUN: %python_gil %S/Inputs/heap-type-slots.py %t.gil | FileCheck %s --check-prefix=RUNS

// Static types with sub-tables (tp_as_number, tp_as_sequence,
// tp_as_mapping), a weak reference offset, a class method and a static
// method, and a dict subclass whose base exec sets (the static initializer
// cannot take the address of a type of another library) become heap types.
// The sub-tables' members become Py_nb_/Py_sq_/Py_mp_ slots and the tables
// go; the offset becomes a "__weaklistoffset__" member (structmember.h is
// included for T_PYSSIZET and READONLY, which 3.11 has nowhere else); the
// base becomes a Py_tp_base slot and its statement goes; a type without
// tp_new keeps its base's instead of becoming uninstantiable. A binary
// number slot finds the module from either operand; a class method from
// its class; a member read of the type reads it through the state; a use
// the compiler did not see (an inactive #ifdef) is rewritten like the
// others.
#include <Python.h>
#include <stddef.h>

typedef struct {
  PyObject_HEAD
  long value;
  PyObject *weakreflist;
} VecObject;

static PyTypeObject Vec_Type; /* Forward */

static PyObject *Vec_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  long value = 0;
  if (!PyArg_ParseTuple(args, "|l:Vec", &value))
    return NULL;
#ifdef SLOTS_DEBUG
  if (type->tp_init != Vec_Type.tp_init || !PyType_IsSubtype(type, &Vec_Type))
    return NULL;
#endif
  VecObject *self = (VecObject *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->value = value;
  return (PyObject *)self;
}

static void Vec_dealloc(VecObject *self) {
  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs((PyObject *)self);
  PyObject_Free(self);
}

static PyObject *Vec_add(PyObject *left, PyObject *right) {
  if (!PyObject_TypeCheck(left, &Vec_Type) ||
      !PyObject_TypeCheck(right, &Vec_Type))
    Py_RETURN_NOTIMPLEMENTED;
  VecObject *sum = PyObject_New(VecObject, &Vec_Type);
  if (sum == NULL)
    return NULL;
  sum->value = ((VecObject *)left)->value + ((VecObject *)right)->value;
  sum->weakreflist = NULL;
  return (PyObject *)sum;
}

static PyObject *Vec_negative(VecObject *self) {
  return PyObject_CallFunction((PyObject *)&Vec_Type, "l", -self->value);
}

static Py_ssize_t Vec_length(VecObject *self) { return self->value; }

static PyObject *Vec_subscript(VecObject *self, PyObject *key) {
  return PyLong_FromLong(self->value * PyLong_AsLong(key));
}

static PyNumberMethods Vec_as_number = {
    .nb_add = Vec_add,
    .nb_negative = (unaryfunc)Vec_negative,
};

static PySequenceMethods Vec_as_sequence = {
    (lenfunc)Vec_length, /* sq_length */
};

static PyMappingMethods Vec_as_mapping = {
    .mp_subscript = (binaryfunc)Vec_subscript,
};

static PyObject *Vec_is_base(PyTypeObject *cls, PyObject *unused) {
  return PyBool_FromLong(cls == &Vec_Type);
}

static PyObject *Vec_holds(PyObject *cls, PyObject *o) {
  return PyBool_FromLong(PyObject_TypeCheck(o, &Vec_Type));
}

static PyObject *Vec_answer(PyObject *unused, PyObject *args) {
  return PyLong_FromLong(42);
}

static PyObject *Vec_type_name(VecObject *self, PyObject *unused) {
  return PyUnicode_FromString(Vec_Type.tp_name);
}

static PyMethodDef Vec_methods[] = {
    {"is_base", (PyCFunction)Vec_is_base, METH_NOARGS | METH_CLASS, NULL},
    {"holds", Vec_holds, METH_O | METH_CLASS, NULL},
    {"answer", Vec_answer, METH_NOARGS | METH_STATIC, NULL},
    {"type_name", (PyCFunction)Vec_type_name, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Vec_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Vec_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots.Vec",
    .tp_basicsize = sizeof(VecObject),
    .tp_dealloc = (destructor)Vec_dealloc,
    .tp_as_number = &Vec_as_number,
    .tp_as_sequence = &Vec_as_sequence,
    .tp_as_mapping = &Vec_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_weaklistoffset = offsetof(VecObject, weakreflist),
    .tp_methods = Vec_methods,
    .tp_new = Vec_new,
};

typedef struct {
  PyDictObject dict;
  long sets;
} CountingDictObject;

static int CountingDict_ass(PyObject *self, PyObject *key, PyObject *value) {
  ((CountingDictObject *)self)->sets++;
  return PyDict_Type.tp_as_mapping->mp_ass_subscript(self, key, value);
}

static PyObject *CountingDict_sets(PyObject *self, void *closure) {
  return PyLong_FromLong(((CountingDictObject *)self)->sets);
}

static PyGetSetDef CountingDict_getset[] = {
    {"sets", CountingDict_sets, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMappingMethods CountingDict_as_mapping = {
    .mp_ass_subscript = CountingDict_ass,
};

static PyTypeObject CountingDict_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'CountingDict_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots.CountingDict",
    .tp_basicsize = sizeof(CountingDictObject),
    .tp_as_mapping = &CountingDict_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_getset = CountingDict_getset,
};

static int slots_exec(PyObject *m) {
  CountingDict_Type.tp_base = &PyDict_Type;
  if (PyType_Ready(&CountingDict_Type) < 0 || PyType_Ready(&Vec_Type) < 0)
    return -1;
  if (PyModule_AddObjectRef(m, "Vec", (PyObject *)&Vec_Type) < 0 ||
      PyModule_AddObjectRef(m, "CountingDict", (PyObject *)&CountingDict_Type) < 0)
    return -1;
  return 0;
}

static struct PyModuleDef_Slot slots_slots[] = {
    {Py_mod_exec, slots_exec},
    {0, NULL},
};

static struct PyModuleDef slots_module = {
    PyModuleDef_HEAD_INIT, "slots", NULL, 0, NULL, slots_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_slots(void) { return PyModuleDef_Init(&slots_module); }

// CHECK-FIXES:      #include <Python.h>
// CHECK-FIXES-NEXT: #include "structmember.h"         // PyMemberDef, T_PYSSIZET
// CHECK-FIXES-NEXT: #include <stddef.h>
// CHECK-FIXES:      } VecObject;
// CHECK-FIXES-NOT:  Vec_Type;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyTypeObject *Vec_Type;
// CHECK-FIXES-NEXT:   PyTypeObject *CountingDict_Type;
// CHECK-FIXES-NEXT: } slots_state;
// CHECK-FIXES:      static PyObject *
// CHECK-FIXES-NEXT: slots_operands_module(PyObject *left, PyObject *right)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   PyObject *module = PyType_GetModuleByDef(Py_TYPE(left), &slots_module);
// CHECK-FIXES-NEXT:   if (module == NULL) {
// CHECK-FIXES-NEXT:     PyErr_Clear();
// CHECK-FIXES-NEXT:     module = PyType_GetModuleByDef(Py_TYPE(right), &slots_module);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   return module;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:        if (type->tp_init != get_slots_state(PyType_GetModuleByDef(type, &slots_module))->Vec_Type->tp_init || !PyType_IsSubtype(type, get_slots_state(PyType_GetModuleByDef(type, &slots_module))->Vec_Type))
// CHECK-FIXES:      static void Vec_dealloc(VecObject *self) {
// CHECK-FIXES-NEXT:   PyTypeObject *tp = Py_TYPE(self);
// CHECK-FIXES:        PyObject_Free(self);
// CHECK-FIXES-NEXT:   Py_DECREF(tp);
// CHECK-FIXES:        if (!PyObject_TypeCheck(left, get_slots_state(slots_operands_module(left, right))->Vec_Type) ||
// CHECK-FIXES:        return PyObject_CallFunction((PyObject *)get_slots_state(PyType_GetModuleByDef(Py_TYPE(self), &slots_module))->Vec_Type, "l", -self->value);
// CHECK-FIXES:      static PyObject *Vec_is_base(PyTypeObject *cls, PyObject *unused) {
// CHECK-FIXES-NEXT:   return PyBool_FromLong(cls == get_slots_state(PyType_GetModuleByDef(cls, &slots_module))->Vec_Type);
// CHECK-FIXES:        return PyBool_FromLong(PyObject_TypeCheck(o, get_slots_state(PyType_GetModuleByDef((PyTypeObject *)cls, &slots_module))->Vec_Type));
// CHECK-FIXES:        return PyUnicode_FromString(get_slots_state(PyType_GetModuleByDef(Py_TYPE(self), &slots_module))->Vec_Type->tp_name);
// CHECK-FIXES:      static PyMemberDef Vec_Type_members[] = {
// CHECK-FIXES-NEXT:   {"__weaklistoffset__", T_PYSSIZET, offsetof(VecObject, weakreflist), READONLY},
// CHECK-FIXES-NEXT:   {NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static PyType_Slot Vec_Type_slots[] = {
// CHECK-FIXES-NEXT:   {Py_tp_dealloc, (void *)(destructor)Vec_dealloc},
// CHECK-FIXES-NEXT:   {Py_nb_add, (void *)Vec_add},
// CHECK-FIXES-NEXT:   {Py_nb_negative, (void *)(unaryfunc)Vec_negative},
// CHECK-FIXES-NEXT:   {Py_sq_length, (void *)(lenfunc)Vec_length},
// CHECK-FIXES-NEXT:   {Py_mp_subscript, (void *)(binaryfunc)Vec_subscript},
// CHECK-FIXES-NEXT:   {Py_tp_methods, (void *)Vec_methods},
// CHECK-FIXES-NEXT:   {Py_tp_new, (void *)Vec_new},
// CHECK-FIXES-NEXT:   {Py_tp_members, Vec_Type_members},
// CHECK-FIXES-NEXT:   {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE,
// CHECK-FIXES:      static PyType_Slot CountingDict_Type_slots[] = {
// CHECK-FIXES-NEXT:   {Py_mp_ass_subscript, (void *)CountingDict_ass},
// CHECK-FIXES-NEXT:   {Py_tp_getset, (void *)CountingDict_getset},
// CHECK-FIXES-NEXT:   {Py_tp_base, (void *)&PyDict_Type},
// CHECK-FIXES-NEXT:   {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE,
// CHECK-FIXES:      static int slots_exec(PyObject *m) {
// CHECK-FIXES-NEXT:   get_slots_state(m)->Vec_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Vec_Type_spec, NULL);
// CHECK-FIXES:        get_slots_state(m)->CountingDict_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &CountingDict_Type_spec, NULL);
// CHECK-FIXES:        }
// CHECK-FIXES-NEXT:   if (PyType_Ready(get_slots_state(m)->CountingDict_Type) < 0 || PyType_Ready(get_slots_state(m)->Vec_Type) < 0)
// CHECK-FIXES:      {{^}}    PyModuleDef_HEAD_INIT, "slots", NULL, sizeof(slots_state), NULL, slots_slots, slots_state_traverse, slots_state_clear, slots_state_free,

// RUNS:      heap: True
// RUNS-NEXT: add: 7 7
// RUNS-NEXT: reflected: TypeError
// RUNS-NEXT: neg: 2
// RUNS-NEXT: subscript: 15
// RUNS-NEXT: weakref: True
// RUNS-NEXT: classmethod: True False
// RUNS-NEXT: holds: True False
// RUNS-NEXT: staticmethod: 42
// RUNS-NEXT: type_name: slots.Vec
// RUNS-NEXT: dict: True 2 ['a', 'b']
