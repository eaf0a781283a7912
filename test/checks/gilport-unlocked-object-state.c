// RUN: %check_gilport %s gilport-unlocked-object-state %t -- --extra-arg=-I%S/Inputs
// The same findings against the GIL build's headers (3.11).
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-unlocked-object-state --python=%python_gil --extra-arg=-I%S/Inputs --color=never | FileCheck %s --check-prefix=GIL
// GIL: warning: 'allocated' of the 'StackObject' object is changed in 'Stack_push'
// GIL: 6 findings in 1 file
// Off by default: without --checks naming it, nothing is reported.
// RUN: %gilport check %s --extra-arg=-I%S/Inputs --checks=-*,gilport-borrowed-ref --color=never | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: no findings
// RUN: %gilport check --dump-config %s | FileCheck %s --check-prefix=CONFIG
// CONFIG: Checks: 'gilport-*,-gilport-unlocked-object-state'
// No fix: one helper is given an object from a field (Stack_touch_last),
// which no lock of its caller's parameters would hold; the file is left
// alone (the fix itself: test/rewrites/object-lock-split.c).
// RUN: cp %s %t.fix.c && %expect_exit 1 %gilport fix %t.fix.c --checks=-*,gilport-unlocked-object-state --extra-arg=-I%S/Inputs --color=never | FileCheck %s --check-prefix=NOFIX
// NOFIX: note: no automatic fix: 'Stack_touch_last' gives 'stack_touch' an object that is not one of its own parameters
// RUN: cmp %s %t.fix.c
// Turned on, its findings keep the module from declaring that it runs
// without the GIL (the safety rule); off, the declaration is added.
// RUN: cp %S/Inputs/object_state_module.c %t.module.c
// RUN: %expect_exit 1 %gilport fix %t.module.c --checks=gilport-unlocked-object-state --color=never | FileCheck %s --check-prefix=WITHHELD
// WITHHELD: note: no automatic fix: declaring that the module runs without the GIL would be a false promise while 2 findings are left unfixed ({{.*}}.module.c:12 [gilport-unlocked-object-state], {{.*}}.module.c:16 [gilport-unlocked-object-state])
// RUN: not grep -q PyUnstable_Module_SetGIL %t.module.c
// RUN: %gilport fix %t.module.c --color=never > /dev/null
// RUN: grep -q PyUnstable_Module_SetGIL %t.module.c
#include <Python.h>

#include "object_state.h"

// As projects that support older Pythons write it (the 3.11 RUN line).
#if PY_VERSION_HEX < 0x030D0000
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
typedef struct {
  char locked;
} PyMutex;
static inline void PyMutex_Lock(PyMutex *m) { (void)m; }
static inline void PyMutex_Unlock(PyMutex *m) { (void)m; }
#endif

#define BUMP(o) ((o)->count += 1)

typedef struct {
  PyObject_HEAD
  Py_ssize_t count;
  PyObject **items;
  Py_ssize_t size, allocated;
  PyObject *last;
  _Atomic long atomic_hits;
  struct {
    int depth;
  } state;
} StackObject;

/* A subtype's struct starts with its base's. */
typedef struct {
  StackObject base;
  int flag;
} SubStackObject;

// Check-then-act on a buffer, counters, an object field replaced.
static PyObject *Stack_push(StackObject *self, PyObject *item) {
  if (self->size == self->allocated) {
    self->allocated *= 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'allocated' of the 'StackObject' object is changed in 'Stack_push' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(self)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
    self->items = PyMem_Realloc(self->items,
                                self->allocated * sizeof(PyObject *));
    // CHECK-MESSAGES: :[[@LINE-2]]:17: note: 'items' is changed here too
  }
  self->items[self->size++] = Py_NewRef(item);
  // CHECK-MESSAGES: :[[@LINE-1]]:25: note: 'size' is changed here too
  self->state.depth = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:21: note: 'state' is changed here too
  Py_XSETREF(self->last, Py_NewRef(item));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'last' is changed here too
  Py_RETURN_NONE;
}

// Through a cast of the method's `PyObject *` argument, and in a macro.
static PyObject *Stack_bump(PyObject *op, PyObject *unused) {
  StackObject *self = (StackObject *)op;
  BUMP(self);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'count' of the 'StackObject' object is changed in 'Stack_bump' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(self)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
  Py_RETURN_NONE;
}

