// REQUIRES: python-ft
// PyDict_GetItem swallowed errors; the fix reports them by the function's
// own convention. A function whose error paths jump to a cleanup label gets
// `goto <label>;` when the label releases everything the function holds at
// the lookup (with Py_XDECREF or Py_CLEAR) and returns NULL or -1; labels
// that cannot be used say why (NOFIX). The fixed file compiles against the
// 3.13t headers and, through gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#include "Inputs/borrowed-header.h"

#define LOOKUP(d, k) PyDict_GetItem(d, k)

// The function holds 'name' at the lookup; its error label releases it.
static PyObject *pair_with_label(PyObject *d, PyObject *key) {
  PyObject *result = NULL;
  PyObject *name = PyObject_Str(key);
  if (name == NULL)
    goto error;
  PyObject *value = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (value == NULL) {
    PyErr_SetObject(PyExc_KeyError, name);
    goto error;
  }
  result = PyTuple_Pack(2, name, value);
  if (result == NULL)
    goto error;
  Py_DECREF(name);
  return result;
error:
  Py_XDECREF(name);
  return NULL;
}

// The success path falls into the cleanup label, which returns a variable
// that is still NULL when the lookup runs.
static PyObject *done_label(PyObject *d, PyObject *key) {
  PyObject *result = NULL;
  PyObject *text = NULL;
  PyObject *joined = PyUnicode_FromString("x");
  if (joined == NULL)
    goto done;
  PyObject *found = PyDict_GetItemString(d, "prefix");
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemString' {{.*}} [gilport-borrowed-ref]
  if (found == NULL)
    goto done;
  text = PyObject_Str(found);
  if (text == NULL)
    goto done;
  result = PyUnicode_Concat(text, joined);
done:
  Py_XDECREF(text);
  Py_CLEAR(joined);
  return result;
}

// An int function whose label returns -1.
static int count_with_label(PyObject *d, PyObject *key) {
  PyObject *list = PyList_New(0);
  if (list == NULL)
    goto fail;
  PyObject *item = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (item != NULL && PyList_Append(list, item) < 0)
    goto fail;
  Py_DECREF(list);
  return 0;
fail:
  Py_XDECREF(list);
  return -1;
}

// The label releases 'name' with Py_DECREF: 'name' is held, and not NULL,
// where the lookup runs.
static PyObject *label_with_decref(PyObject *d, PyObject *key) {
  PyObject *name = PyObject_Str(key);
  if (name == NULL)
    return NULL;
  PyObject *value = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (value == NULL || PyObject_SetAttrString(value, "x", name) < 0)
    goto error;
  Py_DECREF(name);
  Py_RETURN_NONE;
error:
  Py_DECREF(name);
  return NULL;
}

// Left alone.

// The label releases 'name' with Py_DECREF, and 'name' may be NULL.
static PyObject *label_with_decref_null(PyObject *d, PyObject *key) {
  PyObject *name = PyObject_Str(key);
  PyObject *value = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'name'; its error label 'error' cannot be used: it releases 'name' with 'Py_DECREF', which needs a non-NULL reference, and 'name' may be NULL when the lookup runs
  if (name == NULL || value == NULL ||
      PyObject_SetAttrString(value, "x", name) < 0)
    goto error;
  Py_DECREF(name);
  Py_RETURN_NONE;
error:
  Py_DECREF(name);
  return NULL;
}

// The label does more than release references.
static PyObject *label_with_call(PyObject *d, PyObject *key) {
  PyObject *name = PyObject_Str(key);
  if (name == NULL)
    return NULL;
  PyObject *value = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'name'; its error label 'error' cannot be used: it does more than release references
  if (value == NULL || PyObject_SetAttrString(value, "x", name) < 0)
    goto error;
  Py_DECREF(name);
  Py_RETURN_NONE;
error:
  PyErr_Clear();
  Py_XDECREF(name);
  return NULL;
}

// The label releases 'other', which is uninitialised or already released
// when the lookup runs.
static PyObject *label_uninitialised(PyObject *d, PyObject *key, int flag) {
  PyObject *other;
  PyObject *name = PyObject_Str(key);
  if (name == NULL)
    return NULL;
  if (flag) {
    other = PyObject_Repr(key);
    if (other == NULL)
      goto error;
    Py_DECREF(other);
  }
  PyObject *value = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'name'; its error label 'error' cannot be used: 'other' may be uninitialised or hold a released reference when the lookup runs
  other = PyObject_Repr(value ? value : Py_None);
  if (other == NULL)
    goto error;
  Py_DECREF(name);
  return other;
error:
  Py_XDECREF(other);
  Py_XDECREF(name);
  return NULL;
}

static PyObject *through_macro(PyObject *d, PyObject *key) {
  PyObject *result = NULL;
  PyObject *value = LOOKUP(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the call is spelled through a macro
  if (value == NULL)
    goto error;
  result = PyObject_Repr(value);
error:
  return result;
}

static int header_user(PyObject *o) { return header_has_flag(o); }

// The fixed file, in order.
// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static PyObject *pair_with_label(PyObject *d, PyObject *key) {
// CHECK-FIXES:   PyObject *value;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(d, name, &value) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (value == NULL) {
// CHECK-FIXES-NEXT:     PyErr_SetObject(PyExc_KeyError, name);
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   result = PyTuple_Pack(2, name, value);
// CHECK-FIXES-NEXT:   Py_DECREF(value);
// CHECK-FIXES-NEXT:   if (result == NULL)
// CHECK-FIXES: static PyObject *done_label(PyObject *d, PyObject *key) {
// CHECK-FIXES:   PyObject *found;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemStringRef(d, "prefix", &found) < 0) {
// CHECK-FIXES-NEXT:       goto done;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   text = PyObject_Str(found);
// CHECK-FIXES-NEXT:   Py_DECREF(found);
// CHECK-FIXES: done:
// CHECK-FIXES-NEXT:   Py_XDECREF(text);
// CHECK-FIXES: static int count_with_label(PyObject *d, PyObject *key) {
// CHECK-FIXES:   PyObject *item;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(d, key, &item) < 0) {
// CHECK-FIXES-NEXT:       goto fail;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (item != NULL && PyList_Append(list, item) < 0) {
// CHECK-FIXES-NEXT:     Py_DECREF(item);
// CHECK-FIXES-NEXT:     goto fail;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_XDECREF(item);
// CHECK-FIXES-NEXT:   Py_DECREF(list);
// CHECK-FIXES: static PyObject *label_with_decref(PyObject *d, PyObject *key) {
// CHECK-FIXES:   PyObject *value;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(d, name, &value) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (value == NULL || PyObject_SetAttrString(value, "x", name) < 0) {
// CHECK-FIXES-NEXT:     Py_XDECREF(value);
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_XDECREF(value);
// CHECK-FIXES-NEXT:   Py_DECREF(name);
// CHECK-FIXES-NOT: PyDict_GetItemRef

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: borrowed-header.h:4:20: warning
// NOFIX: no automatic fix: MinimumPython is 3.9 and the file has no '#include <Python.h>' line after which to include gilport_compat.h
