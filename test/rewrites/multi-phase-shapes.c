// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-missing-gil-decl --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-missing-gil-decl.ConvertSinglePhase=true > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// RUN: FileCheck %s --check-prefix=REPORT < %t.out

// Single-phase init shapes of real extensions that convert to multi-phase
// init: the module created in a helper the init function returns (the
// Python 2/3 shape), created in its return, created without a NULL test,
// assigned in the NULL test, declared with other variables.

#include <Python.h>

// ---- A helper with a prototype creates the module ----

static PyObject *
helper_init(void);

static struct PyModuleDef helper_def = {
    PyModuleDef_HEAD_INIT, "helper", NULL, -1, NULL,
};

static PyObject *
helper_init(void)
{
    PyObject *module, *capi;

    capi = PyCapsule_New((void *)&helper_def, "helper.CAPI", NULL);
    if (capi == NULL)
        return NULL;
    if ((module = PyModule_Create(&helper_def)) == NULL)
        return NULL;
    if (PyModule_AddObject(module, "CAPI", capi) < 0)
        return NULL;
    return module;
}

PyMODINIT_FUNC PyInit_helper(void)
{
    return helper_init();
}
// FIXED-LABEL: ==== fixed multi-phase-shapes.c ====
// FIXED:      static int
// FIXED-NEXT: helper_exec(PyObject *module);
// FIXED-EMPTY:
// FIXED-NEXT: static PyModuleDef_Slot helper_slots[] = {
// FIXED-NEXT:     {Py_mod_exec, helper_exec},
// FIXED:          {0, NULL},
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: static struct PyModuleDef helper_def = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT, "helper", NULL, 0, NULL, helper_slots,
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: static int
// FIXED-NEXT: helper_exec(PyObject *module)
// FIXED-NEXT: {
// FIXED-NEXT:     PyObject *capi;
// FIXED-EMPTY:
// FIXED-NEXT:     capi = PyCapsule_New((void *)&helper_def, "helper.CAPI", NULL);
// FIXED-NEXT:     if (capi == NULL)
// FIXED-NEXT:         return -1;
// FIXED-NEXT:     if (PyModule_AddObject(module, "CAPI", capi) < 0)
// FIXED-NEXT:         return -1;
// FIXED-NEXT:     return 0;
// FIXED-NEXT: }
// FIXED-EMPTY:
// FIXED-NEXT: PyMODINIT_FUNC PyInit_helper(void)
// FIXED-NEXT: {
// FIXED-NEXT:     return PyModuleDef_Init(&helper_def);
// FIXED-NEXT: }

// ---- The init function only returns the creation: no exec function ----

static struct PyModuleDef plain_def = {
    PyModuleDef_HEAD_INIT, "plain", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_plain(void) {
  return PyModule_Create(&plain_def);
}
// FIXED:      static PyModuleDef_Slot plain_slots[] = {
// FIXED-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// FIXED:      static struct PyModuleDef plain_def = {
// FIXED-NEXT:     PyModuleDef_HEAD_INIT, "plain", NULL, 0, NULL, plain_slots,
// FIXED-NEXT: };
// FIXED-EMPTY:
// FIXED-NEXT: PyMODINIT_FUNC PyInit_plain(void) {
// FIXED-NEXT:   return PyModuleDef_Init(&plain_def);
// FIXED-NEXT: }

// ---- Work before the creation in the return ----

static PyTypeObject Ready_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ready.Ready",
    .tp_basicsize = sizeof(PyObject),
};

static struct PyModuleDef ready_def = {
    PyModuleDef_HEAD_INIT, "ready", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_ready(void) {
  if (PyType_Ready(&Ready_Type) < 0)
    return NULL;
  return PyModule_Create(&ready_def);
}
// FIXED:      static int ready_exec(PyObject *module) {
// FIXED-NEXT:   if (PyType_Ready(&Ready_Type) < 0)
// FIXED-NEXT:     return -1;
// FIXED-NEXT:   return 0;
// FIXED-NEXT: }
// FIXED-EMPTY:
// FIXED-NEXT: PyMODINIT_FUNC PyInit_ready(void) {
// FIXED-NEXT:   return PyModuleDef_Init(&ready_def);
// FIXED-NEXT: }

// ---- No NULL test, PyModule_Create2 ----

static struct PyModuleDef untested_def = {
    PyModuleDef_HEAD_INIT, "untested", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_untested(void) {
  PyObject *m = PyModule_Create2(&untested_def, PYTHON_API_VERSION);
  PyModule_AddIntConstant(m, "answer", 42);
  return m;
}
// FIXED:      static int untested_exec(PyObject *m) {
// FIXED-NEXT:   PyModule_AddIntConstant(m, "answer", 42);
// FIXED-NEXT:   return 0;
// FIXED-NEXT: }

// ---- Not converted: the helper is called from elsewhere too ----

static struct PyModuleDef shared_def = {
    PyModuleDef_HEAD_INIT, "shared", NULL, -1, NULL,
};

static PyObject *shared_init(void) { return PyModule_Create(&shared_def); }

PyObject *shared_again(void) { return shared_init(); }

PyMODINIT_FUNC PyInit_shared(void) { return shared_init(); }
// FIXED:      PyMODINIT_FUNC PyInit_shared(void) { return shared_init(); }
// The snippet is the line as it was analysed, not the rewritten file's line.
// REPORT:     warning: module init function 'PyInit_shared'
// REPORT-NEXT: PyMODINIT_FUNC PyInit_shared(void) { return shared_init(); }
// REPORT-NEXT: {{^}}               ^
// REPORT:     no automatic fix: the module is created in 'shared_init', which is used elsewhere too

// ---- Not converted: the creation is a macro (diagnosed, no fix) ----

#define CREATE_MODULE(ob, def) ob = PyModule_Create(&def);

static struct PyModuleDef macro_def = {
    PyModuleDef_HEAD_INIT, "macro", NULL, -1, NULL,
};

PyMODINIT_FUNC PyInit_macro(void) {
  PyObject *m;
  CREATE_MODULE(m, macro_def)
  if (m == NULL)
    return NULL;
  return m;
}
// REPORT:     warning: module init function 'PyInit_macro'
// REPORT:     no automatic fix: the module creation is spelled inside a macro expansion
// REPORT:     4 findings fixed in 1 file, 2 left for a human
