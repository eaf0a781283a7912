// REQUIRES: python-ft
// A fallback taken from the module's state where the lookup found nothing:
// a field that only the module's exec and clear functions set holds its
// reference while the module lives, so the fallback takes its own
// (`v = Py_XNewRef(st->any)`, as CPython's ports write it). A field that a
// method also replaces may be released by another thread in between: left
// alone (NOFIX). The fixed file compiles against the 3.13t headers and,
// through gilport_compat.h, against 3.11.
// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
// RUN: cp %t.c %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-borrowed-ref --python=%test_python --color=never | FileCheck %s --check-prefix=NOFIX
#include <Python.h>

typedef struct {
  PyObject *any;
  PyObject *current;
} fields_state;

static PyObject *type_of(PyObject *module, PyObject *args) {
  fields_state *st = PyModule_GetState(module);
  PyObject *annotations, *name;
  if (!PyArg_ParseTuple(args, "O!O:type_of", &PyDict_Type, &annotations,
                        &name))
    return NULL;
  PyObject *type = PyDict_GetItem(annotations, name);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
  if (type == NULL) {
    type = st->any;
  }
  PyObject *result = PyObject_Repr(type);
  return result;
}
// CHECK-FIXES: static PyObject *type_of(PyObject *module, PyObject *args) {
// CHECK-FIXES:   if (type == NULL) {
// CHECK-FIXES-NEXT:     type = Py_XNewRef(st->any);
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   PyObject *result = PyObject_Repr(type);
// CHECK-FIXES-NEXT:   Py_XDECREF(type);

// Negative: 'current' is replaced while the module is in use.
static PyObject *current_of(PyObject *module, PyObject *args) {
  fields_state *st = PyModule_GetState(module);
  PyObject *d, *name;
  if (!PyArg_ParseTuple(args, "O!O:current_of", &PyDict_Type, &d, &name))
    return NULL;
  PyObject *v = PyDict_GetItem(d, name);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyDict_GetItem' {{.*}} [gilport-borrowed-ref]
// NOFIX: :[[@LINE-2]]:17: warning
// NOFIX: note: no automatic fix: the ownership of 'v' differs between the branches of an 'if'
  if (v == NULL) {
    v = st->current;
  }
  return PyObject_Repr(v);
}

static PyObject *set_current(PyObject *module, PyObject *value) {
  fields_state *st = PyModule_GetState(module);
  Py_XSETREF(st->current, Py_NewRef(value));
  Py_RETURN_NONE;
}

static int fields_exec(PyObject *module) {
  fields_state *st = PyModule_GetState(module);
  st->any = PyUnicode_FromString("Any");
  if (st->any == NULL)
    return -1;
  st->current = Py_NewRef(Py_None);
  return 0;
}

static int fields_clear(PyObject *module) {
  fields_state *st = PyModule_GetState(module);
  Py_CLEAR(st->any);
  Py_CLEAR(st->current);
  return 0;
}

static PyMethodDef fields_methods[] = {
    {"type_of", type_of, METH_VARARGS, NULL},
    {"current_of", current_of, METH_VARARGS, NULL},
    {"set_current", set_current, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot fields_slots[] = {
    {Py_mod_exec, fields_exec},
    {0, NULL},
};

static struct PyModuleDef fields_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "fields",
    .m_size = sizeof(fields_state),
    .m_methods = fields_methods,
    .m_slots = fields_slots,
    .m_clear = fields_clear,
};

PyMODINIT_FUNC PyInit_fields(void) { return PyModuleDef_Init(&fields_module); }
