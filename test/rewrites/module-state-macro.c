// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// Macros: a global used in the body of a user macro ('prefix' in PREFIX())
// or declared by one ('ticks') is diagnosed but not moved; a global passed as
// a macro argument ('label' in Py_XINCREF) is rewritten where it is spelled.
// The counters race, which module state would not end, so they would stay
// anyway; the pointers are set at init only.
#include <Python.h>

#define BUMP() (bumps++)
#define PREFIX() (prefix)
#define DECLARE_COUNTER(name) static long name

static long bumps;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'bumps' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
DECLARE_COUNTER(ticks);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: global variable 'ticks' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static PyObject *label;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'label' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *prefix;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'prefix' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyObject *mac_bump(PyObject *module, PyObject *unused) {
  BUMP();
  ticks++;
  Py_XINCREF(label);
  return label ? label : PyLong_FromLong(bumps + ticks);
}

static PyObject *mac_prefix(PyObject *module, PyObject *unused) {
  return Py_NewRef(PREFIX());
}

static PyMethodDef mac_methods[] = {
    {"bump", mac_bump, METH_NOARGS, NULL},
    {"prefix", mac_prefix, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef mac_module = {
    PyModuleDef_HEAD_INIT, "mac", NULL, -1, mac_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_mac(void) {
  PyObject *m = PyModule_Create(&mac_module);
  if (m == NULL)
    return NULL;
  label = PyUnicode_FromString("mac");
  prefix = PyUnicode_FromString("mac: ");
  if (label == NULL || prefix == NULL) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      static long bumps;
// CHECK-FIXES:      DECLARE_COUNTER(ticks);
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *label;
// CHECK-FIXES-NEXT: } mac_state;
// CHECK-FIXES:        BUMP();
// CHECK-FIXES-NEXT:   ticks++;
// CHECK-FIXES-NEXT:   Py_XINCREF(get_mac_state(module)->label);
// CHECK-FIXES-NEXT:   return get_mac_state(module)->label ? get_mac_state(module)->label : PyLong_FromLong(bumps + ticks);
// CHECK-FIXES:        return Py_NewRef(PREFIX());
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},

// NOTES: note: no automatic fix: not moved to the module state: 'bumps' is written while the module is in use, and the module's threads share its state as well: moved there, it would still race
// NOTES: note: no automatic fix: not moved to the module state: 'ticks' is declared inside a macro expansion or in a header
// NOTES: note: not moved to the module state: 'prefix' is used inside a macro expansion at line 33
