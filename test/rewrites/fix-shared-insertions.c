// REQUIRES: python-ft
// Two findings whose fixes insert at the same place are both fixed in one
// run, their insertions in the findings' order: two borrowed lookups last
// used by one statement, a borrowed lookup last used by a PyDict_Next loop
// that gets a critical section, and two lookups whose references are both
// held at one braceless exit (each fix opens and closes its own braces:
// identical braces are not one shared insertion, as an include is). %check_gilport fixes twice: the second
// run must change nothing. The fixed file compiles against 3.13t and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref,gilport-unlocked-container-access %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.once.c
// RUN: %expect_exit 0 %gilport fix %t.once.c --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access --python=%test_python --color=never | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: 6 findings fixed in 1 file, 0 left for a human

#include <Python.h>

#define COMPARE(a, b) PyObject_RichCompareBool(a, b, Py_EQ)

static int same_values(PyObject *d, PyObject *k1, PyObject *k2) {
  PyObject *a = PyDict_GetItemWithError(d, k1);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (a == NULL)
    return -1;
  PyObject *b = PyDict_GetItemWithError(d, k2);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (b == NULL)
    return -1;
  int rc = COMPARE(a, b);
  return rc;
}

static long count_limit(PyObject *d, PyObject *key) {
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  long n = 0;
  PyObject *limit = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (limit == NULL)
    return -1;
  while (PyDict_Next(d, &pos, &k, &v))
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    n += v == limit;
  return n;
}

// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static int same_values(PyObject *d, PyObject *k1, PyObject *k2) {
// CHECK-FIXES:   PyDict_GetItemRef(d, k1, &a);
// CHECK-FIXES:   PyDict_GetItemRef(d, k2, &b);
// CHECK-FIXES:   if (b == NULL) {
// CHECK-FIXES-NEXT:     Py_DECREF(a);
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   int rc = COMPARE(a, b);
// CHECK-FIXES-NEXT:   Py_DECREF(a);
// CHECK-FIXES-NEXT:   Py_DECREF(b);
// CHECK-FIXES-NEXT:   return rc;
// CHECK-FIXES: static long count_limit(PyObject *d, PyObject *key) {
// CHECK-FIXES:   PyDict_GetItemRef(d, key, &limit);
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(d);
// CHECK-FIXES-NEXT:   while (PyDict_Next(d, &pos, &k, &v))
// CHECK-FIXES:     n += v == limit;
// CHECK-FIXES-NEXT:   Py_DECREF(limit);
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   return n;

// Both references are held at the braceless `goto` on the same line.
static int both_held(PyObject *d, PyObject *k1, PyObject *k2, PyObject *out) {
  PyObject *a = PyDict_GetItemWithError(d, k1);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (a == NULL)
    return -1;
  PyObject *b = PyDict_GetItemWithError(d, k2);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (b == NULL)
    goto error;
  if (PyList_Append(out, a) < 0) goto error;
  int rc = PyList_Append(out, b);
  return rc;
error:
  return -1;
}
// CHECK-FIXES: static int both_held(PyObject *d, PyObject *k1, PyObject *k2, PyObject *out) {
// CHECK-FIXES:   if (b == NULL) {
// CHECK-FIXES-NEXT:     Py_DECREF(a);
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (PyList_Append(out, a) < 0) { Py_DECREF(a); { Py_DECREF(b); goto error; } }
// CHECK-FIXES-NEXT:   Py_DECREF(a);
// CHECK-FIXES-NEXT:   int rc = PyList_Append(out, b);
// CHECK-FIXES-NEXT:   Py_DECREF(b);
