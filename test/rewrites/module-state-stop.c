// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// The stop rule: a global used where the module cannot be reached stays
// global, and a note names the place: a helper called through a pointer, a slot
// of a (static) type, a method-table function also used elsewhere, a
// function whose module parameter is hidden by Py_UNUSED. Static types are
// not converted. What can move moves ('missing'), so the module becomes
// multi-phase with state, but it declares that it does not support
// subinterpreters, and no Py_mod_gil slot is added.
#include <Python.h>

static PyObject *cache;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'cache' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *missing;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'missing' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *greeting;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'greeting' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *twice_label;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'twice_label' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *toggle_label;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'toggle_label' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

typedef struct {
  PyObject_HEAD
} ThingObject;

static PyObject *Thing_repr(PyObject *self) {
  return Py_NewRef(greeting);
}

static PyObject *Thing_vectorcall(PyObject *c, PyObject *const *a, size_t n,
                                  PyObject *k) { return PyLong_FromLong(1); }


static PyTypeObject Thing_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Thing_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stop.Thing",
    .tp_basicsize = sizeof(ThingObject),
    .tp_repr = Thing_repr,
    .tp_vectorcall = Thing_vectorcall,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};

static PyObject *lookup(PyObject *key) {
  return PyDict_GetItemWithError(cache, key);
}

// Called through a pointer: the module cannot be passed to it.
static PyObject *(*lookup_hook)(PyObject *) = lookup;

static PyObject *stop_get(PyObject *module, PyObject *key) {
  PyObject *value = lookup_hook(key);
  if (value == NULL && !PyErr_Occurred())
    value = missing;
  return Py_XNewRef(value);
}

static PyObject *stop_missing(PyObject *module, PyObject *unused) {
  return Py_NewRef(missing);
}

static PyObject *stop_twice(PyObject *module, PyObject *arg) {
  return PyTuple_Pack(2, twice_label, arg);
}

static PyCFunction twice_alias = stop_twice;

static PyObject *stop_toggle(PyObject *Py_UNUSED(module), PyObject *unused) {
  return Py_NewRef(toggle_label);
}

static PyMethodDef stop_methods[] = {
    {"get", stop_get, METH_O, NULL},
    {"missing", stop_missing, METH_NOARGS, NULL},
    {"twice", stop_twice, METH_O, NULL},
    {"toggle", stop_toggle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef stop_module = {
    PyModuleDef_HEAD_INIT, "stop", NULL, -1, stop_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_stop(void) {
  PyObject *m;
  if (PyType_Ready(&Thing_Type) < 0)
    return NULL;
  m = PyModule_Create(&stop_module);
  if (m == NULL)
    return NULL;
  cache = PyDict_New();
  greeting = PyUnicode_FromString("a thing");
  missing = PyUnicode_FromString("missing");
  twice_label = PyUnicode_FromString("twice");
  toggle_label = PyUnicode_FromString("toggle");
  if (cache == NULL || greeting == NULL || missing == NULL ||
      twice_label == NULL || toggle_label == NULL) {
    Py_DECREF(m);
    return NULL;
  }
  if (PyModule_AddObjectRef(m, "Thing", (PyObject *)&Thing_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  (void)twice_alias;
  return m;
}

// Only 'missing' moves.
// CHECK-FIXES:      static PyObject *cache;
// CHECK-FIXES:      static PyObject *lookup(PyObject *key) {
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *missing;
// CHECK-FIXES-NEXT: } stop_state;
// CHECK-FIXES:          value = get_stop_state(module)->missing;
// CHECK-FIXES:        return Py_NewRef(get_stop_state(module)->missing);
// CHECK-FIXES:        return PyTuple_Pack(2, twice_label, arg);
// CHECK-FIXES:        return Py_NewRef(toggle_label);
// CHECK-FIXES:      static PyModuleDef_Slot stop_slots[] = {
// CHECK-FIXES-NEXT:     {Py_mod_exec, stop_exec},
// CHECK-FIXES-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// CHECK-FIXES-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
// CHECK-FIXES-NEXT: #endif
// CHECK-FIXES-NEXT:     {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:          PyModuleDef_HEAD_INIT, "stop", NULL, sizeof(stop_state), stop_methods, stop_slots, stop_state_traverse, stop_state_clear, stop_state_free,
// CHECK-FIXES:        cache = PyDict_New();
// CHECK-FIXES-NEXT:   greeting = PyUnicode_FromString("a thing");
// CHECK-FIXES-NEXT:   get_stop_state(m)->missing = PyUnicode_FromString("missing");

// NOTES:      ==== report ====
// NOTES:      warning: global Python object pointer 'cache'
// NOTES:      :48:18: note: not moved to the module state: 'cache' is used in 'lookup' (line 48), which has no way to the module: it is neither a function of the module's method table nor its exec function, nor a static helper called only where the module is known
// NOTES:      warning: global Python object pointer 'greeting'
// NOTES:      :29:18: note: not moved to the module state: 'greeting' is used in 'Thing_repr' (line 29), which has no way to the module
// NOTES:      warning: global Python object pointer 'twice_label'
// NOTES:      note: not moved to the module state: 'twice_label' is used in 'stop_twice' (line {{[0-9]+}}), which is in the module's method table but is also used at line {{[0-9]+}}, where its first argument may not be the module
// NOTES:      warning: global Python object pointer 'toggle_label'
// NOTES:      note: not moved to the module state: 'toggle_label' is used in 'stop_toggle' (line {{[0-9]+}}), which names its first parameter, the module, through a macro ('Py_UNUSED') or not at all
// NOTES:      warning: type object 'Thing_Type'
// NOTES:      note: no automatic fix: not moved to the module state: not converted to a heap type: 'Thing_Type' sets 'tp_vectorcall', which the heap type conversion does not handle
// NOTES:      1 finding fixed in 1 file, 5 left for a human
