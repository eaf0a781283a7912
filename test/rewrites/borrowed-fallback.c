// REQUIRES: python-ft
// The shapes around a lookup that CPython's 3.13 ports rewrite by hand: a
// fallback value stored where the lookup found nothing takes its own
// reference (`v = Py_NewRef(d)`), so the increment after the merge goes; a
// value that replaces the new reference is stored with Py_SETREF; a release
// of what the code only borrowed becomes the release of the new reference;
// a variable used before the lookup is reused, or used after the lookup's
// block when the new reference is only ever handed to the code there.
// Shapes that could leak or release twice are left alone (NOFIX). The fixed
// file compiles against the 3.13t headers and, through gilport_compat.h,
// against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

#include "Inputs/borrowed-header.h"

#define SET_NONE(v) v = Py_None

typedef struct {
  PyObject_HEAD
  PyObject *data;
} Cache;

// dict.get(key, default): the fallback takes its own reference.
static PyObject *cache_get(Cache *self, PyObject *args) {
  PyObject *r, *key, *d = NULL;
  if (!PyArg_ParseTuple(args, "O|O:get", &key, &d))
    return NULL;
  r = PyDict_GetItem(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (!r) {
    if (d)
      r = d;
    else
      r = Py_None;
  }
  Py_INCREF(r);
  return r;
}

// A static fallback, in a block.
static PyObject *cache_get_or(Cache *self, PyObject *key) {
  PyObject *r = PyDict_GetItemWithError(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (r == NULL) {
    if (PyErr_Occurred())
      return NULL;
    r = Py_False;
  }
  Py_INCREF(r);
  return r;
}

// The found value is replaced while the function holds it.
static PyObject *slot_names(PyTypeObject *cls, PyObject *name) {
  PyObject *names;
  names = PyDict_GetItem(cls->tp_dict, name);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (names) {
    int n = PyObject_Not(names);
    if (n < 0)
      return NULL;
    if (n)
      names = Py_None;
    Py_INCREF(names);
    return names;
  }
  names = PyObject_GetAttrString((PyObject *)cls, "__slots__");
  return names;
}

// The code released what it only borrowed; 'tmp' held another value before.
static PyObject *new_ghost(Cache *self, PyObject *key, PyObject *v) {
  PyObject *tmp;
  tmp = PyObject_GetAttrString(v, "_p_jar");
  if (tmp == NULL)
    return NULL;
  Py_DECREF(tmp);
  if (tmp != Py_None) {
    PyErr_SetString(PyExc_ValueError, "must not have a jar");
    return NULL;
  }
  tmp = PyDict_GetItem(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (tmp) {
    Py_DECREF(tmp);
    PyErr_SetString(PyExc_ValueError, "already in the cache");
    return NULL;
  }
  if (PyDict_SetItem(self->data, key, v) < 0)
    return NULL;
  Py_RETURN_NONE;
}

typedef struct {
  PyObject_HEAD
  long size;
} Item;

// A cast to an object type: the new reference goes through a 'PyObject *'
// (storing it through a cast 'PyObject **' would break strict aliasing).
static PyObject *update_size(Cache *self, PyObject *args) {
  PyObject *oid;
  long size;
  Item *v;
  if (!PyArg_ParseTuple(args, "Ol", &oid, &size))
    return NULL;
  v = (Item *)PyDict_GetItem(self->data, oid);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (v) {
    if (v->size)
      v->size = size;
  }
  Py_RETURN_NONE;
}

static int touch(Cache *self, PyObject *oid) {
  Item *v = (Item *)PyDict_GetItemWithError(self->data, oid);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
  if (v == NULL)
    return PyErr_Occurred() ? -1 : 0;
  v->size += 1;
  return 1;
}

// Left alone.

// A cast to something that is not an object.
static int first_byte(Cache *self, PyObject *oid) {
  char *p = (char *)PyDict_GetItemWithError(self->data, oid);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:21: warning
// NOFIX: note: no automatic fix: 'p' is not a 'PyObject *' or a pointer to an object type
  return p != NULL && p[sizeof(PyObject)] != 0;
}

// The fallback is a new reference that another variable holds.
static PyObject *fallback_owned(Cache *self, PyObject *key) {
  PyObject *made = PyLong_FromLong(0);
  if (made == NULL)
    return NULL;
  PyObject *r = PyDict_GetItemWithError(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: 'r' is assigned again in a statement that cannot take the increment
  if (r == NULL && PyErr_Occurred()) {
    Py_DECREF(made);
    return NULL;
  }
  if (r == NULL)
    r = made;
  else
    Py_DECREF(made);
  return r;
}

// The replacing value is a new reference.
static PyObject *replaced_by_call(Cache *self, PyObject *key) {
  PyObject *r = PyDict_GetItemWithError(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: 'r' is assigned again while it holds the new reference
  if (r != NULL)
    r = PyObject_Repr(r);
  return r;
}

// The release of a borrowed value balances an increment elsewhere.
static int balanced(Cache *self, PyObject *key, int keep) {
  PyObject *r = PyDict_GetItemWithError(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the code releases 'r', which it only borrowed, and also increments it
  if (r == NULL)
    return PyErr_Occurred() ? -1 : 0;
  if (keep) {
    Py_INCREF(r);
    return 1;
  }
  Py_DECREF(r);
  return 2;
}

// The variable is used before the lookup inside a loop: the value of the
// lookup could reach those uses.
static int reused_in_loop(Cache *self, PyObject *keys) {
  PyObject *tmp = NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    if (tmp != NULL && PyObject_IsTrue(tmp))
      return -1;
    tmp = PyDict_GetItem(self->data, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:11: warning
// NOFIX: note: no automatic fix: 'tmp' is also used outside the statements that follow the call in its block
  }
  return 0;
}

// The loop hands the new reference to the code on the way out (its
// Py_INCREF goes) and leaves NULL otherwise: the uses after the loop see
// what they saw before, so they need not be in the lookup's block.
static PyObject *first_known(Cache *self, PyObject *keys) {
  PyObject *found = NULL;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(keys); i++) {
    found = PyDict_GetItemWithError(self->data, PyTuple_GET_ITEM(keys, i));
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
    if (found != NULL) {
      Py_INCREF(found);
      break;
    }
    if (PyErr_Occurred())
      return NULL;
  }
  if (found == NULL)
    Py_RETURN_NONE;
  return found;
}

// The address of the variable was taken before the lookup.
static PyObject *address_taken(Cache *self, PyObject *args) {
  PyObject *key, *v = NULL;
  if (!PyArg_ParseTuple(args, "O|O", &key, &v))
    return NULL;
  if (v != NULL)
    return Py_NewRef(v);
  v = PyDict_GetItem(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:7: warning
// NOFIX: note: no automatic fix: 'v' is also used outside the statements that follow the call in its block
  if (v == NULL)
    Py_RETURN_NONE;
  return Py_NewRef(v);
}

// The fallback is stored through a macro.
static PyObject *fallback_macro(Cache *self, PyObject *key) {
  PyObject *r = PyDict_GetItemWithError(self->data, key);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the value assigned to 'r' is spelled inside a macro
  if (r == NULL && PyErr_Occurred())
    return NULL;
  if (r == NULL)
    SET_NONE(r);
  Py_INCREF(r);
  return r;
}

static int header_user(PyObject *o) { return header_has_flag(o); }

// The fixed file, in order.
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static PyObject *cache_get(Cache *self, PyObject *args) {
// CHECK-FIXES:   if (PyDict_GetItemRef(self->data, key, &r) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (!r) {
// CHECK-FIXES-NEXT:     if (d)
// CHECK-FIXES-NEXT:       r = Py_NewRef(d);
// CHECK-FIXES-NEXT:     else
// CHECK-FIXES-NEXT:       r = Py_NewRef(Py_None);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   return r;
// CHECK-FIXES: static PyObject *cache_get_or(Cache *self, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *r;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(self->data, key, &r) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (r == NULL) {
// CHECK-FIXES-NEXT:     r = Py_NewRef(Py_False);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   return r;
// CHECK-FIXES: static PyObject *slot_names(PyTypeObject *cls, PyObject *name) {
// CHECK-FIXES:   if (names) {
// CHECK-FIXES-NEXT:     int n = PyObject_Not(names);
// CHECK-FIXES-NEXT:     if (n < 0) {
// CHECK-FIXES-NEXT:       Py_DECREF(names);
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     if (n)
// CHECK-FIXES-NEXT:       Py_SETREF(names, Py_NewRef(Py_None));
// CHECK-FIXES-NEXT:     return names;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES: static PyObject *new_ghost(Cache *self, PyObject *key, PyObject *v) {
// CHECK-FIXES:   if (PyDict_GetItemRef(self->data, key, &tmp) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (tmp) {
// CHECK-FIXES-NEXT:     Py_DECREF(tmp);
// CHECK-FIXES-NEXT:     PyErr_SetString(PyExc_ValueError, "already in the cache");
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:   if (PyDict_SetItem(self->data, key, v) < 0)
// CHECK-FIXES: static PyObject *update_size(Cache *self, PyObject *args) {
// CHECK-FIXES:     return NULL;
// CHECK-FIXES-NEXT:   PyObject *item;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(self->data, oid, &item) < 0) {
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   v = (Item *)item;
// CHECK-FIXES:   if (v) {
// CHECK-FIXES-NEXT:     if (v->size)
// CHECK-FIXES-NEXT:       v->size = size;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_XDECREF(v);
// CHECK-FIXES: static int touch(Cache *self, PyObject *oid) {
// CHECK-FIXES-NEXT:   PyObject *item;
// CHECK-FIXES-NEXT:   PyDict_GetItemRef(self->data, oid, &item);
// CHECK-FIXES-NEXT:   Item *v = (Item *)item;
// CHECK-FIXES:   if (v == NULL)
// CHECK-FIXES-NEXT:     return PyErr_Occurred() ? -1 : 0;
// CHECK-FIXES-NEXT:   v->size += 1;
// CHECK-FIXES-NEXT:   Py_DECREF(v);
// CHECK-FIXES-NEXT:   return 1;
// CHECK-FIXES: static PyObject *fallback_owned(Cache *self, PyObject *key) {
// CHECK-FIXES: static PyObject *first_known(Cache *self, PyObject *keys) {
// CHECK-FIXES:     if (PyDict_GetItemRef(self->data, PyTuple_GET_ITEM(keys, i), &found) < 0) {
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES:     if (found != NULL) {
// CHECK-FIXES-NEXT:       break;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   if (found == NULL)

// The header finding comes last; it is never fixed.
// CHECK-MESSAGES: borrowed-header.h:4:20: warning: 'PyDict_GetItemWithError' {{.*}} [gilport-borrowed-ref]
// NOFIX: borrowed-header.h:4:20: warning
// NOFIX: no automatic fix: MinimumPython is 3.9 and the file has no '#include <Python.h>' line after which to include gilport_compat.h
