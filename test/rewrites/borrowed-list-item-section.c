// REQUIRES: python-ft
// gilport-borrowed-ref fixes a list item read (PyList_GET_ITEM, a macro with
// no drop-in strong replacement) with the critical section that
// gilport-unlocked-container-access plans for the same access: the list's
// lock keeps the item alive while the section uses it. With both checks the
// hazard is reported once, by gilport-unlocked-container-access, and the file
// gets the same edits (BOTH). Where no section can be added, the item read
// keeps its reason (NOFIX).
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
// RUN: cp %t.c %t.both.c
// RUN: %expect_exit 1 %gilport fix %t.both.c --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access --python=%test_python --color=never | FileCheck %s --check-prefix=BOTH-REPORT
// BOTH-REPORT: 1 finding fixed in 1 file, 2 left for a human
// RUN: diff %t.fixed.c %t.both.c

#include <Python.h>

#define COUNT_TRUE(list, i, n)                                                \
  for (i = 0; i < PyList_GET_SIZE(list); i++)                                 \
    n += PyObject_IsTrue(PyList_GET_ITEM(list, i)) > 0;

static long count_true(PyObject *list) {
  long n = 0;
  Py_ssize_t i;
  for (i = 0; i < PyList_GET_SIZE(list); i++) {
    PyObject *item = PyList_GET_ITEM(list, i);
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
    n += item == Py_True;
  }
  return n;
}

// Left alone.

static PyObject *first_item(PyObject *list) {
  if (PyList_GET_SIZE(list) == 0)
    Py_RETURN_NONE;
  PyObject *item = PyList_GET_ITEM(list, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: no automatic fix for 'PyList_GET_ITEM': its replacement has a different contract
  return Py_NewRef(item);
}

static long through_macro(PyObject *list) {
  long n = 0;
  Py_ssize_t i;
  COUNT_TRUE(list, i, n)
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: no automatic fix for 'PyList_GET_ITEM': its replacement has a different contract
  return n;
}

// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static long count_true(PyObject *list) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES-NEXT:   for (i = 0; i < PyList_GET_SIZE(list); i++) {
// CHECK-FIXES:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   return n;
// CHECK-FIXES: static PyObject *first_item(PyObject *list) {
// CHECK-FIXES-NEXT:   if (PyList_GET_SIZE(list) == 0)
// CHECK-FIXES-NOT: Py_BEGIN_CRITICAL_SECTION
