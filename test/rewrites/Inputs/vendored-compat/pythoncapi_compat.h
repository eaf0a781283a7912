/* A vendored compatibility header in the style of pythoncapi_compat.h
 * (written for this test): its include guard, strong-reference functions
 * for older Pythons, the critical-section macros, and no PyMutex. */
#ifndef PYTHONCAPI_COMPAT
#define PYTHONCAPI_COMPAT
#include <Python.h>

#if PY_VERSION_HEX < 0x030D00A1
static inline int
PyDict_GetItemRef(PyObject *mp, PyObject *key, PyObject **result)
{
    PyObject *item = PyDict_GetItemWithError(mp, key);
    *result = item;
    if (item == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Py_INCREF(item);
    return 1;
}
#endif

#if PY_VERSION_HEX < 0x030D0000
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif
#endif /* PYTHONCAPI_COMPAT */
