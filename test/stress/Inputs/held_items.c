// Values of a dict handed to a Python callback while iterating it. A writer
// that replaces a value frees the old one; a reader still holding it only
// borrowed then uses a dead object. `gilport fix` wraps the loop in the
// dict's critical section and, because the callback can suspend that
// section, owns each value for the duration of its iteration.
#include <Python.h>

// count_alive(d, wait): for each value of d, calls wait(value) and counts
// the values whose `alive` attribute is still true afterwards.
static PyObject *count_alive(PyObject *module, PyObject *const *args,
                             Py_ssize_t nargs) {
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  long alive = 0;
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "count_alive(d, wait)");
    return NULL;
  }
  PyObject *d = args[0];
  while (PyDict_Next(d, &pos, &key, &value)) {
    PyObject *waited = PyObject_CallOneArg(args[1], value);
    if (waited == NULL)
      return NULL;
    Py_DECREF(waited);
    PyObject *flag = PyObject_GetAttrString(value, "alive");
    if (flag == NULL)
      return NULL;
    alive += flag == Py_True;
    Py_DECREF(flag);
  }
  (void)module;
  return PyLong_FromLong(alive);
}

static PyMethodDef methods[] = {
    {"count_alive", (PyCFunction)(void (*)(void))count_alive, METH_FASTCALL,
     NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot slots[] = {
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "held_items", NULL, 0,
                                 methods, slots};

PyMODINIT_FUNC PyInit_held_items(void) { return PyModuleDef_Init(&def); }
