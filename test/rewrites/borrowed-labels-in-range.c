// REQUIRES: python-ft
// Labels after the lookup, in its block: the walk of the new reference
// merges every way in (falling through, the jumps it saw, and jumps from
// before the lookup, where the fix holds nothing yet). The coverage.py
// CTracer shape: the code takes its own reference in an `else`, so the
// increment goes, and the cleanup label releases the reference as before.
// A label entered by a backward jump, or reached with the reference held on
// one way and not on another, is not modelled (NOFIX). The fixed file
// compiles against the 3.13t headers and, through gilport_compat.h, against
// 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

typedef struct {
  PyObject_HEAD
  PyObject *cache;
  PyObject *compute;
  PyObject *data;
} Tracer;

static int trace(Tracer *self, PyObject *filename) {
  int ret = -1;
  PyObject *disposition = NULL;
  PyObject *extra = PyObject_Str(filename);
  if (extra == NULL)
    goto error;
  disposition = PyDict_GetItem(self->cache, filename);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (disposition == NULL) {
    if (PyErr_Occurred()) {
      goto error;
    }
    disposition = PyObject_CallOneArg(self->compute, filename);
    if (disposition == NULL)
      goto error;
    if (PyDict_SetItem(self->cache, filename, disposition) < 0)
      goto error;
  } else {
    Py_INCREF(disposition);
  }
  if (disposition == Py_None)
    goto ok;
  if (PyObject_IsTrue(disposition) < 0)
    goto error;
ok:
  ret = 0;
error:
  Py_XDECREF(extra);
  Py_XDECREF(disposition);
  return ret;
}
// CHECK-FIXES: static int trace(Tracer *self, PyObject *filename) {
// CHECK-FIXES:   if (PyDict_GetItemRef(self->cache, filename, &disposition) < 0) {
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (disposition == NULL) {
// CHECK-FIXES-NEXT:     disposition = PyObject_CallOneArg(self->compute, filename);
// CHECK-FIXES:     if (PyDict_SetItem(self->cache, filename, disposition) < 0)
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (disposition == Py_None)

// A label inside a nested block that the error paths jump to.
static int record(Tracer *self, PyObject *name) {
  int had_error = 0, rc = 0;
  if (name != Py_None) {
    PyObject *file_data = PyDict_GetItem(self->data, name);
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (file_data == NULL) {
      if (PyErr_Occurred()) {
        had_error = 1;
        goto unlock;
      }
      file_data = PySet_New(NULL);
      if (file_data == NULL) {
        had_error = 1;
        goto unlock;
      }
      if (PyDict_SetItem(self->data, name, file_data) < 0) {
        had_error = 1;
        goto unlock;
      }
    } else {
      /* Own it. */
      Py_INCREF(file_data);
    }
  unlock:
    if (had_error) {
      Py_XDECREF(file_data);
      return -1;
    }
    rc = PySet_Add(file_data, name);
    Py_DECREF(file_data);
  }
  return rc;
}
// CHECK-FIXES: static int record(Tracer *self, PyObject *name) {
// CHECK-FIXES:     PyObject *file_data;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(self->data, name, &file_data) < 0) {
// CHECK-FIXES-NEXT:       had_error = 1;
// CHECK-FIXES-NEXT:       goto unlock;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (file_data == NULL) {
// CHECK-FIXES-NEXT:       file_data = PySet_New(NULL);
// CHECK-FIXES:       if (PyDict_SetItem(self->data, name, file_data) < 0) {
// CHECK-FIXES-NEXT:         had_error = 1;
// CHECK-FIXES-NEXT:         goto unlock;
// CHECK-FIXES-NEXT:       }
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:   unlock:

// Negative: a backward jump enters the label again.
static PyObject *retry(PyObject *d, PyObject *key, int tries) {
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: a label inside the live range of 'v' is control flow that is not modelled
  if (v == NULL)
    return NULL;
again:
  if (--tries > 0 && PyObject_IsTrue(v) == 0)
    goto again;
  return PyObject_Repr(v);
}

// Negative: the jump reaches the label, which reads 'v', with the new
// reference; the fall-through after the code's own release.
static int mixed(PyObject *d, PyObject *key) {
  int rc = -1;
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the ownership of 'v' differs between the ways into 'done'
  if (v == NULL)
    return -1;
  if (PyObject_IsTrue(v) > 0)
    goto done;
  Py_INCREF(v);
  Py_DECREF(v);
done:
  rc = PyObject_Not(v);
  return rc;
}
