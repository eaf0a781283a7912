/*
 * treeenc: a compact encoder for trees of Python objects.
 *
 * Encodes nested lists, tuples and dicts of str, int, float, bool and None
 * into a compact JSON-like text:
 *
 *     >>> treeenc.encode({"a": [1, 2.5, None], "b": (True, "x\n")})
 *     '{"a":[1,2.5,null],"b":[true,"x\\n"]}'
 *
 * Options are passed as a dict:
 *
 *     sort_keys          emit dict entries sorted by key (default False)
 *     allow_nan          encode nan/inf as NaN/Infinity (default True)
 *     separators         (item_sep, key_sep), default (",", ":")
 *     default            callable used for unsupported objects
 *     max_depth          maximum nesting depth (default 64)
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#include "treeenc.h"

/* Interned strings used for every encoding, created once. */
static PyObject *s_null, *s_true, *s_false;
static PyObject *s_nan, *s_inf, *s_neg_inf;
static PyObject *s_lbracket, *s_rbracket, *s_lbrace, *s_rbrace;
static PyObject *s_comma, *s_colon, *s_empty;

static struct {
    PyObject **slot;
    const char *text;
} interned_strings[] = {
    {&s_null, "null"},
    {&s_true, "true"},
    {&s_false, "false"},
    {&s_nan, "NaN"},
    {&s_inf, "Infinity"},
    {&s_neg_inf, "-Infinity"},
    {&s_lbracket, "["},
    {&s_rbracket, "]"},
    {&s_lbrace, "{"},
    {&s_rbrace, "}"},
    {&s_comma, ","},
    {&s_colon, ":"},
    {&s_empty, ""},
    {NULL, NULL}
};

static int encode_obj(TreeEncoder *enc, PyObject *obj);


static int
encode_float(TreeEncoder *enc, PyObject *obj)
{
    double d = PyFloat_AS_DOUBLE(obj);

    if (!isfinite(d)) {
        if (!enc->allow_nan) {
            PyErr_Format(PyExc_ValueError,
                         "out of range float value %R is not allowed", obj);
            return -1;
        }
        if (isnan(d)) {
            return treeenc_append(enc, s_nan);
        }
        return treeenc_append(enc, d > 0 ? s_inf : s_neg_inf);
    }
    /* float.__repr__ gives the shortest text that round-trips. */
    return treeenc_append_new(enc, PyFloat_Type.tp_repr(obj));
}


/* Encode a list, reading the items in place. */
static int
encode_list(TreeEncoder *enc, PyObject *list)
{
    Py_ssize_t i;

    if (treeenc_append(enc, s_lbracket) < 0) {
        return -1;
    }
    for (i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        if (i > 0 && treeenc_append(enc, enc->item_sep) < 0) {
            return -1;
        }
        if (encode_obj(enc, item) < 0) {
            return -1;
        }
    }
    return treeenc_append(enc, s_rbracket);
}


/* Encode a tuple or a list subclass through the fast sequence API. */
static int
encode_sequence(TreeEncoder *enc, PyObject *seq)
{
    PyObject *fast, **items;
    Py_ssize_t i, n;

    fast = PySequence_Fast(seq, "expected a sequence");
    if (fast == NULL) {
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(fast);
    items = PySequence_Fast_ITEMS(fast);
    if (treeenc_append(enc, s_lbracket) < 0) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        if (i > 0 && treeenc_append(enc, enc->item_sep) < 0) {
            goto error;
        }
        if (encode_obj(enc, items[i]) < 0) {
            goto error;
        }
    }
    Py_DECREF(fast);
    return treeenc_append(enc, s_rbracket);

error:
    Py_DECREF(fast);
    return -1;
}


static int
encode_entry(TreeEncoder *enc, PyObject *key, PyObject *value, int first)
{
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "keys must be str, not %.100s",
                     Py_TYPE(key)->tp_name);
        return -1;
    }
    if (!first && treeenc_append(enc, enc->item_sep) < 0) {
        return -1;
    }
    if (treeenc_append_new(enc, treeenc_quote(key)) < 0
        || treeenc_append(enc, enc->key_sep) < 0) {
        return -1;
    }
    return encode_obj(enc, value);
}


