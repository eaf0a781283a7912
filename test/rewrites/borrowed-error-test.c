// REQUIRES: python-ft
// PyDict_GetItemWithError reported errors as NULL with an exception, so its
// callers test PyErr_Occurred() where the result is NULL. When that test
// runs only for a NULL result, the fix moves its error path into
// `if (PyDict_GetItemRef(...) < 0)`, the shape of CPython's own ports, and
// drops the test. Shapes where moving would change what runs keep the test
// and the lookup as a statement (NOFIX has no note for them: they are fixed).
// The fixed file compiles against the 3.13t headers and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
#include <Python.h>

#include "Inputs/borrowed-header.h"

#define RETURN_IF_ERROR()                                                      \
  if (PyErr_Occurred())                                                        \
  return NULL

// Nested test, with a release of another variable in between: the release
// runs on the new error path too.
static PyObject *nested_with_release(PyObject *registry, PyObject *name) {
  PyObject *key = PyObject_Str(name);
  if (key == NULL)
    return NULL;
  PyObject *code = PyDict_GetItemWithError(registry, key);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  Py_DECREF(key);
  if (code == NULL) {
    if (PyErr_Occurred()) {
      goto error;
    }
    Py_RETURN_NONE;
  }
  PyObject *repr = PyObject_Repr(code);
  return repr;
error:
  return NULL;
}
// CHECK-FIXES:      PyObject *code;
// CHECK-FIXES-NEXT: if (PyDict_GetItemRef(registry, key, &code) < 0) {
// CHECK-FIXES-NEXT:   Py_DECREF(key);
// CHECK-FIXES-NEXT:   goto error;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES:      Py_DECREF(key);
// CHECK-FIXES-NEXT: if (code == NULL) {
// CHECK-FIXES-NEXT:   Py_RETURN_NONE;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-NEXT: PyObject *repr = PyObject_Repr(code);
// CHECK-FIXES-NEXT: Py_DECREF(code);
// CHECK-FIXES-NEXT: return repr;

