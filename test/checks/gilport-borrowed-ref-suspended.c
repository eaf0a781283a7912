// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: %check_gilport %s gilport-borrowed-ref %t.311 -- --python=%python_gil
// `fix` says why it leaves them, and changes nothing.
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
// RUN: cmp %t.c %t.nofix.c
// NOFIX: note: no automatic fix: take the object with 'PyDict_GetItemRef' inside the section, before 'PyObject_CallNoArgs', and release it after its last use; the strong-reference rewrite is not made inside a critical section, whose error paths must end it

// A critical section on the container keeps a borrowed item alive only
// while the section runs: a call that can run Python code (which may
// block) or that releases the thread state suspends it, and another thread
// can then remove and free the item. Uses of the item after such a call are
// reported; uses before it, on another branch, or NULL tests are not.

#include <Python.h>

#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

#include "Inputs/gilport-borrowed-ref-suspended.h"

// The header's finding is reported after this file's (see the end).
static PyObject *uses_header(PyObject *d, PyObject *key, PyObject *callback) {
  return header_lookup_then_call(d, key, callback);
}

static PyObject *call_between(PyObject *cache, PyObject *key,
                              PyObject *callback) {
  PyObject *item, *result = NULL;
  Py_BEGIN_CRITICAL_SECTION(cache);
  item = PyDict_GetItemWithError(cache, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_GetItemWithError' returns a borrowed reference that the critical section guards only until 'PyObject_CallNoArgs', which can run Python code: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  if (item != NULL) {
    PyObject *r = PyObject_CallNoArgs(callback);
    // CHECK-MESSAGES: :[[@LINE-1]]:19: note: the critical section can be suspended here
    Py_XDECREF(r);
    result = PyObject_Repr(item);
  }
  Py_END_CRITICAL_SECTION();
  return result;
}

// The callee gets the borrowed item and may block while it uses it.
static PyObject *passed_to_call(PyObject *cache, PyObject *key,
                                PyObject *callback) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(cache);
  result = PyObject_CallOneArg(callback, PyDict_GetItemWithError(cache, key));
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: 'PyDict_GetItemWithError' returns a borrowed reference that the critical section guards only until 'PyObject_CallOneArg', which can run Python code: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:12: note: the critical section can be suspended here
  Py_END_CRITICAL_SECTION();
  return result;
}

static long released(PyObject *list) {
  long n = 0;
  Py_BEGIN_CRITICAL_SECTION(list);
  PyObject *item = PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GetItem' returns a borrowed reference that the critical section guards only until 'Py_BEGIN_ALLOW_THREADS', which releases the thread state: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  Py_BEGIN_ALLOW_THREADS
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the critical section can be suspended here
  n = 1;
  Py_END_ALLOW_THREADS
  if (item != NULL)
    n += PyLong_AsLong(item);
  Py_END_CRITICAL_SECTION();
  return n;
}

static PyThread_type_lock io_lock;

// A helper of this file that waits for a lock.
static void wait_for_io(void) {
  PyThread_acquire_lock(io_lock, WAIT_LOCK);
  PyThread_release_lock(io_lock);
}

static PyObject *through_helper(PyObject *cache, PyObject *key) {
  PyObject *result = NULL;
  Py_BEGIN_CRITICAL_SECTION(cache);
  PyObject *item = PyDict_GetItemString(cache, "k");
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItemString' returns a borrowed reference that the critical section guards only until 'wait_for_io', which calls 'PyThread_acquire_lock', which can wait for a lock with the thread state released: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  wait_for_io();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the critical section can be suspended here
  result = Py_XNewRef(item);
  Py_END_CRITICAL_SECTION();
  (void)key;
  return result;
}

// In a macro: reported at the expansion, with the macro named.
#define LOOKUP(d, k) PyDict_GetItem((d), (k))
static PyObject *in_macro(PyObject *cache, PyObject *key, PyObject *callback) {
  PyObject *result = NULL;
  Py_BEGIN_CRITICAL_SECTION(cache);
  PyObject *item = LOOKUP(cache, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItem' returns a borrowed reference that the critical section guards only until 'PyObject_CallNoArgs', which can run Python code: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-6]]:22: note: expanded from macro 'LOOKUP'
  Py_XDECREF(PyObject_CallNoArgs(callback));
  // CHECK-MESSAGES: :[[@LINE-1]]:14: note: the critical section can be suspended here
  result = Py_XNewRef(item);
  Py_END_CRITICAL_SECTION();
  return result;
}

// Not reported: a strong reference taken before the call, the call on
// another branch, only a NULL test after the call, the local assigned again,
// the call outside the section, and a release (Py_DECREF) in between.
static PyObject *strong_before(PyObject *cache, PyObject *key,
                               PyObject *callback) {
  PyObject *item;
  Py_BEGIN_CRITICAL_SECTION(cache);
  item = Py_XNewRef(PyDict_GetItem(cache, key));
  Py_END_CRITICAL_SECTION();
  Py_XDECREF(PyObject_CallNoArgs(callback));
  return item;
}

static PyObject *get_or_make(PyObject *cache, PyObject *key,
                             PyObject *factory) {
  PyObject *item, *result;
  Py_BEGIN_CRITICAL_SECTION(cache);
  item = PyDict_GetItemWithError(cache, key);
  if (item == NULL)
    result = PyObject_CallNoArgs(factory);
  else
    result = Py_NewRef(item);
  Py_END_CRITICAL_SECTION();
  return result;
}

static int present_then_call(PyObject *cache, PyObject *key,
                             PyObject *callback) {
  int found;
  Py_BEGIN_CRITICAL_SECTION(cache);
  PyObject *item = PyDict_GetItemWithError(cache, key);
  Py_XDECREF(PyObject_CallNoArgs(callback));
  found = item != NULL;
  Py_END_CRITICAL_SECTION();
  return found;
}

static PyObject *assigned_again(PyObject *cache, PyObject *key,
                                PyObject *callback) {
  PyObject *item, *result = NULL;
  Py_BEGIN_CRITICAL_SECTION(cache);
  item = PyDict_GetItemWithError(cache, key);
  result = Py_XNewRef(item);
  item = PyObject_CallNoArgs(callback);
  Py_XDECREF(item);
  Py_END_CRITICAL_SECTION();
  return result;
}

static PyObject *released_in_between(PyObject *cache, PyObject *key,
                                     PyObject *name) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(cache);
  PyObject *item = PyDict_GetItemWithError(cache, key);
  Py_DECREF(name);
  result = Py_XNewRef(item);
  Py_END_CRITICAL_SECTION();
  return result;
}

// The header's function, reported in the header once.
// CHECK-MESSAGES: gilport-borrowed-ref-suspended.h:6:20: warning: 'PyDict_GetItem' returns a borrowed reference that the critical section guards only until 'PyObject_CallNoArgs', which can run Python code: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
// CHECK-MESSAGES: gilport-borrowed-ref-suspended.h:8:16: note: the critical section can be suspended here