static int
encode_dict(TreeEncoder *enc, PyObject *dict)
{
    PyObject *key, *value;
    Py_ssize_t i = 0;

    if (treeenc_append(enc, s_lbrace) < 0) {
        return -1;
    }
    if (enc->sort_keys) {
        PyObject *keys = PyDict_Keys(dict);
        if (keys == NULL) {
            return -1;
        }
        if (PyList_Sort(keys) < 0) {
            Py_DECREF(keys);
            return -1;
        }
        for (i = 0; i < PyList_GET_SIZE(keys); i++) {
            key = PyList_GetItem(keys, i);
            value = PyDict_GetItemWithError(dict, key);
            if (value == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_RuntimeError,
                                    "dictionary changed size during "
                                    "encoding");
                }
                Py_DECREF(keys);
                return -1;
            }
            if (encode_entry(enc, key, value, i == 0) < 0) {
                Py_DECREF(keys);
                return -1;
            }
        }
        Py_DECREF(keys);
    }
    else {
        Py_ssize_t pos = 0;
        while (PyDict_Next(dict, &pos, &key, &value)) {
            if (encode_entry(enc, key, value, i++ == 0) < 0) {
                return -1;
            }
        }
    }
    return treeenc_append(enc, s_rbrace);
}


static int
encode_obj(TreeEncoder *enc, PyObject *obj)
{
    int rc;

    if (obj == Py_None) {
        return treeenc_append(enc, s_null);
    }
    if (obj == Py_True) {
        return treeenc_append(enc, s_true);
    }
    if (obj == Py_False) {
        return treeenc_append(enc, s_false);
    }
    if (PyUnicode_Check(obj)) {
        return treeenc_append_new(enc, treeenc_quote(obj));
    }
    if (PyLong_Check(obj)) {
        /* Not str(): int subclasses such as IntEnum override it. */
        return treeenc_append_new(enc, PyLong_Type.tp_repr(obj));
    }
    if (PyFloat_Check(obj)) {
        return encode_float(enc, obj);
    }

    /* Containers and default() results nest. */
    if (enc->depth >= enc->max_depth) {
        PyErr_Format(PyExc_ValueError,
                     "maximum nesting depth (%d) exceeded", enc->max_depth);
        return -1;
    }
    if (Py_EnterRecursiveCall(" while encoding a tree")) {
        return -1;
    }
    enc->depth++;
    if (PyList_CheckExact(obj)) {
        rc = encode_list(enc, obj);
    }
    else if (PyList_Check(obj) || PyTuple_Check(obj)) {
        rc = encode_sequence(enc, obj);
    }
    else if (PyDict_Check(obj)) {
        rc = encode_dict(enc, obj);
    }
    else if (enc->default_fn != NULL) {
        PyObject *replacement = PyObject_CallOneArg(enc->default_fn, obj);
        if (replacement == NULL) {
            rc = -1;
        }
        else {
            rc = encode_obj(enc, replacement);
            Py_DECREF(replacement);
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "object of type %.100s is not encodable",
                     Py_TYPE(obj)->tp_name);
        rc = -1;
    }
    enc->depth--;
    Py_LeaveRecursiveCall();
    return rc;
}


/* Read the separators option: a tuple or list of two str. */
static int
parse_separators(TreeEncoder *enc, PyObject *seps)
{
    PyObject *item_sep, *key_sep;

    if (PyTuple_Check(seps) && PyTuple_GET_SIZE(seps) == 2) {
        item_sep = PyTuple_GET_ITEM(seps, 0);
        key_sep = PyTuple_GET_ITEM(seps, 1);
    }
    else if (PyList_Check(seps) && PyList_GET_SIZE(seps) == 2) {
        item_sep = PyList_GetItem(seps, 0);
        key_sep = PyList_GetItem(seps, 1);
    }
    else {
        PyErr_SetString(PyExc_TypeError,
                        "separators must be a pair (item_sep, key_sep)");
        return -1;
    }
    if (!PyUnicode_Check(item_sep) || !PyUnicode_Check(key_sep)) {
        PyErr_SetString(PyExc_TypeError, "separators must be str");
        return -1;
    }
    enc->item_sep = item_sep;
    enc->key_sep = key_sep;
    return 0;
}


