// REQUIRES: python-ft
// gilport-unlocked-object-state's fix: every function that runs on a Stack
// from Python and reads or changes the fields a method changes without a
// lock holds the object's critical section for its whole run, readers too,
// by CPython's `_lock_held` split. A helper only they call is left as it is,
// a function on two such objects locks both, lifecycle slots and functions
// that only use fields nobody changes are left alone. The fixed file
// compiles against 3.13t and, through gilport_compat.h, 3.11; a second run
// changes nothing, and the check then finds nothing.
// RUN: %check_gilport %s gilport-unlocked-object-state %t -- --extra-arg=-I%S/../checks/Inputs
// RUN: clang-19 -fsyntax-only -Wall -Werror -I%S/../checks/Inputs -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -I%S/../checks/Inputs -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: %gilport check %t.fixed.c --checks=-*,gilport-unlocked-object-state --extra-arg=-I%S/../checks/Inputs --color=never | FileCheck %s --check-prefix=AFTER
// AFTER: no findings
// RUN: cp %t.c %t.notes.c
// RUN: %expect_exit 1 %gilport check %t.notes.c --checks=-*,gilport-unlocked-object-state --extra-arg=-I%S/../checks/Inputs --color=never | FileCheck %s --check-prefix=NOTES
// NOTES: note: the fix runs each function that reads or changes these fields from Python under the object's critical section, readers too ('Stack_push', 'Stack_peek', 'Stack_get_size', 'Stack_extend', 'Stack_export', 'Header_hit'), with its body moved into a '*_lock_held' function

#include <Python.h>

#include "object_state.h"

typedef struct {
  PyObject_HEAD
  PyObject **items;
  Py_ssize_t size, allocated;
  PyObject *name;
} StackObject;

// A helper only the methods call: it runs under their lock.
static int stack_grow(StackObject *self) {
  PyObject **items = PyMem_Realloc(self->items, 2 * self->allocated *
                                                    sizeof(PyObject *));
  if (items == NULL)
    return -1;
  self->items = items;
  self->allocated *= 2;
  return 0;
}
// CHECK-MESSAGES: :[[@LINE-4]]:15: warning: 'items' of the 'StackObject' object is changed in 'stack_grow' without a critical section {{.*}} [gilport-unlocked-object-state]

static PyObject *
Stack_push(StackObject *self, PyObject *item)
{
    if (self->size == self->allocated && stack_grow(self) < 0)
        return PyErr_NoMemory();
    self->items[self->size++] = Py_NewRef(item);
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'items' of the 'StackObject' object is changed in 'Stack_push' without a critical section {{.*}} [gilport-unlocked-object-state]
    Py_RETURN_NONE;
}

// Only reads, but reads the buffer Stack_push reallocates.
static PyObject *Stack_peek(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  StackObject *self = (StackObject *)op;
  if (self->size == 0)
    Py_RETURN_NONE;
  return Py_NewRef(self->items[self->size - 1]);
}

static PyObject *Stack_get_size(StackObject *self, void *Py_UNUSED(closure)) {
  return PyLong_FromSsize_t(self->size);
}

// Two stacks: both are locked.
static PyObject *Stack_extend(StackObject *self, StackObject *other) {
  for (Py_ssize_t i = 0; i < other->size; i++)
    if (Stack_push(self, other->items[i]) == NULL)
      return NULL;
  Py_RETURN_NONE;
}

// Called from other files too: the moved body becomes static. A parameter
// already has the wrapper's name for the result, which takes another.
int Stack_export(StackObject *self, Py_ssize_t *return_value) {
  *return_value = self->size;
  return 0;
}

// The struct from a header.
static PyObject *Header_hit(HeaderObject *self, PyObject *unused) {
  self->hits += 1;
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'hits' of the 'HeaderObject' object is changed in 'Header_hit' without a critical section {{.*}} [gilport-unlocked-object-state]
  Py_RETURN_NONE;
}

// Left alone: a field nobody changes after the object is made, and a slot.
static PyObject *Stack_name(StackObject *self, PyObject *unused) {
  return Py_NewRef(self->name);
}

static void Stack_dealloc(StackObject *self) {
  for (Py_ssize_t i = 0; i < self->size; i++)
    Py_DECREF(self->items[i]);
  PyMem_Free(self->items);
  Py_XDECREF(self->name);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Stack_methods[] = {
    {"push", (PyCFunction)Stack_push, METH_O, NULL},
    {"peek", Stack_peek, METH_NOARGS, NULL},
    {"extend", (PyCFunction)Stack_extend, METH_O, NULL},
    {"name", (PyCFunction)Stack_name, METH_NOARGS, NULL},
    {"hit", (PyCFunction)Header_hit, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Stack_getset[] = {
    {"size", (getter)Stack_get_size, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject StackType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "objlock.Stack",
    .tp_basicsize = sizeof(StackObject),
    .tp_dealloc = (destructor)Stack_dealloc,
    .tp_methods = Stack_methods,
    .tp_getset = Stack_getset,
};

// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES-NEXT: #include "gilport_compat.h"
// CHECK-FIXES: static int stack_grow(StackObject *self) {
// CHECK-FIXES: static PyObject *
// CHECK-FIXES-NEXT: Stack_push_lock_held(StackObject *self, PyObject *item)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES: static PyObject *
// CHECK-FIXES-NEXT: Stack_push(StackObject *self, PyObject *item)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:     PyObject *return_value;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     Py_BEGIN_CRITICAL_SECTION(self);
// CHECK-FIXES-NEXT:     return_value = Stack_push_lock_held(self, item);
// CHECK-FIXES-NEXT:     Py_END_CRITICAL_SECTION();
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     return return_value;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES: static PyObject *Stack_peek_lock_held(PyObject *op, PyObject *Py_UNUSED(ignored)) {
// CHECK-FIXES: static PyObject *Stack_peek(PyObject *op, PyObject *Py_UNUSED(ignored)) {
// CHECK-FIXES-NEXT:   PyObject *return_value;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(op);
// CHECK-FIXES-NEXT:   return_value = Stack_peek_lock_held(op, NULL);
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static PyObject *Stack_get_size(StackObject *self, void *Py_UNUSED(closure)) {
// CHECK-FIXES:   return_value = Stack_get_size_lock_held(self, NULL);
// CHECK-FIXES: static PyObject *Stack_extend(StackObject *self, StackObject *other) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION2(self, other);
// CHECK-FIXES-NEXT:   return_value = Stack_extend_lock_held(self, other);
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION2();
// CHECK-FIXES: static int Stack_export_lock_held(StackObject *self, Py_ssize_t *return_value) {
// CHECK-FIXES: int Stack_export(StackObject *self, Py_ssize_t *return_value) {
// CHECK-FIXES-NEXT:   int return_value_;
// CHECK-FIXES: return_value_ = Stack_export_lock_held(self, return_value);
// CHECK-FIXES: return return_value_;
// CHECK-FIXES: static PyObject *Header_hit_lock_held(HeaderObject *self, PyObject *unused) {
// CHECK-FIXES: static PyObject *Stack_name(StackObject *self, PyObject *unused) {
// CHECK-FIXES-NEXT:   return Py_NewRef(self->name);
// CHECK-FIXES: static void Stack_dealloc(StackObject *self) {
// CHECK-FIXES-NEXT:   for (Py_ssize_t i = 0; i < self->size; i++)
