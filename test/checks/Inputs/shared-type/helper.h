#ifndef HELPER_H
#define HELPER_H

#include <Python.h>

/* Defined in helper.c, readied by the module that includes it. */
extern PyTypeObject HelperType;

#endif
