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

// A field of a struct that only lives on the stack of one call, holding a
// dict that call created (msgspec keeps its class-creation state so).
typedef struct {
  PyObject *seen;
  Py_ssize_t count;
} ScanState;

static int scan_note(ScanState *state, PyObject *key) {
  PyObject *previous = PyDict_GetItemWithError(state->seen, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
  // CHECK-MESSAGES: :[[@LINE+15]]:16: note: 'seen' belongs to a struct that only lives on the stack of one call, and only ever holds a container its code created with 'PyDict_New' and never hands out
  if (previous == NULL && PyErr_Occurred())
    return -1;
  if (previous != NULL && PyObject_RichCompareBool(previous, key, Py_NE))
    return 0;
  state->count++;
  return PyDict_SetItem(state->seen, key, key);
}

static PyObject *count_keys(PyObject *self, PyObject *keys) {
  ScanState state = {.seen = NULL, .count = 0};
  if (!PyTuple_Check(keys)) {
    PyErr_SetString(PyExc_TypeError, "a tuple is required");
    return NULL;
  }
  state.seen = PyDict_New();
  if (state.seen == NULL)
    return NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++)
    if (scan_note(&state, PyTuple_GET_ITEM(keys, i)) < 0) {
      Py_CLEAR(state.seen);
      return NULL;
    }
  Py_XDECREF(state.seen);
  return PyLong_FromSsize_t(state.count);
}

// Not private: a struct on the heap, which any thread could be handed.
typedef struct {
  PyObject *seen;
} HeapState;

static PyObject *heap_lookup(HeapState *state, PyObject *key) {
  return Py_XNewRef(PyDict_GetItem(state->seen, key));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
}

static PyObject *heap_state(PyObject *self, PyObject *key) {
  HeapState *state = PyMem_Malloc(sizeof(HeapState));
  PyObject *found;
  if (state == NULL)
    return PyErr_NoMemory();
  state->seen = PyDict_New();
  found = state->seen ? heap_lookup(state, key) : NULL;
  Py_XDECREF(state->seen);
  PyMem_Free(state);
  return found;
}

// Not private: a field given a dict the call did not create.
typedef struct {
  PyObject *seen;
} GivenState;

static PyObject *given_lookup(GivenState *state, PyObject *key) {
  return Py_XNewRef(PyDict_GetItem(state->seen, key));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
}

static PyObject *given_state(PyObject *self, PyObject *args) {
  PyObject *dict, *key;
  if (!PyArg_ParseTuple(args, "OO", &dict, &key))
    return NULL;
  GivenState state = {dict};
  return given_lookup(&state, key);
}

static PyMethodDef names_methods[] = {
    {"name_of", name_of, METH_O, NULL},
    {"count_keys", count_keys, METH_O, NULL},
    {"heap_state", heap_state, METH_O, NULL},
    {"given_state", given_state, METH_VARARGS, NULL},
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