static int
encoder_init(TreeEncoder *enc, PyObject *options)
{
    PyObject *value;

    enc->pieces = NULL;
    enc->item_sep = s_comma;
    enc->key_sep = s_colon;
    enc->default_fn = NULL;
    enc->max_depth = TREEENC_DEFAULT_MAX_DEPTH;
    enc->depth = 0;

    if (options != NULL && options != Py_None && !PyDict_Check(options)) {
        PyErr_Format(PyExc_TypeError,
                     "options must be a dict or None, not %.100s",
                     Py_TYPE(options)->tp_name);
        return -1;
    }
    if (options != NULL && options != Py_None) {
        value = PyDict_GetItemString(options, "separators");
        if (value != NULL && parse_separators(enc, value) < 0) {
            return -1;
        }
        value = PyDict_GetItemString(options, "default");
        if (value != NULL && value != Py_None) {
            if (!PyCallable_Check(value)) {
                PyErr_SetString(PyExc_TypeError,
                                "the default option must be callable");
                return -1;
            }
            enc->default_fn = value;
        }
        value = PyDict_GetItemString(options, "max_depth");
        if (value != NULL) {
            long depth = PyLong_AsLong(value);
            if (depth == -1 && PyErr_Occurred()) {
                return -1;
            }
            if (depth < 0 || depth > 10000) {
                PyErr_SetString(PyExc_ValueError,
                                "max_depth must be between 0 and 10000");
                return -1;
            }
            enc->max_depth = (int)depth;
        }
    }

    enc->sort_keys = treeenc_option_flag(options, "sort_keys", 0);
    if (enc->sort_keys < 0) {
        return -1;
    }
    enc->allow_nan = treeenc_option_flag(options, "allow_nan", 1);
    if (enc->allow_nan < 0) {
        return -1;
    }

    enc->pieces = PyList_New(0);
    return enc->pieces == NULL ? -1 : 0;
}


/* Encode obj with the given options; return a new str. */
static PyObject *
encode_to_str(PyObject *obj, PyObject *options)
{
    TreeEncoder enc;
    PyObject *result;

    if (encoder_init(&enc, options) < 0) {
        return NULL;
    }
    if (encode_obj(&enc, obj) < 0) {
        Py_DECREF(enc.pieces);
        return NULL;
    }
    result = PyUnicode_Join(s_empty, enc.pieces);
    Py_DECREF(enc.pieces);
    return result;
}


PyDoc_STRVAR(encode_doc,
"encode(obj, options=None)\n"
"--\n"
"\n"
"Return the compact text encoding of obj as a str.");

static PyObject *
treeenc_encode(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"obj", "options", NULL};
    PyObject *obj, *options = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:encode", kwlist,
                                     &obj, &options)) {
        return NULL;
    }
    return encode_to_str(obj, options);
}


PyDoc_STRVAR(encode_bytes_doc,
"encode_bytes(obj, options=None)\n"
"--\n"
"\n"
"Return the compact encoding of obj as UTF-8 bytes.");

static PyObject *
treeenc_encode_bytes(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"obj", "options", NULL};
    PyObject *obj, *options = NULL, *text, *result;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:encode_bytes",
                                     kwlist, &obj, &options)) {
        return NULL;
    }
    text = encode_to_str(obj, options);
    if (text == NULL) {
        return NULL;
    }
    result = PyUnicode_AsUTF8String(text);
    Py_DECREF(text);
    return result;
}


static PyMethodDef treeenc_methods[] = {
    {"encode", (PyCFunction)(void(*)(void))treeenc_encode,
     METH_VARARGS | METH_KEYWORDS, encode_doc},
    {"encode_bytes", (PyCFunction)(void(*)(void))treeenc_encode_bytes,
     METH_VARARGS | METH_KEYWORDS, encode_bytes_doc},
    {NULL, NULL, 0, NULL}
};


static int
treeenc_exec(PyObject *module)
{
    int i;

    for (i = 0; interned_strings[i].slot != NULL; i++) {
        if (*interned_strings[i].slot == NULL) {
            PyObject *s = PyUnicode_InternFromString(interned_strings[i].text);
            if (s == NULL) {
                return -1;
            }
            *interned_strings[i].slot = s;
        }
    }
    if (PyModule_AddIntConstant(module, "DEFAULT_MAX_DEPTH",
                                TREEENC_DEFAULT_MAX_DEPTH) < 0) {
        return -1;
    }
    if (PyModule_AddStringConstant(module, "__version__", "0.9.1") < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot treeenc_slots[] = {
    {Py_mod_exec, treeenc_exec},
    {0, NULL}
};

PyDoc_STRVAR(module_doc,
"Compact JSON-like encoder for trees of lists, tuples, dicts, str, int,\n"
"float, bool and None.");

static struct PyModuleDef treeenc_module = {
    PyModuleDef_HEAD_INIT,
    "treeenc",
    module_doc,
    0,
    treeenc_methods,
    treeenc_slots,
    NULL,
    NULL,
    NULL
};


PyMODINIT_FUNC
PyInit_treeenc(void)
{
    return PyModuleDef_Init(&treeenc_module);
}
