// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: %check_gilport %s gilport-borrowed-ref %t.311 -- --python=%python_gil

// Borrowing that provably cannot be invalidated is not reported: a dict that
// the module fills while it initialises and never changes or hands out
// afterwards, a list that every caller of a static function creates itself,
// and a result that is kept only to be compared with NULL or None.

#include <Python.h>
#include <stddef.h>

#include "Inputs/gilport-borrowed-ref-shared-state.h"

#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

typedef struct {
  PyObject *codes;    // filled by exec through a helper, then only read
  PyObject *exposed;  // also added to the module: Python code can change it
  PyObject *imported; // another module's dict
  PyObject *grown;    // also changed by a method
  PyObject *proxied;  // behind a mappingproxy, which does not protect it
  PyObject *replaced; // replaced by a method with Py_SETREF
  PyObject *aliased;  // its local alias is added to the module
  PyObject *slots;    // a method stores into it with PyList_SET_ITEM
} module_state;

static module_state *get_state(PyObject *module) {
  return (module_state *)PyModule_GetState(module);
}

// Called only from exec: part of the module's initialisation.
static int fill_codes(module_state *st) {
  PyObject *one = PyLong_FromLong(1);
  if (one == NULL)
    return -1;
  int rc = PyDict_SetItemString(st->codes, "one", one);
  Py_DECREF(one);
  return rc;
}

static int module_exec(PyObject *module) {
  module_state *st = get_state(module);
  st->codes = PyDict_New();
  if (st->codes == NULL || fill_codes(st) < 0)
    return -1;
  st->exposed = PyDict_New();
  if (st->exposed == NULL ||
      PyModule_AddObjectRef(module, "exposed", st->exposed) < 0)
    return -1;
  PyObject *os = PyImport_ImportModule("os");
  if (os == NULL)
    return -1;
  st->imported = PyObject_GetAttrString(os, "environ");
  Py_DECREF(os);
  st->grown = PyDict_New();
  st->proxied = PyDict_New();
  st->replaced = PyDict_New();
  if (st->imported == NULL || st->grown == NULL || st->proxied == NULL ||
      st->replaced == NULL)
    return -1;
  st->slots = PyList_New(1);
  if (st->slots == NULL)
    return -1;
  PyList_SET_ITEM(st->slots, 0, Py_NewRef(Py_None));
  PyObject *aliases = PyDict_New();
  if (aliases == NULL)
    return -1;
  st->aliased = aliases;
  if (PyModule_AddObjectRef(module, "aliases", aliases) < 0)
    return -1;
  PyObject *proxy = PyDictProxy_New(st->proxied);
  if (proxy == NULL)
    return -1;
  int rc = PyModule_AddObjectRef(module, "proxy", proxy);
  Py_DECREF(proxy);
  return rc;
}

static int module_clear(PyObject *module) {
  module_state *st = get_state(module);
  Py_CLEAR(st->codes);
  Py_CLEAR(st->exposed);
  Py_CLEAR(st->imported);
  Py_CLEAR(st->grown);
  Py_CLEAR(st->proxied);
  Py_CLEAR(st->replaced);
  Py_CLEAR(st->aliased);
  Py_CLEAR(st->slots);
  return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg) {
  module_state *st = get_state(module);
  Py_VISIT(st->codes);
  Py_VISIT(st->exposed);
  return 0;
}

// Not reported: only exec fills st->codes.
static PyObject *code_name(PyObject *module, PyObject *key) {
  PyObject *code = PyDict_GetItemWithError(get_state(module)->codes, key);
  if (code == NULL)
    return NULL;
  return PyObject_Str(code);
}

// A user macro over the same lookup: not reported either.
#define LOOKUP_CODE(st, key) PyDict_GetItemWithError((st)->codes, (key))

static PyObject *code_repr(PyObject *module, PyObject *key) {
  PyObject *code = LOOKUP_CODE(get_state(module), key);
  return code ? PyObject_Repr(code) : NULL;
}

