// REQUIRES: python-ft
// CPython's private dict lookups return borrowed references like the public
// ones. The ...WithError ones are rewritten to the public Ref API with the
// same error contract; the known-hash and identifier lookups have no public
// strong equivalent that takes the same arguments: reported, never fixed.
// The fixed file compiles against the 3.13t headers and, through
// gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// RUN: %check_gilport %s gilport-borrowed-ref %t.311 -- --python=%python_gil
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX

#include <Python.h>

#include "Inputs/gilport-borrowed-ref-private.h"

// What a compatibility header provides on Pythons without critical sections.
#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

// 3.11 declares these in Include/cpython/dictobject.h; 3.13 moved them to
// Include/internal, for CPython's own modules.
PyObject *_PyDict_GetItemWithError(PyObject *dp, PyObject *key);
PyObject *_PyDict_GetItemIdWithError(PyObject *dp, _Py_Identifier *key);

typedef struct {
  PyObject_HEAD
  PyObject *index;
} Cache;

// Reported: the dict is the object's, another thread can change it.

static PyObject *hashed(Cache *self, PyObject *key) {
  Py_hash_t hash = PyObject_Hash(key);
  if (hash == -1)
    return NULL;
  PyObject *value = _PyDict_GetItem_KnownHash(self->index, key, hash);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: '_PyDict_GetItem_KnownHash' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference; it takes no hash (CPython's strong known-hash lookup is internal) [gilport-borrowed-ref]
  // NOFIX: [[@LINE-2]]:21: warning: '_PyDict_GetItem_KnownHash'
  // NOFIX: note: no automatic fix: 'PyDict_GetItemRef' takes no hash argument; there is no public strong-reference lookup with a known hash
  return Py_XNewRef(value);
}

static PyObject *unchecked(Cache *self, PyObject *key) {
  PyObject *value = _PyDict_GetItemWithError(self->index, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: '_PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
  if (value == NULL)
    return NULL;
  Py_INCREF(value);
  return value;
}
// CHECK-FIXES: static PyObject *unchecked(Cache *self, PyObject *key) {
// CHECK-FIXES-NEXT:   PyObject *value;
// CHECK-FIXES-NEXT:   PyDict_GetItemRef(self->index, key, &value);
// CHECK-FIXES:        if (value == NULL)
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   return value;

static PyObject *by_name(Cache *self) {
  PyObject *value = _PyDict_GetItemStringWithError(self->index, "name");
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: '_PyDict_GetItemStringWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: note: 'PyDict_GetItemStringRef' stores a strong reference in its last argument and returns 1 when found, 0 when missing (no exception) and -1 on error
  if (value == NULL)
    return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
  Py_INCREF(value);
  return value;
}
// CHECK-FIXES: static PyObject *by_name(Cache *self) {
// CHECK-FIXES-NEXT:   PyObject *value;
// CHECK-FIXES-NEXT:   PyDict_GetItemStringRef(self->index, "name", &value);
// CHECK-FIXES:        if (value == NULL)
// CHECK-FIXES-NEXT:     return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
// CHECK-FIXES-NEXT:   return value;

static PyObject *by_identifier(Cache *self, _Py_Identifier *name) {
  PyObject *value = _PyDict_GetItemIdWithError(self->index, name);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: '_PyDict_GetItemIdWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13) with the key as a string object (for example one interned at module init and kept in the module state), which returns a strong reference [gilport-borrowed-ref]
  // NOFIX: [[@LINE-2]]:21: warning: '_PyDict_GetItemIdWithError'
  // NOFIX: note: no automatic fix: 'PyDict_GetItemRef' takes the key as an object, not a '_Py_Identifier'
  if (value == NULL)
    return NULL;
  Py_INCREF(value);
  return value;
}

// The user's own macros: reported where they are used.
#define LOOKUP_UNCHECKED(self, key) _PyDict_GetItemWithError((self)->index, (key))

static int wrapped(Cache *self, PyObject *key, Py_hash_t hash) {
  PyObject *a = LOOKUP_UNCHECKED(self, key);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: '_PyDict_GetItemWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  // CHECK-MESSAGES: :[[@LINE-5]]:37: note: expanded from macro 'LOOKUP_UNCHECKED'
  // CHECK-MESSAGES: note: 'PyDict_GetItemRef' stores a strong reference
  // NOFIX: [[@LINE-4]]:17: warning: '_PyDict_GetItemWithError'
  // NOFIX: note: no automatic fix: the call is spelled through a macro
  PyObject *b = HEADER_LOOKUP_HASHED(self->index, key, hash);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: '_PyDict_GetItem_KnownHash' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference; it takes no hash (CPython's strong known-hash lookup is internal) [gilport-borrowed-ref]
  // CHECK-MESSAGES: gilport-borrowed-ref-private.h:8:3: note: expanded from macro 'HEADER_LOOKUP_HASHED'
  return a == b;
}

// Not reported: a dict private to the function, or under its lock.

static PyObject *private_dict(PyObject *key, Py_hash_t hash) {
  PyObject *dict = PyDict_New();
  if (dict == NULL || PyDict_SetItem(dict, key, Py_None) < 0) {
    Py_XDECREF(dict);
    return NULL;
  }
  PyObject *a = _PyDict_GetItem_KnownHash(dict, key, hash);
  PyObject *b = _PyDict_GetItemWithError(dict, key);
  PyObject *c = _PyDict_GetItemStringWithError(dict, "key");
  Py_DECREF(dict);
  return a == b && b == c ? Py_None : NULL;
}

static PyObject *locked(Cache *self, PyObject *key) {
  PyObject *value;
  Py_BEGIN_CRITICAL_SECTION(self->index);
  value = Py_XNewRef(_PyDict_GetItemWithError(self->index, key));
  Py_END_CRITICAL_SECTION();
  return value;
}

static int uses_header(Cache *self) { return header_has_name(self->index); }

// CHECK-MESSAGES: gilport-borrowed-ref-private.h:12:26: warning: '_PyDict_GetItemStringWithError' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
// CHECK-MESSAGES: note: 'PyDict_GetItemStringRef' stores a strong reference
// NOFIX: gilport-borrowed-ref-private.h:12:26: warning
