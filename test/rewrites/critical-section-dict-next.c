// REQUIRES: python-ft
// A PyDict_Next loop over a shared dict is wrapped in a critical section;
// an exit out of the loop goes through the section's end first. A key or
// value handed to code that can suspend the section is owned for the
// iteration: Py_INCREF after the loop's declarations, Py_DECREF on every way
// out (continue, break, the exits) and at the end. A return of a value
// computed inside the loop, iteration outside a loop condition (but for one
// step in an 'if' whose borrowed key is not used after it), an item whose
// address the loop passes on, an exit spelled by a macro, and macros are
// left alone with a reason (NOFIX). The fixed file compiles against 3.13t and, through
// gilport_compat.h, against 3.11.
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
// NOFIX: note: no automatic fix: the code to guard returns a value computed inside it; the critical section would not be ended (restructure the exits, then add the section)
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
    if (PyObject_IsTrue(value) > 0)
      count++;
  }
  return count;
}

// Both items go to a call; the loop skips some and can fail.
static int copy_public(PyObject *copy) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    int private;
    private = PyUnicode_Check(key) && PyUnicode_READ_CHAR(key, 0) == '_';
    if (private)
      continue;
    if (PyObject_SetItem(copy, key, value) < 0)
      goto error;
    if (value == Py_Ellipsis) {
      break;
    }
  }
  return 0;
error:
  return -1;
}

// The loop can replace the key it borrowed, so a reference taken to the
// old one could not be dropped.
static void normalize_key(PyObject **key) { (void)key; }

static int normalized_copy(PyObject *copy) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard calls 'PyObject_SetItem', which can run Python code, while it still uses 'key', an item of the container: the section is suspended during the call, and another thread can remove and free the item; take a strong reference to it (Py_INCREF) before the call, then add the section (not automatic: the code passes the address of 'key', which can replace the object it holds)
    normalize_key(&key);
    if (PyObject_SetItem(copy, key, value) < 0)
      return -1;
  }
  return 0;
}

// The 'continue' that would have to drop the reference is the macro's.
#define SKIP_NONE(v)                                                          \
  if ((v) == Py_None)                                                         \
    continue;

static long truthy_skipping(void) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long count = 0;
  while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard calls 'PyObject_IsTrue', which can run Python code, while it still uses 'value', an item of the container: the section is suspended during the call, and another thread can remove and free the item; take a strong reference to it (Py_INCREF) before the call, then add the section (not automatic: an exit of the block that uses 'value' is spelled inside a macro or across lines)
    SKIP_NONE(value)
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
// CHECK-FIXES: static long truthy_values(void) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     Py_INCREF(value);
// CHECK-FIXES-NEXT:     if (PyObject_IsTrue(value) > 0)
// CHECK-FIXES-NEXT:       count++;
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static int copy_public(PyObject *copy) {
// CHECK-FIXES:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(registry);
// CHECK-FIXES-NEXT:   while (PyDict_Next(registry, &pos, &key, &value)) {
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     int private;
// CHECK-FIXES-NEXT:     Py_INCREF(key);
// CHECK-FIXES-NEXT:     Py_INCREF(value);
// CHECK-FIXES-NEXT:     private = PyUnicode_Check(key) && PyUnicode_READ_CHAR(key, 0) == '_';
// CHECK-FIXES-NEXT:     if (private)
// CHECK-FIXES-NEXT:       { Py_DECREF(key); Py_DECREF(value); continue; }
// CHECK-FIXES-NEXT:     if (PyObject_SetItem(copy, key, value) < 0)
// CHECK-FIXES-NEXT:       { Py_DECREF(key); Py_DECREF(value); error = 1; break; }
// CHECK-FIXES-NEXT:     if (value == Py_Ellipsis) {
// CHECK-FIXES-NEXT:       Py_DECREF(key);
// CHECK-FIXES-NEXT:       Py_DECREF(value);
// CHECK-FIXES-NEXT:       break;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     Py_DECREF(key);
// CHECK-FIXES-NEXT:     Py_DECREF(value);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:   return 0;
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
