// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=SPEC < %t.out
// RUN: %python %scripts/build-extension.py --python %python_gil --name plainflags --out %t.gil %t.dir/heap-type-default-flags.c
// RUN: %python_gil -c "import sys; sys.path.insert(0, '%t.gil'); import plainflags; print(repr(plainflags.Plain()), repr(plainflags.make()))" | FileCheck %s --check-prefix=RUNS

// A static type that does not set tp_flags has the flags Py_TPFLAGS_DEFAULT
// names (0): its spec says so, and it converts like any other.
#include <Python.h>

static PyObject *Plain_repr(PyObject *self) {
  return PyUnicode_FromString("plain");
}

static PyTypeObject Plain_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Plain_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "plainflags.Plain",
    .tp_basicsize = sizeof(PyObject),
    .tp_repr = Plain_repr,
    .tp_new = PyType_GenericNew,
};

static PyObject *make(PyObject *module, PyObject *unused) {
  return PyObject_CallNoArgs((PyObject *)&Plain_Type);
}

static PyMethodDef plainflags_methods[] = {
    {"make", make, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef plainflags_module = {
    PyModuleDef_HEAD_INIT, "plainflags", NULL, -1, plainflags_methods,
};

PyMODINIT_FUNC PyInit_plainflags(void) {
  PyObject *m;
  if (PyType_Ready(&Plain_Type) < 0)
    return NULL;
  m = PyModule_Create(&plainflags_module);
  if (m == NULL)
    return NULL;
  if (PyModule_AddObjectRef(m, "Plain", (PyObject *)&Plain_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
// SPEC:      static PyType_Spec Plain_Type_spec = {
// SPEC-NEXT:     .name = "plainflags.Plain",
// SPEC-NEXT:     .basicsize = sizeof(PyObject),
// SPEC-NEXT:     .itemsize = 0,
// SPEC-NEXT:     .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
// RUNS: plain plain
