/*
 * weakreg: a process-wide registry of objects held by weak reference.
 *
 *     >>> import weakreg
 *     >>> weakreg.register("config", cfg)
 *     >>> weakreg.lookup("config") is cfg
 *     True
 *     >>> del cfg
 *     >>> weakreg.lookup("config", "gone")
 *     'gone'
 *
 * The registry never keeps an object alive: it stores weakref.ref objects
 * and hands out the referent while it exists.  Dead entries are dropped
 * lazily by lookup() or explicitly by purge().
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* {key: weakref.ref}.  Created in PyInit_weakreg. */
static PyObject *registry = NULL;


PyDoc_STRVAR(register_doc,
"register(key, obj, callback=None)\n"
"--\n"
"\n"
"Remember obj under key without keeping it alive.  An existing entry\n"
"for key is replaced.  callback, if given, is called with the weak\n"
"reference when obj dies (see weakref.ref).");

static PyObject *
weakreg_register(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"key", "obj", "callback", NULL};
    PyObject *key, *obj, *callback = NULL, *ref;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:register", kwlist,
                                     &key, &obj, &callback)) {
        return NULL;
    }
    if (callback == Py_None) {
        callback = NULL;
    }
    if (callback != NULL && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    ref = PyWeakref_NewRef(obj, callback);
    if (ref == NULL) {
        return NULL;
    }
    rc = PyDict_SetItem(registry, key, ref);
    Py_DECREF(ref);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}


PyDoc_STRVAR(lookup_doc,
"lookup(key, default=None)\n"
"--\n"
"\n"
"Return the object registered under key, or default when there is no\n"
"entry or the object has been garbage collected.");

static PyObject *
weakreg_lookup(PyObject *module, PyObject *args)
{
    PyObject *key, *dflt = Py_None, *ref, *obj;

    if (!PyArg_ParseTuple(args, "O|O:lookup", &key, &dflt)) {
        return NULL;
    }
    ref = PyDict_GetItemWithError(registry, key);
    if (ref == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_INCREF(dflt);
        return dflt;
    }
    obj = PyWeakref_GetObject(ref);
    if (obj == NULL) {
        return NULL;
    }
    if (obj == Py_None) {
        /* The object died: drop the stale entry. */
        if (PyDict_DelItem(registry, key) < 0) {
            return NULL;
        }
        Py_INCREF(dflt);
        return dflt;
    }
    Py_INCREF(obj);
    return obj;
}


PyDoc_STRVAR(unregister_doc,
"unregister(key)\n"
"--\n"
"\n"
"Forget the entry for key.  Return True if there was one.");

static PyObject *
weakreg_unregister(PyObject *module, PyObject *key)
{
    int found = PyDict_Contains(registry, key);

    if (found < 0) {
        return NULL;
    }
    if (found && PyDict_DelItem(registry, key) < 0) {
        return NULL;
    }
    return PyBool_FromLong(found);
}


PyDoc_STRVAR(live_count_doc,
"live_count()\n"
"--\n"
"\n"
"Return the number of registered objects that are still alive.");

static PyObject *
weakreg_live_count(PyObject *module, PyObject *unused)
{
    PyObject *key, *ref;
    Py_ssize_t pos = 0, count = 0;

    while (PyDict_Next(registry, &pos, &key, &ref)) {
        if (PyWeakref_GET_OBJECT(ref) != Py_None) {
            count++;
        }
    }
    return PyLong_FromSsize_t(count);
}


PyDoc_STRVAR(snapshot_doc,
"snapshot()\n"
"--\n"
"\n"
"Return a new dict {key: obj} of the objects that are still alive.  The\n"
"dict holds strong references.");

