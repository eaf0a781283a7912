// REQUIRES: python-ft
// A lookup that swallowed errors, in a function whose error label does more
// than release references (a success flag, Py_LeaveRecursiveCall, memory
// kept in an object), or that holds something the error path model does not
// know. The author's own error test a few statements on runs in the same
// state: when nothing between the lookup and that test changes what its exit
// reads, the lookup's new error path takes the same exit. Not when a
// variable the label reads changes on the way, something is released on the
// way, the test is not an error test, or it is spelled through a macro. The
// fixed file compiles against the 3.13t headers and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>
#include <stdbool.h>

typedef struct {
  PyObject_HEAD
  Py_ssize_t *offsets;
  PyObject *fields;
  PyObject *lookup;
} Info;

static void *convert(PyObject *o) { return o == Py_None ? NULL : (void *)o; }

// The label runs only when 'succeeded' is false: the author's
// `if (type == NULL) goto cleanup;` is the exit, and what runs before it
// writes only the looked-up value and a new local.
static PyObject *build(PyObject *fields, PyObject *annotations,
                       PyObject *fallback) {
  PyObject *out = NULL;
  bool succeeded = false;
  PyObject *list = PyList_New(0);
  if (list == NULL)
    goto cleanup;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fields); i++) {
    PyObject *field = PyTuple_GET_ITEM(fields, i);
    PyObject *type_obj = PyDict_GetItem(annotations, field);
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (type_obj == NULL) {
      type_obj = fallback;
    }
    void *type = convert(type_obj);
    if (type == NULL)
      goto cleanup;
    if (PyList_Append(list, type_obj) < 0)
      goto cleanup;
  }
  out = PyList_AsTuple(list);
  succeeded = true;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  Py_XDECREF(list);
  return out;
}
// CHECK-FIXES: static PyObject *build(PyObject *fields, PyObject *annotations,
// CHECK-FIXES:     PyObject *type_obj;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(annotations, field, &type_obj) < 0) {
// CHECK-FIXES-NEXT:       goto cleanup;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (type_obj == NULL) {
// CHECK-FIXES-NEXT:       type_obj = fallback;
// CHECK-FIXES-NEXT:       Py_XINCREF(type_obj);
// CHECK-FIXES-NEXT:     }

// The lookup's own result tested right after it, and a label that leaves a
// recursion level: used because other error tests jump there too.
static PyObject *sorted_copy(PyObject *dict, PyObject *keys) {
  if (Py_EnterRecursiveCall(" in sorted_copy"))
    return NULL;
  PyObject *out = NULL;
  PyObject *new = PyDict_New();
  if (new == NULL)
    goto error;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *key = PyTuple_GET_ITEM(keys, i);
    PyObject *val = PyDict_GetItem(dict, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (val == NULL)
      goto error;
    if (PyDict_SetItem(new, key, val) < 0)
      goto error;
  }
  out = Py_NewRef(new);
error:
  Py_LeaveRecursiveCall();
  Py_XDECREF(new);
  return out;
}
// CHECK-FIXES: static PyObject *sorted_copy(PyObject *dict, PyObject *keys) {
// CHECK-FIXES:     PyObject *val;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(dict, key, &val) < 0) {
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (val == NULL)
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     if (PyDict_SetItem(new, key, val) < 0) {
// CHECK-FIXES-NEXT:       Py_DECREF(val);
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     Py_DECREF(val);

// Memory kept in the object, then `{ PyErr_Format(...); return -1; }`: the
// exception is already set, so the new path only returns.
static int fill_offsets(Info *info) {
  info->offsets = PyMem_New(Py_ssize_t, PyTuple_GET_SIZE(info->fields));
  if (info->offsets == NULL)
    return -1;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(info->fields); i++) {
    PyObject *field = PyTuple_GET_ITEM(info->fields, i);
    PyObject *offset = PyDict_GetItem(info->lookup, field);
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (offset == NULL) {
      PyErr_Format(PyExc_RuntimeError, "no offset for %R", field);
      return -1;
    }
    info->offsets[i] = PyLong_AsSsize_t(offset);
  }
  return 0;
}
// CHECK-FIXES: static int fill_offsets(Info *info) {
// CHECK-FIXES:     PyObject *offset;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(info->lookup, field, &offset) < 0) {
// CHECK-FIXES-NEXT:       return -1;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     info->offsets[i] = PyLong_AsSsize_t(offset);
// CHECK-FIXES-NEXT:     Py_DECREF(offset);

