#include "codes.h"

// Another file that includes codes.h: this file cannot see every write to
// the struct (codes.c's), so the lookup is reported.
PyObject *tables_name(codes_state *st, PyObject *key) {
  PyObject *name = PyDict_GetItemWithError(st->names, key);
  return name ? PyObject_Str(name) : NULL;
}
