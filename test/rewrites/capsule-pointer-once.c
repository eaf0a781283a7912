// REQUIRES: python-ft
// Another module's C API, used through the pointer its capsule holds: init
// code stores `PyCapsule_GetPointer`'s result in a static, and every
// interpreter that imports the module stores it again while another reads
// it (pymongo's _cbson_API). The fix makes each store happen once, while the
// pointer is still NULL, under a new static PyMutex declared after the
// variable, or before the storing function when the variable is a header's.
// Once set the pointer never changes, so a second run reports nothing. Not
// for PyCapsule_Import, which also imports its module into each interpreter;
// nor for a store at run time, or one spelled through a macro. The fixed file
// compiles against the 3.13t headers and, through gilport_compat.h, 3.11's.
// RUN: %check_gilport %s gilport-global-state %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport check --format=json %t.nofix.c --checks=-*,gilport-global-state --python=%test_python --extra-arg=-I%S | FileCheck %s --check-prefix=REASON
#include <Python.h>

#include "Inputs/capsule-api.h"

typedef struct {
  int (*twice)(int);
} OtherApi;

static OtherApi *other_api; /* set by exec */
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global variable 'other_api' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES:      static OtherApi *other_api; /* set by exec */
// CHECK-FIXES-NEXT: static PyMutex other_api_lock;

// Negative: PyCapsule_Import also imports the module.
static void **imported_API;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'imported_API' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// REASON: "line": [[@LINE-2]],
// REASON: "no_fix_reason": "{{.*}}'imported_API' is set by PyCapsule_Import, which also imports its module into each interpreter: storing the pointer once would skip that import"

// Negative: set at run time, a data race whatever init does.
static void **late_API;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'late_API' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

// Negative: the store is spelled through a macro.
#define LOAD_MACRO_API(c) macro_API = (void **)PyCapsule_GetPointer((c), "m._C_API")
static void **macro_API;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'macro_API' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// REASON: "line": [[@LINE-2]],
// REASON: "no_fix_reason": "{{.*}}a store to 'macro_API' is spelled through a macro or in a header"

// Negative: already stored once under a lock, as the fix writes it.
static void **locked_API;
static PyMutex locked_API_lock;

static PyObject *twice(PyObject *self, PyObject *arg) {
  long v = PyLong_AsLong(arg);
  if (v == -1 && PyErr_Occurred())
    return NULL;
  return PyLong_FromLong(shared_twice((int)v) + other_api->twice((int)v) +
                         (imported_API != NULL) + (macro_API != NULL) +
                         (locked_API != NULL));
}

static PyObject *load_late(PyObject *self, PyObject *capsule) {
  late_API = (void **)PyCapsule_GetPointer(capsule, "m._C_API");
  if (late_API == NULL)
    return NULL;
  Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"twice", twice, METH_O, NULL},
    {"load_late", load_late, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

/* Takes the other module's C API. */
static int module_exec(PyObject *m) {
  PyObject *other = PyImport_ImportModule("other");
  if (other == NULL)
    return -1;
  PyObject *capsule = PyObject_GetAttrString(other, "_C_API");
  Py_DECREF(other);
  if (capsule == NULL)
    return -1;
  shared_API = (void **)PyCapsule_GetPointer(capsule, "other._C_API");
  if (shared_API == NULL)
    goto error;
  other_api = (OtherApi *)PyCapsule_GetPointer(capsule,
                                               "other._C_API_struct");
  if (!other_api)
    goto error;
  imported_API = (void **)PyCapsule_Import("other._C_API", 0);
  LOAD_MACRO_API(capsule);
  PyMutex_Lock(&locked_API_lock);
  if (locked_API == NULL) {
    locked_API = (void **)PyCapsule_GetPointer(capsule, "other._C_API");
  }
  PyMutex_Unlock(&locked_API_lock);
  Py_DECREF(capsule);
  return 0;
error:
  Py_DECREF(capsule);
  return -1;
}
// CHECK-FIXES:      static PyMutex shared_API_lock;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: /* Takes the other module's C API. */
// CHECK-FIXES-NEXT: static int module_exec(PyObject *m) {
// CHECK-FIXES:        PyMutex_Lock(&shared_API_lock);
// CHECK-FIXES-NEXT:   if (shared_API == NULL) {
// CHECK-FIXES-NEXT:     shared_API = (void **)PyCapsule_GetPointer(capsule, "other._C_API");
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   PyMutex_Unlock(&shared_API_lock);
// CHECK-FIXES-NEXT:   if (shared_API == NULL)
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   PyMutex_Lock(&other_api_lock);
// CHECK-FIXES-NEXT:   if (other_api == NULL) {
// CHECK-FIXES-NEXT:     other_api = (OtherApi *)PyCapsule_GetPointer(capsule,
// CHECK-FIXES-NEXT:                                                  "other._C_API_struct");
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   PyMutex_Unlock(&other_api_lock);
// CHECK-FIXES-NEXT:   if (!other_api)
// CHECK-FIXES-NEXT:     goto error;
// CHECK-FIXES-NEXT:   imported_API = (void **)PyCapsule_Import("other._C_API", 0);
// CHECK-FIXES-NEXT:   LOAD_MACRO_API(capsule);

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "capsule_user", NULL, 0, methods, slots,
};

PyMODINIT_FUNC PyInit_capsule_user(void) { return PyModuleDef_Init(&module_def); }

// The header's variable is reported last, with its own file.
// CHECK-MESSAGES: capsule-api.h:3:15: warning: global variable 'shared_API' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
