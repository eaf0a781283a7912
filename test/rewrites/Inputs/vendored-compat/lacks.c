#include <Python.h>
#include "pythoncapi_compat.h"

/* The fix needs PyList_GetItemRef, which this vendored header lacks; a
 * newer pythoncapi_compat.h has it. */
PyObject *first_item(PyObject *list) {
  PyObject *item = PyList_GetItem(list, 0);
  if (item == NULL)
    return NULL;
  PyObject *text = PyObject_Repr(item);
  return text;
}
