// RUN: %check_gilport %s gilport-global-state %t
// RUN: %check_gilport --check-suffix=311 %s gilport-global-state %t.311 -- --python=%python_gil

// A multi-phase module that declares Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED
// is loaded by one interpreter at most: its globals are only reported when
// they are written while the module is in use. Against 3.11's headers the
// slot does not exist (it is skipped by the #if), so the module may be
// loaded by several interpreters and its globals are shared state.
#include <Python.h>

static PyObject *cached_error;
// CHECK-MESSAGES-311: :[[@LINE-1]]:18: warning: global Python object pointer 'cached_error' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static unsigned long hits;
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global variable 'hits' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:22: warning: global variable 'hits' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyObject *hit(PyObject *module, PyObject *Py_UNUSED(ignored)) {
  hits++;
  return PyLong_FromUnsignedLong(hits);
}

static int exec_module(PyObject *m) {
  cached_error = PyErr_NewException("ns.Error", NULL, NULL);
  if (cached_error == NULL)
    return -1;
  return PyModule_AddObjectRef(m, "Error", cached_error);
}

static PyMethodDef methods[] = {
    {"hit", hit, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef ns_module = {
    PyModuleDef_HEAD_INIT, "ns", NULL, 0, methods, slots,
};

PyMODINIT_FUNC PyInit_ns(void) { return PyModuleDef_Init(&ns_module); }
