/* Written for 3.14 and before: PyWeakref_GetObject is gone from 3.15's
   headers, so against them this does not compile. gilport analyses it
   anyway with --target-python=3.15, and fixes it with PyWeakref_GetRef. */
#include <Python.h>

PyObject *
referent(PyObject *ref)
{
    PyObject *obj = PyWeakref_GetObject(ref);
    if (obj == NULL)
        return NULL;
    return Py_NewRef(obj);
}

#ifndef Py_GIL_DISABLED
#error "not the free-threaded view"
#endif
