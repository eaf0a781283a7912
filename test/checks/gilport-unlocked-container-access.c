// RUN: %check_gilport %s gilport-unlocked-container-access %t
// RUN: %check_gilport %s gilport-unlocked-container-access %t.311 -- --python=%python_gil

#include <Python.h>

#include "Inputs/gilport-unlocked-container-access.h"

// What a compatibility header provides on Pythons without critical sections.
#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#define Py_BEGIN_CRITICAL_SECTION2(a, b) {
#define Py_END_CRITICAL_SECTION2() }
#endif

typedef struct {
  PyObject_HEAD
  PyObject *items;
  PyObject *index;
} Shared;

// Shared containers without a critical section.

static Py_ssize_t count_values(Shared *self) {
  Py_ssize_t pos = 0, count = 0;
  PyObject *key, *value;
  while (PyDict_Next(self->index, &pos, &key, &value))
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' iterates over a dict that another thread can modify; wrap the whole loop in 'Py_BEGIN_CRITICAL_SECTION(self->index)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
    count += value != Py_None;
  return count;
}

static PyObject *read_items(PyObject *list) {
  PyObject *first = PyList_GET_ITEM(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(list)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  PyList_SET_ITEM(list, 1, Py_NewRef(first));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyList_SET_ITEM' writes into the item array of a list that another thread can modify; wrap the write in 'Py_BEGIN_CRITICAL_SECTION(list)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  return first;
}

static PyObject *sum_sequence(PyObject *iterable) {
  PyObject *fast = PySequence_Fast(iterable, "expected a sequence");
  if (fast == NULL)
    return NULL;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  PyObject **items = PySequence_Fast_ITEMS(fast);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PySequence_Fast_ITEMS' exposes the item array of a sequence that another thread can modify; wrap every use of the array in 'Py_BEGIN_CRITICAL_SECTION(fast)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  PyObject *last = n ? PySequence_Fast_GET_ITEM(fast, n - 1) : NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'PySequence_Fast_GET_ITEM' reads the item array of a sequence that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(fast)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  PyObject *result = n ? Py_NewRef(items[0]) : Py_NewRef(Py_None);
  Py_DECREF(fast);
  return last ? result : result;
}

// The user's own macros: reported where they are used.
#define EACH_ITEM(dict, pos, key, value) PyDict_Next((dict), (pos), (key), (value))
#define FIRST_ITEM(list) PyList_GET_ITEM((list), 0)

static PyObject *wrapped(Shared *self) {
  Py_ssize_t pos = 0;
  PyObject *key, *value, *last = NULL;
  while (EACH_ITEM(self->index, &pos, &key, &value))
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' iterates over a dict that another thread can modify; wrap the whole loop in 'Py_BEGIN_CRITICAL_SECTION(self->index)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
    // CHECK-MESSAGES: :[[@LINE-8]]:42: note: expanded from macro 'EACH_ITEM'
    last = value;
  PyObject *first = FIRST_ITEM(self->items);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(self->items)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  PyObject *tail = HEADER_LAST_ITEM(self->items);
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(self->items)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  return first == tail ? last : NULL;
}

// Not reported: inside a critical section.

static Py_ssize_t count_values_locked(Shared *self) {
  Py_ssize_t pos = 0, count = 0;
  PyObject *key, *value;
  Py_BEGIN_CRITICAL_SECTION(self->index);
  while (PyDict_Next(self->index, &pos, &key, &value))
    count += value != Py_None;
  Py_END_CRITICAL_SECTION();
  return count;
}

static PyObject *copy_first(Shared *self, PyObject *other) {
  PyObject *first = NULL;
  Py_BEGIN_CRITICAL_SECTION2(self->items, other);
  if (PyList_GET_SIZE(self->items) > 0) {
    first = Py_NewRef(PyList_GET_ITEM(self->items, 0));
    PyList_SET_ITEM(other, 0, Py_NewRef(first));
  }
  Py_END_CRITICAL_SECTION2();
  return first;
}

// Not reported: Argument Clinic's @critical_section locks in the wrapper and
// the implementation function runs with the lock held.
static PyObject *pop_impl(Shared *self) {
  Py_ssize_t n = PyList_GET_SIZE(self->items);
  return n ? Py_NewRef(PyList_GET_ITEM(self->items, n - 1)) : NULL;
}

static PyObject *pop(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = pop_impl((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

// Reported: also called without the lock.
static PyObject *peek_impl(Shared *self) {
  return Py_NewRef(PyList_GET_ITEM(self->items, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(self->items)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
}

static PyObject *peek(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = peek_impl((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

static PyObject *peek_unlocked(PyObject *self, PyObject *unused) {
  return peek_impl((Shared *)self);
}

// Not reported: the helpers an implementation function calls, and their
// recursion, run with the wrapper's lock held too.
static PyObject *walk_items(Shared *self, Py_ssize_t depth);

static PyObject *walk_item(Shared *self, Py_ssize_t depth) {
  PyObject *item = PyList_GET_ITEM(self->items, 0);
  return depth ? walk_items(self, depth - 1) : Py_NewRef(item);
}

static PyObject *walk_items(Shared *self, Py_ssize_t depth) {
  return walk_item(self, depth);
}

static PyObject *walk(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = walk_items((Shared *)self, 2);
  Py_END_CRITICAL_SECTION();
  return result;
}

// Reported: a helper of a helper that another caller reaches unlocked.
static PyObject *last_item(Shared *self) {
  return Py_NewRef(PyList_GET_ITEM(self->items, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(self->items)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
}

static PyObject *last_impl(Shared *self) { return last_item(self); }

static PyObject *last(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = last_impl((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

static PyObject *last_unlocked(PyObject *self, PyObject *unused) {
  return last_impl((Shared *)self);
}

// Reported: the callers lock `self`, not a list the helper finds itself.
static PyObject *first_arg(Shared *self) {
  PyObject *argv = PyObject_GetAttrString(self->items, "argv");
  PyObject *first;
  if (argv == NULL)
    return NULL;
  first = PyList_GET_SIZE(argv) ? Py_NewRef(PyList_GET_ITEM(argv, 0)) : NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(argv)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
  Py_DECREF(argv);
  return first;
}

static PyObject *arg0(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = first_arg((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

// Not reported: a list that only a struct on the stack of one call holds,
// created by that call.
typedef struct {
  PyObject *pending;
} FlushState;

static Py_ssize_t flush_count(FlushState *state) {
  Py_ssize_t n = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(state->pending); i++)
    n += PyObject_IsTrue(PyList_GET_ITEM(state->pending, i));
  return n;
}

static PyObject *flush(PyObject *self, PyObject *unused) {
  FlushState state = {NULL};
  Py_ssize_t n;
  state.pending = PyList_New(0);
  if (state.pending == NULL || PyList_Append(state.pending, Py_True) < 0) {
    Py_XDECREF(state.pending);
    return NULL;
  }
  n = flush_count(&state);
  Py_DECREF(state.pending);
  return PyLong_FromSsize_t(n);
}

// Not reported: containers private to the function.

static PyObject *build_pair(PyObject *a, PyObject *b) {
  PyObject *pair = PyList_New(2);
  if (pair == NULL)
    return NULL;
  PyList_SET_ITEM(pair, 0, Py_NewRef(a));
  PyList_SET_ITEM(pair, 1, Py_NewRef(b));
  if (PyList_GET_ITEM(pair, 0) == NULL) {
    Py_DECREF(pair);
    return NULL;
  }
  return pair;
}

static Py_ssize_t count_copy(PyObject *shared) {
  PyObject *copy = PyDict_Copy(shared);
  Py_ssize_t pos = 0, count = 0;
  PyObject *key, *value;
  if (copy == NULL)
    return -1;
  while (PyDict_Next(copy, &pos, &key, &value))
    count++;
  Py_DECREF(copy);
  return count;
}

static PyObject *tuple_items(PyObject *iterable) {
  PyObject *tuple = PySequence_Tuple(iterable);
  if (tuple == NULL)
    return NULL;
  PyObject *first =
      PyTuple_GET_SIZE(tuple) ? PySequence_Fast_GET_ITEM(tuple, 0) : Py_None;
  Py_INCREF(first);
  Py_DECREF(tuple);
  return first;
}

// The args tuple is private; the keyword-argument dict is not:
// PyObject_Call(f, args, d) hands a C caller's own dict to the function.
static PyObject *call_with_keywords(PyObject *self, PyObject *args,
                                    PyObject *kwargs) {
  Py_ssize_t pos = 0;
  PyObject *key, *value, *last = Py_None;
  PyObject **items = PySequence_Fast_ITEMS(args);
  if (kwargs != NULL)
    while (PyDict_Next(kwargs, &pos, &key, &value))
      // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyDict_Next' iterates over a
      // dict that another thread can modify; wrap the whole loop in
      // 'Py_BEGIN_CRITICAL_SECTION(kwargs)' ... 'Py_END_CRITICAL_SECTION()'
      // [gilport-unlocked-container-access]
      last = value;
  return items ? Py_NewRef(last) : NULL;
}

// Not reported: a dict field that only the module's exec function fills
// (see gilport-borrowed-ref) cannot change while the module is in use.
typedef struct {
  PyObject *defaults;
} defaults_state;

static int defaults_exec(PyObject *module) {
  defaults_state *st = PyModule_GetState(module);
  st->defaults = PyDict_New();
  if (st->defaults == NULL)
    return -1;
  return PyDict_SetItemString(st->defaults, "mode", Py_None);
}

static PyObject *count_defaults(PyObject *module, PyObject *unused) {
  defaults_state *st = PyModule_GetState(module);
  Py_ssize_t pos = 0, count = 0;
  PyObject *key, *value;
  while (PyDict_Next(st->defaults, &pos, &key, &value))
    count += value == Py_None;
  return PyLong_FromSsize_t(count);
}

static PyMethodDef defaults_methods[] = {
    {"count_defaults", count_defaults, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot defaults_slots[] = {
    {Py_mod_exec, defaults_exec},
    {0, NULL},
};

static struct PyModuleDef defaults_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "defaults",
    .m_size = sizeof(defaults_state),
    .m_methods = defaults_methods,
    .m_slots = defaults_slots,
};

PyMODINIT_FUNC PyInit_defaults(void) {
  return PyModuleDef_Init(&defaults_def);
}

// Not reported: suppressed, and APIs that lock the container themselves.

static PyObject *suppressed(PyObject *list) {
  PyObject *a = PyList_GET_ITEM(list, 0); // NOLINT(gilport-unlocked-container-access)
  // NOLINTNEXTLINE
  PyObject *b = PyList_GET_ITEM(list, 1);
  PyObject *c = PyList_GetItem(list, 2);
  return a == b ? c : NULL;
}

static Py_ssize_t uses_header(PyObject *dict) {
  return header_count_none(dict);
}

// CHECK-MESSAGES: gilport-unlocked-container-access.h:13:10: warning: 'PyDict_Next' iterates over a dict that another thread can modify; wrap the whole loop in 'Py_BEGIN_CRITICAL_SECTION(dict)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
