// RUN: %check_gilport %s gilport-free-threaded-abi %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-free-threaded-abi --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// Against the 3.11 headers, where the file compiles, the fix is the same.
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-free-threaded-abi --out %t.311.dir %s -- --python=%python_gil > %t.311.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.311.out

// Static objects whose header is written for the GIL build get it from
// PyObject_HEAD_INIT. A PyObject becomes a struct holding one, named like
// the variable, and its uses take the struct's ob_base; a definition that
// an #if chooses by version becomes one definition.
#include <Python.h>

/* Declared before its type, and used through a macro. */
PyObject Missing_Object;
#define MISSING &Missing_Object

static PyObject *missing_new(PyTypeObject *type, PyObject *args,
                             PyObject *kwargs) {
  return Py_NewRef(MISSING);
}

static PyTypeObject Missing_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "demo.MissingType",
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = missing_new,
};

#if PY_VERSION_HEX >= 0x030C0000
PyObject Missing_Object = {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: static object 'Missing_Object' has its header initialised for the GIL build's object layout, which the free-threaded build changes: it does not compile there [gilport-free-threaded-abi]
    _PyObject_EXTRA_INIT
    { 999999999 },
    &Missing_Type
};
#else
PyObject Missing_Object = {1, &Missing_Type};
#endif

int is_missing(PyObject *o) { return o == &Missing_Object; }

/* A variable-size object keeps its type. */
PyVarObject Empty_Object = {{_PyObject_EXTRA_INIT 1, &Missing_Type}, 0};
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: static object 'Empty_Object' has its header initialised

// FIXED-LABEL: ==== report ====
// FIXED: 2 findings fixed in 1 file, 0 left for a human
// FIXED-LABEL: ==== fixed static-object-header.c ====
// FIXED:      struct Missing_Object { PyObject_HEAD } Missing_Object;
// FIXED-NEXT: #define MISSING &Missing_Object.ob_base
// FIXED:        .tp_new = missing_new,
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: struct Missing_Object Missing_Object = {PyObject_HEAD_INIT(&Missing_Type)};
// FIXED-EMPTY:
// FIXED-NEXT: int is_missing(PyObject *o) { return o == &Missing_Object.ob_base; }
// FIXED:      PyVarObject Empty_Object = {PyObject_HEAD_INIT(&Missing_Type) 0};
