// RUN: %check_gilport %s gilport-global-state %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: cp %s %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-global-state --color=never | FileCheck %s --check-prefix=NOFIX
// A second check of the fixed file reports only what was left.
// RUN: %expect_exit 1 %gilport check %t.dir/publish-global.c --checks=-*,gilport-global-state --format=json | %python -c "import json,sys; f=json.load(sys.stdin)['findings']; print('left', sorted(x['message'].split(\"'\")[1] for x in f))" | FileCheck %s --check-prefix=AFTER
// AFTER: left ['from_arg', 'macro_made', 'made_twice', 'unfilled_read']

// File-scope objects made on first use, at one place or several, by a call
// that may run Python code. One accessor makes the value without a lock and
// publishes it under a PyMutex, the first value winning; every read while
// the module is in use calls it, and the fills go.
#include <Python.h>

#define MAKE_ONCE(v) if (v == NULL) v = PyImport_ImportModule("os");

/* A new reference to json.<name>, or NULL with an exception. */
static PyObject *json_attr(const char *name)
{
    PyObject *json, *result;

    json = PyImport_ImportModule("json");
    if (json == NULL)
        return NULL;
    result = PyObject_GetAttrString(json, name);
    Py_DECREF(json);
    return result;
}

static PyObject *decode_error;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'decode_error' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

/* Raises the error of \p code. */
static PyObject *raise_error(PyObject *module, PyObject *arg)
{
    switch (PyLong_AsLong(arg)) {
    case 1:
        if (!decode_error)
            decode_error = json_attr("JSONDecodeError");

        PyErr_SetString(decode_error, "bad input");
        break;
    case 2:
        if (decode_error == NULL) {
            decode_error = json_attr("JSONDecodeError");
        }
        PyErr_Format(decode_error, "bad %s", "token");
        break;
    default:
        PyErr_SetString(PyExc_ValueError, "unknown code");
    }
    return NULL;
}

/* Another function reads it after its own fill. */
static PyObject *error_type(PyObject *module, PyObject *unused)
{
    if (decode_error == NULL)
        decode_error = json_attr("JSONDecodeError");
    return Py_XNewRef(decode_error);
}
// CHECK-FIXES:      /* A new reference to json.<name>, or NULL with an exception. */
// CHECK-FIXES:      static PyMutex decode_error_lock;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: /* decode_error, made on first use. Threads that make it at once
// CHECK-FIXES-NEXT:    publish it under decode_error_lock, and the first value wins. */
// CHECK-FIXES-NEXT: static PyObject *
// CHECK-FIXES-NEXT: get_decode_error(void)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:     PyObject *value;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     PyMutex_Lock(&decode_error_lock);
// CHECK-FIXES-NEXT:     value = decode_error;
// CHECK-FIXES-NEXT:     PyMutex_Unlock(&decode_error_lock);
// CHECK-FIXES-NEXT:     if (value == NULL) {
// CHECK-FIXES-NEXT:         value = json_attr("JSONDecodeError");
// CHECK-FIXES-NEXT:         if (value == NULL)
// CHECK-FIXES-NEXT:             return NULL;
// CHECK-FIXES-NEXT:         PyMutex_Lock(&decode_error_lock);
// CHECK-FIXES-NEXT:         if (decode_error == NULL) {
// CHECK-FIXES-NEXT:             decode_error = value;
// CHECK-FIXES-NEXT:             value = NULL;
// CHECK-FIXES-NEXT:         }
// CHECK-FIXES-NEXT:         PyMutex_Unlock(&decode_error_lock);
// CHECK-FIXES-NEXT:         Py_XDECREF(value);
// CHECK-FIXES-NEXT:         value = decode_error;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     return value;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: /* Raises the error of \p code. */
// CHECK-FIXES:          case 1:
// CHECK-FIXES-NEXT:         PyErr_SetString(get_decode_error(), "bad input");
// CHECK-FIXES-NEXT:         break;
// CHECK-FIXES-NEXT:     case 2:
// CHECK-FIXES-NEXT:         PyErr_Format(get_decode_error(), "bad %s", "token");
// CHECK-FIXES:      static PyObject *error_type(PyObject *module, PyObject *unused)
// CHECK-FIXES-NEXT: {
// CHECK-FIXES-NEXT:     return Py_XNewRef(get_decode_error());
// CHECK-FIXES-NEXT: }

/* Read where no fill before it made it: the accessor would change when the
   value is made. */
static PyObject *unfilled_read;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'unfilled_read' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

static PyObject *peek(PyObject *module, PyObject *unused)
{
    if (unfilled_read != NULL)
        return Py_NewRef(unfilled_read);
    Py_RETURN_NONE;
}

static PyObject *fill(PyObject *module, PyObject *unused)
{
    if (unfilled_read == NULL)
        unfilled_read = PyImport_ImportModule("os");
    return Py_XNewRef(unfilled_read);
}
// NOFIX: warning: global Python object pointer 'unfilled_read'
// NOFIX: note: no automatic fix: {{.*}}: it is read where no fill before it in the same block made it

/* Made two ways. */
static PyObject *made_twice;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'made_twice' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

static PyObject *twice(PyObject *module, PyObject *arg)
{
    if (arg == Py_None) {
        if (made_twice == NULL)
            made_twice = PyImport_ImportModule("os");
        return Py_XNewRef(made_twice);
    }
    if (made_twice == NULL)
        made_twice = PyImport_ImportModule("sys");
    return Py_XNewRef(made_twice);
}
// NOFIX: warning: global Python object pointer 'made_twice'
// NOFIX: note: no automatic fix: {{.*}}: its fills do not all make the value the same way

/* Made from an argument: the accessor has none. */
static PyObject *from_arg;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'from_arg' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

static PyObject *remember(PyObject *module, PyObject *arg)
{
    if (from_arg == NULL)
        from_arg = PyObject_Repr(arg);
    return Py_XNewRef(from_arg);
}
// NOFIX: warning: global Python object pointer 'from_arg'
// NOFIX: note: no automatic fix: {{.*}}: its value is made from a local or from its old value

/* Filled in a macro: diagnosed, not edited. */
static PyObject *macro_made;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'macro_made' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

static PyObject *macro_fill(PyObject *module, PyObject *unused)
{
    MAKE_ONCE(macro_made)
    return Py_XNewRef(macro_made);
}
// NOFIX: warning: global Python object pointer 'macro_made'
// NOFIX: note: no automatic fix: {{.*}}: a fill is spelled in a macro

static PyMethodDef publish_methods[] = {
    {"raise_error", raise_error, METH_O, NULL},
    {"error_type", error_type, METH_NOARGS, NULL},
    {"peek", peek, METH_NOARGS, NULL},
    {"fill", fill, METH_NOARGS, NULL},
    {"twice", twice, METH_O, NULL},
    {"remember", remember, METH_O, NULL},
    {"macro_fill", macro_fill, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef publish_module = {
    PyModuleDef_HEAD_INIT, "publish_global", NULL, -1, publish_methods,
};

PyMODINIT_FUNC PyInit_publish_global(void)
{
    /* Module init may set it in any way: the import lock orders it. */
    decode_error = NULL;
    return PyModule_Create(&publish_module);
}
