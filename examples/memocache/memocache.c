/*
 * memocache: a small memoisation cache for Python callables.
 *
 *     >>> import memocache
 *     >>> memocache.memoize(expensive, 10)     # calls expensive(10)
 *     >>> memocache.memoize(expensive, 10)     # served from the cache
 *     >>> memocache.cache_info()
 *     {'hits': 1, 'misses': 1, 'size': 1, 'maxsize': 1024}
 *
 * Results are kept in one process-wide dict keyed by
 * (func, args, sorted kwargs items).  When the cache grows beyond maxsize
 * the oldest entry is dropped (dicts keep insertion order).
 *
 * Written for CPython 3.8+ with the GIL: the GIL is what keeps the cache
 * dict and the statistics consistent.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MEMOCACHE_DEFAULT_MAXSIZE 1024

/* The cache itself: {key: result}.  Created in PyInit_memocache. */
static PyObject *cache = NULL;

/* Statistics, reported by cache_info(). */
static Py_ssize_t hits = 0;
static Py_ssize_t misses = 0;
static Py_ssize_t maxsize = MEMOCACHE_DEFAULT_MAXSIZE;

/* Marker that separates positional from keyword arguments in a key. */
static PyObject *kwmark = NULL;


/*
 * Build the cache key for func(*args, **kwargs).
 *
 * Positional-only calls use (func, args); calls with keywords use
 * (func, args, kwmark, k1, v1, k2, v2, ...) with the keywords sorted so
 * that f(a=1, b=2) and f(b=2, a=1) share an entry.
 */
static PyObject *
make_key(PyObject *func, PyObject *args, PyObject *kwargs)
{
    PyObject *key, *items;
    Py_ssize_t i, n;

    if (kwargs == NULL || PyDict_GET_SIZE(kwargs) == 0) {
        return PyTuple_Pack(2, func, args);
    }

    items = PyDict_Items(kwargs);
    if (items == NULL) {
        return NULL;
    }
    if (PyList_Sort(items) < 0) {
        Py_DECREF(items);
        return NULL;
    }
    n = PyList_GET_SIZE(items);
    key = PyTuple_New(3 + 2 * n);
    if (key == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    Py_INCREF(func);
    PyTuple_SET_ITEM(key, 0, func);
    Py_INCREF(args);
    PyTuple_SET_ITEM(key, 1, args);
    Py_INCREF(kwmark);
    PyTuple_SET_ITEM(key, 2, kwmark);
    for (i = 0; i < n; i++) {
        PyObject *pair = PyList_GetItem(items, i);
        PyObject *k = PyTuple_GET_ITEM(pair, 0);
        PyObject *v = PyTuple_GET_ITEM(pair, 1);
        Py_INCREF(k);
        PyTuple_SET_ITEM(key, 3 + 2 * i, k);
        Py_INCREF(v);
        PyTuple_SET_ITEM(key, 4 + 2 * i, v);
    }
    Py_DECREF(items);
    return key;
}


/* Drop the oldest entries until the cache fits in maxsize. */
static int
evict_oldest(void)
{
    while (maxsize >= 0 && PyDict_GET_SIZE(cache) > maxsize) {
        Py_ssize_t pos = 0;
        PyObject *oldest, *value;

        if (!PyDict_Next(cache, &pos, &oldest, &value)) {
            break;
        }
        if (PyDict_DelItem(cache, oldest) < 0) {
            return -1;
        }
    }
    return 0;
}


PyDoc_STRVAR(memoize_doc,
"memoize(func, /, *args, **kwargs)\n"
"--\n"
"\n"
"Return func(*args, **kwargs), computing it only the first time.\n"
"\n"
"All arguments must be hashable.  Exceptions raised by func are\n"
"propagated and not cached.");

static PyObject *
memocache_memoize(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *func, *call_args, *key, *result;

    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError,
                        "memoize() missing required argument 'func'");
        return NULL;
    }
    func = PyTuple_GET_ITEM(args, 0);
    if (!PyCallable_Check(func)) {
        PyErr_Format(PyExc_TypeError,
                     "memoize() argument 'func' must be callable, not %.100s",
                     Py_TYPE(func)->tp_name);
        return NULL;
    }
    call_args = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
    if (call_args == NULL) {
        return NULL;
    }
    key = make_key(func, call_args, kwargs);
    if (key == NULL) {
        Py_DECREF(call_args);
        return NULL;
    }

    /* Fast path: the result is already cached. */
    result = PyDict_GetItemWithError(cache, key);
    if (result != NULL) {
        hits++;
        Py_INCREF(result);
        Py_DECREF(key);
        Py_DECREF(call_args);
        return result;
    }
    if (PyErr_Occurred()) {
        /* Most likely an unhashable argument. */
        Py_DECREF(key);
        Py_DECREF(call_args);
        return NULL;
    }

    misses++;
    result = PyObject_Call(func, call_args, kwargs);
    Py_DECREF(call_args);
    if (result == NULL) {
        Py_DECREF(key);
        return NULL;
    }
    if (maxsize != 0) {
        if (PyDict_SetItem(cache, key, result) < 0 || evict_oldest() < 0) {
            Py_DECREF(key);
            Py_DECREF(result);
            return NULL;
        }
    }
    Py_DECREF(key);
    return result;
}


