// REQUIRES: python-ft
// A lookup that swallowed errors inside a loop: the error path jumps to the
// function's error label when, in every iteration, the label releases what
// the function holds at the lookup. Releases that follow the lookup right
// away run before the jump; a label may release with Py_DECREF what is
// known not to be NULL there. A variable that the loop changes without
// setting it again before the lookup may hold a released reference there,
// so a label that releases it is not used. A loop that may carry a
// reference over to the next iteration is not modelled; there the error
// test that follows the lookup gives the exit (borrowed-same-state-exit.c
// covers that on its own). The fixed
// file compiles against the 3.13t headers and, through gilport_compat.h,
// against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#include "Inputs/borrowed-header.h"

#define LOOKUP(d, k) PyDict_GetItem(d, k)

// The iterator is live and not NULL at the lookup; the symbol is released
// right after it.
static PyObject *encode(PyObject *codes, PyObject *symbols, PyObject *out) {
  PyObject *iter, *symbol, *value;
  if ((iter = PyObject_GetIter(symbols)) == NULL)
    return NULL;
  while ((symbol = PyIter_Next(iter))) {
    value = PyDict_GetItem(codes, symbol);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    Py_DECREF(symbol);
    if (value == NULL) {
      PyErr_SetString(PyExc_ValueError, "symbol not defined");
      goto error;
    }
    if (PyList_Append(out, value) < 0)
      goto error;
  }
  Py_DECREF(iter);
  if (PyErr_Occurred())
    return NULL;
  Py_RETURN_NONE;

error:
  Py_DECREF(iter);
  return NULL;
}

// A for loop; the label releases a result that is created before the loop,
// and a temporary that is NULL until the loop ends.
static PyObject *collect(PyObject *d, PyObject *keys) {
  PyObject *text = NULL;
  PyObject *result = PyList_New(0);
  if (result == NULL)
    goto error;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *found = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (found == NULL)
      continue;
    PyObject *repr = PyObject_Repr(found);
    if (repr == NULL)
      goto error;
    int rc = PyList_Append(result, repr);
    Py_DECREF(repr);
    if (rc < 0)
      goto error;
  }
  text = PyObject_Str(result);
  if (text == NULL)
    goto error;
  Py_DECREF(result);
  return text;
error:
  Py_XDECREF(text);
  Py_XDECREF(result);
  return NULL;
}

// A temporary acquired after the lookup is released before the loop goes
// round again: it holds no reference at the lookup, and the label leaves it
// alone.
static int count_truthy(PyObject *d, PyObject *keys) {
  PyObject *flag, *both;
  PyObject *seen = PyList_New(0);
  int n = 0;
  if (seen == NULL)
    return -1;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    flag = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    both = PyTuple_Pack(2, PyTuple_GET_ITEM(keys, i), flag ? flag : Py_None);
    if (both == NULL)
      goto fail;
    if (PyList_Append(seen, both) < 0) {
      Py_DECREF(both);
      goto fail;
    }
    n += PyObject_IsTrue(both);
    Py_DECREF(both);
  }
  Py_DECREF(seen);
  return n;
fail:
  Py_DECREF(seen);
  return -1;
}

// Left alone.

// The label releases 'tmp', which the loop releases after the lookup: on
// the next iteration it holds a released reference.
static PyObject *released_in_loop(PyObject *d, PyObject *keys) {
  PyObject *tmp = NULL;
  PyObject *seen = PyList_New(0);
  if (seen == NULL)
    return NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *v = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:19: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'seen'; its error label 'error' cannot be used: 'tmp' changes in the loop around the lookup, where it may hold a reference that was already released
    if (v == NULL)
      goto error;
    tmp = PyObject_Str(v);
    if (tmp == NULL)
      goto error;
    Py_DECREF(tmp);
  }
  return seen;
error:
  Py_XDECREF(tmp);
  Py_DECREF(seen);
  return NULL;
}

// 'prev' holds the reference of the previous iteration at the lookup: not
// modelled, but the author's own `if (v == NULL) goto error;` runs in the
// same state, so its exit serves the lookup's errors too.
static PyObject *carried_over(PyObject *d, PyObject *keys) {
  PyObject *prev = NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *v = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (v == NULL)
      goto error;
    Py_XDECREF(prev);
    prev = PyObject_Str(v);
    if (prev == NULL)
      goto error;
  }
  return prev;
