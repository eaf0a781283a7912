// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out
// RUN: %python %scripts/build-extension.py --python %python_ft --name boxes --out %t.ft %t.dir/heap-type-gc.c
// RUN: env -u PYTHON_GIL %python_ft %S/../e2e/Inputs/subinterp-isolation.py %t.ft boxes 20 | FileCheck %s --check-prefix=ISOLATED

// Static types become heap types: their designated initializers become a
// PyType_Slot array and a PyType_Spec (with Py_TPFLAGS_IMMUTABLETYPE, and
// Py_TPFLAGS_DISALLOW_INSTANTIATION for a type without tp_new), created in
// exec with PyType_FromModuleAndSpec and kept in the state; '&Box_Type'
// reads the state; the GC type's tp_traverse visits its type and tp_dealloc
// releases it. The type's tp_new and methods reach the state through
// PyType_GetModuleByDef (tp_new from its type argument), which needs the
// module definition declared before them. The counter tp_new updates is an
// atomic field (AtomicCounters), or the module would keep the GIL. Built for python3.13t, the module
// keeps the GIL disabled and runs in two isolated subinterpreters at once
// with its own types and state, which are freed with each interpreter.
#include <Python.h>

typedef struct {
  PyObject_HEAD
  PyObject *payload;
} BoxObject;

static PyObject *BoxError;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'BoxError' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static long boxes_made;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'boxes_made' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyObject *Box_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  PyObject *payload = Py_None;
  if (!PyArg_ParseTuple(args, "|O:Box", &payload))
    return NULL;
  BoxObject *self = (BoxObject *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->payload = Py_NewRef(payload);
  boxes_made++;
  return (PyObject *)self;
}

static int Box_traverse(BoxObject *self, visitproc visit, void *arg) {
  Py_VISIT(self->payload);
  return 0;
}

static int Box_clear(BoxObject *self) {
  Py_CLEAR(self->payload);
  return 0;
}

