#ifndef HELPER_H
#define HELPER_H

#include <Python.h>

PyObject *helper_first_path(void);

#endif
