// RUN: %check_gilport %s gilport-global-state %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: FileCheck %s --check-prefix=COMPAT < %t.out
// With ConvertToModuleState the fills keep their lock, and the fills no
// lock can guard do not move: the module's threads share its state too, so
// there they would still race.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-global-state --format=json --check-option=gilport-global-state.ConvertToModuleState=true | %python -c "import json,sys; f=json.load(sys.stdin)['findings']; print('fixed', sorted(x['message'].split(\"'\")[1] for x in f if x['fix_available']), 'left', sorted(x['message'].split(\"'\")[1] for x in f if not x['fix_available']))" | FileCheck %s --check-prefix=CONVERT

// A function-static string made on first use races without the GIL: the
// fix guards the test-and-fill with a static PyMutex (one per run of
// adjacent fills), which gilport_compat.h defines for Python < 3.13. The
// fixed file compiles with -Wall -Werror against 3.13t and 3.11, and a
// second fix changes nothing. Fills whose value may run Python code, that
// leave the block, or that are spelled in a macro are reported without a fix.
#include <Python.h>

#define INTERN PyUnicode_InternFromString

static PyObject *get_name(PyObject *module, PyObject *obj) {
  static PyObject *name_str = NULL; /* "__name__", interned */
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'name_str' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (name_str == NULL)
    name_str = INTERN("__name__");
  return PyObject_GetAttr(obj, name_str);
}
// CHECK-FIXES:      static PyObject *name_str = NULL; /* "__name__", interned */
// CHECK-FIXES-NEXT: static PyMutex name_str_lock;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT: PyMutex_Lock(&name_str_lock);
// CHECK-FIXES-NEXT: if (name_str == NULL)
// CHECK-FIXES-NEXT: name_str = INTERN("__name__");
// CHECK-FIXES-NEXT: PyMutex_Unlock(&name_str_lock);
// CHECK-FIXES-NEXT: return PyObject_GetAttr(obj, name_str);

static PyObject *describe(PyObject *module, PyObject *obj) {
  static PyObject *module_str = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'module_str' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  static PyObject *qual_str, *doc_str;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'qual_str' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  // CHECK-MESSAGES: :[[@LINE-2]]:31: warning: function-static Python object pointer 'doc_str' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

  if (!module_str) {
    module_str = PyUnicode_InternFromString("__module__");
  }
  if (!qual_str) {
    qual_str = PyUnicode_InternFromString("__qualname__");
    doc_str = PyUnicode_InternFromString("__doc__");
  }
  return PyTuple_Pack(3, module_str, qual_str, doc_str);
}
// CHECK-FIXES:      static PyObject *qual_str, *doc_str;
// CHECK-FIXES-NEXT: static PyMutex init_lock;
// CHECK-FIXES:      PyMutex_Lock(&init_lock);
// CHECK-FIXES-NEXT: if (!module_str) {
// CHECK-FIXES:      doc_str = PyUnicode_InternFromString("__doc__");
// CHECK-FIXES-NEXT: }
// CHECK-FIXES-NEXT: PyMutex_Unlock(&init_lock);
// CHECK-FIXES-NEXT: return PyTuple_Pack(3, module_str, qual_str, doc_str);

// Already guarded: not a race.
static PyObject *guarded(PyObject *module, PyObject *obj) {
  static PyObject *dict_str = NULL;
  static PyMutex dict_lock;
  PyMutex_Lock(&dict_lock);
  if (dict_str == NULL)
    dict_str = PyUnicode_InternFromString("__dict__");
  PyMutex_Unlock(&dict_lock);
  return PyObject_GetAttr(obj, dict_str);
}

// An import runs Python code: no lock is held around it, and the value is
// published under one only from a braced branch.
static PyObject *dumps(PyObject *module, PyObject *obj) {
  static PyObject *json = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'json' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (json == NULL)
    json = PyImport_ImportModule("json");
  if (json == NULL)
    return NULL;
  return PyObject_CallMethod(json, "dumps", "O", obj);
}

// The fill also returns on failure (a lock around it would stay held): the
// value is published under a lock instead (rewrites/PublishFill.h).
static PyObject *count(PyObject *module, PyObject *obj) {
  static PyObject *zero = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'zero' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (zero == NULL) {
    zero = PyLong_FromLong(0);
    if (zero == NULL)
      return NULL;
  }
  return PyNumber_Add(obj, zero);
}

// Spelled in a macro: diagnosed, not fixed.
#define LAZY_STRING(var, text)                                                 \
  if (var == NULL)                                                             \
    var = PyUnicode_InternFromString(text);
static PyObject *macro_fill(PyObject *module, PyObject *obj) {
  static PyObject *repr_str = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'repr_str' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  LAZY_STRING(repr_str, "__repr__")
  return PyObject_GetAttr(obj, repr_str);
}

static PyMethodDef methods[] = {
    {"get_name", get_name, METH_O, NULL},
    {"describe", describe, METH_O, NULL},
    {"guarded", guarded, METH_O, NULL},
    {"dumps", dumps, METH_O, NULL},
    {"count", count, METH_O, NULL},
    {"macro_fill", macro_fill, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lazy_module = {
    PyModuleDef_HEAD_INIT, "lazy", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit_lazy(void) { return PyModule_Create(&lazy_module); }

// The report names why the others have no fix; the fixed file includes
// gilport_compat.h, whose PyMutex lets it compile against 3.11.
// COMPAT: ==== report ====
// COMPAT: pointer 'json' is written
// COMPAT: note: no automatic fix: its first-use fill is not guarded by a lock automatically: it is not filled by a statement of the braced branch of an 'if' that tests it for NULL
// COMPAT: pointer 'repr_str' is written
// COMPAT: note: no automatic fix: its first-use fill is not guarded by a lock automatically: the 'if' that fills it is spelled in a macro
// COMPAT: ==== fixed lazy-init-lock.c ====
// COMPAT: #include <Python.h>
// COMPAT-NEXT: #include "gilport_compat.h"
// CONVERT: fixed ['doc_str', 'module_str', 'name_str', 'qual_str', 'zero'] left ['json', 'repr_str']
