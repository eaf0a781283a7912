#include <Python.h>

#include "helper.h"

PyObject *helper_first_path(void) {
  PyObject *path = PySys_GetObject("path");
  if (path == NULL)
    return NULL;
  return PyObject_Repr(path);
}
