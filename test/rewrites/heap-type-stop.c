// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// Static types that are not converted: one without tp_basicsize (and
// modified at init), one defined by a macro. (One without tp_flags has
// Py_TPFLAGS_DEFAULT, and converts.) Nothing else moves, so the
// file is left as it was.
#include <Python.h>

static PyObject *Plain_repr(PyObject *self) { return PyUnicode_FromString("plain"); }

static PyTypeObject Plain_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Plain_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    "hs.Plain",
};

#define DEFINE_TYPE(name, pyname)                                            \
  static PyTypeObject name = {                                               \
      PyVarObject_HEAD_INIT(NULL, 0).tp_name = pyname,                       \
      .tp_basicsize = sizeof(PyObject),                                      \
      .tp_flags = Py_TPFLAGS_DEFAULT,                                        \
  }

DEFINE_TYPE(Macro_Type, "hs.Macro");
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: type object 'Macro_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]

static PyMethodDef hs_methods[] = {
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hs_module = {
    PyModuleDef_HEAD_INIT, "hs", NULL, -1, hs_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_hs(void) {
  PyObject *m;
  Plain_Type.tp_repr = Plain_repr;
  if (PyType_Ready(&Plain_Type) < 0 || PyType_Ready(&Macro_Type) < 0)
    return NULL;
  m = PyModule_Create(&hs_module);
  if (m == NULL)
    return NULL;
  if (PyModule_AddObjectRef(m, "Plain", (PyObject *)&Plain_Type) < 0 ||
      PyModule_AddObjectRef(m, "Macro", (PyObject *)&Macro_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// NOTES:     note: no automatic fix: not moved to the module state: not converted to a heap type: 'Plain_Type' does not set tp_basicsize
// NOTES:     note: no automatic fix: not moved to the module state: not converted to a heap type: 'tp_basicsize' of 'Macro_Type' is spelled inside a macro expansion
// NOTES:     0 findings fixed in 0 files, 2 left for a human
// NOTES-NOT: ==== fixed
