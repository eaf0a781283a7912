/*
 * mutant: a small extension module that is correct on free-threaded Python
 * (3.13t) and in own-GIL subinterpreters, and a set of seeded bugs, each
 * switched on by one -D macro.  Without a macro this is the correct module
 * that `gilport stress` must pass without a false alarm.
 *
 *   MUT_LIST_BORROW     get_item: borrowed PyList_GetItem on a list that
 *                       another thread mutates
 *   MUT_DICT_BORROW     lookup: PyDict_GetItem, then use while another
 *                       thread deletes the key
 *   MUT_WEAKREF_BORROW  deref: PyWeakref_GetObject whose referent dies
 *   MUT_SETDEFAULT      remember: borrowed result of PyDict_SetDefault
 *   MUT_STATIC_CACHE    intern: unlocked process-wide cache (C array)
 *   MUT_COUNTER_RACE    bump: non-atomic read-modify-write of a counter
 *   MUT_MISSING_GIL     no Py_mod_gil slot: importing turns the GIL back on
 *   MUT_SINGLE_PHASE    single-phase init (PyModule_Create, m_size = -1)
 *   MUT_REFLEAK         pair: one reference too many on the result
 *   MUT_USE_AFTER_FREE  pop_last: item borrowed, then deleted, then returned
 *   MUT_DEADLOCK        transfer: two locks taken in opposite orders
 *   MUT_GLOBAL_STATE    registry: one dict shared by every interpreter
 *                       although the module claims per-interpreter GIL support
 *
 * Build: scripts/build-extension.py --python PY --out DIR mutant.c
 *        [--cflags=-DMUT_LIST_BORROW]
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "pythread.h"

typedef struct {
    PyObject *table;     /* dict: lookup / store / discard / remember */
    PyObject *registry;  /* dict returned by registry() */
    PyThread_type_lock lock_a, lock_b;
    long long balance_a, balance_b;
    Py_ssize_t bumps;    /* bump() / count() */
} mutant_state;

static mutant_state *
get_state(PyObject *module)
{
    return (mutant_state *)PyModule_GetState(module);
}

#ifdef MUT_STATIC_CACHE
static PyObject *intern_slots[8];
#endif
#ifdef MUT_GLOBAL_STATE
static PyObject *global_registry;
#endif

/* get_item(list, index) -> list[index] */
static PyObject *
mutant_get_item(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "get_item(list, index)");
        return NULL;
    }
    Py_ssize_t i = PyLong_AsSsize_t(args[1]);
    if (i == -1 && PyErr_Occurred()) {
        return NULL;
    }
#ifdef MUT_LIST_BORROW
    PyObject *item = PyList_GetItem(args[0], i);
    if (item == NULL) {
        return NULL;
    }
    return Py_NewRef(item);
#else
    return PyList_GetItemRef(args[0], i);
#endif
}

/* store(key, value), discard(key), lookup(key, default) on the module's
   own dict. */
static PyObject *
mutant_store(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "store(key, value)");
        return NULL;
    }
    if (PyDict_SetItem(get_state(module)->table, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutant_discard(PyObject *module, PyObject *key)
{
    PyObject *table = get_state(module)->table;
    if (PyDict_Pop(table, key, NULL) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
mutant_lookup(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "lookup(key, default)");
        return NULL;
    }
    PyObject *table = get_state(module)->table;
#ifdef MUT_DICT_BORROW
    PyObject *value = PyDict_GetItem(table, args[0]);
    if (value == NULL) {
        return Py_NewRef(args[1]);
    }
    /* The "later use": the borrowed value is used after other work. */
    PyObject *text = PyObject_Str(value);
    Py_XDECREF(text);
    return Py_NewRef(value);
#else
    PyObject *value;
    int rc = PyDict_GetItemRef(table, args[0], &value);
    if (rc < 0) {
        return NULL;
    }
    if (rc == 0) {
        return Py_NewRef(args[1]);
    }
    PyObject *text = PyObject_Str(value);
    Py_XDECREF(text);
    return value;
#endif
}

/* remember(key, value) -> the value stored under key (first one wins) */
static PyObject *
mutant_remember(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "remember(key, value)");
        return NULL;
    }
    PyObject *table = get_state(module)->table;
#ifdef MUT_SETDEFAULT
    PyObject *value = PyDict_SetDefault(table, args[0], args[1]);
    return Py_XNewRef(value);
#else
    PyObject *value;
    if (PyDict_SetDefaultRef(table, args[0], args[1], &value) < 0) {
        return NULL;
    }
    return value;
#endif
}

/* deref(ref, default) -> the referent, or default when it died */
static PyObject *
mutant_deref(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyWeakref_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "deref(weakref, default)");
        return NULL;
    }
