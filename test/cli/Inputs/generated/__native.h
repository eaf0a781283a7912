#ifndef MYPYC_NATIVE_H
#define MYPYC_NATIVE_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#endif
