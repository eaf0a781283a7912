// REQUIRES: python-ft
// A PyDict_Next loop over a shared dict is wrapped in a critical section;
// an exit out of the loop goes through the section's end first. A return of
// a value computed inside the loop, iteration outside a loop condition (but
// for one step in an 'if' whose borrowed key is not used after it), a
// borrowed value handed to code that can suspend the section, and macros
// are left alone with a reason (NOFIX). The fixed file compiles against 3.13t and,
// through gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-unlocked-container-access %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-unlocked-container-access --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX

#include <Python.h>

static PyObject *registry;

typedef struct {
  PyObject_HEAD
  PyObject *table;
} Holder;

#define SUM_VALUES(d, pos, k, v, total)                                      \
  while (PyDict_Next(d, &pos, &k, &v))                                        \
    total += PyLong_AsLong(v);

static long count_values(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;

  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    if (value == Py_None)
      continue;
    if (value == Py_True)
      break;
    count++;
  }
  return count;
}

static int has_key(Holder *self, PyObject *wanted) {
  PyObject *key, *value;
  Py_ssize_t pos;
  int found = 0;
  for (pos = 0; PyDict_Next(self->table, &pos, &key, &value);) {
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    found |= key == wanted;
  }
  return found;
}

// The loop returns: the return goes to the section's end and is taken
// there, so the section is always ended.
static PyObject *first_error(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    if (value == NULL)
      return NULL;
  }
  Py_RETURN_NONE;
}

// Left alone.

static PyObject *first_repr(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard calls 'PyObject_Repr', which can run Python code, while it still uses 'value', an item of the container: the section is suspended during the call, and another thread can remove and free the item; take a strong reference to it (Py_INCREF) before the call, then add the section
    if (value != Py_None)
      return PyObject_Repr(value);
  }
  Py_RETURN_NONE;
}

// A call into the value's own code: the section would be suspended while
// the loop still holds the borrowed value, unless the loop takes a strong
// reference to it first.
static long truthy_values(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard calls 'PyObject_IsTrue', which can run Python code, while it still uses 'value', an item of the container: the section is suspended during the call, and another thread can remove and free the item; take a strong reference to it (Py_INCREF) before the call, then add the section
    if (PyObject_IsTrue(value) > 0)
      count++;
  }
  return count;
}

static long truthy_values_owned(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    Py_INCREF(value);
    if (PyObject_IsTrue(value) > 0)
      count++;
    Py_DECREF(value);
  }
  return count;
}

// One step (the first key, to drop it): the 'if' is the section.
static int drop_first(void) {
  PyObject *key;
  Py_ssize_t pos = 0;
  if (PyDict_Next(registry, &pos, &key, NULL)) {
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    if (PyDict_DelItem(registry, key) < 0)
      return -1;
  }
  return 0;
}

static PyObject *first_key(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  if (!PyDict_Next(registry, &pos, &key, &value))
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: 'PyDict_Next' is not the condition of a 'while' or 'for' loop, nor the whole condition of an 'if'; wrap the iteration by hand
    Py_RETURN_NONE;
  return Py_NewRef(key);
}

// One step whose key is used after the 'if'.
static PyObject *peek_first(void) {
  PyObject *key = NULL, *value;
  Py_ssize_t pos = 0;
  if (PyDict_Next(registry, &pos, &key, &value))
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: 'key', which 'PyDict_Next' borrowed from the dict, is used after the 'if', where the dict's lock would no longer keep it alive
    value = NULL;
  return Py_XNewRef(key);
}

static long through_macro(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long total = 0;
  SUM_VALUES(registry, pos, key, value, total)
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the loop is spelled through a macro
  return total;
}

static long private_dict(void) {
  PyObject *copy = PyDict_Copy(registry), *key, *value;
  Py_ssize_t pos = 0;
  long n = 0;
  if (copy == NULL)
    return -1;
  while (PyDict_Next(copy, &pos, &key, &value))
    n++;
  Py_DECREF(copy);
  return n;
}

// The fixed file, in order.
// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-FIXES:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES:   int found = 0;
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(self->table);
// CHECK-FIXES-NEXT:   for (pos = 0; PyDict_Next(self->table, &pos, &key, &value);) {
// CHECK-FIXES:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static PyObject *first_error(void) {
// CHECK-FIXES:   Py_ssize_t pos = 0;
// CHECK-FIXES-NEXT:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-FIXES:     if (value == NULL)
// CHECK-FIXES-NEXT:       { error = 1; break; }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:   Py_RETURN_NONE;
// CHECK-FIXES: static long truthy_values_owned(void) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-FIXES:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static int drop_first(void) {
// CHECK-FIXES:   Py_ssize_t pos = 0;
// CHECK-FIXES-NEXT:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   if (PyDict_Next(registry, &pos, &key, NULL)) {
// CHECK-FIXES:     if (PyDict_DelItem(registry, key) < 0)
// CHECK-FIXES-NEXT:       { error = 1; goto unlock; }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   unlock:;
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       return -1;
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES-NOT: Py_BEGIN_CRITICAL_SECTION
