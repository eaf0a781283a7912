/* The project's header, which brings Python.h in. */
#include <Python.h>