PyDoc_STRVAR(peek_doc,
"peek(func, /, *args, default=None)\n"
"--\n"
"\n"
"Return the cached result of func(*args) without calling func.\n"
"Return default if the call has not been cached.");

static PyObject *
memocache_peek(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *func, *call_args, *key, *result;
    PyObject *dflt = Py_None;

    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError,
                        "peek() missing required argument 'func'");
        return NULL;
    }
    if (kwargs != NULL) {
        Py_ssize_t nkw = PyDict_GET_SIZE(kwargs);
        PyObject *d = PyDict_GetItemString(kwargs, "default");
        if (d != NULL) {
            dflt = d;
            nkw--;
        }
        if (nkw > 0) {
            PyErr_SetString(PyExc_TypeError,
                            "peek() accepts only the keyword 'default'");
            return NULL;
        }
    }
    func = PyTuple_GET_ITEM(args, 0);
    call_args = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
    if (call_args == NULL) {
        return NULL;
    }
    key = make_key(func, call_args, NULL);
    Py_DECREF(call_args);
    if (key == NULL) {
        return NULL;
    }
    /* A miss and an unhashable key both just mean "not cached". */
    result = PyDict_GetItem(cache, key);
    Py_DECREF(key);
    if (result == NULL) {
        result = dflt;
    }
    Py_INCREF(result);
    return result;
}


PyDoc_STRVAR(cache_info_doc,
"cache_info()\n"
"--\n"
"\n"
"Return a dict with the keys 'hits', 'misses', 'size' and 'maxsize'.");

static PyObject *
memocache_cache_info(PyObject *self, PyObject *unused)
{
    return Py_BuildValue("{s:n,s:n,s:n,s:n}",
                         "hits", hits,
                         "misses", misses,
                         "size", PyDict_GET_SIZE(cache),
                         "maxsize", maxsize);
}


PyDoc_STRVAR(clear_doc,
"clear()\n"
"--\n"
"\n"
"Forget every cached result and reset the statistics.");

static PyObject *
memocache_clear(PyObject *self, PyObject *unused)
{
    PyDict_Clear(cache);
    hits = 0;
    misses = 0;
    Py_RETURN_NONE;
}


PyDoc_STRVAR(set_maxsize_doc,
"set_maxsize(n)\n"
"--\n"
"\n"
"Limit the cache to n entries (0 disables caching, -1 means unbounded).\n"
"Return the previous limit.");

static PyObject *
memocache_set_maxsize(PyObject *self, PyObject *arg)
{
    Py_ssize_t n, previous;

    n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < -1) {
        PyErr_SetString(PyExc_ValueError, "maxsize must be >= -1");
        return NULL;
    }
    previous = maxsize;
    maxsize = n;
    if (n == 0) {
        PyDict_Clear(cache);
    }
    else if (evict_oldest() < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(previous);
}


static PyMethodDef memocache_methods[] = {
    {"memoize", (PyCFunction)(void(*)(void))memocache_memoize,
     METH_VARARGS | METH_KEYWORDS, memoize_doc},
    /* Old name, kept for compatibility with memocache 1.x. */
    {"cached_call", (PyCFunction)(void(*)(void))memocache_memoize,
     METH_VARARGS | METH_KEYWORDS, memoize_doc},
    {"peek", (PyCFunction)(void(*)(void))memocache_peek,
     METH_VARARGS | METH_KEYWORDS, peek_doc},
    {"cache_info", memocache_cache_info, METH_NOARGS, cache_info_doc},
    {"clear", memocache_clear, METH_NOARGS, clear_doc},
    {"set_maxsize", memocache_set_maxsize, METH_O, set_maxsize_doc},
    {NULL, NULL, 0, NULL}
};

PyDoc_STRVAR(module_doc,
"Memoise calls to Python callables in a process-wide cache.");

static struct PyModuleDef memocache_module = {
    PyModuleDef_HEAD_INIT,
    "memocache",
    module_doc,
    -1,
    memocache_methods,
    NULL,
    NULL,
    NULL,
    NULL
};


PyMODINIT_FUNC
PyInit_memocache(void)
{
    PyObject *m;

    if (cache == NULL) {
        cache = PyDict_New();
        if (cache == NULL) {
            return NULL;
        }
    }
    if (kwmark == NULL) {
        kwmark = PyUnicode_InternFromString("<memocache.kwmark>");
        if (kwmark == NULL) {
            return NULL;
        }
    }

    m = PyModule_Create(&memocache_module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "DEFAULT_MAXSIZE",
                                MEMOCACHE_DEFAULT_MAXSIZE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "__version__", "1.4.2") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
