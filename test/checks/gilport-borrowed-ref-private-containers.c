// RUN: %check_gilport %s gilport-borrowed-ref %t -- --check-option=gilport-borrowed-ref.ReportPrivateContainers=true
// RUN: %check_gilport %s gilport-borrowed-ref %t.311 -- --check-option=gilport-borrowed-ref.ReportPrivateContainers=true --python=%python_gil

#include <Python.h>

#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

// With ReportPrivateContainers, borrowing from a private container is
// reported too, with a note that says why it would otherwise be skipped.

static PyObject *private_list(void) {
  PyObject *list = PyList_New(1);
  if (list == NULL)
    return NULL;
  PyList_SET_ITEM(list, 0, PyLong_FromLong(1));
  PyObject *first = PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-6]]:20: note: 'list' is private to this function: it was created by 'PyList_New' and has not been shared before this use
  PyObject *again = PyList_GET_ITEM(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GET_ITEM' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-9]]:20: note: 'list' is private to this function: it was created by 'PyList_New' and has not been shared before this use
  if (first != again) {
    Py_DECREF(list);
    return NULL;
  }
  return list;
}

static PyObject *new_temporary(PyObject *shared) {
  return PyList_GetItem(PySequence_List(shared), 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:25: note: the container is a new object returned by 'PySequence_List'
}

// The keyword-argument dict is not private (a C caller's own dict reaches
// it through PyObject_Call): reported without a privacy note.
static PyObject *keyword_arguments(PyObject *self, PyObject *args,
                                   PyObject *kwds) {
  return PyDict_GetItemString(kwds, "default");
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_GetItemString' returns a
  // borrowed reference that another thread can invalidate; use
  // 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference
  // [gilport-borrowed-ref]
}

// The option is about private containers: a critical section still counts.
static PyObject *locked(PyObject *list) {
  PyObject *item;
  Py_BEGIN_CRITICAL_SECTION(list);
  item = Py_XNewRef(PyList_GetItem(list, 0));
  Py_END_CRITICAL_SECTION();
  return item;
}
