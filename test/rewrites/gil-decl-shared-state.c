// RUN: %check_gilport %s gilport-missing-gil-decl %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out

// A module with state shared by all interpreters (a global object pointer,
// what gilport-global-state reports) gets Py_mod_gil but not
// Py_mod_multiple_interpreters, even when gilport-global-state is not
// enabled. A keyword list is not state.

#include <Python.h>

static PyObject *cache = NULL;

static PyObject *lookup(PyObject *module, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"key", NULL};
  PyObject *key;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O", kwlist, &key))
    return NULL;
  return PyObject_GetItem(cache, key);
}

static PyMethodDef shared_methods[] = {
    {"lookup", (PyCFunction)(void (*)(void))lookup,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static int shared_exec(PyObject *module) {
  if (cache == NULL) {
    cache = PyDict_New();
    if (cache == NULL)
      return -1;
  }
  return 0;
}

static PyModuleDef_Slot shared_slots[] = {
    {Py_mod_exec, shared_exec},
    {0, NULL},
};
// FIXED:      static PyModuleDef_Slot shared_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, shared_exec},
// FIXED-NEXT: #ifdef Py_mod_gil
// FIXED-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// FIXED-NEXT: #endif
// FIXED-NEXT:     {0, NULL},

static struct PyModuleDef shared_module = {
    PyModuleDef_HEAD_INIT, "shared", NULL, 0, shared_methods, shared_slots,
};

PyMODINIT_FUNC PyInit_shared(void) { return PyModuleDef_Init(&shared_module); }
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: module init function 'PyInit_shared' does not declare
// CHECK-MESSAGES: :[[@LINE-17]]:25: note: the module does not declare 'Py_mod_multiple_interpreters' either
// CHECK-MESSAGES: :[[@LINE-18]]:25: note: the fix does not add 'Py_mod_multiple_interpreters': the file keeps state shared by all interpreters ({{.*}}.c:12, see gilport-global-state)
