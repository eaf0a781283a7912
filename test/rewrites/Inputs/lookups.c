/* Lookups written for the GIL in the shapes gilport-borrowed-ref now fixes:
   a lookup in a loop that reports errors through the error label, a
   fallback stored where the lookup found nothing, a found value replaced
   while held, a release of what the code only borrowed, and a lookup cast
   to an object type. Used by
   borrowed-shapes-run.test, which fixes, builds and runs it. */
#include <Python.h>

/* encode(codes, symbols): the list of codes[s] for each s of symbols. */
static PyObject *encode(PyObject *module, PyObject *args) {
  PyObject *codes, *symbols, *iter, *symbol, *value;
  PyObject *out;
  if (!PyArg_ParseTuple(args, "O!O:encode", &PyDict_Type, &codes, &symbols))
    return NULL;
  if ((out = PyList_New(0)) == NULL)
    return NULL;
  if ((iter = PyObject_GetIter(symbols)) == NULL) {
    Py_DECREF(out);
    return NULL;
  }
  while ((symbol = PyIter_Next(iter))) {
    value = PyDict_GetItem(codes, symbol);
    Py_DECREF(symbol);
    if (value == NULL) {
      PyErr_SetString(PyExc_ValueError, "symbol not defined");
      goto error;
    }
    if (PyList_Append(out, value) < 0)
      goto error;
  }
  Py_DECREF(iter);
  if (PyErr_Occurred()) {
    Py_DECREF(out);
    return NULL;
  }
  return out;

error:
  Py_DECREF(iter);
  Py_DECREF(out);
  return NULL;
}

/* get(d, key[, default]) */
static PyObject *get(PyObject *module, PyObject *args) {
  PyObject *r, *data, *key, *d = NULL;
  if (!PyArg_ParseTuple(args, "O!O|O:get", &PyDict_Type, &data, &key, &d))
    return NULL;
  r = PyDict_GetItem(data, key);
  if (!r) {
    if (d)
      r = d;
    else
      r = Py_None;
  }
  Py_INCREF(r);
  return r;
}

/* names(d, key): d[key], or None when it is false; the attribute
   '__slots__' of d's type when key is missing. */
static PyObject *names(PyObject *module, PyObject *args) {
  PyObject *data, *key, *found;
  if (!PyArg_ParseTuple(args, "O!O:names", &PyDict_Type, &data, &key))
    return NULL;
  found = PyDict_GetItem(data, key);
  if (found) {
    int n = PyObject_Not(found);
    if (n < 0)
      return NULL;
    if (n)
      found = Py_None;
    Py_INCREF(found);
    return found;
  }
  found = PyObject_GetAttrString((PyObject *)Py_TYPE(data), "__doc__");
  return found;
}

/* add_new(d, key, value): d[key] = value unless key is there already. */
static PyObject *add_new(PyObject *module, PyObject *args) {
  PyObject *data, *key, *value, *tmp;
  if (!PyArg_ParseTuple(args, "O!OO:add_new", &PyDict_Type, &data, &key,
                        &value))
    return NULL;
  tmp = PyObject_Repr(key);
  if (tmp == NULL)
    return NULL;
  Py_DECREF(tmp);
  tmp = PyDict_GetItem(data, key);
  if (tmp) {
    Py_DECREF(tmp);
    PyErr_SetString(PyExc_KeyError, "already there");
    return NULL;
  }
  if (PyDict_SetItem(data, key, value) < 0)
    return NULL;
  Py_RETURN_NONE;
}

/* size(d, key): the length of the list d[key], -1 when key is missing. */
static PyObject *size(PyObject *module, PyObject *args) {
  PyObject *data, *key;
  PyListObject *list;
  Py_ssize_t n = -1;
  if (!PyArg_ParseTuple(args, "O!O:size", &PyDict_Type, &data, &key))
    return NULL;
  list = (PyListObject *)PyDict_GetItem(data, key);
  if (list != NULL)
    n = Py_SIZE(list);
  return PyLong_FromSsize_t(n);
}

/* present(d, keys): the values of the keys that d has, as a tuple. The
   label runs on success and failure alike and leaves a recursion level. */
static PyObject *present(PyObject *module, PyObject *args) {
  PyObject *data, *keys, *out = NULL;
  int succeeded = 0;
  if (!PyArg_ParseTuple(args, "O!O!:present", &PyDict_Type, &data,
                        &PyTuple_Type, &keys))
    return NULL;
  if (Py_EnterRecursiveCall(" in present"))
    return NULL;
  PyObject *list = PyList_New(0);
  if (list == NULL)
    goto cleanup;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *value = PyDict_GetItem(data, PyTuple_GET_ITEM(keys, i));
    if (value != NULL) {
      if (PyList_Append(list, value) < 0)
        goto cleanup;
    }
  }
  out = PyList_AsTuple(list);
  succeeded = out != NULL;
cleanup:
  Py_LeaveRecursiveCall();
  if (!succeeded)
    Py_CLEAR(out);
  Py_XDECREF(list);
  return out;
}

static PyMethodDef methods[] = {
    {"present", present, METH_VARARGS, NULL},
    {"size", size, METH_VARARGS, NULL},
    {"encode", encode, METH_VARARGS, NULL},
    {"get", get, METH_VARARGS, NULL},
    {"names", names, METH_VARARGS, NULL},
    {"add_new", add_new, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lookups_module = {
    PyModuleDef_HEAD_INIT, "lookups", NULL, 0, methods,
};

PyMODINIT_FUNC PyInit_lookups(void) {
  PyObject *m = PyModuleDef_Init(&lookups_module);
  return m;
}