// The error test is in the branch taken when the value was found.
static PyObject *defaults_of(PyObject *fields, PyObject *defaults) {
  PyObject *out = NULL;
  bool succeeded = false;
  PyObject *list = PyList_New(0);
  if (list == NULL)
    goto cleanup;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fields); i++) {
    PyObject *value = PyDict_GetItem(defaults, PyTuple_GET_ITEM(fields, i));
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
    if (value != NULL) {
      if (PyList_Append(list, value) < 0)
        goto cleanup;
    }
  }
  out = PyList_AsTuple(list);
  succeeded = true;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  Py_XDECREF(list);
  return out;
}
// CHECK-FIXES: static PyObject *defaults_of(PyObject *fields, PyObject *defaults) {
// CHECK-FIXES:     PyObject *value;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(defaults, PyTuple_GET_ITEM(fields, i), &value) < 0) {
// CHECK-FIXES-NEXT:       goto cleanup;
// CHECK-FIXES-NEXT:     }

// Negative: 'text', which the label releases, is set between the lookup and
// the error test.
static PyObject *changes_label_variable(PyObject *d, PyObject *key) {
  PyObject *out = NULL, *text = NULL;
  bool succeeded = false;
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and the function has no 'return NULL' or 'return -1' convention, nor error exits of its own after a failed call, to report them; its error label 'cleanup' cannot be used: it does more than release references; the exit of the error test that follows cannot be reused: between the lookup and the error test that follows, it changes 'text'
  text = PyObject_Str(v ? v : Py_None);
  if (text == NULL)
    goto cleanup;
  out = PyTuple_Pack(1, text);
  succeeded = out != NULL;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  Py_XDECREF(text);
  return out;
}

// Negative: a reference is released between the lookup and the test.
static PyObject *releases_on_the_way(PyObject *d, PyObject *key,
                                     PyObject *extra) {
  PyObject *out = NULL;
  bool succeeded = false;
  Py_INCREF(extra);
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: {{.*}}; the exit of the error test that follows cannot be reused: between the lookup and the error test that follows, it calls 'Py_DECREF'
  Py_DECREF(extra);
  out = PyObject_Repr(v ? v : Py_None);
  if (out == NULL)
    goto cleanup;
  succeeded = true;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  return out;
}

// Negative: `n > 3` is not an error test; the label may be the way out on
// success.
static PyObject *not_an_error_test(PyObject *d, PyObject *key, int n) {
  PyObject *out = NULL;
  bool succeeded = false;
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: {{.*}}; the exit of the error test that follows cannot be reused: the test that follows is not an error test
  if (n > 3)
    goto cleanup;
  out = PyObject_Repr(v ? v : Py_None);
  succeeded = out != NULL;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  return out;
}

// Macro: the error test is spelled through the project's macro.
#define FAIL_IF_NULL(x) if ((x) == NULL) goto cleanup
static PyObject *macro_test(PyObject *d, PyObject *key) {
  PyObject *out = NULL;
  bool succeeded = false;
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: {{.*}}; the exit of the error test that follows cannot be reused: the error test that follows is spelled through a macro
  out = PyObject_Repr(v ? v : Py_None);
  FAIL_IF_NULL(out);
  succeeded = true;
cleanup:
  if (!succeeded)
    Py_CLEAR(out);
  return out;
}