static PyObject *SubStack_set(SubStackObject *self, PyObject *unused) {
  self->flag = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'flag' of the 'SubStackObject' object is changed in 'SubStack_set' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(self)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
  Py_RETURN_NONE;
}

// The struct from the header, changed here.
static PyObject *Header_hit(HeaderObject *self, PyObject *unused) {
  self->hits += 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'hits' of the 'HeaderObject' object is changed in 'Header_hit' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(self)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
  header_touch(self);
  Py_RETURN_NONE;
}

// Negative: only read.
static PyObject *Stack_count(StackObject *self, PyObject *unused) {
  return PyLong_FromSsize_t(self->count);
}

// Negative: inside the object's critical section.
static PyObject *Stack_clear(StackObject *self, PyObject *unused) {
  Py_BEGIN_CRITICAL_SECTION(self);
  self->count = 0;
  self->size = 0;
  Py_END_CRITICAL_SECTION();
  Py_RETURN_NONE;
}

// Negative: a helper only called inside a section, and its own helper.
static void stack_reset_depth(StackObject *self) { self->state.depth = 0; }
static void stack_reset(StackObject *self) {
  self->count = 0;
  stack_reset_depth(self);
}
static PyObject *Stack_reset(StackObject *self, PyObject *unused) {
  Py_BEGIN_CRITICAL_SECTION(self);
  stack_reset(self);
  Py_END_CRITICAL_SECTION();
  Py_RETURN_NONE;
}

// Negative: a helper that also calls itself, with the lock still held
// (deque.extendleft does so on a copy of its argument).
static void stack_unwind(StackObject *self, int depth) {
  self->state.depth = depth;
  if (depth > 0)
    stack_unwind(self, depth - 1);
}
static PyObject *Stack_unwind(StackObject *self, PyObject *unused) {
  Py_BEGIN_CRITICAL_SECTION(self);
  stack_unwind(self, 3);
  Py_END_CRITICAL_SECTION();
  Py_RETURN_NONE;
}

// Negative: CPython's *_lock_held idiom.
static PyObject *Stack_pop_lock_held(StackObject *self) {
  if (self->size == 0)
    Py_RETURN_NONE;
  return self->items[--self->size];
}

// Negative: a lock of the object's own.
typedef struct {
  PyObject_HEAD
  PyMutex mutex;
  long total;
} LockedObject;

static PyObject *Locked_add(LockedObject *self, PyObject *unused) {
  PyMutex_Lock(&self->mutex);
  self->total++;
  PyMutex_Unlock(&self->mutex);
  Py_RETURN_NONE;
}

// Negative: the same in a function no code of this file names (another
// file calls it).
PyObject *Locked_reset(LockedObject *self) {
  PyMutex_Lock(&self->mutex);
  self->total = 0;
  PyMutex_Unlock(&self->mutex);
  Py_RETURN_NONE;
}

// Negative: an _Atomic field.
static PyObject *Stack_atomic_hit(StackObject *self, PyObject *unused) {
  self->atomic_hits++;
  Py_RETURN_NONE;
}

// Negative: an object the function made itself.
static PyObject *Stack_copy(StackObject *self, PyObject *unused) {
  StackObject *copy = PyObject_New(StackObject, Py_TYPE(self));
  if (copy == NULL)
    return NULL;
  copy->count = self->count;
  copy->size = 0;
  return (PyObject *)copy;
}

// Negative: a helper only ever given an object its caller has just made:
// by the type's tp_alloc in a constructor of this file, or by calling the type.
static StackObject *stack_make(PyTypeObject *type) {
  StackObject *made = (StackObject *)type->tp_alloc(type, 0);
  if (made == NULL)
    return NULL;
  return made;
}
static PyObject *stack_fill(StackObject *fresh) {
  fresh->count = 7;
  return (PyObject *)fresh;
}
static PyObject *Stack_made(StackObject *self, PyObject *unused) {
  StackObject *res;
  if ((res = stack_make(Py_TYPE(self))) == NULL)
    return NULL;
  return stack_fill(res);
}
static PyObject *Stack_called(StackObject *self, PyObject *args) {
  StackObject *res =
      (StackObject *)PyObject_CallObject((PyObject *)Py_TYPE(self), args);
  if (res == NULL)
    return NULL;
  return stack_fill(res);
}

