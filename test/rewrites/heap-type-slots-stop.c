// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --header %S/Inputs/heap-type-user.h --compile %python_ft --compile %python_gil %s -- --check-option=gilport-global-state.ConvertToModuleState=true > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out

// Static types that stay static, each with the reason: one used in a
// header (gilport does not edit it), one named in code the compiler did not
// see outside any function, one whose number table another place uses, and
// one used in exec before the statement that gives it a base known only at
// run time (it would be created there). Only 'Plain_Type' converts.
#include <Python.h>

static PyTypeObject Shown_Type;
#include "Inputs/heap-type-user.h"

static PyTypeObject Shown_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Shown_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stops.Shown",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static PyTypeObject Hidden_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Hidden_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stops.Hidden",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

#ifdef STOPS_EXPORT
PyTypeObject *stops_hidden = &Hidden_Type;
#endif

static int Shared_bool(PyObject *self) { return 1; }

static PyNumberMethods Shared_as_number = {.nb_bool = Shared_bool};

static PyTypeObject Shared_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Shared_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stops.Shared",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_number = &Shared_as_number,
};

static PyNumberMethods *shared_numbers = &Shared_as_number;

static PyTypeObject Late_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Late_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stops.Late",
    .tp_basicsize = sizeof(PyBaseExceptionObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static PyTypeObject Plain_Type = {
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Plain_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "stops.Plain",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static PyObject *stops_numbers(PyObject *module, PyObject *o) {
  return PyBool_FromLong(shared_numbers->nb_bool(o) && is_shown(o));
}

static PyMethodDef stops_methods[] = {
    {"numbers", stops_numbers, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int stops_exec(PyObject *m) {
  if (PyModule_AddObjectRef(m, "Late", (PyObject *)&Late_Type) < 0)
    return -1;
  Late_Type.tp_base = (PyTypeObject *)PyExc_ValueError;
  if (PyType_Ready(&Shown_Type) < 0 || PyType_Ready(&Hidden_Type) < 0 ||
      PyType_Ready(&Shared_Type) < 0 || PyType_Ready(&Late_Type) < 0 ||
      PyType_Ready(&Plain_Type) < 0)
    return -1;
  return PyModule_AddObjectRef(m, "Plain", (PyObject *)&Plain_Type);
}

static PyModuleDef_Slot stops_slots[] = {
    {Py_mod_exec, stops_exec},
    {0, NULL},
};

static struct PyModuleDef stops_module = {
    PyModuleDef_HEAD_INIT, "stops", NULL, 0, stops_methods, stops_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_stops(void) { return PyModuleDef_Init(&stops_module); }

// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   PyTypeObject *Plain_Type;
// CHECK-FIXES-NEXT: } stops_state;
// CHECK-FIXES:      if (PyModule_AddObjectRef(m, "Late", (PyObject *)&Late_Type) < 0)

// NOTES:      ==== report ====
// NOTES:      warning: type object 'Shown_Type'
// NOTES:      note: no automatic fix: not moved to the module state: 'Shown_Type' is used in the header heap-type-user.h (line 2), which gilport does not edit
// NOTES:      warning: type object 'Hidden_Type'
// NOTES:      note: no automatic fix: not moved to the module state: 'Hidden_Type' is named at line {{[0-9]+}} where the compiler did not see it (an inactive preprocessor branch or an unexpanded macro argument), outside a function
// NOTES:      warning: type object 'Shared_Type'
// NOTES:      note: no automatic fix: not moved to the module state: its table 'Shared_as_number' is also used at line {{[0-9]+}}
// NOTES:      warning: type object 'Late_Type'
// NOTES:      note: no automatic fix: not moved to the module state: 'Late_Type' is used at line {{[0-9]+}} before exec sets its base, where it is created
// NOTES:      1 finding fixed in 1 file, 4 left for a human