static void Box_dealloc(BoxObject *self) {
  PyObject_GC_UnTrack(self);
  Box_clear(self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Box_open(BoxObject *self, PyObject *unused) {
  if (self->payload == Py_None) {
    PyErr_SetString(BoxError, "the box is empty");
    return NULL;
  }
  return Py_NewRef(self->payload);
}

static PyMethodDef Box_methods[] = {
    {"open", (PyCFunction)Box_open, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Box_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Box_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "boxes.Box",
    .tp_basicsize = sizeof(BoxObject),
    .tp_dealloc = (destructor)Box_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)Box_traverse,
    .tp_clear = (inquiry)Box_clear,
    .tp_methods = Box_methods,
    .tp_new = Box_new,
};

static PyObject *Token_repr(PyObject *self) {
  return PyUnicode_FromString("<token>");
}

static PyTypeObject Token_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Token_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "boxes.Token",
    .tp_basicsize = sizeof(PyObject),
    .tp_repr = Token_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static PyObject *boxes_made_count(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(boxes_made);
}

static PyObject *boxes_is_box(PyObject *module, PyObject *obj) {
  return PyBool_FromLong(PyObject_TypeCheck(obj, &Box_Type));
}

static PyMethodDef boxes_methods[] = {
    {"made", boxes_made_count, METH_NOARGS, NULL},
    {"is_box", boxes_is_box, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef boxes_module = {
    PyModuleDef_HEAD_INIT, "boxes", NULL, -1, boxes_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_boxes(void) {
  PyObject *m;
  if (PyType_Ready(&Box_Type) < 0 || PyType_Ready(&Token_Type) < 0)
    return NULL;
  m = PyModule_Create(&boxes_module);
  if (m == NULL)
    return NULL;
  BoxError = PyErr_NewException("boxes.BoxError", NULL, NULL);
  if (BoxError == NULL || PyModule_AddObjectRef(m, "BoxError", BoxError) < 0)
    goto error;
  if (PyModule_AddObjectRef(m, "Box", (PyObject *)&Box_Type) < 0 ||
      PyModule_AddObjectRef(m, "Token", (PyObject *)&Token_Type) < 0)
    goto error;
  return m;
error:
  Py_DECREF(m);
  return NULL;
}

// CHECK-FIXES:      } BoxObject;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *BoxError;
// CHECK-FIXES-NEXT:   _Atomic long boxes_made;
// CHECK-FIXES-NEXT:   PyTypeObject *Box_Type;
// CHECK-FIXES-NEXT:   PyTypeObject *Token_Type;
// CHECK-FIXES-NEXT: } boxes_state;
// CHECK-FIXES:      static struct PyModuleDef boxes_module;
// CHECK-FIXES:        Py_VISIT(state->Box_Type);
// CHECK-FIXES-NEXT:   Py_VISIT(state->Token_Type);
// CHECK-FIXES:        get_boxes_state(PyType_GetModuleByDef(type, &boxes_module))->boxes_made++;
// CHECK-FIXES:      static int Box_traverse(BoxObject *self, visitproc visit, void *arg) {
// CHECK-FIXES-NEXT:   Py_VISIT(Py_TYPE(self));
// CHECK-FIXES-NEXT:   Py_VISIT(self->payload);
// CHECK-FIXES:      static void Box_dealloc(BoxObject *self) {
// CHECK-FIXES-NEXT:   PyTypeObject *tp = Py_TYPE(self);
// CHECK-FIXES-NEXT:   PyObject_GC_UnTrack(self);
// CHECK-FIXES-NEXT:   Box_clear(self);
// CHECK-FIXES-NEXT:   Py_TYPE(self)->tp_free((PyObject *)self);
// CHECK-FIXES-NEXT:   Py_DECREF(tp);
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:          PyErr_SetString(get_boxes_state(PyType_GetModuleByDef(Py_TYPE(self), &boxes_module))->BoxError, "the box is empty");
// CHECK-FIXES:      static PyType_Slot Box_Type_slots[] = {
// CHECK-FIXES-NEXT:   {Py_tp_dealloc, (void *)(destructor)Box_dealloc},
// CHECK-FIXES-NEXT:   {Py_tp_traverse, (void *)(traverseproc)Box_traverse},
// CHECK-FIXES-NEXT:   {Py_tp_clear, (void *)(inquiry)Box_clear},
// CHECK-FIXES-NEXT:   {Py_tp_methods, (void *)Box_methods},
// CHECK-FIXES-NEXT:   {Py_tp_new, (void *)Box_new},
// CHECK-FIXES-NEXT:   {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: static PyType_Spec Box_Type_spec = {
// CHECK-FIXES-NEXT:   .name = "boxes.Box",
// CHECK-FIXES-NEXT:   .basicsize = sizeof(BoxObject),
// CHECK-FIXES-NEXT:   .itemsize = 0,
// CHECK-FIXES-NEXT:   .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
// CHECK-FIXES-NEXT:   .slots = Box_Type_slots,
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:      static PyType_Spec Token_Type_spec = {
// CHECK-FIXES:        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
// CHECK-FIXES:        return PyBool_FromLong(PyObject_TypeCheck(obj, get_boxes_state(module)->Box_Type));
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-FIXES:      static int boxes_exec(PyObject *m) {
// CHECK-FIXES-NEXT:   get_boxes_state(m)->Box_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Box_Type_spec, NULL);
// CHECK-FIXES-NEXT:   if (get_boxes_state(m)->Box_Type == NULL) {
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   get_boxes_state(m)->Token_Type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Token_Type_spec, NULL);
// CHECK-FIXES:        if (PyType_Ready(get_boxes_state(m)->Box_Type) < 0 || PyType_Ready(get_boxes_state(m)->Token_Type) < 0)
// CHECK-FIXES:        if (PyModule_AddObjectRef(m, "Box", (PyObject *)get_boxes_state(m)->Box_Type) < 0 ||

// ISOLATED:      gil-enabled-after-import: False
// ISOLATED-NEXT: own-state: True
// ISOLATED-NEXT: concurrent: ok
// ISOLATED-NEXT: leaked-markers: 0
