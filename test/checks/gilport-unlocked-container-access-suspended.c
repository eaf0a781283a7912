// RUN: %check_gilport %s gilport-unlocked-container-access %t -- --extra-arg=-I%S
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-unlocked-container-access --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX

// A PyDict_Next loop already under the dict's critical section (or in a
// function whose callers hold it) hands out borrowed keys and values: the
// section keeps them alive only while it is not suspended, and a call that
// can run Python code suspends it (CPython gh-138098). Such loops are
// reported, and fixed by owning each item for its iteration. Loops whose
// items are used only before such calls, or that own them already, are not.

#include <Python.h>

#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

#include "Inputs/gilport-unlocked-container-access-suspended.h"

static int uses_header(PyObject *d, PyObject *into) {
  return header_copy_normalized(d, into);
}

static int copy_into(PyObject *d, PyObject *into) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  int result = 0;
  Py_BEGIN_CRITICAL_SECTION(d);
  while (PyDict_Next(d, &pos, &key, &value)) {
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' hands out borrowed references ('key', 'value') that the critical section guards only until 'PyObject_SetItem', which can run Python code: the section is suspended meanwhile, and another thread can remove and free them [gilport-unlocked-container-access]
    if (PyObject_SetItem(into, key, value) < 0) {
      // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the critical section can be suspended here
      result = -1;
      break;
    }
  }
  Py_END_CRITICAL_SECTION();
  return result;
}

// CPython's idiom: the body runs with the lock its caller holds.
static PyObject *reprs_lock_held(PyObject *d) {
  PyObject *key, *value, *out = PyList_New(0);
  Py_ssize_t pos = 0;
  if (out == NULL)
    return NULL;
  while (PyDict_Next(d, &pos, &key, &value)) {
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' hands out borrowed references ('value') that the critical section guards only until 'PyObject_Repr', which can run Python code: {{.*}} [gilport-unlocked-container-access]
    if (!PyUnicode_Check(key))
      continue;
    PyObject *r = PyObject_Repr(value);
    // CHECK-MESSAGES: :[[@LINE-1]]:19: note: the critical section can be suspended here
    if (r == NULL || PyList_Append(out, r) < 0) {
      Py_XDECREF(r);
      Py_DECREF(out);
      return NULL;
    }
    Py_DECREF(r);
  }
  return out;
}

static PyObject *reprs(PyObject *module, PyObject *d) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(d);
  result = reprs_lock_held(d);
  Py_END_CRITICAL_SECTION();
  (void)module;
  return result;
}

// Not reported: the items are used only by code that cannot suspend the
// section, or are owned before the call.
static Py_ssize_t count_strings(PyObject *d) {
  PyObject *key, *value;
  Py_ssize_t pos = 0, n = 0;
  Py_BEGIN_CRITICAL_SECTION(d);
  while (PyDict_Next(d, &pos, &key, &value))
    n += PyUnicode_Check(key) && value != Py_None;
  Py_END_CRITICAL_SECTION();
  return n;
}

static int copy_owned(PyObject *d, PyObject *into) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  int result = 0;
  Py_BEGIN_CRITICAL_SECTION(d);
  while (PyDict_Next(d, &pos, &key, &value)) {
    Py_INCREF(key);
    Py_INCREF(value);
    result = PyObject_SetItem(into, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    if (result < 0)
      break;
  }
  Py_END_CRITICAL_SECTION();
  return result;
}

// The exit that would have to drop the references is the macro's.
#define STOP_ON_ERROR(status)                                                 \
  if ((status) < 0)                                                           \
    break;

static int copy_through_macro(PyObject *d, PyObject *into) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  int status = 0;
  Py_BEGIN_CRITICAL_SECTION(d);
  while (PyDict_Next(d, &pos, &key, &value)) {
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' hands out borrowed references ('key', 'value') {{.*}} [gilport-unlocked-container-access]
    // NOFIX: note: no automatic fix: own each item for its iteration (Py_INCREF after 'PyDict_Next', Py_DECREF on every way out of the loop's body); not automatic here: the block that uses 'key' is spelled through a macro
    status = PyObject_SetItem(into, key, value);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: note: the critical section can be suspended here
    STOP_ON_ERROR(status)
  }
  Py_END_CRITICAL_SECTION();
  return status;
}

// The header's loop, reported after this file's.
// CHECK-MESSAGES: gilport-unlocked-container-access-suspended.h:8:10: warning: 'PyDict_Next' hands out borrowed references ('key', 'value') {{.*}} [gilport-unlocked-container-access]
// CHECK-MESSAGES: gilport-unlocked-container-access-suspended.h:10:9: note: the critical section can be suspended here
// NOFIX: note: no automatic fix: own each item for its iteration {{.*}}: 'key' is assigned in the loop that reads it

// The fixed file, in order.
// CHECK-FIXES: static int copy_into(PyObject *d, PyObject *into) {
// CHECK-FIXES:   while (PyDict_Next(d, &pos, &key, &value)) {
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     Py_INCREF(key);
// CHECK-FIXES-NEXT:     Py_INCREF(value);
// CHECK-FIXES-NEXT:     if (PyObject_SetItem(into, key, value) < 0) {
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:       result = -1;
// CHECK-FIXES-NEXT:       Py_DECREF(key);
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       break;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     Py_DECREF(key);
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static PyObject *reprs_lock_held(PyObject *d) {
// CHECK-FIXES:   while (PyDict_Next(d, &pos, &key, &value)) {
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     Py_INCREF(value);
// CHECK-FIXES-NEXT:     if (!PyUnicode_Check(key))
// CHECK-FIXES-NEXT:       { Py_DECREF(value); continue; }
// CHECK-FIXES-NEXT:     PyObject *r = PyObject_Repr(value);
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     if (r == NULL || PyList_Append(out, r) < 0) {
// CHECK-FIXES-NEXT:       Py_XDECREF(r);
// CHECK-FIXES-NEXT:       Py_DECREF(out);
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     Py_DECREF(r);
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
