// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out
// RUN: %python %scripts/build-extension.py --python %python_ft --name tally --out %t.ft %t.dir/heap-type-dealloc-counter.c
// RUN: %python %scripts/build-extension.py --python %python_gil --name tally --out %t.gil %t.dir/heap-type-dealloc-counter.c
// RUN: env -u PYTHON_GIL %python_ft %S/Inputs/tally-check.py %t.ft | FileCheck %s --check-prefix=RUNTIME
// RUN: %python_gil %S/Inputs/tally-check.py %t.gil | FileCheck %s --check-prefix=RUNTIME-GIL
// RUN: env -u PYTHON_GIL %python_ft %S/../e2e/Inputs/subinterp-isolation.py %t.ft tally 20 | FileCheck %s --check-prefix=ISOLATED

// C counters updated in the tp_dealloc of a converted type move to the
// state too, as atomic fields (AtomicCounters): the module's threads share
// its state. PyType_GetModuleByDef is not safe there (the garbage collector
// may have cleared the type's MRO and module at shutdown), so tp_dealloc
// gets the state from a generated helper that follows tp_base to the heap
// type holding the module and gives NULL once the type was cleared; each
// update, a statement of its own, runs only when the state is there.
// Counting per interpreter stays right: instances of a Python subclass are
// counted, and an instance destroyed with its interpreter, in a reference
// cycle with its module, does not crash.
#include <Python.h>

typedef struct {
  PyObject_HEAD
  PyObject *payload;
  long id;
} ItemObject;

static long items_alive;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'items_alive' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long items_freed = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'items_freed' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long last_freed = -1;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'last_freed' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyObject *Item_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  PyObject *payload = Py_None;
  long id = 0;
  if (!PyArg_ParseTuple(args, "|Ol:Item", &payload, &id))
    return NULL;
  ItemObject *self = (ItemObject *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->payload = Py_NewRef(payload);
  self->id = id;
  items_alive++;
  return (PyObject *)self;
}

static int Item_traverse(ItemObject *self, visitproc visit, void *arg) {
  Py_VISIT(self->payload);
  return 0;
}

static int Item_clear(ItemObject *self) {
  Py_CLEAR(self->payload);
  return 0;
}

static void Item_dealloc(ItemObject *self) {
  PyObject_GC_UnTrack(self);
  Item_clear(self);
  items_alive--;
  items_freed += 1;
  last_freed = self->id;
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject Item_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Item_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tally.Item",
    .tp_basicsize = sizeof(ItemObject),
    .tp_dealloc = (destructor)Item_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)Item_traverse,
    .tp_clear = (inquiry)Item_clear,
    .tp_new = Item_new,
};

static PyObject *tally_counts(PyObject *module, PyObject *unused) {
  return Py_BuildValue("(lll)", items_alive, items_freed, last_freed);
}

static PyMethodDef tally_methods[] = {
    {"counts", tally_counts, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef tally_module = {
    PyModuleDef_HEAD_INIT, "tally", NULL, -1, tally_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_tally(void) {
  PyObject *m;
  if (PyType_Ready(&Item_Type) < 0)
    return NULL;
  m = PyModule_Create(&tally_module);
  if (m == NULL)
    return NULL;
  if (PyModule_AddObjectRef(m, "Item", (PyObject *)&Item_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      } ItemObject;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   _Atomic long items_alive;
// CHECK-FIXES-NEXT:   _Atomic long items_freed;
// CHECK-FIXES-NEXT:   _Atomic long last_freed;
// CHECK-FIXES-NEXT:   PyTypeObject *Item_Type;
// CHECK-FIXES-NEXT: } tally_state;
// CHECK-FIXES:      static struct PyModuleDef tally_module;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: /* The state of the module that created 'type' or its base, for tp_dealloc:
// CHECK-FIXES-NEXT:    PyType_GetModuleByDef would crash there once the garbage collector has
// CHECK-FIXES-NEXT:    cleared the type (its MRO and module) at shutdown; then this gives NULL. */
// CHECK-FIXES-NEXT: static tally_state *
// CHECK-FIXES-NEXT: get_tally_state_of_type(PyTypeObject *type)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:   for (; type != NULL; type = type->tp_base) {
// CHECK-FIXES-NEXT:     if (PyType_HasFeature(type, Py_TPFLAGS_HEAPTYPE)) {
// CHECK-FIXES-NEXT:       PyObject *module = ((PyHeapTypeObject *)type)->ht_module;
// CHECK-FIXES-NEXT:       if (module != NULL && PyModule_Check(module) &&
// CHECK-FIXES-NEXT:           PyModule_GetDef(module) == &tally_module) {
// CHECK-FIXES-NEXT:         return get_tally_state(module);
// CHECK-FIXES-NEXT:       }
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   return NULL;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:        get_tally_state(PyType_GetModuleByDef(type, &tally_module))->items_alive++;
// CHECK-FIXES:      static void Item_dealloc(ItemObject *self) {
// CHECK-FIXES-NEXT:   PyTypeObject *tp = Py_TYPE(self);
// CHECK-FIXES-NEXT:   tally_state *state = get_tally_state_of_type(tp);
// CHECK-FIXES-NEXT:   PyObject_GC_UnTrack(self);
// CHECK-FIXES-NEXT:   Item_clear(self);
// CHECK-FIXES-NEXT:   if (state != NULL) {
// CHECK-FIXES-NEXT:     state->items_alive--;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (state != NULL) {
// CHECK-FIXES-NEXT:     state->items_freed += 1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (state != NULL) {
// CHECK-FIXES-NEXT:     state->last_freed = self->id;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_TYPE(self)->tp_free((PyObject *)self);
// CHECK-FIXES-NEXT:   Py_DECREF(tp);
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:        return Py_BuildValue("(lll)", get_tally_state(module)->items_alive, get_tally_state(module)->items_freed, get_tally_state(module)->last_freed);
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-FIXES:        get_tally_state(m)->last_freed = -1;

// RUNTIME:      after 3 items: (3, 0, -1)
// RUNTIME-NEXT: after freeing them: (0, 3, 0)
// RUNTIME-NEXT: subclass counted: (1, 3, 0) (0, 4, 9)
// RUNTIME-NEXT: cycle collected: (0, 5, 5)
// RUNTIME-NEXT: subinterpreters: own counts True, shutdown with a cycle ok
// RUNTIME-GIL:      after 3 items: (3, 0, -1)
// RUNTIME-GIL-NEXT: after freeing them: (0, 3, 0)
// RUNTIME-GIL-NEXT: subclass counted: (1, 3, 0) (0, 4, 9)
// RUNTIME-GIL-NEXT: cycle collected: (0, 5, 5)

// ISOLATED:      gil-enabled-after-import: False
// ISOLATED-NEXT: own-state: True
// ISOLATED-NEXT: concurrent: ok
// ISOLATED-NEXT: leaked-markers: 0
