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

// A parameter every caller fills with a new list.
static PyObject *second_part(PyObject *parts) {
  return Py_XNewRef(PyList_GetItem(parts, 1));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  // CHECK-MESSAGES: :[[@LINE+4]]:21: note: 'parts' is private to this call: every caller passes a container it created and has not shared (one was created by 'PyUnicode_Split')
}

static PyObject *second_word(PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  PyObject *second = second_part(words);
  Py_DECREF(words);
  return second;
}

// A module state field that only the exec function fills.
typedef struct {
  PyObject *names;
} names_state;

static int names_exec(PyObject *module) {
  names_state *st = PyModule_GetState(module);
  st->names = PyDict_New();
  return st->names ? 0 : -1;
}

static PyObject *name_of(PyObject *module, PyObject *key) {
  names_state *st = PyModule_GetState(module);
  return Py_XNewRef(PyDict_GetItemWithError(st->names, key));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
  // CHECK-MESSAGES: :[[@LINE-10]]:13: note: 'names' only changes while the module initialises or is torn down, and is never handed out: nothing removes its items while the module is in use
}

static PyMethodDef names_methods[] = {
    {"name_of", name_of, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot names_slots[] = {
    {Py_mod_exec, names_exec},
    {0, NULL},
};

static struct PyModuleDef names_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "names",
    .m_size = sizeof(names_state),
    .m_methods = names_methods,
    .m_slots = names_slots,
};

PyMODINIT_FUNC PyInit_names(void) { return PyModuleDef_Init(&names_def); }

PyObject *private_containers_use(PyObject *text) { return second_word(text); }
