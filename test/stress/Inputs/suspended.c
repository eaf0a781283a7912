// A borrowed dict item used after a call that suspends the critical section
// on the dict. Built with -DTAKE_STRONG_REFERENCE, the function takes the
// strong reference gilport's no-fix note asks for (PyDict_GetItemRef, inside
// the section).
#include <Python.h>

#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#endif

// lookup_then_wait(d, key, wait): looks key up in d under d's critical
// section, calls wait() (which can block, so the section is suspended), then
// returns the item's `alive` attribute, or None when key is missing.
static PyObject *lookup_then_wait(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs) {
  PyObject *item, *result = NULL;
  int found;
  if (nargs != 3) {
    PyErr_SetString(PyExc_TypeError, "lookup_then_wait(d, key, wait)");
    return NULL;
  }
  PyObject *d = args[0];
  Py_BEGIN_CRITICAL_SECTION(d);
#ifdef TAKE_STRONG_REFERENCE
  found = PyDict_GetItemRef(d, args[1], &item);
#else
  item = PyDict_GetItemWithError(d, args[1]);
  found = item != NULL ? 1 : PyErr_Occurred() ? -1 : 0;
#endif
  if (found > 0) {
    PyObject *waited = PyObject_CallNoArgs(args[2]);
    if (waited != NULL) {
      Py_DECREF(waited);
      result = PyObject_GetAttrString(item, "alive");
    }
#ifdef TAKE_STRONG_REFERENCE
    Py_DECREF(item);
#endif
  } else if (found == 0) {
    result = Py_NewRef(Py_None);
  }
  Py_END_CRITICAL_SECTION();
  (void)module;
  return result;
}

static PyMethodDef methods[] = {
    {"lookup_then_wait", (PyCFunction)(void (*)(void))lookup_then_wait,
     METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot slots[] = {
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "suspended", NULL, 0,
                                 methods, slots};

PyMODINIT_FUNC PyInit_suspended(void) { return PyModuleDef_Init(&def); }