#ifdef MUT_WEAKREF_BORROW
    PyObject *obj = PyWeakref_GetObject(args[0]);
    if (obj == NULL) {
        return NULL;
    }
    if (obj == Py_None) {
        return Py_NewRef(args[1]);
    }
    return Py_NewRef(obj);
#else
    PyObject *obj;
    int rc = PyWeakref_GetRef(args[0], &obj);
    if (rc < 0) {
        return NULL;
    }
    return rc ? obj : Py_NewRef(args[1]);
#endif
}

/* intern(text) -> a lower-case string equal to text.lower(), shared with
   earlier callers */
static PyObject *
mutant_intern(PyObject *module, PyObject *obj)
{
    Py_hash_t h = PyObject_Hash(obj);
    if (h == -1) {
        return NULL;
    }
#ifdef MUT_STATIC_CACHE
    size_t slot = (size_t)h % 8;
    PyObject *old = intern_slots[slot];
    if (old != NULL) {
        int eq = PyObject_RichCompareBool(old, obj, Py_EQ);
        if (eq < 0) {
            return NULL;
        }
        if (eq) {
            return Py_NewRef(old);
        }
    }
    /* Miss: store a canonical (lower-case) copy.  Another thread can have
       replaced and released `old` in the meantime. */
    PyObject *fresh = PyObject_CallMethod(obj, "lower", NULL);
    if (fresh == NULL) {
        return NULL;
    }
    intern_slots[slot] = fresh;
    Py_XDECREF(old);
    return Py_NewRef(fresh);
#else
    /* Per-module cache kept in the module's dict (dicts lock themselves). */
    PyObject *table = get_state(module)->table, *result = NULL;
    PyObject *fresh = PyObject_CallMethod(obj, "lower", NULL);
    if (fresh == NULL) {
        return NULL;
    }
    PyObject *key = Py_BuildValue("(sO)", "intern", fresh);
    if (key == NULL) {
        Py_DECREF(fresh);
        return NULL;
    }
    if (PyDict_SetDefaultRef(table, key, fresh, &result) < 0) {
        result = NULL;
    }
    Py_DECREF(key);
    Py_DECREF(fresh);
    return result;
#endif
}

/* bump() -> the new value of the module's counter; count() */
static PyObject *
mutant_bump(PyObject *module, PyObject *unused)
{
    mutant_state *st = get_state(module);
#ifdef MUT_COUNTER_RACE
    Py_ssize_t v = st->bumps;
    PyObject *result = PyLong_FromSsize_t(v + 1);
    st->bumps = v + 1;
    return result;
#else
    Py_ssize_t v = __atomic_add_fetch(&st->bumps, 1, __ATOMIC_SEQ_CST);
    return PyLong_FromSsize_t(v);
#endif
}

static PyObject *
mutant_count(PyObject *module, PyObject *unused)
{
    mutant_state *st = get_state(module);
    return PyLong_FromSsize_t(__atomic_load_n(&st->bumps, __ATOMIC_SEQ_CST));
}

/* pair(a, b) -> (a, b) */
static PyObject *
mutant_pair(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "pair(a, b)");
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, args[0], args[1]);
#ifdef MUT_REFLEAK
    Py_XINCREF(result);
#endif
    return result;
}

/* pop_last(list) -> the last item, removed from the list */
static PyObject *
mutant_pop_last(PyObject *module, PyObject *list)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "pop_last(list)");
        return NULL;
    }
    PyObject *result = NULL;
#ifdef MUT_USE_AFTER_FREE
    Py_ssize_t n = PyList_Size(list);
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty list");
        return NULL;
    }
    PyObject *item = PyList_GetItem(list, n - 1);
    if (item == NULL || PySequence_DelItem(list, n - 1) < 0) {
        return NULL;
    }
    result = Py_NewRef(item); /* item may already be freed */
#else
    Py_BEGIN_CRITICAL_SECTION(list);
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty list");
    }
    else {
        result = PyList_GetItemRef(list, n - 1);
        if (result != NULL && PySequence_DelItem(list, n - 1) < 0) {
            Py_CLEAR(result);
        }
    }
    Py_END_CRITICAL_SECTION();
#endif
    return result;
}

/* transfer(amount): move amount from a to b; transfer_back(amount): from b
   to a.  Both need both locks. */
static void
lock_pair(PyThread_type_lock first, PyThread_type_lock second)
{
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(first, WAIT_LOCK);
    PyThread_acquire_lock(second, WAIT_LOCK);
    Py_END_ALLOW_THREADS
}

