// One hazard, one finding: an item read of a shared list is reported by
// gilport-unlocked-container-access, with a note naming
// gilport-borrowed-ref, when both checks run.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access --color=never 2>&1 | FileCheck %s --check-prefix=BOTH --implicit-check-not=warning:
// BOTH: one-hazard-one-finding.c:[[@LINE+25]]:20: warning: 'PyList_GET_ITEM' reads the item array of a list that another thread can modify; wrap the access in 'Py_BEGIN_CRITICAL_SECTION(list)' ... 'Py_END_CRITICAL_SECTION()' [gilport-unlocked-container-access]
// BOTH: note: the item is also a borrowed reference [gilport-borrowed-ref]: the critical section keeps it alive while the section lasts; 'PyList_GetItemRef' would return a strong reference instead
// BOTH: one-hazard-one-finding.c:[[@LINE+29]]:21: warning: 'PyList_GetItem' returns a borrowed reference
// BOTH: one-hazard-one-finding.c:[[@LINE+33]]:20: warning: 'PyList_GET_ITEM' returns a borrowed reference
// BOTH: 3 findings in 1 file
//
// Either check alone reports the item read itself.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-borrowed-ref --color=never 2>&1 | FileCheck %s --check-prefix=BORROWED --implicit-check-not=warning:
// BORROWED: one-hazard-one-finding.c:[[@LINE+17]]:20: warning: 'PyList_GET_ITEM' returns a borrowed reference
// BORROWED: one-hazard-one-finding.c:[[@LINE+22]]:21: warning: 'PyList_GetItem' returns a borrowed reference
// BORROWED: one-hazard-one-finding.c:[[@LINE+26]]:20: warning: 'PyList_GET_ITEM' returns a borrowed reference
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-unlocked-container-access --color=never 2>&1 | FileCheck %s --check-prefix=CONTAINER --implicit-check-not=warning: --implicit-check-not=note:
// CONTAINER: one-hazard-one-finding.c:[[@LINE+13]]:20: warning: 'PyList_GET_ITEM' reads the item array
// CONTAINER: 1 finding in 1 file
//
// The fix is the same edit either way.
// RUN: cp %s %t.both.c && cp %s %t.one.c
// RUN: %expect_exit 1 %gilport fix %t.both.c --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access > /dev/null
// RUN: %expect_exit 1 %gilport fix %t.one.c --checks=-*,gilport-borrowed-ref > /dev/null
// RUN: grep -q 'Py_BEGIN_CRITICAL_SECTION(list)' %t.both.c
// RUN: diff %t.both.c %t.one.c

#include <Python.h>

static PyObject *first(PyObject *self, PyObject *list) {
  return Py_NewRef(PyList_GET_ITEM(list, 0));
}

// Not an unlocked container access (PyList_GetItem locks the list), so
// gilport-borrowed-ref reports it.
static PyObject *second(PyObject *self, PyObject *list) {
  return Py_XNewRef(PyList_GetItem(list, 1));
}

// Suppressed for the container check: the borrowed reference is reported.
static PyObject *third(PyObject *self, PyObject *list) {
  return Py_NewRef(PyList_GET_ITEM(list, 2)); // NOLINT(gilport-unlocked-container-access)
}

static PyMethodDef methods[] = {
    {"first", first, METH_O, NULL},
    {"second", second, METH_O, NULL},
    {"third", third, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "hazards", NULL, 0, methods,
};

PyMODINIT_FUNC PyInit_hazards(void) { return PyModuleDef_Init(&module_def); }