// `else if (PyErr_Occurred())` after the found branch.
static int else_if_test(PyObject *cache, PyObject *fmt, PyObject **out) {
  PyObject *s_object;
  s_object = PyDict_GetItemWithError(cache, fmt);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (s_object != NULL) {
    Py_INCREF(s_object);
    *out = s_object;
    return 1;
  }
  else if (PyErr_Occurred()) {
    return -1;
  }
  *out = NULL;
  return 0;
}
// CHECK-FIXES:      static int else_if_test(PyObject *cache, PyObject *fmt, PyObject **out) {
// CHECK-FIXES-NEXT:   PyObject *s_object;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(cache, fmt, &s_object) < 0) {
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:        if (s_object != NULL) {
// CHECK-FIXES-NEXT:     *out = s_object;
// CHECK-FIXES-NEXT:     return 1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   *out = NULL;

// The found branch returns; the test follows it.
static PyObject *test_after_return(PyObject *ldict, PyObject *name) {
  PyObject *value = PyDict_GetItemWithError(ldict, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (value != NULL) {
    return Py_NewRef(value);
  }
  if (PyErr_Occurred()) {
    return NULL;
  }
  return PyObject_GetAttr(ldict, name);
}
// CHECK-FIXES:      static PyObject *test_after_return(PyObject *ldict, PyObject *name) {
// CHECK-FIXES-NEXT:   PyObject *value;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(ldict, name, &value) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:        if (value != NULL) {
// CHECK-FIXES-NEXT:     return value;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   return PyObject_GetAttr(ldict, name);

// One condition: NULL and an exception.
static int and_test(PyObject *d, PyObject *key) {
  PyObject *item = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (item == NULL && PyErr_Occurred())
    return -1;
  int found = item != NULL && PyLong_Check(item);
  return found;
}
// CHECK-FIXES:      static int and_test(PyObject *d, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *item;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(d, key, &item) < 0) {
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:        int found = item != NULL && PyLong_Check(item);
// CHECK-FIXES-NEXT:   Py_XDECREF(item);
// CHECK-FIXES-NEXT:   return found;

// `!v` and `PyErr_Occurred() != NULL`, in a 4-space file block.
static PyObject *negated(PyObject *d, PyObject *key) {
    PyObject *v = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
    if (!v) {
        if (PyErr_Occurred() != NULL)
            return NULL;
        return PyLong_FromLong(0);
    }
    PyObject *s = PyObject_Str(v);
    return s;
}
// CHECK-FIXES:      static PyObject *negated(PyObject *d, PyObject *key) {
// CHECK-FIXES-NEXT:     PyObject *v;
// CHECK-FIXES-NEXT:     if (PyDict_GetItemRef(d, key, &v) < 0) {
// CHECK-FIXES-NEXT:         return NULL;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:          if (!v) {
// CHECK-FIXES-NEXT:         return PyLong_FromLong(0);
// CHECK-FIXES-NEXT:     }

// Left as a test: the error path does not leave, and a release precedes it
// (moving it would run the release twice).
static int clears_after_release(PyObject *d, PyObject *name) {
  PyObject *key = PyObject_Str(name);
  if (key == NULL)
    return -1;
  PyObject *v = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  Py_DECREF(key);
  if (v == NULL) {
    if (PyErr_Occurred())
      PyErr_Clear();
    return 0;
  }
  int truth = PyObject_IsTrue(v);
  return truth;
}
// CHECK-FIXES:      static int clears_after_release(PyObject *d, PyObject *name) {
// CHECK-FIXES:        PyDict_GetItemRef(d, key, &v);
// CHECK-FIXES:        Py_DECREF(key);
// CHECK-FIXES-NEXT:   if (v == NULL) {
// CHECK-FIXES-NEXT:     if (PyErr_Occurred())
// CHECK-FIXES-NEXT:       PyErr_Clear();

// Left as a test: something that can raise runs between the lookup and it.
static PyObject *call_in_between(PyObject *d, PyObject *key) {
  PyObject *v = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  PyObject *r = PyObject_Repr(key);
  if (v == NULL) {
    if (PyErr_Occurred()) {
      Py_XDECREF(r);
      return NULL;
    }
    return r;
  }
  Py_XDECREF(r);
  PyObject *s = PyObject_Str(v);
  return s;
}
// CHECK-FIXES:      static PyObject *call_in_between(PyObject *d, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *v;
// CHECK-FIXES-NEXT:   PyDict_GetItemRef(d, key, &v);
// CHECK-FIXES:        PyObject *r = PyObject_Repr(key);
// CHECK-FIXES-NEXT:   if (v == NULL) {
// CHECK-FIXES-NEXT:     if (PyErr_Occurred()) {

// Left as a test: it is spelled by a macro.
static PyObject *macro_test(PyObject *d, PyObject *key) {
  PyObject *v = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (v == NULL) {
    RETURN_IF_ERROR();
    Py_RETURN_NONE;
  }
  PyObject *s = PyObject_Str(v);
  return s;
}
// CHECK-FIXES:      static PyObject *macro_test(PyObject *d, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *v;
// CHECK-FIXES-NEXT:   PyDict_GetItemRef(d, key, &v);
// CHECK-FIXES:        if (v == NULL) {
// CHECK-FIXES-NEXT:     RETURN_IF_ERROR();

static int header_user(PyObject *o) { return header_has_flag(o); }

// PyDict_SetDefault returned NULL only on error: `if (v == NULL) ERROR`
// moves into `if (PyDict_SetDefaultRef(...) < 0)`, and the increment that
// took the reference becomes the new one.
static PyObject *intern_key(PyObject *memo, PyObject *key) {
  PyObject *memokey;
  memokey = PyDict_SetDefault(memo, key, key);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyDict_SetDefault' {{.*}} [gilport-borrowed-ref]
  if (memokey == NULL) {
    goto bail;
  }
  Py_INCREF(memokey);
  return memokey;
bail:
  return NULL;
}
// CHECK-FIXES:      static PyObject *intern_key(PyObject *memo, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *memokey;
// CHECK-FIXES-NEXT:   if (PyDict_SetDefaultRef(memo, key, key, &memokey) < 0) {
// CHECK-FIXES-NEXT:     goto bail;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NOT:    Py_INCREF(memokey);
// CHECK-FIXES:        return memokey;

// Only tested against NULL, or dropped: a NULL out-parameter.
static int register_descr(PyObject *dict, PyObject *name, PyObject *descr) {
  if (PyDict_SetDefault(dict, name, descr) == NULL) {
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_SetDefault' {{.*}} [gilport-borrowed-ref]
    return -1;
  }
  PyDict_SetDefault(dict, descr, name);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyDict_SetDefault' {{.*}} [gilport-borrowed-ref]
  return NULL != PyDict_SetDefault(dict, name, name);
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'PyDict_SetDefault' {{.*}} [gilport-borrowed-ref]
}
// CHECK-FIXES:      static int register_descr(PyObject *dict, PyObject *name, PyObject *descr) {
// CHECK-FIXES-NEXT:   if (PyDict_SetDefaultRef(dict, name, descr, NULL) < 0) {
// CHECK-FIXES:        PyDict_SetDefaultRef(dict, descr, name, NULL);
// CHECK-FIXES:        return PyDict_SetDefaultRef(dict, name, name, NULL) >= 0;

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
