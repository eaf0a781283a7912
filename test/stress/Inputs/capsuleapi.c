/* A module that exports a C API through a capsule and uses it through a
   static pointer that its exec function sets, in the documented way
   (pymongo's _cmessage does this with _cbson's table). Every interpreter
   that imports it stores the pointer again while another interpreter's
   threads call through it. */
#include <Python.h>

static long twice_impl(long v) { return 2 * v; }

/* The table the capsule holds: one per process, initialised statically. */
static void *const capsuleapi_table[] = {(void *)twice_impl};

static void **capsuleapi_API;

static PyObject *twice(PyObject *self, PyObject *arg) {
  long v = PyLong_AsLong(arg);
  if (v == -1 && PyErr_Occurred())
    return NULL;
  return PyLong_FromLong(((long (*)(long))capsuleapi_API[0])(v));
}

static PyMethodDef methods[] = {
    {"twice", twice, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int module_exec(PyObject *m) {
  PyObject *capsule =
      PyCapsule_New((void *)capsuleapi_table, "capsuleapi._C_API", NULL);
  if (capsule == NULL)
    return -1;
  if (PyModule_AddObjectRef(m, "_C_API", capsule) < 0)
    goto error;
  capsuleapi_API = (void **)PyCapsule_GetPointer(capsule, "capsuleapi._C_API");
  if (capsuleapi_API == NULL)
    goto error;
  Py_DECREF(capsule);
  return 0;
error:
  Py_DECREF(capsule);
  return -1;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_MOD_PER_INTERPRETER_GIL_SUPPORTED
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "capsuleapi", NULL, 0, methods, slots,
};

PyMODINIT_FUNC PyInit_capsuleapi(void) { return PyModuleDef_Init(&module_def); }
