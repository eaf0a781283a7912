// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: %python %scripts/build-extension.py --python %python_ft --name readers --out %t.ft %t.dir/heap-type-meth-method.c
// RUN: %python %scripts/build-extension.py --python %python_gil --name readers --out %t.gil %t.dir/heap-type-meth-method.c
// RUN: env -u PYTHON_GIL %python_ft -c "import sys; sys.path.insert(0, sys.argv[1]); exec(open(sys.argv[2]).read())" %t.ft %S/Inputs/readers-check.py | FileCheck %s --check-prefix=RUNTIME
// RUN: %python_gil -c "import sys; sys.path.insert(0, sys.argv[1]); exec(open(sys.argv[2]).read())" %t.gil %S/Inputs/readers-check.py | FileCheck %s --check-prefix=RUNTIME

// A METH_METHOD method of a converted type (PyCMethod: self, defining_class,
// args, nargs, kwnames) reaches the state through its defining class,
// PyType_GetModule(defining_class), without searching the MRO; the type's
// other methods use PyType_GetModuleByDef(Py_TYPE(self), ...). A METH_METHOD
// method that hides its defining class behind Py_UNUSED falls back to the
// latter. The converted module works on both Pythons, also from a subclass
// defined in Python.
#include <Python.h>

typedef struct {
  PyObject_HEAD
  long position;
} ReaderObject;

static PyObject *ReadError;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'ReadError' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyObject *Reader_read(ReaderObject *self, PyTypeObject *defining_class,
                             PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames) {
  if (nargs != 1 || kwnames != NULL) {
    PyErr_SetString(ReadError, "read() takes one positional argument");
    return NULL;
  }
  long n = PyLong_AsLong(args[0]);
  if (n == -1 && PyErr_Occurred())
    return NULL;
  self->position += n;
  return PyLong_FromLong(self->position);
}

static PyObject *Reader_rewind(ReaderObject *self,
                               PyTypeObject *Py_UNUSED(defining_class),
                               PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames) {
  if (nargs != 0 || kwnames != NULL) {
    PyErr_SetString(ReadError, "rewind() takes no arguments");
    return NULL;
  }
  self->position = 0;
  Py_RETURN_NONE;
}

static PyObject *Reader_fail(ReaderObject *self, PyObject *unused) {
  PyErr_SetString(ReadError, "failed on purpose");
  return NULL;
}

static PyMethodDef Reader_methods[] = {
    {"read", (PyCFunction)(void (*)(void))Reader_read,
     METH_METHOD | METH_FASTCALL | METH_KEYWORDS, NULL},
    {"rewind", (PyCFunction)(void (*)(void))Reader_rewind,
     METH_METHOD | METH_FASTCALL | METH_KEYWORDS, NULL},
    {"fail", (PyCFunction)Reader_fail, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Reader_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Reader_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "readers.Reader",
    .tp_basicsize = sizeof(ReaderObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_methods = Reader_methods,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef readers_module = {
    PyModuleDef_HEAD_INIT, "readers", NULL, -1, NULL,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_readers(void) {
  PyObject *m;
  if (PyType_Ready(&Reader_Type) < 0)
    return NULL;
  m = PyModule_Create(&readers_module);
  if (m == NULL)
    return NULL;
  ReadError = PyErr_NewException("readers.ReadError", NULL, NULL);
  if (ReadError == NULL || PyModule_AddObjectRef(m, "ReadError", ReadError) < 0 ||
      PyModule_AddObjectRef(m, "Reader", (PyObject *)&Reader_Type) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}

// CHECK-FIXES:      } ReaderObject;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyObject *ReadError;
// CHECK-FIXES-NEXT:   PyTypeObject *Reader_Type;
// CHECK-FIXES-NEXT: } readers_state;
// CHECK-FIXES:      static PyObject *Reader_read(ReaderObject *self, PyTypeObject *defining_class,
// CHECK-FIXES:          PyErr_SetString(get_readers_state(PyType_GetModule(defining_class))->ReadError, "read() takes one positional argument");
// CHECK-FIXES:      static PyObject *Reader_rewind(ReaderObject *self,
// CHECK-FIXES:          PyErr_SetString(get_readers_state(PyType_GetModuleByDef(Py_TYPE(self), &readers_module))->ReadError, "rewind() takes no arguments");
// CHECK-FIXES:      static PyObject *Reader_fail(ReaderObject *self, PyObject *unused) {
// CHECK-FIXES-NEXT:   PyErr_SetString(get_readers_state(PyType_GetModuleByDef(Py_TYPE(self), &readers_module))->ReadError, "failed on purpose");
// CHECK-FIXES:      static PyType_Slot Reader_Type_slots[] = {
// CHECK-FIXES-NEXT:   {Py_tp_methods, (void *)Reader_methods},
// CHECK-FIXES-NEXT:   {Py_tp_new, (void *)PyType_GenericNew},
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},

// RUNTIME:      read: 3 5
// RUNTIME-NEXT: subclass read: 7
// RUNTIME-NEXT: error from read: ReadError read() takes one positional argument True
// RUNTIME-NEXT: error from rewind: ReadError rewind() takes no arguments True
// RUNTIME-NEXT: error from fail: ReadError failed on purpose True
