/* A static object written for the GIL build's header, and another compile
 * error: the file is not analysed. */
#include <Python.h>

static PyTypeObject Some_Type = {PyVarObject_HEAD_INIT(NULL, 0)};
PyObject Some_Object = {_PyObject_EXTRA_INIT 1, &Some_Type};

int broken(void) { return undeclared_name; }
