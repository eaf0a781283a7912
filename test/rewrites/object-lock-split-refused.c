// gilport-unlocked-object-state makes no fix when some function that uses
// the raced fields cannot be made to hold the object's lock: a helper given
// an object that is not its caller's parameter, a function on three objects
// (PLAN, with the count of such places), a reader defined by a macro
// (MACRO). The fix is all or nothing for the file, since one reader left
// unlocked still races with every writer; the file is left as it was.
// RUN: cp %s %t.c
// RUN: %expect_exit 1 %gilport fix %t.c --checks=-*,gilport-unlocked-object-state --color=never | FileCheck %s --check-prefix=PLAN --implicit-check-not="fixed in 1"
// PLAN: warning: 'size' of the 'StackObject' object is changed in 'stack_clear'
// PLAN: note: no automatic fix: 'Stack_clear_last' gives 'stack_clear' an object that is not one of its own parameters, so locking 'Stack_clear_last' would not lock it (and 1 more such place); hold the section by hand
// RUN: cmp %s %t.c
// RUN: %expect_exit 1 %gilport fix %t.c --checks=-*,gilport-unlocked-object-state --extra-arg=-DMACRO_ONLY --color=never | FileCheck %s --check-prefix=MACRO
// MACRO: note: no automatic fix: the definition of 'Stack_get_size' is spelled through a macro; hold the section by hand
// RUN: cmp %s %t.c

#include <Python.h>

typedef struct {
  PyObject_HEAD
  Py_ssize_t size;
  PyObject *last;
} StackObject;

static void stack_clear(StackObject *stack) { stack->size = 0; }

static PyObject *Stack_clear(StackObject *self, PyObject *unused) {
  stack_clear(self);
  Py_RETURN_NONE;
}

#ifndef MACRO_ONLY
// The object comes from a field, not from the method's parameters.
static PyObject *Stack_clear_last(StackObject *self, PyObject *unused) {
  if (self->last != NULL)
    stack_clear((StackObject *)self->last);
  Py_RETURN_NONE;
}

static int Stack_sizes(StackObject *a, StackObject *b, StackObject *c) {
  return a->size + b->size + c->size > 0;
}
#endif

#define SIZE_GETTER(name, field)                                               \
  static PyObject *name(StackObject *self, void *closure) {                    \
    return PyLong_FromSsize_t(self->field);                                    \
  }
SIZE_GETTER(Stack_get_size, size)

static PyMethodDef Stack_methods[] = {
    {"clear", (PyCFunction)Stack_clear, METH_NOARGS, NULL},
#ifndef MACRO_ONLY
    {"clear_last", (PyCFunction)Stack_clear_last, METH_NOARGS, NULL},
#endif
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Stack_getset[] = {
    {"size", (getter)Stack_get_size, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject StackType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "objlock.Stack",
    .tp_basicsize = sizeof(StackObject),
    .tp_methods = Stack_methods,
    .tp_getset = Stack_getset,
};

#ifndef MACRO_ONLY
int (*sizes)(StackObject *, StackObject *, StackObject *) = Stack_sizes;
#endif
