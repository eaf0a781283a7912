/*
 * treeenc.h: encoder state and small helpers shared by the treeenc module.
 */

#ifndef TREEENC_H
#define TREEENC_H

#include <Python.h>

#define TREEENC_DEFAULT_MAX_DEPTH 64

typedef struct {
    PyObject *pieces;       /* list of str fragments, joined at the end */
    PyObject *item_sep;     /* between items, default "," */
    PyObject *key_sep;      /* between a key and its value, default ":" */
    PyObject *default_fn;   /* called for unsupported objects, or NULL */
    int sort_keys;
    int allow_nan;
    int max_depth;
    int depth;
} TreeEncoder;


/*
 * Return the option `name` from the options dict as a C boolean, or `dflt`
 * when it is absent or when there is no options dict.  Return -1 with an
 * exception set if the value has no truth value.
 */
static inline int
treeenc_option_flag(PyObject *options, const char *name, int dflt)
{
    PyObject *value;

    if (options == NULL || options == Py_None) {
        return dflt;
    }
    value = PyDict_GetItemString(options, name);
    if (value == NULL) {
        return dflt;
    }
    return PyObject_IsTrue(value);
}


/* Append one fragment of output; the fragment is not stolen. */
static inline int
treeenc_append(TreeEncoder *enc, PyObject *piece)
{
    return PyList_Append(enc->pieces, piece);
}


/* Append one fragment and release it (the usual case for new strings). */
static inline int
treeenc_append_new(TreeEncoder *enc, PyObject *piece)
{
    int rc;

    if (piece == NULL) {
        return -1;
    }
    rc = PyList_Append(enc->pieces, piece);
    Py_DECREF(piece);
    return rc;
}


/* The two-character escape for c ('n' for a newline), or 0 if none. */
static inline Py_UCS4
treeenc_short_escape(Py_UCS4 c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\b': return 'b';
    case '\f': return 'f';
    default: return 0;
    }
}


/* Return a new reference to s quoted, with '"', '\\' and control
   characters escaped. */
static inline PyObject *
treeenc_quote(PyObject *s)
{
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t i, j, len, outlen;
    int kind, outkind;
    const void *data;
    void *outdata;
    PyObject *out;

    len = PyUnicode_GET_LENGTH(s);
    kind = PyUnicode_KIND(s);
    data = PyUnicode_DATA(s);
    outlen = len + 2;
    for (i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (treeenc_short_escape(c)) {
            outlen += 1;
        }
        else if (c < 0x20) {
            outlen += 5;
        }
    }

    out = PyUnicode_New(outlen, PyUnicode_MAX_CHAR_VALUE(s));
    if (out == NULL) {
        return NULL;
    }
    outkind = PyUnicode_KIND(out);
    outdata = PyUnicode_DATA(out);
    j = 0;
    PyUnicode_WRITE(outkind, outdata, j++, '"');
    for (i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_UCS4 esc = treeenc_short_escape(c);
        if (esc) {
            PyUnicode_WRITE(outkind, outdata, j++, '\\');
            PyUnicode_WRITE(outkind, outdata, j++, esc);
        }
        else if (c < 0x20) {
            PyUnicode_WRITE(outkind, outdata, j++, '\\');
            PyUnicode_WRITE(outkind, outdata, j++, 'u');
            PyUnicode_WRITE(outkind, outdata, j++, '0');
            PyUnicode_WRITE(outkind, outdata, j++, '0');
            PyUnicode_WRITE(outkind, outdata, j++, hex[(c >> 4) & 0xf]);
            PyUnicode_WRITE(outkind, outdata, j++, hex[c & 0xf]);
        }
        else {
            PyUnicode_WRITE(outkind, outdata, j++, c);
        }
    }
    PyUnicode_WRITE(outkind, outdata, j++, '"');
    assert(j == outlen);
    return out;
}

#endif /* TREEENC_H */