error:
  Py_XDECREF(prev);
  return NULL;
}

// The function returns the borrowed value: its callers expect a borrowed
// reference.
static PyObject *find_in_bases(PyObject *bases, PyObject *name) {
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(bases); i++) {
    PyObject *dict = PyTuple_GET_ITEM(bases, i);
    PyObject *res = PyDict_GetItem(dict, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:21: warning
// NOFIX: note: no automatic fix: the function returns 'res', which it only borrowed: its callers expect a borrowed reference
    if (res != NULL)
      return res;
  }
  return NULL;
}

// Py_DECREF in the label, of a variable that may be NULL at the lookup.
static PyObject *maybe_null(PyObject *d, PyObject *keys, PyObject *seed) {
  PyObject *acc = PyObject_Str(seed);
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *v = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:19: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'acc'; its error label 'error' cannot be used: it releases 'acc' with 'Py_DECREF', which needs a non-NULL reference, and 'acc' may be NULL when the lookup runs
    if (v == NULL || PyObject_SetAttrString(v, "acc", acc) < 0)
      goto error;
  }
  return acc;
error:
  Py_DECREF(acc);
  return NULL;
}

// A 'switch' around the lookup.
static int in_switch(PyObject *d, int kind) {
  switch (kind) {
  case 1: {
    PyObject *v = PyDict_GetItemString(d, "one");
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItemString' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:19: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors and the error path cannot be built: the lookup is inside a 'switch'
    return v != NULL && PyObject_IsTrue(v);
  }
  default:
    return 0;
  }
}

// Through a macro: diagnosed, not fixed.
static PyObject *through_macro(PyObject *d, PyObject *keys) {
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *v = LOOKUP(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:19: warning
// NOFIX: note: no automatic fix: the call is spelled through a macro
    if (v == NULL || PyObject_IsTrue(v) < 0)
      goto error;
  }
  Py_RETURN_NONE;
error:
  return NULL;
}

static int header_user(PyObject *o) { return header_has_flag(o); }

// The fixed file, in order.
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static PyObject *encode(PyObject *codes, PyObject *symbols, PyObject *out) {
// CHECK-FIXES:   while ((symbol = PyIter_Next(iter))) {
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(codes, symbol, &value) < 0) {
// CHECK-FIXES-NEXT:       Py_DECREF(symbol);
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     Py_DECREF(symbol);
// CHECK-FIXES-NEXT:     if (value == NULL) {
// CHECK-FIXES-NEXT:       PyErr_SetString(PyExc_ValueError, "symbol not defined");
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     if (PyList_Append(out, value) < 0) {
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES: static PyObject *collect(PyObject *d, PyObject *keys) {
// CHECK-FIXES:     PyObject *found;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(d, PyTuple_GET_ITEM(keys, i), &found) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (found == NULL)
// CHECK-FIXES-NEXT:       continue;
// CHECK-FIXES-NEXT:     PyObject *repr = PyObject_Repr(found);
// CHECK-FIXES-NEXT:     Py_DECREF(found);
// CHECK-FIXES: static int count_truthy(PyObject *d, PyObject *keys) {
// CHECK-FIXES:     if (PyDict_GetItemRef(d, PyTuple_GET_ITEM(keys, i), &flag) < 0) {
// CHECK-FIXES-NEXT:       goto fail;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     both = PyTuple_Pack(2, PyTuple_GET_ITEM(keys, i), flag ? flag : Py_None);
// CHECK-FIXES-NEXT:     Py_XDECREF(flag);
// CHECK-FIXES: static PyObject *released_in_loop(PyObject *d, PyObject *keys) {
// CHECK-FIXES:   for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
// CHECK-FIXES-NEXT:     PyObject *v = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-FIXES: static PyObject *carried_over(PyObject *d, PyObject *keys) {
// CHECK-FIXES:     PyObject *v;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(d, PyTuple_GET_ITEM(keys, i), &v) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     prev = PyObject_Str(v);
// CHECK-FIXES-NEXT:     Py_DECREF(v);

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: borrowed-header.h:4:20: warning
// NOFIX: no automatic fix: MinimumPython is 3.9 and the file has no '#include <Python.h>' line after which to include gilport_compat.h
