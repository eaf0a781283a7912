// RUN: %check_gilport %s gilport-global-state %t
// RUN: %check_gilport %s gilport-global-state %t.311 -- --python=%python_gil
// RUN: %check_gilport --check-suffix=BOTH %s gilport-global-state %t.both -- --targets=free-threading,subinterpreters
// RUN: printf 'Targets: [subinterpreters]\n' > %t.yaml
// RUN: %check_gilport --check-suffix=BOTH %s gilport-global-state %t.yaml-run -- --config=%t.yaml

// A single-phase module cannot be loaded in isolated subinterpreters, so by
// default only data races are reported: writes while the module is in use.
// Writes made while it initialises (PyInit_*, and a static helper only it
// calls) are ordered by the import lock. With subinterpreters targeted
// (--targets or the configuration's Targets), every object pointer and type
// is state shared by the interpreters, as for a multi-phase module.
#include <Python.h>

#include "Inputs/gilport-global-state-targets.h"

// ---- Written only at init: not data races ----

static PyObject *ModuleError;
// CHECK-MESSAGES-BOTH: :[[@LINE-1]]:18: warning: global Python object pointer 'ModuleError' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyObject *name_str;
// CHECK-MESSAGES-BOTH: :[[@LINE-1]]:18: warning: global Python object pointer 'name_str' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static int initialized;
// CHECK-MESSAGES-BOTH: :[[@LINE-1]]:12: warning: global variable 'initialized' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]

typedef struct {
  PyObject_HEAD
  long value;
} BoxObject;

static PyTypeObject BoxType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "targets.Box",
    .tp_basicsize = sizeof(BoxObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};
// CHECK-MESSAGES-BOTH: :[[@LINE-5]]:21: warning: type object 'BoxType' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]

// Only PyInit_targets calls it: part of the initialisation.
static int fill_names(void) {
  name_str = PyUnicode_InternFromString("name");
  return name_str == NULL ? -1 : 0;
}

// ---- Written while the module is in use: data races ----

static PyObject *lazy_json;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'lazy_json' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
// CHECK-MESSAGES-BOTH: :[[@LINE-2]]:18: warning: global Python object pointer 'lazy_json' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static long calls;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'calls' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES-BOTH: :[[@LINE-2]]:13: warning: global variable 'calls' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

// A write spelled through a macro is found like any other.
#define COUNT_CALL() (macro_calls++)
static long macro_calls;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'macro_calls' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES-BOTH: :[[@LINE-2]]:13: warning: global variable 'macro_calls' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyTypeObject PatchedType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "targets.Patched",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};
// CHECK-MESSAGES: :[[@LINE-5]]:21: warning: type object 'PatchedType' is statically allocated and modified while the module is in use, a data race without the GIL; fill in its fields before 'PyType_Ready' at module init, or make it a heap type [gilport-global-state]
// CHECK-MESSAGES-BOTH: :[[@LINE-6]]:21: warning: type object 'PatchedType' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]

static PyObject *box(PyObject *module, PyObject *arg) {
  calls++;
  COUNT_CALL();
  // Handing the type to the C API does not change it.
  BoxObject *self = PyObject_New(BoxObject, &BoxType);
  if (self == NULL)
    return NULL;
  self->value = PyLong_AsLong(arg);
  return (PyObject *)self;
}

static PyObject *dumps(PyObject *module, PyObject *arg) {
  static PyObject *dumps_name;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'dumps_name' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  // CHECK-MESSAGES-BOTH: :[[@LINE-2]]:20: warning: function-static Python object pointer 'dumps_name' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
  if (dumps_name == NULL)
    dumps_name = PyUnicode_InternFromString("dumps");
  if (lazy_json == NULL)
    lazy_json = PyImport_ImportModule("json");
  if (lazy_json == NULL)
    return NULL;
  PatchedType.tp_doc = "patched";
  (void)header_lookup();
  return PyObject_CallMethodObjArgs(lazy_json, dumps_name, arg, NULL);
}

static PyMethodDef methods[] = {
    {"box", box, METH_O, NULL},
    {"dumps", dumps, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef targets_module = {
    PyModuleDef_HEAD_INIT, "targets", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit_targets(void) {
  if (PyType_Ready(&BoxType) < 0 || PyType_Ready(&PatchedType) < 0)
    return NULL;
  if (fill_names() < 0)
    return NULL;
  PyObject *m = PyModule_Create(&targets_module);
  if (m == NULL)
    return NULL;
  ModuleError = PyErr_NewException("targets.Error", NULL, NULL);
  if (ModuleError == NULL || PyModule_AddObjectRef(m, "Error", ModuleError) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  initialized = 1;
  return m;
}

// Reported after the main file's findings.
// CHECK-MESSAGES: gilport-global-state-targets.h:3:18: warning: global Python object pointer 'header_lazy' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
// CHECK-MESSAGES: gilport-global-state-targets.h:6:5: note: 'header_lazy' is modified here
// CHECK-MESSAGES-BOTH: gilport-global-state-targets.h:3:18: warning: global Python object pointer 'header_lazy' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
