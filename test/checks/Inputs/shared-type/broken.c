#include <Python.h>

/* Does not compile: it might have been a module that several interpreters
   load. */
PyMODINIT_FUNC PyInit_broken(void) { return undeclared_name; }
