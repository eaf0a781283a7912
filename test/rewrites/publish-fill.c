// RUN: %check_gilport %s gilport-global-state %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// RUN: cp %s %t.nofix.c
// RUN: %expect_exit 1 %gilport fix %t.nofix.c --checks=-*,gilport-global-state --color=never | FileCheck %s --check-prefix=NOFIX
// A second check of the fixed file reports only what was left.
// RUN: %expect_exit 1 %gilport check %t.dir/publish-fill.c --checks=-*,gilport-global-state --format=json | %python -c "import json,sys; f=json.load(sys.stdin)['findings']; print('left', sorted(x['message'].split(\"'\")[1] for x in f))" | FileCheck %s --check-prefix=AFTER
// AFTER: left ['borrowed', 'early', 'kept', 'macro_made']

// Function-static objects filled on first use by an import or a call, which
// may run Python code: a lock held around the fill could deadlock. The
// value is made without the lock, into a local of the old name, and
// published under a PyMutex; the first value published is kept.
#include <Python.h>

#define MAKE_ONCE(v, name)                                                     \
  if (v == NULL) {                                                             \
    v = PyImport_ImportModule(name);                                           \
  }

/* A helper of the project's own that returns a new reference. */
static PyObject *package_attr(const char *name) {
  PyObject *package, *result;

  package = PyImport_ImportModule("json");
  if (package == NULL)
    return NULL;
  result = PyObject_GetAttrString(package, name);
  Py_DECREF(package);
  return result;
}

static PyObject *dumps(PyObject *module, PyObject *arg) {
  static PyObject *encoder = NULL; /* json.dumps */
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'encoder' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  PyObject *result;

  if (encoder == NULL) {
    encoder = package_attr("dumps");
    if (encoder == NULL)
      return NULL;
  }
  result = PyObject_CallOneArg(encoder, arg);
  return result;
}
// CHECK-FIXES:      static PyObject *encoder_cache = NULL; /* json.dumps */
// CHECK-FIXES-NEXT:   static PyMutex encoder_lock;
// CHECK-FIXES-NEXT:   PyObject *encoder;
// CHECK-FIXES:        PyObject *result;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   PyMutex_Lock(&encoder_lock);
// CHECK-FIXES-NEXT:   encoder = encoder_cache;
// CHECK-FIXES-NEXT:   PyMutex_Unlock(&encoder_lock);
// CHECK-FIXES-NEXT:   if (encoder == NULL) {
// CHECK-FIXES-NEXT:     encoder = package_attr("dumps");
// CHECK-FIXES-NEXT:     if (encoder == NULL)
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:     /* Keep the first value made: another thread may have made one. */
// CHECK-FIXES-NEXT:     PyMutex_Lock(&encoder_lock);
// CHECK-FIXES-NEXT:     if (encoder_cache == NULL) {
// CHECK-FIXES-NEXT:       encoder_cache = encoder;
// CHECK-FIXES-NEXT:       encoder = NULL;
// CHECK-FIXES-NEXT:     }
// CHECK-FIXES-NEXT:     PyMutex_Unlock(&encoder_lock);
// CHECK-FIXES-NEXT:     Py_XDECREF(encoder);
// CHECK-FIXES-NEXT:     encoder = encoder_cache;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   result = PyObject_CallOneArg(encoder, arg);

/* Several statements, braces on their own lines, as the project writes. */
static PyObject *decode(PyObject *module, PyObject *arg)
{
    static PyObject* decoder;
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: function-static Python object pointer 'decoder' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]

    if (!decoder)
    {
        PyObject *json;
        json = PyImport_ImportModule("json");
        if (!json)
            return NULL;
        decoder = PyObject_GetAttrString(json, "loads");
        Py_DECREF(json);
        if (!decoder)
        {
            return NULL;
        }
    }
    return PyObject_CallOneArg(decoder, arg);
}
// CHECK-FIXES:      static PyObject* decoder_cache;
// CHECK-FIXES-NEXT:     static PyMutex decoder_lock;
// CHECK-FIXES-NEXT:     PyObject* decoder;
// CHECK-FIXES:          Py_DECREF(json);
// CHECK-FIXES-NEXT:         if (!decoder)
// CHECK-FIXES-NEXT:         {
// CHECK-FIXES-NEXT:             return NULL;
// CHECK-FIXES-NEXT:         }
// CHECK-FIXES-NEXT:         /* Keep the first value made: another thread may have made one. */
// CHECK-FIXES-NEXT:         PyMutex_Lock(&decoder_lock);
// CHECK-FIXES-NEXT:         if (decoder_cache == NULL)
// CHECK-FIXES-NEXT:         {
// CHECK-FIXES-NEXT:             decoder_cache = decoder;

/* The value is borrowed: releasing a loser's value would be wrong. */
static PyObject *borrowed_path(PyObject *module, PyObject *arg) {
  static PyObject *borrowed = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'borrowed' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (borrowed == NULL) {
    borrowed = PySys_GetObject("path");
    if (borrowed == NULL)
      return NULL;
  }
  return Py_NewRef(borrowed);
}
// NOFIX: warning: function-static Python object pointer 'borrowed'
// NOFIX: note: no automatic fix: {{.*}}: its value is not shown to be a new reference

/* The branch can leave holding the value made. */
static PyObject *early_exit(PyObject *module, PyObject *arg) {
  static PyObject *early = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'early' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (early == NULL) {
    early = PyImport_ImportModule("os");
    if (PyErr_Occurred())
      return NULL;
  }
  return PyObject_GetAttr(early, arg);
}
// NOFIX: warning: function-static Python object pointer 'early'
// NOFIX: note: no automatic fix: {{.*}}: the branch that fills it can leave with the value made

/* Used before the fill. */
static PyObject *kept_early(PyObject *module, PyObject *arg) {
  static PyObject *kept = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'kept' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  if (arg == Py_None && kept != NULL)
    return Py_NewRef(kept);
  if (kept == NULL) {
    kept = PyImport_ImportModule("os");
    if (kept == NULL)
      return NULL;
  }
  return Py_NewRef(kept);
}
// NOFIX: warning: function-static Python object pointer 'kept'
// NOFIX: note: no automatic fix: {{.*}}: it is used before the 'if' that fills it, or outside its block

/* Spelled in a macro: diagnosed, not edited. */
static PyObject *macro_fill(PyObject *module, PyObject *arg) {
  static PyObject *macro_made = NULL;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'macro_made' is written while the module is in use and shared by all threads, a data race without the GIL; move it to the module state, or set it once at module init [gilport-global-state]
  MAKE_ONCE(macro_made, "os")
  return Py_XNewRef(macro_made);
}
// NOFIX: warning: function-static Python object pointer 'macro_made'
// NOFIX: note: no automatic fix: {{.*}}: the 'if' that fills it is spelled in a macro

static PyMethodDef publish_methods[] = {
    {"dumps", dumps, METH_O, NULL},
    {"decode", decode, METH_O, NULL},
    {"borrowed_path", borrowed_path, METH_O, NULL},
    {"early_exit", early_exit, METH_O, NULL},
    {"kept_early", kept_early, METH_O, NULL},
    {"macro_fill", macro_fill, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef publish_module = {
    PyModuleDef_HEAD_INIT, "publish", NULL, -1, publish_methods,
};

PyMODINIT_FUNC PyInit_publish(void) { return PyModule_Create(&publish_module); }
