// REQUIRES: python-ft
// A variable that a cleanup label releases (`bail: Py_XDECREF(v);`): the
// lookup inside a block before the label is fixed when no jump to the label
// leaves while the variable holds the new reference (the code took its own
// reference first, or the variable is NULL); a jump that would make the
// label release the new reference a second time is refused, and so is a
// read of the reference count, which the new reference changes (NOFIX). A
// Py_CLEAR of the variable is one of its uses. The fixed file compiles
// against the 3.13t headers and, through gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#include "Inputs/borrowed-header.h"

// The memo's value is taken with an increment of its own; the label
// releases it on the error paths that follow.
static PyObject *encode_keys(PyObject *memo, PyObject *keys) {
  PyObject *iter = NULL, *item = NULL, *encoded = NULL;
  PyObject *out = PyList_New(0);
  if (out == NULL)
    return NULL;
  iter = PyObject_GetIter(keys);
  if (iter == NULL)
    goto bail;
  while ((item = PyIter_Next(iter))) {
    encoded = PyDict_GetItemWithError(memo, item);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
    if (encoded == NULL) {
      if (PyErr_Occurred())
        goto bail;
      encoded = PyObject_Repr(item);
      if (encoded == NULL)
        goto bail;
      if (PyDict_SetItem(memo, item, encoded))
        goto bail;
    } else {
      Py_INCREF(encoded);
    }
    if (PyList_Append(out, encoded))
      goto bail;
    Py_CLEAR(encoded);
    Py_CLEAR(item);
  }
  Py_CLEAR(iter);
  if (PyErr_Occurred())
    goto bail;
  return out;
bail:
  Py_XDECREF(encoded);
  Py_XDECREF(item);
  Py_XDECREF(iter);
  Py_DECREF(out);
  return NULL;
}

// The lookup swallowed errors; its error path jumps to the label, which
// releases the variable the failed lookup left NULL.
static int count_found(PyObject *d, PyObject *keys) {
  PyObject *found = NULL;
  int n = 0;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    found = PyDict_GetItem(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (found == NULL)
      continue;
    Py_INCREF(found);
    if (PyObject_IsTrue(found) < 0)
      goto error;
    n++;
    Py_CLEAR(found);
  }
  return n;
error:
  Py_XDECREF(found);
  return -1;
}

// Left alone.

// The jump to the label leaves while the variable holds the new reference:
// the label would release it a second time.
static int jump_while_held(PyObject *d, PyObject *keys) {
  PyObject *found = NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    found = PyDict_GetItemWithError(d, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:13: warning
// NOFIX: note: no automatic fix: 'found' would be released twice: the jump to 'error', which releases it, leaves while it holds the new reference
    if (found == NULL) {
      if (PyErr_Occurred())
        return -1;
      continue;
    }
    if (PyObject_IsTrue(found) < 0)
      goto error;
    found = NULL;
  }
  return 0;
error:
  Py_XDECREF(found);
  return -1;
}

// The code reads the reference count, which the new reference changes.
static int refcount_read(PyObject *d, PyObject *key) {
  PyObject *v = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the code reads the reference count of 'v', which the new reference would change
  if (v == NULL)
    return PyErr_Occurred() ? -1 : 0;
  if (Py_REFCNT(v) <= 1 && PyType_Check(v))
    return PyDict_DelItem(d, key);
  return PyObject_IsTrue(v);
}

static int header_user(PyObject *o) { return header_has_flag(o); }

// The fixed file, in order.
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static PyObject *encode_keys(PyObject *memo, PyObject *keys) {
// CHECK-FIXES:   while ((item = PyIter_Next(iter))) {
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(memo, item, &encoded) < 0) {
// CHECK-FIXES-NEXT:       goto bail;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (encoded == NULL) {
// CHECK-FIXES-NEXT:       encoded = PyObject_Repr(item);
// CHECK-FIXES:       if (PyDict_SetItem(memo, item, encoded))
// CHECK-FIXES-NEXT:         goto bail;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     if (PyList_Append(out, encoded))
// CHECK-FIXES-NEXT:       goto bail;
// CHECK-FIXES-NEXT:     Py_CLEAR(encoded);
// CHECK-FIXES: static int count_found(PyObject *d, PyObject *keys) {
// CHECK-FIXES:     if (PyDict_GetItemRef(d, PyTuple_GET_ITEM(keys, i), &found) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (found == NULL)
// CHECK-FIXES-NEXT:       continue;
// CHECK-FIXES-NEXT:     if (PyObject_IsTrue(found) < 0)
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     n++;
// CHECK-FIXES-NEXT:     Py_CLEAR(found);
// CHECK-FIXES: static int jump_while_held(PyObject *d, PyObject *keys) {
// CHECK-FIXES-NOT: PyDict_GetItemRef

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: borrowed-header.h:4:20: warning
// NOFIX: no automatic fix: MinimumPython is 3.9 and the file has no '#include <Python.h>' line after which to include gilport_compat.h
