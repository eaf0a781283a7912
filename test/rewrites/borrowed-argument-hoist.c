// REQUIRES: python-ft
// A borrowed result passed straight to another call of the C API is never
// stored; its new reference goes into a local that the statement reads and
// releases right after. Only when the replacement keeps the contract (NULL
// with an exception, as before), the call only reads its argument and
// returns no pointer into it, and nothing else in the statement has a side
// effect. The fixed file compiles against the 3.13t headers and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#define SIZE_OF_ITEM(l, i) PyBytes_Size(PyList_GetItem(l, i))

// A braceless loop body gets braces and the local.
static Py_ssize_t total_length(PyObject *list) {
  Py_ssize_t count, length, i;

  count = PyList_Size(list);
  length = 0;
  for (i = 0; i < count; i++)
    length += PyBytes_Size(PyList_GetItem(list, i));
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return length;
}
// CHECK-FIXES:      for (i = 0; i < count; i++) {
// CHECK-FIXES-NEXT:     PyObject *item = PyList_GetItemRef(list, i);
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     length += PyBytes_Size(item);
// CHECK-FIXES-NEXT:     Py_XDECREF(item);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:        return length;

// In a block, the local is declared with the block's others.
static int append_first(PyObject *list, PyObject *out) {
  Py_ssize_t n = PyList_Size(list);

  if (n < 0)
    return -1;
  if (n > 0) {
    int status;

    status = PyList_Append(out, PyList_GetItem(list, 0));
    // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
    return status;
  }
  return 0;
}
// CHECK-FIXES:      if (n > 0) {
// CHECK-FIXES-NEXT:     int status;
// CHECK-FIXES-NEXT:     PyObject *item;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     item = PyList_GetItemRef(list, 0);
// CHECK-FIXES-NEXT:     status = PyList_Append(out, item);
// CHECK-FIXES-NEXT:     Py_XDECREF(item);
// CHECK-FIXES:          return status;

// A block with no declarations gets one at its top; the name avoids the
// function's own.
static long sum_pair(PyObject *pair, long item) {
  long total = item;

  {
    total += PyLong_AsLong(PyList_GetItem(pair, 1));
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  }
  return total;
}
// CHECK-FIXES:      long total = item;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   {
// CHECK-FIXES-NEXT:     PyObject *obj;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     obj = PyList_GetItemRef(pair, 1);
// CHECK-FIXES-NEXT:     total += PyLong_AsLong(obj);
// CHECK-FIXES-NEXT:     Py_XDECREF(obj);

// The call returns a pointer into the item: releasing it would dangle.
static const char *first_bytes(PyObject *list) {
  return PyBytes_AsString(PyList_GetItem(list, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}
// NOFIX: warning: 'PyList_GetItem' {{.*}}
// NOFIX-NEXT: return PyBytes_AsString(PyList_GetItem(list, 0));
// NOFIX: note: no automatic fix: the result is passed to 'PyBytes_AsString', whose result may point into it

// The call steals the reference it is passed.
static int move_first(PyObject *from, PyObject *to) {
  int status;

  status = PyList_SetItem(to, 0, PyList_GetItem(from, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return status;
}
// NOFIX: warning: 'PyList_GetItem' {{.*}}
// NOFIX-NEXT: status = PyList_SetItem(to, 0, PyList_GetItem(from, 0));
// NOFIX: note: no automatic fix: the result is passed to a call that is not known to only read its argument

// Another argument has a side effect whose order would change.
static Py_ssize_t count_next(PyObject *list, Py_ssize_t *i) {
  Py_ssize_t n;

  n = PySequence_Count(PyList_GetItem(list, 0), PyLong_FromSsize_t((*i)++));
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return n;
}
// NOFIX: warning: 'PyList_GetItem' {{.*}}
// NOFIX-NEXT: n = PySequence_Count(PyList_GetItem(list, 0), PyLong_FromSsize_t((*i)++));
// NOFIX: note: no automatic fix: another argument of 'PySequence_Count' has side effects

// Directly in a switch's body: a declaration there would precede the cases.
static Py_ssize_t length_of(PyObject *list, int which) {
  Py_ssize_t n = 0;

  switch (which) {
  case 0:
    n = 1;
    n += PyBytes_Size(PyList_GetItem(list, 0));
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
    break;
  }
  return n;
}
// NOFIX: warning: 'PyList_GetItem' {{.*}}
// NOFIX-NEXT: n += PyBytes_Size(PyList_GetItem(list, 0));
// NOFIX: note: no automatic fix: the statement is in the body of a 'switch'

// Spelled in a macro: diagnosed, not edited.
static Py_ssize_t macro_length(PyObject *list) {
  return SIZE_OF_ITEM(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}
// NOFIX: warning: 'PyList_GetItem' {{.*}}
// NOFIX: note: no automatic fix: the call is spelled through a macro