// Reported: each of these dicts can change while the module is in use.
static PyObject *lookups(PyObject *module, PyObject *key) {
  module_state *st = get_state(module);
  PyObject *a = PyDict_GetItemWithError(st->exposed, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  PyObject *b = PyDict_GetItemWithError(st->imported, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *c = PyDict_GetItemWithError(st->grown, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *d = PyDict_GetItemWithError(st->proxied, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *e = PyDict_GetItemWithError(st->replaced, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *f = PyDict_GetItemWithError(st->aliased, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *g = PyList_GetItem(st->slots, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyList_GetItem' {{.*}} [gilport-borrowed-ref]
  return PyTuple_Pack(7, a, b, c, d, e, f, g);
}

static PyObject *grow(PyObject *module, PyObject *key) {
  module_state *st = get_state(module);
  PyList_SET_ITEM(st->slots, 0, Py_NewRef(key));
  if (PyDict_SetItem(st->grown, key, Py_None) < 0)
    return NULL;
  Py_SETREF(st->replaced, PyDict_New());
  Py_RETURN_NONE;
}

// The same macro over a field that a method changes: reported where the
// macro is used.
#define LOOKUP_GROWN(st, key) PyDict_GetItemWithError((st)->grown, (key))

static PyObject *grown_repr(PyObject *module, PyObject *key) {
  PyObject *value = LOOKUP_GROWN(get_state(module), key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-5]]:31: note: expanded from macro 'LOOKUP_GROWN'
  return value ? PyObject_Repr(value) : NULL;
}

// Reported: the struct is defined in a header other files may include.
static PyObject *alias_of(shared_header_state *st, PyObject *key) {
  PyObject *alias = PyDict_GetItemWithError(st->aliases, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  return alias ? PyObject_Str(alias) : NULL;
}

// Reported: a method runs the exec function again, so the dict it fills
// changes while the module is in use.
typedef struct {
  PyObject *table;
} reset_state;

static int reset_exec(PyObject *module) {
  reset_state *st = PyModule_GetState(module);
  Py_CLEAR(st->table);
  st->table = PyDict_New();
  return st->table ? 0 : -1;
}

static PyObject *reset(PyObject *module, PyObject *unused) {
  if (reset_exec(module) < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyObject *table_entry(PyObject *module, PyObject *key) {
  reset_state *st = PyModule_GetState(module);
  PyObject *entry = PyDict_GetItemWithError(st->table, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  return entry ? PyObject_Str(entry) : NULL;
}

static PyMethodDef reset_methods[] = {
    {"reset", reset, METH_NOARGS, NULL},
    {"table_entry", table_entry, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot reset_slots[] = {
    {Py_mod_exec, reset_exec},
    {0, NULL},
};

static struct PyModuleDef reset_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "reset",
    .m_size = sizeof(reset_state),
    .m_methods = reset_methods,
    .m_slots = reset_slots,
};

PyMODINIT_FUNC PyInit_reset(void) { return PyModuleDef_Init(&reset_def); }

// Reported: the exec function's address is also kept in a variable, through
// which a method runs it again.
typedef struct {
  PyObject *entries;
} refill_state;

static int refill_exec(PyObject *module) {
  refill_state *st = PyModule_GetState(module);
  Py_CLEAR(st->entries);
  st->entries = PyDict_New();
  return st->entries ? 0 : -1;
}

static int (*run_again)(PyObject *) = refill_exec;

static PyObject *refill(PyObject *module, PyObject *unused) {
  if (run_again(module) < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyObject *entry_of(PyObject *module, PyObject *key) {
  refill_state *st = PyModule_GetState(module);
  PyObject *entry = PyDict_GetItemWithError(st->entries, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  return entry ? PyObject_Str(entry) : NULL;
}

static PyMethodDef refill_methods[] = {
    {"refill", refill, METH_NOARGS, NULL},
    {"entry_of", entry_of, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot refill_slots[] = {
    {Py_mod_exec, refill_exec},
    {0, NULL},
};

static struct PyModuleDef refill_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "refill",
    .m_size = sizeof(refill_state),
    .m_methods = refill_methods,
    .m_slots = refill_slots,
};

PyMODINIT_FUNC PyInit_refill(void) { return PyModuleDef_Init(&refill_def); }

// A parameter: not reported when every caller passes a list it created and
// has not shared.
static PyObject *first_part(PyObject *parts) {
  return PyObject_Str(PyList_GET_ITEM(parts, 0));
}

static PyObject *first_word(PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  PyObject *first = PyList_GET_SIZE(words) ? first_part(words) : NULL;
  Py_DECREF(words);
  return first;
}

static PyObject *first_line(PyObject *text) {
  PyObject *lines = PyUnicode_Splitlines(text, 0);
  if (lines == NULL)
    return NULL;
  PyObject *first = PyList_GET_SIZE(lines) ? first_part(lines) : NULL;
  Py_DECREF(lines);
  return first;
}

// Reported: one caller passes a list it was given.
static PyObject *last_part(PyObject *parts) {
  return PyObject_Str(PyList_GET_ITEM(parts, PyList_GET_SIZE(parts) - 1));
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
}

static PyObject *last_word(PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  PyObject *last = last_part(words);
  Py_DECREF(words);
  return last;
}

static PyObject *last_of(PyObject *module, PyObject *list) {
  return last_part(list);
}

// Reported: the function lets the list out before reading it.
static PyObject *saved_part(module_state *st, PyObject *parts) {
  PyDict_SetItemString(st->grown, "parts", parts);
  return PyObject_Str(PyList_GET_ITEM(parts, 0));
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
}

static PyObject *saved_word(PyObject *module, PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  PyObject *saved = saved_part(get_state(module), words);
  Py_DECREF(words);
  return saved;
}

// Reported: its address is taken, so its callers are unknown.
static PyObject *middle_part(PyObject *module, PyObject *parts) {
  return PyObject_Str(PyList_GET_ITEM(parts, 1));
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyList_GET_ITEM' {{.*}} [gilport-borrowed-ref]
}

static PyObject *middle_word(PyObject *module, PyObject *text) {
  PyObject *words = PyUnicode_Split(text, NULL, -1);
  if (words == NULL)
    return NULL;
  PyObject *middle = middle_part(module, words);
  Py_DECREF(words);
  return middle;
}

// A function whose address is only stored in a struct field (directly or
// through a local) that is only called inside a critical section runs with
// that lock held, like functools' lru_cache wrappers: not reported. Through
// a field that is also called without the lock: reported. Under the lock,
// an item handed to code that can suspend the section is reported too.
typedef struct cache_object cache_object;
typedef PyObject *(*cache_lookup)(cache_object *, PyObject *);

struct cache_object {
  PyObject_HEAD
  PyObject *cache;
  cache_lookup lookup;
  cache_lookup unlocked_lookup;
};

static PyObject *bounded_lookup(cache_object *self, PyObject *key) {
  PyObject *hit = PyDict_GetItemWithError(self->cache, key);
  return Py_XNewRef(hit);
}

static PyObject *unbounded_lookup(cache_object *self, PyObject *key) {
  PyObject *hit = PyDict_GetItemWithError(self->cache, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItemWithError' returns a borrowed reference that the critical section guards only until 'PyObject_Repr', which can run Python code: the section is suspended meanwhile, and another thread can remove and free the object [gilport-borrowed-ref]
  return hit ? PyObject_Repr(hit) : NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: note: the critical section can be suspended here
}

static PyObject *racy_lookup(cache_object *self, PyObject *key) {
  PyObject *hit = PyDict_GetItemWithError(self->cache, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  return hit ? PyObject_Str(hit) : NULL;
}

static void cache_setup(cache_object *self, int bounded) {
  cache_lookup chosen;
  if (bounded)
    chosen = bounded_lookup;
  else
    chosen = unbounded_lookup;
  self->lookup = chosen;
  self->unlocked_lookup = racy_lookup;
}

static PyObject *cache_call(cache_object *self, PyObject *key) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = self->lookup(self, key);
  Py_END_CRITICAL_SECTION();
  if (result == NULL)
    result = self->unlocked_lookup(self, key);
  return result;
}

// Reported: tp_repr belongs to Python's PyTypeObject, which the interpreter
// calls without this file's lock.
static PyObject *cache_repr(PyObject *self) {
  cache_object *cache = (cache_object *)self;
  PyObject *hit = PyDict_GetItemWithError(cache->cache, Py_None);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  return hit ? PyObject_Repr(hit) : NULL;
}

static void install_repr(PyTypeObject *type) { type->tp_repr = cache_repr; }

static PyObject *locked_repr(PyObject *self) {
  PyObject *result;
  Py_BEGIN_CRITICAL_SECTION(self);
  result = Py_TYPE(self)->tp_repr(self);
  Py_END_CRITICAL_SECTION();
  return result;
}

// A result kept in a local that is only compared with NULL is not reported;
// one that is also used is.
static int has_key(PyObject *dict, PyObject *key) {
  PyObject *found = PyDict_GetItemWithError(dict, key);
  if (found != NULL)
    return 1;
  return PyErr_Occurred() ? -1 : 0;
}

// Compared with None (an immortal singleton) after the NULL test: the
// pointer is never followed either (coverage's should_trace_cache).
static int cached_as_included(PyObject *dict, PyObject *key) {
  PyObject *cached = PyDict_GetItem(dict, key);
  if (cached == NULL)
    return -1;
  return cached != Py_None;
}

static int key_is_true(PyObject *dict, PyObject *key) {
  PyObject *found = PyDict_GetItemWithError(dict, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (found == NULL)
    return PyErr_Occurred() ? -1 : 0;
  return PyObject_IsTrue(found);
}

static PyObject *words(PyObject *module, PyObject *text) {
  PyObject *first = first_word(text);
  PyObject *line = first_line(text);
  PyObject *last = last_word(text);
  PyObject *saved = saved_word(module, text);
  PyObject *result = PyTuple_Pack(4, first, line, last, saved);
  Py_XDECREF(first);
  Py_XDECREF(line);
  Py_XDECREF(last);
  Py_XDECREF(saved);
  return result;
}

static PyMethodDef module_methods[] = {
    {"code_name", code_name, METH_O, NULL},
    {"code_repr", code_repr, METH_O, NULL},
    {"lookups", lookups, METH_O, NULL},
    {"grow", grow, METH_O, NULL},
    {"grown_repr", grown_repr, METH_O, NULL},
    {"last_of", last_of, METH_O, NULL},
    {"middle_word", middle_word, METH_O, NULL},
    {"middle_part", middle_part, METH_O, NULL},
    {"words", words, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "proven_safe",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
};

PyMODINIT_FUNC PyInit_proven_safe(void) { return PyModuleDef_Init(&module_def); }

// Keeps the helpers used.
int proven_safe_use(PyObject *d, PyObject *k, shared_header_state *st,
                    cache_object *cache) {
  cache_setup(cache, 1);
  install_repr(Py_TYPE(cache));
  Py_XDECREF(locked_repr((PyObject *)cache));
  return has_key(d, k) + key_is_true(d, k) + (alias_of(st, k) != NULL) +
         (cache_call(cache, k) != NULL);
}
