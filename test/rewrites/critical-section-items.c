// REQUIRES: python-ft
// Reads of a shared list's or fast sequence's item array are wrapped in a
// critical section: the loop around the access, together with the size and
// item-array reads it relies on. Sections that overlap become one section on
// two objects; exits go through the section's end. More than two objects, a
// return of a value computed in the section, a variable declared in it and
// used after it, and macros are left alone with a reason (NOFIX). An item
// handed to code that can suspend the section is owned for its iteration,
// where the loop checks its index against the size each time round; a loop
// bound read once and an item array kept across such a call are left alone.
// The fixed file compiles against 3.13t and, through gilport_compat.h,
// against 3.11.
// RUN: %check_gilport %s gilport-unlocked-container-access %t -- --extra-arg=-I%S
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-unlocked-container-access --python=%test_python --extra-arg=-I%S --color=never | FileCheck %s --check-prefix=NOFIX

#include <Python.h>

#include "Inputs/container-header.h"

#define SUM_ITEMS(list, i, total)                                             \
  for (i = 0; i < PyList_GET_SIZE(list); i++)                                 \
    total += PyLong_AsLong(PyList_GET_ITEM(list, i));

// The loop reads the list's size and items: the whole loop is the section.
static long sum_list(PyObject *list) {
  long total = 0;
  Py_ssize_t i;
  for (i = 0; i < PyList_GET_SIZE(list); i++) {
    total += PyLong_AsLong(PyList_GET_ITEM(list, i));
// CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  }
  return total;
}

// The size and the item array are read before the loop: they join the
// section, since a list can shrink between them and the loop.
static long sum_fast(PyObject *seq) {
  PyObject *fast = PySequence_Fast(seq, "expected a sequence");
  PyObject **items;
  Py_ssize_t i, n;
  long total = 0;
  if (fast == NULL)
    return -1;
  n = PySequence_Fast_GET_SIZE(fast);
  items = PySequence_Fast_ITEMS(fast);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'PySequence_Fast_ITEMS' {{.*}} [gilport-unlocked-container-access]
  for (i = 0; i < n; i++)
    total += PyLong_AsLong(items[i]);
  Py_DECREF(fast);
  return total;
}

static Py_ssize_t count_none(PyObject *fast) {
  Py_ssize_t i, found = 0;
  for (i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
    if (PySequence_Fast_GET_ITEM(fast, i) == Py_None)
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'PySequence_Fast_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
      found++;
    else if (found > 100)
      break;
  }
  return found;
}

// Two lists read in one loop: one section on both.
static int equal_prefix(PyObject *a, PyObject *b, Py_ssize_t n) {
  Py_ssize_t i;
  int equal = 1;
  for (i = 0; i < n && i < PyList_GET_SIZE(a) && i < PyList_GET_SIZE(b); i++) {
    if (PyList_GET_ITEM(a, i) != PyList_GET_ITEM(b, i))
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// CHECK-MESSAGES: :[[@LINE-2]]:34: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
      equal = 0;
  }
  return equal;
}

// A dict iterated while a list is read: the two sections overlap, so they
// become one section on both.
static long dict_and_list(PyObject *dict, PyObject *list) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long hits = 0;
  while (PyDict_Next(dict, &pos, &key, &value)) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PyDict_Next' {{.*}} [gilport-unlocked-container-access]
    if (PyList_GET_SIZE(list) > 0 && PyList_GET_ITEM(list, 0) == value)
// CHECK-MESSAGES: :[[@LINE-1]]:38: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
      hits++;
  }
  return hits;
}

// The loop returns: the return goes to the section's end and is taken
// there.
static int first_error(PyObject *list) {
  Py_ssize_t i;
  for (i = 0; i < PyList_GET_SIZE(list); i++) {
    if (PyList_GET_ITEM(list, i) == NULL)
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
      return -1;
  }
  return 0;
}

// Two kinds of exits, each with its own code; braces only where the exit
// is not already a statement of a block.
static int all_ints(PyObject *list) {
  Py_ssize_t i;
  for (i = 0; i < PyList_GET_SIZE(list); i++) {
    PyObject *item = PyList_GET_ITEM(list, i);
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
    if (item == Py_None) {
      goto error;
    }
    if (!PyLong_Check(item))
      return 0;
  }
  return 1;
error:
  PyErr_SetString(PyExc_ValueError, "None in the list");
  return -1;
}