// A helper that one caller gives a fresh object and another its `self`.
static void stack_mark(StackObject *obj) { obj->size = 0; }
// CHECK-MESSAGES: :[[@LINE-1]]:54: warning: 'size' of the 'StackObject' object is changed in 'stack_mark' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(obj)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
static PyObject *Stack_mark_new(StackObject *self, PyObject *unused) {
  StackObject *made = PyObject_New(StackObject, Py_TYPE(self));
  if (made != NULL)
    stack_mark(made);
  return (PyObject *)made;
}
static PyObject *Stack_mark(StackObject *self, PyObject *unused) {
  stack_mark(self);
  Py_RETURN_NONE;
}

// A helper given an object that a local took from a field: shared.
static void stack_touch(StackObject *obj) { obj->count++; }
// CHECK-MESSAGES: :[[@LINE-1]]:55: warning: 'count' of the 'StackObject' object is changed in 'stack_touch' without a critical section on the object: two threads calling it on one object at once race on the field; hold 'Py_BEGIN_CRITICAL_SECTION(obj)' ... 'Py_END_CRITICAL_SECTION()' around the code that reads and changes it [gilport-unlocked-object-state]
static PyObject *Stack_touch_last(StackObject *self, PyObject *unused) {
  StackObject *other = (StackObject *)self->last;
  if (other != NULL)
    stack_touch(other);
  Py_RETURN_NONE;
}

// Negative: lifecycle slots and a helper only they call.
static void stack_release_items(StackObject *self) {
  PyMem_Free(self->items);
  self->items = NULL;
}
static PyObject *Stack_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  StackObject *self = (StackObject *)type->tp_alloc(type, 0);
  if (self != NULL)
    self->allocated = 4;
  return (PyObject *)self;
}
static int Stack_init(StackObject *self, PyObject *args, PyObject *kw) {
  self->count = 0;
  return 0;
}
static int Stack_tp_clear(StackObject *self) {
  Py_CLEAR(self->last);
  return 0;
}
static void Stack_dealloc(StackObject *self) {
  stack_release_items(self);
  Py_CLEAR(self->last);
  Py_TYPE(self)->tp_free((PyObject *)self);
}
static void Header_dealloc(PyObject *op) {
  HeaderObject *self = (HeaderObject *)op;
  self->hits = 0;
  Py_TYPE(op)->tp_free(op);
}

static PyMethodDef Stack_methods[] = {
    {"push", (PyCFunction)Stack_push, METH_O, NULL},
    {"bump", Stack_bump, METH_NOARGS, NULL},
    {"count", (PyCFunction)Stack_count, METH_NOARGS, NULL},
    {"clear", (PyCFunction)Stack_clear, METH_NOARGS, NULL},
    {"reset", (PyCFunction)Stack_reset, METH_NOARGS, NULL},
    {"hit", (PyCFunction)Stack_atomic_hit, METH_NOARGS, NULL},
    {"copy", (PyCFunction)Stack_copy, METH_NOARGS, NULL},
    {"made", (PyCFunction)Stack_made, METH_NOARGS, NULL},
    {"called", (PyCFunction)Stack_called, METH_VARARGS, NULL},
    {"mark_new", (PyCFunction)Stack_mark_new, METH_NOARGS, NULL},
    {"mark", (PyCFunction)Stack_mark, METH_NOARGS, NULL},
    {"touch_last", (PyCFunction)Stack_touch_last, METH_NOARGS, NULL},
    {"set", (PyCFunction)SubStack_set, METH_NOARGS, NULL},
    {"header_hit", (PyCFunction)Header_hit, METH_NOARGS, NULL},
    {"add", (PyCFunction)Locked_add, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* A static type's slots. */
static PyTypeObject StackType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "objstate.Stack",
    .tp_basicsize = sizeof(StackObject),
    .tp_new = Stack_new,
    .tp_init = (initproc)Stack_init,
    .tp_clear = (inquiry)Stack_tp_clear,
    .tp_dealloc = (destructor)Stack_dealloc,
    .tp_methods = Stack_methods,
};

/* A heap type's slots. */
static PyType_Slot header_slots[] = {
    {Py_tp_dealloc, Header_dealloc},
    {0, NULL},
};

PyObject *use_all(void) {
  (void)Stack_pop_lock_held;
  (void)header_slots;
  return (PyObject *)&StackType;
}