static PyObject *
weakreg_snapshot(PyObject *module, PyObject *unused)
{
    PyObject *result, *key, *ref;
    Py_ssize_t pos = 0;

    result = PyDict_New();
    if (result == NULL) {
        return NULL;
    }
    while (PyDict_Next(registry, &pos, &key, &ref)) {
        PyObject *obj = PyWeakref_GetObject(ref);
        if (obj == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        if (obj != Py_None && PyDict_SetItem(result, key, obj) < 0) {
            Py_DECREF(result);
            return NULL;
        }
    }
    return result;
}


PyDoc_STRVAR(purge_doc,
"purge()\n"
"--\n"
"\n"
"Drop the entries whose object has died.  Return how many were dropped.");

static PyObject *
weakreg_purge(PyObject *module, PyObject *unused)
{
    PyObject *dead, *key, *ref;
    Py_ssize_t pos = 0, i, n;

    /* Collect first: the dict must not change while PyDict_Next runs. */
    dead = PyList_New(0);
    if (dead == NULL) {
        return NULL;
    }
    while (PyDict_Next(registry, &pos, &key, &ref)) {
        if (PyWeakref_GetObject(ref) == Py_None
            && PyList_Append(dead, key) < 0) {
            Py_DECREF(dead);
            return NULL;
        }
    }
    n = PyList_GET_SIZE(dead);
    for (i = 0; i < n; i++) {
        if (PyDict_DelItem(registry, PyList_GET_ITEM(dead, i)) < 0) {
            Py_DECREF(dead);
            return NULL;
        }
    }
    Py_DECREF(dead);
    return PyLong_FromSsize_t(n);
}


PyDoc_STRVAR(register_main_doc,
"register_main(name, key=None)\n"
"--\n"
"\n"
"Register the global called name of the __main__ module (the running\n"
"script or the interactive session) under key, or under name when key\n"
"is None.  Handy for quick debugging hooks from the REPL.");

static PyObject *
weakreg_register_main(PyObject *module, PyObject *args)
{
    PyObject *main_module, *main_dict, *obj, *ref;
    PyObject *key = Py_None;
    const char *name;
    int rc;

    if (!PyArg_ParseTuple(args, "s|O:register_main", &name, &key)) {
        return NULL;
    }
    main_module = PyImport_AddModule("__main__");
    if (main_module == NULL) {
        return NULL;
    }
    main_dict = PyModule_GetDict(main_module);
    obj = PyDict_GetItemString(main_dict, name);
    if (obj == NULL) {
        PyErr_Format(PyExc_NameError,
                     "name '%s' is not defined in __main__", name);
        return NULL;
    }
    ref = PyWeakref_NewRef(obj, NULL);
    if (ref == NULL) {
        return NULL;
    }
    if (key == Py_None) {
        PyObject *name_obj = PyUnicode_FromString(name);
        if (name_obj == NULL) {
            Py_DECREF(ref);
            return NULL;
        }
        rc = PyDict_SetItem(registry, name_obj, ref);
        Py_DECREF(name_obj);
    }
    else {
        rc = PyDict_SetItem(registry, key, ref);
    }
    Py_DECREF(ref);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}


PyDoc_STRVAR(clear_doc,
"clear()\n"
"--\n"
"\n"
"Forget every entry.");

static PyObject *
weakreg_clear(PyObject *module, PyObject *unused)
{
    PyDict_Clear(registry);
    Py_RETURN_NONE;
}


static PyMethodDef weakreg_methods[] = {
    {"register", (PyCFunction)(void(*)(void))weakreg_register,
     METH_VARARGS | METH_KEYWORDS, register_doc},
    {"lookup", weakreg_lookup, METH_VARARGS, lookup_doc},
    {"unregister", weakreg_unregister, METH_O, unregister_doc},
    {"live_count", weakreg_live_count, METH_NOARGS, live_count_doc},
    {"snapshot", weakreg_snapshot, METH_NOARGS, snapshot_doc},
    {"purge", weakreg_purge, METH_NOARGS, purge_doc},
    {"register_main", weakreg_register_main, METH_VARARGS,
     register_main_doc},
    {"clear", weakreg_clear, METH_NOARGS, clear_doc},
    {NULL, NULL, 0, NULL}
};

PyDoc_STRVAR(module_doc,
"A process-wide registry of objects held by weak reference.");

static struct PyModuleDef weakreg_module = {
    PyModuleDef_HEAD_INIT,
    "weakreg",
    module_doc,
    -1,
    weakreg_methods,
    NULL,
    NULL,
    NULL,
    NULL
};


PyMODINIT_FUNC
PyInit_weakreg(void)
{
    PyObject *m;

    if (registry == NULL) {
        registry = PyDict_New();
        if (registry == NULL) {
            return NULL;
        }
    }
    m = PyModule_Create(&weakreg_module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "__version__", "2.0.3") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