// The size check right before the access joins the section; the code ends
// with an exit, which is taken last, without a test.
static PyObject *swap_first(PyObject *list, PyObject *item) {
  PyObject *old;
  if (PyList_GET_SIZE(list) == 0)
    return NULL;
  old = PyList_GET_ITEM(list, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  if (old == item)
    return NULL;
  Py_INCREF(item);
  PyList_SET_ITEM(list, 0, item);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyList_SET_ITEM' {{.*}} [gilport-unlocked-container-access]
  return old;
}

// Two loops rely on one size read: one section holds all three.
static long twice(PyObject *fast) {
  Py_ssize_t i, n;
  long total = 0;
  n = PySequence_Fast_GET_SIZE(fast);
  for (i = 0; i < n; i++)
    total += PySequence_Fast_GET_ITEM(fast, i) == Py_None;
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'PySequence_Fast_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  total *= 2;
  for (i = 0; i < n; i++)
    total += PySequence_Fast_GET_ITEM(fast, i) == Py_True;
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'PySequence_Fast_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  return total;
}

// The container is set each time around the loop: the section is the
// statement inside it.
static long firsts(PyObject *seqs) {
  long n = 0;
  Py_ssize_t i;
  for (i = 0; i < PyTuple_GET_SIZE(seqs); i++) {
    PyObject *fast = PySequence_Fast(PyTuple_GET_ITEM(seqs, i), "");
    if (fast == NULL)
      return -1;
    n += PySequence_Fast_GET_SIZE(fast) > 0 &&
         PySequence_Fast_GET_ITEM(fast, 0) == Py_None;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'PySequence_Fast_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
    Py_DECREF(fast);
  }
  return n;
}

// Left alone.

static int three_lists(PyObject *a, PyObject *b, PyObject *c) {
  Py_ssize_t i;
  int same = 0;
  for (i = 0; i < 1; i++)
    same = PyList_GET_ITEM(a, i) == PyList_GET_ITEM(b, i) &&
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// CHECK-MESSAGES: :[[@LINE-2]]:37: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard uses more than two containers ('a', 'b', 'c'), and a critical section locks at most two
           PyList_GET_ITEM(b, i) == PyList_GET_ITEM(c, i);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// CHECK-MESSAGES: :[[@LINE-2]]:37: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  return same;
}

static PyObject *first_repr(PyObject *list) {
  if (PyList_GET_SIZE(list) == 0)
    Py_RETURN_NONE;
  PyObject *first = PyList_GET_ITEM(list, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard returns a value computed inside it; the critical section would not be ended (restructure the exits, then add the section)
  return Py_NewRef(first);
}

static long by_kind(PyObject *list, int kind) {
  long n = 0;
  switch (kind) {
  case 0:
    n += PyList_GET_SIZE(list) > 0 && PyList_GET_ITEM(list, 0) == Py_None;
// CHECK-MESSAGES: :[[@LINE-1]]:39: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard has a 'case' label of a 'switch' around it
    break;
  default:
    n = -1;
  }
  return n;
}

// The error path releases the sequence: inside the section that would free
// the object whose lock the section holds.
static int pairs_ok(PyObject *fast) {
  if (PySequence_Fast_GET_SIZE(fast) != 2) {
    Py_DECREF(fast);
    return -1;
  }
  PyObject *first = PySequence_Fast_GET_ITEM(fast, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PySequence_Fast_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard releases the container (or passes its address on), which would free the object whose lock the section holds
  int ok = first != Py_None;
  Py_DECREF(fast);
  return ok;
}

// An encoder's cursor: the index was checked against a size kept from an
// earlier call, not read from the list in the section, so another thread can
// shrink the list in between.
struct cursor {
  PyObject *list;
  Py_ssize_t index, size;
  PyObject *item;
};

static int cursor_next(struct cursor *c) {
  if (c->index >= c->size)
    return 0;
  PyObject *item = PyList_GET_ITEM(c->list, c->index);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: no size of the container is read in the code to guard, so the index it reads at was checked before the section (or never), and another thread can shrink the container in between; check the index against the size inside the section
  c->index++;
  return item != Py_None;
}

// The item is kept in the cursor, after the section that keeps it alive.
static int cursor_peek(struct cursor *c) {
  if (c->index >= PyList_GET_SIZE(c->list))
    return 0;
  PyObject *item = PyList_GET_ITEM(c->list, c->index);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: an item is stored in 'c->item', where it outlives the critical section and another thread can remove and free it; keep a strong reference there instead
  c->item = item;
  return 1;
}

static long through_macro(PyObject *list) {
  long total = 0;
  Py_ssize_t i;
  SUM_ITEMS(list, i, total)
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard is spelled through a macro
  return total;
}

// The item's last use declares a variable that is used after it: the
// declaration moves before the section, its initializer stays inside.
static int compare_first(PyObject *list, PyObject *other) {
  PyObject *first = NULL;
  if (PyList_GET_SIZE(list) > 0)
    first = PyList_GET_ITEM(list, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
  int same = first == other;
  return same;
}

// Each item goes to code that can suspend the section, and the loop checks
// the index against the list's size each time round: the item is owned for
// its iteration.
static int set_all(PyObject *self, PyObject *names) {
  Py_ssize_t i;
  for (i = 0; i < PyList_GET_SIZE(names); i++) {
    PyObject *name;
    name = PyList_GET_ITEM(names, i);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
    if (!PyUnicode_Check(name))
      continue;
    if (PyObject_SetAttr(self, name, Py_None) < 0)
      return -1;
  }
  return 0;
}

// The bound is read once: after the call, the list can be shorter than it.
static int set_all_sized(PyObject *self, PyObject *names) {
  Py_ssize_t i, n = PyList_GET_SIZE(names);
  for (i = 0; i < n; i++) {
    PyObject *name = PyList_GET_ITEM(names, i);
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the loop reads items at an index that its condition does not check against the container's size again, and it calls 'PyObject_SetAttr', which can run Python code: the section is suspended during the call, and another thread can shrink the container meanwhile
    if (PyObject_SetAttr(self, name, Py_None) < 0)
      return -1;
  }
  return 0;
}

// The item array itself can be freed while the section is suspended.
static int set_all_fast(PyObject *self, PyObject *fast) {
  PyObject **items = PySequence_Fast_ITEMS(fast);
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PySequence_Fast_ITEMS' {{.*}} [gilport-unlocked-container-access]
// NOFIX: note: no automatic fix: the code to guard keeps the item array 'items' across calls such as 'PyObject_SetAttr', which can run Python code: the section is suspended during the call, and another thread can resize the container and free the array
  Py_ssize_t i;
  for (i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
    if (PyObject_SetAttr(self, items[i], Py_None) < 0)
      return -1;
  }
  return 0;
}

// Not reported: the list is private to the function.
static long private_list(PyObject *seq) {
  PyObject *copy = PySequence_List(seq);
  long n = 0;
  Py_ssize_t i;
  if (copy == NULL)
    return -1;
  for (i = 0; i < PyList_GET_SIZE(copy); i++)
    n += PyList_GET_ITEM(copy, i) == Py_None;
  Py_DECREF(copy);
  return n;
}

static long header_user(PyObject *list) { return header_sum(list); }

// The fixed file, in order.
// CHECK-FIXES: #include <Python.h>
// CHECK-FIXES: #include "gilport_compat.h"
// CHECK-FIXES: static long sum_list(PyObject *list) {
// CHECK-FIXES:   Py_ssize_t i;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES-NEXT:   for (i = 0; i < PyList_GET_SIZE(list); i++) {
// CHECK-FIXES:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   return total;
// CHECK-FIXES: static long sum_fast(PyObject *seq) {
// CHECK-FIXES:     return -1;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(fast);
// CHECK-FIXES-NEXT:   n = PySequence_Fast_GET_SIZE(fast);
// CHECK-FIXES-NEXT:   items = PySequence_Fast_ITEMS(fast);
// CHECK-FIXES:   for (i = 0; i < n; i++)
// CHECK-FIXES-NEXT:     total += PyLong_AsLong(items[i]);
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   Py_DECREF(fast);
// CHECK-FIXES: static Py_ssize_t count_none(PyObject *fast) {
// CHECK-FIXES-NEXT:   Py_ssize_t i, found = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(fast);
// CHECK-FIXES:       break;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static int equal_prefix(PyObject *a, PyObject *b, Py_ssize_t n) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION2(a, b);
// CHECK-FIXES-NEXT:   for (i = 0;
// CHECK-FIXES:   Py_END_CRITICAL_SECTION2();
// CHECK-FIXES-NEXT:   return equal;
// CHECK-FIXES: static long dict_and_list(PyObject *dict, PyObject *list) {
// CHECK-FIXES:   Py_BEGIN_CRITICAL_SECTION2(dict, list);
// CHECK-FIXES-NEXT:   while (PyDict_Next(dict, &pos, &key, &value)) {
// CHECK-FIXES:   Py_END_CRITICAL_SECTION2();
// CHECK-FIXES-NEXT:   return hits;
// CHECK-FIXES: static int first_error(PyObject *list) {
// CHECK-FIXES-NEXT:   Py_ssize_t i;
// CHECK-FIXES-NEXT:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES:       { error = 1; break; }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       return -1;
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES: static int all_ints(PyObject *list) {
// CHECK-FIXES-NEXT:   Py_ssize_t i;
// CHECK-FIXES-NEXT:   int exit_code = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES:     if (item == Py_None) {
// CHECK-FIXES-NEXT:       exit_code = 1; break;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     if (!PyLong_Check(item))
// CHECK-FIXES-NEXT:       { exit_code = 2; break; }
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (exit_code == 1)
// CHECK-FIXES-NEXT:       goto error;
// CHECK-FIXES-NEXT:   if (exit_code == 2)
// CHECK-FIXES-NEXT:       return 0;
// CHECK-FIXES-NEXT:   return 1;
// CHECK-FIXES: static PyObject *swap_first(PyObject *list, PyObject *item) {
// CHECK-FIXES-NEXT:   PyObject *old;
// CHECK-FIXES-NEXT:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES-NEXT:   if (PyList_GET_SIZE(list) == 0)
// CHECK-FIXES-NEXT:     { error = 1; goto unlock; }
// CHECK-FIXES-NEXT:   old = PyList_GET_ITEM(list, 0);
// CHECK-FIXES:   if (old == item)
// CHECK-FIXES-NEXT:     { error = 1; goto unlock; }
// CHECK-FIXES:   PyList_SET_ITEM(list, 0, item);
// CHECK-FIXES:   unlock:;
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:   return old;
// CHECK-FIXES-NEXT: }
// CHECK-FIXES: static long twice(PyObject *fast) {
// CHECK-FIXES:   long total = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(fast);
// CHECK-FIXES-NEXT:   n = PySequence_Fast_GET_SIZE(fast);
// CHECK-FIXES:     total += PySequence_Fast_GET_ITEM(fast, i) == Py_True;
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES:   return total;
// CHECK-FIXES: static long firsts(PyObject *seqs) {
// CHECK-FIXES:       return -1;
// CHECK-FIXES-NEXT:     Py_BEGIN_CRITICAL_SECTION(fast);
// CHECK-FIXES-NEXT:     n += PySequence_Fast_GET_SIZE(fast) > 0 &&
// CHECK-FIXES-NEXT:          PySequence_Fast_GET_ITEM(fast, 0) == Py_None;
// CHECK-FIXES-NEXT:     Py_END_CRITICAL_SECTION();
// CHECK-FIXES: static int compare_first(PyObject *list, PyObject *other) {
// CHECK-FIXES-NEXT:   PyObject *first = NULL;
// CHECK-FIXES-NEXT:   int same;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(list);
// CHECK-FIXES-NEXT:   if (PyList_GET_SIZE(list) > 0)
// CHECK-FIXES-NEXT:     first = PyList_GET_ITEM(list, 0);
// CHECK-FIXES:        same = first == other;
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   return same;
// CHECK-FIXES: static int set_all(PyObject *self, PyObject *names) {
// CHECK-FIXES-NEXT:   Py_ssize_t i;
// CHECK-FIXES-NEXT:   int error = 0;
// CHECK-FIXES-NEXT:   Py_BEGIN_CRITICAL_SECTION(names);
// CHECK-FIXES-NEXT:   for (i = 0; i < PyList_GET_SIZE(names); i++) {
// CHECK-FIXES-NEXT:     PyObject *name;
// CHECK-FIXES-NEXT:     name = PyList_GET_ITEM(names, i);
// CHECK-FIXES-NEXT:     Py_INCREF(name);
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:     if (!PyUnicode_Check(name))
// CHECK-FIXES-NEXT:       { Py_DECREF(name); continue; }
// CHECK-FIXES-NEXT:     if (PyObject_SetAttr(self, name, Py_None) < 0)
// CHECK-FIXES-NEXT:       { Py_DECREF(name); error = 1; break; }
// CHECK-FIXES-NEXT:     Py_DECREF(name);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_END_CRITICAL_SECTION();
// CHECK-FIXES-NEXT:   if (error)
// CHECK-FIXES-NEXT:       return -1;
// CHECK-FIXES-NEXT:   return 0;
// CHECK-FIXES-NOT: Py_BEGIN_CRITICAL_SECTION

// The header is reported, never fixed (it does not include Python.h, so
// gilport_compat.h cannot be included there).
// CHECK-MESSAGES: container-header.h:6:28: warning: 'PyList_GET_ITEM' {{.*}} [gilport-unlocked-container-access]
// NOFIX: container-header.h:6:28: warning
// NOFIX: no automatic fix: MinimumPython is
