// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: %check_gilport %s gilport-borrowed-ref %t.311 -- --python=%python_gil

#include <Python.h>

#include "Inputs/gilport-borrowed-ref.h"

// What a compatibility header provides on Pythons without critical sections.
#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

typedef struct {
  PyObject_HEAD
  PyObject *items;
  PyObject *index;
  PyObject *ref;
  PyObject *cell;
} Shared;

static PyModuleDef shared_module;

// Containers another thread can reach.

static PyObject *first_item(PyObject *list) {
  return PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

static PyObject *first_item_unchecked(Shared *self) {
  return PyList_GET_ITEM(self->items, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GET_ITEM' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

static int lookups(Shared *self, PyObject *key) {
  PyObject *a = PyDict_GetItem(self->index, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *b = PyDict_GetItemWithError(self->index, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *c = PyDict_GetItemString(self->index, "name");
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemString' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *d = PyDict_SetDefault(self->index, key, Py_None);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_SetDefault' returns a borrowed reference that another thread can invalidate; use 'PyDict_SetDefaultRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return a == b && c == d;
}

static int referents(Shared *self) {
  PyObject *a = PyWeakref_GetObject(self->ref);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyWeakref_GetObject' returns a borrowed reference that another thread can invalidate; use 'PyWeakref_GetRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *b = PyWeakref_GET_OBJECT(self->ref);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyWeakref_GET_OBJECT' returns a borrowed reference that another thread can invalidate; use 'PyWeakref_GetRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *c = PyCell_GET(self->cell);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyCell_GET' returns a borrowed reference that another thread can invalidate; use 'PyCell_Get' (every Python 3 version), which returns a strong reference [gilport-borrowed-ref]
  return a == b && b == c;
}

static int interpreter_state(PyObject *name) {
  PyObject *a = PyImport_AddModule("spam");
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyImport_AddModule' returns a borrowed reference that another thread can invalidate; use 'PyImport_AddModuleRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *b = PyImport_AddModuleObject(name);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyImport_AddModuleObject' returns a borrowed reference that another thread can invalidate; use 'PyImport_AddModuleRef' (Python 3.13), which takes the name as a UTF-8 string and returns a strong reference [gilport-borrowed-ref]
  PyObject *c = PyEval_GetGlobals();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyEval_GetGlobals' returns a borrowed reference that another thread can invalidate; use 'PyEval_GetFrameGlobals' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *d = PyEval_GetLocals();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyEval_GetLocals' returns a borrowed reference that another thread can invalidate; use 'PyEval_GetFrameLocals' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *e = PyEval_GetBuiltins();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyEval_GetBuiltins' returns a borrowed reference that another thread can invalidate; use 'PyEval_GetFrameBuiltins' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyFrameObject *f = PyEval_GetFrame();
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyEval_GetFrame' returns a borrowed reference that another thread can invalidate; use 'PyThreadState_GetFrame' (Python 3.9), which returns a strong reference [gilport-borrowed-ref]
  PyObject *g = PySys_GetObject("path");
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PySys_GetObject' returns a borrowed reference that another thread can invalidate; use 'PySys_GetOptionalAttrString' (Python 3.15), which returns a strong reference [gilport-borrowed-ref]
  PyObject *h = PyState_FindModule(&shared_module);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyState_FindModule' returns a borrowed reference that another thread can invalidate; use the module object passed to the function, or 'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose result the class keeps alive [gilport-borrowed-ref]
  return a == b && c == d && e == g && h == (PyObject *)f;
}

// A strong reference taken after the borrow comes too late.
static PyObject *incref_after_borrow(PyObject *list) {
  PyObject *item = Py_NewRef(PyList_GetItem(list, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:20: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  PyObject *other = PyList_GetItem(list, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_INCREF(other);
  Py_DECREF(other);
  return item;
}

// The user's own macros: reported where they are used, with a note.
#define FIRST(list) PyList_GetItem((list), 0)
#define FIRST_UNCHECKED(list) PyList_GET_ITEM((list), 0)
#define LOOKUP(self, key) PyDict_GetItem((self)->index, (key))
#define LOOKUP_TWICE(self, key) (LOOKUP(self, key) == LOOKUP(self, key))

static int wrapped(Shared *self, PyObject *key) {
  PyObject *a = FIRST(self->items);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-8]]:21: note: expanded from macro 'FIRST'
  PyObject *b = FIRST_UNCHECKED(self->items);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyList_GET_ITEM' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-10]]:31: note: expanded from macro 'FIRST_UNCHECKED'
  PyObject *c = HEADER_FIRST_ITEM(self->items);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: gilport-borrowed-ref.h:7:33: note: expanded from macro 'HEADER_FIRST_ITEM'
  int d = LOOKUP_TWICE(self, key);
  // Both expansions map to the same place: one finding.
  // CHECK-MESSAGES: :[[@LINE-2]]:11: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return a == b && b == c && d;
}

// Not reported: containers private to the function.

static PyObject *private_list(void) {
  PyObject *list = PyList_New(2);
  if (list == NULL)
    return NULL;
  PyList_SET_ITEM(list, 0, PyLong_FromLong(1));
  PyList_SET_ITEM(list, 1, PyLong_FromLong(2));
  PyObject *first = PyList_GetItem(list, 0);
  PyObject *second = PyList_GET_ITEM(list, 1);
  if (PyList_Size(list) != 2 || first == second) {
    Py_DECREF(list);
    return NULL;
  }
  return list;
}

static PyObject *private_dict(PyObject *key) {
  PyObject *dict = NULL;
  dict = PyDict_New();
  if (!dict || PyDict_SetItem(dict, key, Py_None) < 0) {
    Py_XDECREF(dict);
    return NULL;
  }
  PyObject *value = PyDict_GetItemWithError(dict, key);
  PyObject *same = PyDict_GetItemString(dict, "key");
  Py_CLEAR(dict);
  return value == same ? Py_None : NULL;
}

static PyObject *private_copy(PyObject *shared, PyObject *sink) {
  PyObject *keys = PyDict_Keys(shared);
  if (keys == NULL)
    return NULL;
  PyObject *first = PyList_GetItem(keys, 0);
  // Escaping after the last use is fine.
  PyList_Append(sink, keys);
  Py_DECREF(keys);
  return first;
}

static PyObject *new_temporary(PyObject *shared) {
  return PyList_GetItem(PySequence_List(shared), 0);
}

// Returning the container ends the function: no later use sees it shared.
static PyObject *early_return(PyObject *key, int empty) {
  PyObject *dict = PyDict_New();
  if (dict == NULL || empty)
    return dict;
  if (PyDict_SetDefault(dict, key, Py_None) == NULL) {
    Py_DECREF(dict);
    return NULL;
  }
  return dict;
}

// The variable once held something else, on a path that has returned.
static PyObject *reused_variable(PyObject *shared, int as_text) {
  PyObject *result;
  if (as_text) {
    result = PyObject_Str(shared);
    return result;
  }
  result = PyList_New(1);
  if (result == NULL)
    return NULL;
  PyList_SET_ITEM(result, 0, Py_NewRef(shared));
  if (PyList_GetItem(result, 0) == NULL)
    Py_CLEAR(result);
  return result;
}

static PyObject *created_in_every_branch(int big) {
  PyObject *list;
  if (big)
    list = PyList_New(10);
  else
    list = PyList_New(1);
  if (list && PyList_GetItem(list, 0) == NULL)
    PyErr_Clear();
  return list;
}

static PyObject *fresh_each_iteration(PyObject *sink) {
  for (int i = 0; i < 3; i++) {
    PyObject *list = PyList_New(1);
    if (list == NULL || PyList_GetItem(list, 0) != NULL)
      return NULL;
    PyList_Append(sink, list);
    Py_DECREF(list);
  }
  return sink;
}

// A static helper whose every return is NULL or a new list it did not
// share creates a private list, as PyList_New does; a static function that
// only reads its parameter does not share it.
static PyObject *split_words(PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  if (PyList_GET_SIZE(words) == 0) {
    Py_DECREF(words);
    return NULL;
  }
  return words;
}

static Py_ssize_t count_words(PyObject *words) {
  return PyList_GET_SIZE(words);
}

static PyObject *first_word(PyObject *text) {
  PyObject *words = split_words(text);
  if (words == NULL || count_words(words) < 1) {
    Py_XDECREF(words);
    return NULL;
  }
  PyObject *first = Py_NewRef(PyList_GET_ITEM(words, 0));
  Py_DECREF(words);
  return first;
}

// Reported: the container escaped before the use, or is not the function's.

// A helper that hands out a shared list on one path, or shares the new one.
static PyObject *new_or_shared(Shared *self, int fresh) {
  if (!fresh)
    return Py_NewRef(self->items);
  return PyList_New(1);
}

static PyObject *remembered(Shared *self) {
  PyObject *list = PyList_New(1);
  self->items = list;
  return list;
}

static void keep(Shared *self, PyObject *list) { self->items = list; }

static PyObject *same(PyObject *list) { return list; }

static int helpers_that_share(Shared *self) {
  PyObject *a = new_or_shared(self, 1);
  PyObject *b = remembered(self);
  PyObject *c = PyList_New(1);
  PyObject *d = PyList_New(1);
  keep(self, c);
  self->index = same(d);
  int found = PyList_GetItem(a, 0) == PyList_GetItem(b, 0) &&
              // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
              // CHECK-MESSAGES: :[[@LINE-2]]:39: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
              PyList_GetItem(c, 0) == PyList_GetItem(d, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:39: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  return found;
}

// The keyword-argument dict is not private: PyObject_Call(f, args, d) hands
// a C caller's own dict to a METH_KEYWORDS function, tp_new or tp_init.
static PyObject *keyword_arguments(PyObject *self, PyObject *args,
                                   PyObject *kwds) {
  return PyDict_GetItemString(kwds, "default");
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_GetItemString' returns a
  // borrowed reference that another thread can invalidate; use
  // 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference
  // [gilport-borrowed-ref]
}

// Nor is a helper's parameter that happens to be named like it.
static PyObject *keyword_helper(PyObject *name, PyObject *defval,
                                PyObject *kwargs) {
  PyObject *value = kwargs ? PyDict_GetItemWithError(kwargs, name) : NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'PyDict_GetItemWithError' returns
  // a borrowed reference that another thread can invalidate; use
  // 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference
  // [gilport-borrowed-ref]
  return value ? value : defval;
}

static PyObject *escaped(Shared *self) {
  PyObject *list = PyList_New(1);
  self->items = list;
  return PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

static PyObject *escaped_in_loop(PyObject *sink) {
  PyObject *list = PyList_New(1);
  PyObject *item = NULL;
  for (int i = 0; i < 3; i++) {
    item = PyList_GetItem(list, 0);
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
    PyList_Append(sink, list);
  }
  Py_DECREF(list);
  return item;
}

static PyObject *reassigned(PyObject *shared) {
  PyObject *list = PyList_New(0);
  Py_DECREF(list);
  list = shared;
  return PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

static PyObject *shared_in_one_branch(PyObject *shared, int fresh) {
  PyObject *list;
  if (fresh)
    list = PyList_New(1);
  else
    list = Py_NewRef(shared);
  PyObject *item = PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_DECREF(list);
  return item;
}

static PyObject *jumped_over(PyObject *shared, int skip) {
  PyObject *list = Py_NewRef(shared);
  PyObject *item;
  if (skip)
    goto use;
  Py_DECREF(list);
  list = PyList_New(1);
use:
  item = PyList_GetItem(list, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_DECREF(list);
  return item;
}

static PyObject *aliased(PyObject *key) {
  PyObject *dict = PyDict_New();
  PyObject *alias = dict;
  PyObject *value = PyDict_GetItem(dict, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_DECREF(alias);
  return value;
}

// Not reported: a critical section on the container, tuples, other APIs.

static PyObject *locked(Shared *self) {
  PyObject *item;
  Py_BEGIN_CRITICAL_SECTION(self->items);
  item = Py_XNewRef(PyList_GetItem(self->items, 0));
  Py_END_CRITICAL_SECTION();
  return item;
}

// The caller holds the lock: Argument Clinic's @critical_section wrappers.
static PyObject *first_impl(Shared *self) {
  return Py_XNewRef(PyList_GetItem(self->items, 0));
}

static PyObject *first(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = first_impl((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

// The helpers of such a function, recursive ones included (a scanner's
// memo dict, as simplejson's `scan_once` does).
static PyObject *scan_value(Shared *self, int depth);

static PyObject *scan_item(Shared *self, int depth) {
  PyObject *memo = PyDict_GetItemWithError(self->index, self->cell);
  if (memo == NULL || depth == 0)
    return Py_XNewRef(memo);
  return scan_value(self, depth - 1);
}

static PyObject *scan_value(Shared *self, int depth) {
  return scan_item(self, depth);
}

static PyObject *scan(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = scan_value((Shared *)self, 3);
  Py_END_CRITICAL_SECTION();
  return result;
}

// Reported: the same helper chain, also reached without the lock.
static PyObject *probe_item(Shared *self) {
  return Py_XNewRef(PyDict_GetItem(self->index, self->cell));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

static PyObject *probe_impl(Shared *self) { return probe_item(self); }

static PyObject *probe(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = probe_impl((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

static PyObject *probe_unlocked(PyObject *self, PyObject *unused) {
  return probe_impl((Shared *)self);
}

// Reported: the callers lock `self`, not a list the helper finds itself
// (syslog's sys.argv).
static PyObject *script_name(Shared *self) {
  PyObject *argv = PyObject_GetAttrString(self->cell, "argv");
  PyObject *name;
  if (argv == NULL)
    return NULL;
  name = Py_XNewRef(PyList_GetItem(argv, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_DECREF(argv);
  return name;
}

static PyObject *name(PyObject *self, PyObject *unused) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = script_name((Shared *)self);
  Py_END_CRITICAL_SECTION();
  return result;
}

static PyObject *locked_is_not_enough_for_weakrefs(Shared *self) {
  PyObject *obj;
  Py_BEGIN_CRITICAL_SECTION(self->ref);
  obj = Py_NewRef(PyWeakref_GetObject(self->ref));
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyWeakref_GetObject' returns a borrowed reference that another thread can invalidate; use 'PyWeakref_GetRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  Py_END_CRITICAL_SECTION();
  return obj;
}

static PyObject *tuples_and_fast_sequences(PyObject *tuple, PyObject *seq) {
  PyObject *a = PyTuple_GetItem(tuple, 0);
  PyObject *b = PyTuple_GET_ITEM(tuple, 1);
  // Another check's business; its PyList_GET_ITEM is spelled in the headers.
  PyObject *c = PySequence_Fast_GET_ITEM(seq, 0);
  return a == b ? c : NULL;
}

#if PY_VERSION_HEX >= 0x030D0000
static int strong_apis(Shared *self, PyObject *key) {
  PyObject *a = PyList_GetItemRef(self->items, 0);
  PyObject *b = NULL, *c = NULL, *d = NULL;
  int found = PyDict_GetItemRef(self->index, key, &b);
  PyWeakref_GetRef(self->ref, &c);
  PyObject *e = PyImport_AddModuleRef("spam");
  PyObject *f = PyEval_GetFrameGlobals();
  PyDict_SetDefaultRef(self->index, key, Py_None, &d);
  Py_XDECREF(a);
  Py_XDECREF(b);
  Py_XDECREF(c);
  Py_XDECREF(d);
  Py_XDECREF(e);
  Py_XDECREF(f);
  return found;
}
#endif

static int suppressed(PyObject *list) {
  PyObject *a = PyList_GetItem(list, 0); // NOLINT(gilport-borrowed-ref)
  // NOLINTNEXTLINE(gilport-*)
  PyObject *b = PyList_GetItem(list, 1);
  return a == b;
}

static PyObject *uses_header(PyObject *dict, PyObject *key) {
  return header_contains(dict, key) ? header_lookup(dict, key) : NULL;
}

// Not reported: the result is only compared with NULL or tested for truth,
// never stored, passed on or dereferenced.
#define HAS_KEY(self, key) (PyDict_GetItem((self)->index, (key)) != NULL)

static int presence_tests(Shared *self, PyObject *key) {
  if (PyDict_GetItemString(self->index, "key") == NULL)
    return 0;
  assert(PyDict_GetItemWithError(self->index, key));
  if (!PyWeakref_GetObject(self->ref) || HAS_KEY(self, key))
    return -1;
  return PyList_GET_ITEM(self->items, 0) ? 1 : 2;
}

// Reported: PyDict_SetDefault also inserts; its NULL test is kept for the
// fix (PyDict_SetDefaultRef with a NULL result pointer).
static int insert_default(Shared *self, PyObject *key) {
  if (PyDict_SetDefault(self->index, key, Py_None) == NULL)
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_SetDefault' returns a borrowed reference that another thread can invalidate; use 'PyDict_SetDefaultRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
    return -1;
  return 0;
}

// Reported: compared with another object, the pointer is still used.
static int identity_test(Shared *self, PyObject *key, PyObject *expected) {
  return PyDict_GetItem(self->index, key) == expected;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
}

// A function that asserts its callers hold the lock of the object the
// container belongs to (CPython's marker; empty in release builds).
#define _Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED(op)

static PyObject *first_locked_by_callers(Shared *self) {
  _Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED(self);
  PyObject *items = self->items;
  PyObject *first = Py_XNewRef(PyList_GetItem(items, 0));
  PyObject *again = PyList_GET_ITEM(self->items, 0);
  return first == again ? first : NULL;
}

static PyObject *asserts_another_object(Shared *self, Shared *other) {
  _Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED(other);
  return Py_XNewRef(PyList_GetItem(self->items, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
}

static PyObject *asserts_after_the_use(Shared *self) {
  PyObject *first = Py_XNewRef(PyList_GetItem(self->items, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: 'PyList_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyList_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:21: note: taking a strong reference right after the call does not help: another thread can free the object before the increment
  _Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED(self);
  return first;
}

// CHECK-MESSAGES: gilport-borrowed-ref.h:11:10: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
