#include "__native.h"
#include "__native_internal.h"

PyObject *CPyDef_first(PyObject *cpy_r_list) {
  PyObject *item = PyList_GetItem(cpy_r_list, 0);
  if (item == NULL)
    return NULL;
  return Py_NewRef(item);
}
