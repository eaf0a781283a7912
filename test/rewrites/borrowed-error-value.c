// REQUIRES: python-ft
// A lookup that swallowed errors needs an error path. In a function that
// returns an int and reports errors with a value other than -1 (pymongo's
// `return 0;` after a failed call), the new error path returns what the
// function's own error exits return: `if (v == NULL) return 0;` where `v`
// was set by a call that returns NULL with an exception set. A named
// constant keeps its name. No fix when two such exits return different
// values, or when the only NULL tests are of values that carry no
// exception. Variables of blocks that have ended are not released there, and
// a recursion guard left before the lookup is not held.
// The fixed file compiles against the 3.13t headers and,
// through gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#define FAILURE 0

static int write_value(PyObject *out, PyObject *value);

// Errors are `return 0;`, as the NULL test of PyObject_Type shows.
static int encode_with_registry(PyObject *out, PyObject *registry,
                                PyObject *value) {
  PyObject *type = PyObject_Type(value);
  if (type == NULL) {
    return 0;
  }
  PyObject *converter = PyDict_GetItem(registry, type);
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  Py_DECREF(type);
  if (converter != NULL) {
    PyObject *converted = PyObject_CallOneArg(converter, value);
    if (!converted)
      return 0;
    int ok = write_value(out, converted);
    Py_DECREF(converted);
    return ok;
  }
  return write_value(out, value);
}
// CHECK-FIXES:      PyObject *converter;
// CHECK-FIXES-NEXT: if (PyDict_GetItemRef(registry, type, &converter) < 0) {
// CHECK-FIXES-NEXT:   Py_DECREF(type);
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:      Py_DECREF(type);
// CHECK-FIXES-NEXT: if (converter != NULL) {

// The value is spelled through a named constant: the error path names it.
static int write_id(PyObject *out, PyObject *doc, PyObject *key) {
  PyObject *repr = PyObject_Repr(doc);
  if (repr == NULL)
    return FAILURE;
  Py_DECREF(repr);
  PyObject *id = PyDict_GetItem(doc, key);
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (id) {
    if (!write_value(out, id))
      return FAILURE;
  }
  return 1;
}
// CHECK-FIXES:      PyObject *id;
// CHECK-FIXES-NEXT: if (PyDict_GetItemRef(doc, key, &id) < 0) {
// CHECK-FIXES-NEXT:   return FAILURE;
// CHECK-FIXES-NEXT: }

// Negative: the function's error exits disagree (0 and -2).
static int two_values(PyObject *out, PyObject *doc, PyObject *key) {
  PyObject *text = PyObject_Str(doc);
  if (text == NULL)
    return 0;
  Py_DECREF(text);
  PyObject *bytes = PyObject_Repr(doc);
  if (bytes == NULL)
    return -2;
  Py_DECREF(bytes);
  PyObject *v = PyDict_GetItem(doc, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and the function has no 'return NULL' or 'return -1' convention, nor error exits of its own after a failed call, to report them
  if (v == NULL)
    return 1;
  return write_value(out, v);
}

// Negative: the only NULL test is of a lookup that sets no exception, so
// `return 0` there is not an error exit.
static int missing_is_fine(PyObject *out, PyObject *doc, PyObject *key,
                           PyObject *other) {
  PyObject *first = PyDict_GetItemString(doc, "first");
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemString' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:21: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and the function has no 'return NULL' or 'return -1' convention, nor error exits of its own after a failed call, to report them
  if (first == NULL)
    return 0;
  if (!write_value(out, first))
    return 0;
  return write_value(out, other);
}

// A variable of a block that has ended is out of scope at the lookup: the
// new error path neither can nor must release it, even where the block may
// leave it holding a reference.
static PyObject *after_block(PyObject *d, PyObject *key, PyObject *seq,
                             int keep) {
  if (keep) {
    PyObject *it = PyObject_GetIter(seq);
    if (it == NULL)
      return NULL;
    if (PyList_Append(seq, it) < 0) {
      Py_DECREF(it);
      return NULL;
    }
    if (keep > 1)
      Py_DECREF(it);
  }
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (v == NULL)
    Py_RETURN_NONE;
  return PyObject_Repr(v);
}
// CHECK-FIXES:      PyObject *v;
// CHECK-FIXES-NEXT: if (PyDict_GetItemRef(d, key, &v) < 0) {
// CHECK-FIXES-NEXT:   return NULL;
// CHECK-FIXES-NEXT: }

// A recursion guard entered and left in a block that ended before the
// lookup is not held there.
static PyObject *after_guard(PyObject *d, PyObject *key, PyObject *seq) {
  if (PyList_Check(seq)) {
    PyObject *text;
    if (Py_EnterRecursiveCall(" in after_guard"))
      return NULL;
    text = PyObject_Repr(seq);
    Py_LeaveRecursiveCall();
    if (text == NULL)
      return NULL;
    Py_DECREF(text);
  }
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (v == NULL)
    Py_RETURN_NONE;
  return PyObject_Repr(v);
}
// CHECK-FIXES:      PyObject *v;
// CHECK-FIXES-NEXT: if (PyDict_GetItemRef(d, key, &v) < 0) {
// CHECK-FIXES-NEXT:   return NULL;
// CHECK-FIXES-NEXT: }

// Negative: the lookup runs while the guard is held.
static PyObject *inside_guard(PyObject *d, PyObject *key) {
  PyObject *result;
  if (Py_EnterRecursiveCall(" in inside_guard"))
    return NULL;
  PyObject *v = PyDict_GetItem(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the lookup used to swallow errors and the error path cannot be built: the function holds a resource ('Py_EnterRecursiveCall') that the error path would have to release
  if (v == NULL)
    result = Py_NewRef(Py_None);
  else
    result = PyObject_Repr(v);
  Py_LeaveRecursiveCall();
  return result;
}

static int write_value(PyObject *out, PyObject *value) {
  return PyList_Append(out, value) == 0;
}
