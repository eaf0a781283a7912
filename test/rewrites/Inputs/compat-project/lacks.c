#include <Python.h>
#include "own_compat.h"

static PyObject *shared_list;

PyObject *first_item(void) {
  PyObject *item = PyList_GetItem(shared_list, 0);
  if (item == NULL)
    return NULL;
  PyObject *text = PyObject_Repr(item);
  return text;
}

int use_compat(void) { return own_compat_unused(); }
