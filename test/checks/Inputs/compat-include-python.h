// Brings in Python.h for compat-include.c, which has no include line of
// its own for it.
#include <Python.h>
