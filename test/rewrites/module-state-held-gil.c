// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state,gilport-borrowed-ref,gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s < %t.out

// The declaration safety rule with a complete module-state conversion: the
// global moves and the module declares a per-interpreter GIL, but a
// borrowed-reference finding left unfixed (spelled through a macro) holds
// back Py_mod_gil. Both checks' findings carry the same edits without it.
// The global is set at init only, so its hazard is sharing by interpreters,
// which the module targets here.

#include <Python.h>

#define FIRST(l) PyList_GetItem(l, 0)

static PyObject *label;

static PyObject *ds_first(PyObject *module, PyObject *list) {
  PyObject *item = FIRST(list);
  if (item == NULL)
    return NULL;
  PyObject_Print(label, stdout, Py_PRINT_RAW);
  PyObject_Print(item, stdout, 0);
  return Py_NewRef(item);
}

static PyMethodDef ds_methods[] = {
    {"first", ds_first, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ds_module = {
    PyModuleDef_HEAD_INIT, "ds", NULL, -1, ds_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_ds(void) {
  PyObject *m = PyModule_Create(&ds_module);
  if (m == NULL)
    return NULL;
  label = PyUnicode_FromString("first: ");
  if (label == NULL) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK:      ==== report ====
// CHECK:      warning: 'PyList_GetItem' returns a borrowed reference
// CHECK:      2 findings fixed in 1 file, 1 left for a human
// CHECK:      ==== fixed module-state-held-gil.c ====
// CHECK:      typedef struct {
// CHECK-NEXT:   PyObject *label;
// CHECK-NEXT: } ds_state;
// CHECK:        PyObject_Print(get_ds_state(module)->label, stdout, Py_PRINT_RAW);
// CHECK:      static PyModuleDef_Slot ds_slots[] = {
// CHECK-NEXT:     {Py_mod_exec, ds_exec},
// CHECK-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// CHECK-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-NEXT: #endif
// CHECK-NEXT:     {0, NULL},
// CHECK-NEXT: };
// CHECK-NOT:  Py_mod_gil
