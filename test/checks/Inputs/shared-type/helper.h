#ifndef HELPER_H
#define HELPER_H

#include <Python.h>

/* Defined in helper.c, readied by the module that includes it. */
extern PyTypeObject HelperType;

/* Fills helper.c's interned name; 0 on success, -1 with an exception. */
int helper_intern(void);

#endif
