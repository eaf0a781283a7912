// REQUIRES: python-ft
// Borrowed -> strong rewrites that own their reference: increments dropped,
// releases on every exit of the live range (return, goto, break, continue,
// end of block), errors of PyDict_GetItem reported, the dead referent of a
// weak reference kept as Py_None. Shapes that are left alone say why (NOFIX).
// The fixed file compiles against the 3.13t headers and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#include "Inputs/borrowed-header.h"

typedef struct {
  PyObject_HEAD
  PyObject *cache;
  PyObject *last;
} Memo;

#define LOOKUP(d, k) PyDict_GetItemWithError(d, k)

// An increment after the lookup: the increment goes, the return transfers.
static PyObject *incref_then_return(Memo *self, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(self->cache, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (value != NULL) {
    Py_INCREF(value);
    return value;
  }
  if (PyErr_Occurred())
    return NULL;
  Py_RETURN_NONE;
}

// Used, then abandoned: released after the last use.
static int used_then_abandoned(Memo *self, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(self->cache, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (value == NULL)
    return PyErr_Occurred() ? -1 : 0;
  int truth = PyObject_IsTrue(value);
  if (truth < 0)
    return -1;
  long n = PyObject_Length(value);
  return truth + (int)n;
}

// A goto to the cleanup label leaves the live range.
static PyObject *goto_cleanup(Memo *self, PyObject *key) {
  PyObject *result = NULL;
  PyObject *value;
  value = PyDict_GetItemWithError(self->cache, key);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (value == NULL)
    goto error;
  result = PyObject_Repr(value);
  if (result == NULL)
    goto error;
  return result;
error:
  return NULL;
}

// break and continue out of a loop body.
static Py_ssize_t loop_exits(Memo *self, PyObject *keys) {
  Py_ssize_t i, found = 0;
  for (i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    PyObject *value = PyDict_GetItemWithError(self->cache, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
    if (value == NULL)
      break;
    if (value == Py_None)
      continue;
    if (PyObject_IsTrue(value) > 0)
      break;
    found++;
  }
  return found;
}

// PyDict_GetItem swallowed errors: the fix reports them.
static PyObject *swallowing(Memo *self, PyObject *key, PyObject *dflt) {
  PyObject *copy = PyObject_Str(key);
  if (copy == NULL)
    return NULL;
  PyObject *value = PyDict_GetItem(self->cache, copy);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  Py_DECREF(copy);
  if (value == NULL) {
    value = dflt;
  }
  Py_INCREF(value);
  return value;
}

static int swallowing_string(PyObject *options) {
  if (!PyDict_Check(options))
    return -1;
  PyObject *flag = PyDict_GetItemString(options, "flag");
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItemString' {{.*}} [gilport-borrowed-ref]
  if (flag == NULL)
    return 0;
  return PyObject_IsTrue(flag);
}
// A returned number goes through a result variable, then the release
// (CHECK-FIXES below).

// The dead referent keeps meaning Py_None.
static PyObject *weak_referent(PyObject *ref) {
  PyObject *obj = PyWeakref_GetObject(ref);
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'PyWeakref_GetObject' {{.*}} [gilport-borrowed-ref]
  if (obj == NULL)
    return NULL;
  int alive = obj != Py_None;
  return PyBool_FromLong(alive);
}

static PyObject *main_dict(void) {
  PyObject *main_module = PyImport_AddModule("__main__");
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'PyImport_AddModule' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: 'dict' points into 'main_module' and is used in the returned expression
  if (main_module == NULL)
    return NULL;
  PyObject *dict = PyModule_GetDict(main_module);
  return PyDict_Copy(dict);
}

static int add_module(void) {
  PyObject *m = PyImport_AddModule("gilport_test");
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyImport_AddModule' {{.*}} [gilport-borrowed-ref]
  if (m == NULL)
    return -1;
  int rc = PyObject_SetAttrString(m, "x", Py_None);
  return rc;
}

// Left alone.

static void stored_in_struct(Memo *self, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(self->cache, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: 'value' is stored in a struct, a global or another variable
  self->last = value;
}

static int stolen(PyObject *list, PyObject *d, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: 'value' is passed to 'PyList_SET_ITEM', which steals a reference
  if (value == NULL)
    return -1;
  PyList_SET_ITEM(list, 0, value);
  return 0;
}

static PyObject *returns_borrowed(PyObject *d, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the function returns 'value', which it only borrowed: its callers expect a borrowed reference
  return value;
}

static PyObject *through_macro(PyObject *d, PyObject *key) {
  PyObject *value = LOOKUP(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the call is spelled through a macro
  return PyObject_Repr(value);
}

static PyObject *holds_other(PyObject *d, PyObject *key) {
  PyObject *name = PyObject_Str(key);
  if (name == NULL)
    return NULL;
  PyObject *value = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the lookup used to swallow errors, and on the new error path the function may still hold 'name'
  PyObject *result = PyTuple_Pack(2, name, value ? value : Py_None);
  Py_DECREF(name);
  return result;
}

static PyObject *returned_expression(PyObject *d, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(d, key);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (value == NULL)
    return NULL;
  return PyObject_Repr(value);
}

static PyObject *in_expression(PyObject *d, PyObject *key) {
  return PyObject_Repr(PyDict_GetItemWithError(d, key));
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: note: no automatic fix: the result is not stored in a local variable by a statement of its own
}

static int header_user(PyObject *o) { return header_has_flag(o); }

// The fixed file, in order.
// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static PyObject *incref_then_return(Memo *self, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *value;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(self->cache, key, &value) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NOT: PyObject *value = PyDict_GetItemWithError(self->cache, key);
// CHECK-FIXES:   if (value != NULL) {
// CHECK-FIXES-NOT: Py_INCREF(value);
// CHECK-FIXES:     return value;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_RETURN_NONE;
// CHECK-FIXES: static int used_then_abandoned(Memo *self, PyObject *key) {
// CHECK-FIXES:   PyObject *value;
// CHECK-FIXES:   PyDict_GetItemRef(self->cache, key, &value);
// CHECK-FIXES-NOT: PyObject *value = PyDict_GetItemWithError(self->cache, key);
// CHECK-FIXES:   if (truth < 0) {
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NOT: return -1;
// CHECK-FIXES:   long n = PyObject_Length(value);
// CHECK-FIXES:   Py_DECREF(value);
// CHECK-FIXES:   PyObject *value;
// CHECK-FIXES:   PyDict_GetItemRef(self->cache, key, &value);
// CHECK-FIXES-NOT: value = PyDict_GetItemWithError(self->cache, key);
// CHECK-FIXES:   result = PyObject_Repr(value);
// CHECK-FIXES:   Py_DECREF(value);
// CHECK-FIXES:   for (i = 0; i < PyTuple_GET_SIZE(keys); i++) {
// CHECK-FIXES:     PyObject *value;
// CHECK-FIXES:     PyDict_GetItemRef(self->cache, PyTuple_GET_ITEM(keys, i), &value);
// CHECK-FIXES-NOT: PyObject *value = PyDict_GetItemWithError(self->cache, PyTuple_GET_ITEM(keys, i));
// CHECK-FIXES:     if (value == Py_None) {
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       continue;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NOT: continue;
// CHECK-FIXES:     if (PyObject_IsTrue(value) > 0) {
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       break;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     Py_DECREF(value);
// CHECK-FIXES-NOT: break;
// CHECK-FIXES:     return NULL;
// CHECK-FIXES:   PyObject *value;
// CHECK-FIXES:   if (PyDict_GetItemRef(self->cache, copy, &value) < 0) {
// CHECK-FIXES:       Py_DECREF(copy);
// CHECK-FIXES:       return NULL;
// CHECK-FIXES:   }
// CHECK-FIXES-NOT: PyObject *value = PyDict_GetItem(self->cache, copy);
// CHECK-FIXES:     value = dflt;
// CHECK-FIXES:     Py_XINCREF(value);
// CHECK-FIXES:   }
// CHECK-FIXES-NOT: Py_INCREF(value);
// CHECK-FIXES:      if (PyDict_GetItemStringRef(options, "flag", &flag) < 0) {
// CHECK-FIXES:        int result = PyObject_IsTrue(flag);
// CHECK-FIXES-NEXT:   Py_DECREF(flag);
// CHECK-FIXES-NEXT:   return result;
// CHECK-FIXES: static PyObject *weak_referent(PyObject *ref) {
// CHECK-FIXES:   PyObject *obj;
// CHECK-FIXES:   if (PyWeakref_GetRef(ref, &obj) == 0) {
// CHECK-FIXES:       /* The referent is dead. */
// CHECK-FIXES:       Py_INCREF(Py_None);
// CHECK-FIXES:       obj = Py_None;
// CHECK-FIXES:   }
// CHECK-FIXES-NOT: PyObject *obj = PyWeakref_GetObject(ref);
// CHECK-FIXES:   int alive = obj != Py_None;
// CHECK-FIXES:   Py_DECREF(obj);
// CHECK-FIXES: static int add_module(void) {
// CHECK-FIXES:   PyObject *m = PyImport_AddModuleRef("gilport_test");
// CHECK-FIXES-NOT: PyObject *m = PyImport_AddModule("gilport_test");
// CHECK-FIXES:   int rc = PyObject_SetAttrString(m, "x", Py_None);
// CHECK-FIXES:   Py_DECREF(m);
// A returned new object goes through a result variable, then the release.
// CHECK-FIXES: static PyObject *returned_expression(PyObject *d, PyObject *key) {
// CHECK-FIXES:        PyObject *result = PyObject_Repr(value);
// CHECK-FIXES-NEXT:   Py_DECREF(value);
// CHECK-FIXES-NEXT:   return result;

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: borrowed-header.h:4:20: warning
// NOFIX: no automatic fix: MinimumPython is 3.9 and the file has no '#include <Python.h>' line after which to include gilport_compat.h
