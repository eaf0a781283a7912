// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --header %S/Inputs/module-state.h --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// A global defined in a header (which other files may include) stays where
// it is; the main file's own global moves. The header is not edited.
#include <Python.h>
#include "Inputs/module-state.h"

static PyObject *names;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'names' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
// CHECK-MESSAGES: module-state.h:2:13: warning: global variable 'header_ticks' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static PyObject *hdr_tick(PyObject *module, PyObject *name) {
  header_ticks++;
  if (PyList_Append(names, name) < 0)
    return NULL;
  return PyLong_FromLong(header_ticks);
}

static PyMethodDef hdr_methods[] = {
    {"tick", hdr_tick, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hdr_module = {
    PyModuleDef_HEAD_INIT, "hdr", NULL, -1, hdr_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_hdr(void) {
  PyObject *m = PyModule_Create(&hdr_module);
  if (m == NULL)
    return NULL;
  names = PyList_New(0);
  if (names == NULL) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *names;
// CHECK-FIXES-NEXT: } hdr_state;
// CHECK-FIXES:        header_ticks++;
// CHECK-FIXES-NEXT:   if (PyList_Append(get_hdr_state(module)->names, name) < 0)
// CHECK-FIXES:        return PyLong_FromLong(header_ticks);
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
// CHECK-FIXES:        get_hdr_state(m)->names = PyList_New(0);

// NOTES:     note: no automatic fix: not moved to the module state: 'header_ticks' is declared inside a macro expansion or in a header
// NOTES-NOT: ==== fixed module-state.h
// NOTES:     ==== fixed module-state-header.c ====
// NOTES-NOT: ==== fixed module-state.h