static PyObject *
do_transfer(PyObject *module, PyObject *arg, int back)
{
    mutant_state *st = get_state(module);
    long long amount = PyLong_AsLongLong(arg);
    if (amount == -1 && PyErr_Occurred()) {
        return NULL;
    }
#ifdef MUT_DEADLOCK
    if (back) {
        lock_pair(st->lock_b, st->lock_a);
    }
    else {
        lock_pair(st->lock_a, st->lock_b);
    }
#else
    lock_pair(st->lock_a, st->lock_b);
#endif
    if (back) {
        st->balance_b -= amount;
        st->balance_a += amount;
    }
    else {
        st->balance_a -= amount;
        st->balance_b += amount;
    }
    long long total = st->balance_a + st->balance_b;
    PyThread_release_lock(st->lock_b);
    PyThread_release_lock(st->lock_a);
    return PyLong_FromLongLong(total);
}

static PyObject *
mutant_transfer(PyObject *module, PyObject *arg)
{
    return do_transfer(module, arg, 0);
}

static PyObject *
mutant_transfer_back(PyObject *module, PyObject *arg)
{
    return do_transfer(module, arg, 1);
}

/* registry() -> this interpreter's registry dict */
static PyObject *
mutant_registry(PyObject *module, PyObject *unused)
{
#ifdef MUT_GLOBAL_STATE
    if (global_registry == NULL) {
        global_registry = PyDict_New();
        if (global_registry == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(global_registry);
#else
    return Py_NewRef(get_state(module)->registry);
#endif
}

static PyMethodDef mutant_methods[] = {
    {"get_item", (PyCFunction)(void (*)(void))mutant_get_item, METH_FASTCALL, NULL},
    {"store", (PyCFunction)(void (*)(void))mutant_store, METH_FASTCALL, NULL},
    {"discard", mutant_discard, METH_O, NULL},
    {"lookup", (PyCFunction)(void (*)(void))mutant_lookup, METH_FASTCALL, NULL},
    {"remember", (PyCFunction)(void (*)(void))mutant_remember, METH_FASTCALL, NULL},
    {"deref", (PyCFunction)(void (*)(void))mutant_deref, METH_FASTCALL, NULL},
    {"intern", mutant_intern, METH_O, NULL},
    {"bump", mutant_bump, METH_NOARGS, NULL},
    {"count", mutant_count, METH_NOARGS, NULL},
    {"pair", (PyCFunction)(void (*)(void))mutant_pair, METH_FASTCALL, NULL},
    {"pop_last", mutant_pop_last, METH_O, NULL},
    {"transfer", mutant_transfer, METH_O, NULL},
    {"transfer_back", mutant_transfer_back, METH_O, NULL},
    {"registry", mutant_registry, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int
mutant_exec(PyObject *module)
{
    mutant_state *st = get_state(module);
    st->table = PyDict_New();
    st->registry = PyDict_New();
    st->lock_a = PyThread_allocate_lock();
    st->lock_b = PyThread_allocate_lock();
    if (st->table == NULL || st->registry == NULL) {
        return -1;
    }
    if (st->lock_a == NULL || st->lock_b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    st->balance_a = 1000000;
    st->balance_b = 0;
    return 0;
}

static int
mutant_traverse(PyObject *module, visitproc visit, void *arg)
{
    mutant_state *st = get_state(module);
    Py_VISIT(st->table);
    Py_VISIT(st->registry);
    return 0;
}

static int
mutant_clear(PyObject *module)
{
    mutant_state *st = get_state(module);
    Py_CLEAR(st->table);
    Py_CLEAR(st->registry);
    return 0;
}

static void
mutant_free(void *module)
{
    mutant_state *st = get_state((PyObject *)module);
    mutant_clear((PyObject *)module);
    if (st->lock_a) {
        PyThread_free_lock(st->lock_a);
        st->lock_a = NULL;
    }
    if (st->lock_b) {
        PyThread_free_lock(st->lock_b);
        st->lock_b = NULL;
    }
}

#ifdef MUT_SINGLE_PHASE
static struct PyModuleDef mutant_module = {
    PyModuleDef_HEAD_INIT, "mutant", NULL, sizeof(mutant_state),
    mutant_methods, NULL, mutant_traverse, mutant_clear, mutant_free,
};

PyMODINIT_FUNC
PyInit_mutant(void)
{
    PyObject *module = PyModule_Create(&mutant_module);
    if (module == NULL) {
        return NULL;
    }
    if (mutant_exec(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
#endif
    return module;
}
#else
static PyModuleDef_Slot mutant_slots[] = {
    {Py_mod_exec, mutant_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#if !defined(MUT_MISSING_GIL) && defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef mutant_module = {
    PyModuleDef_HEAD_INIT, "mutant", NULL, sizeof(mutant_state),
    mutant_methods, mutant_slots, mutant_traverse, mutant_clear, mutant_free,
};

PyMODINIT_FUNC
PyInit_mutant(void)
{
    return PyModuleDef_Init(&mutant_module);
}
#endif
