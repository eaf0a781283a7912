/* A project's own definitions of newer C-API for older Pythons, in the
 * style of a vendored pythoncapi_compat.h (written for this test). */
#ifndef OWN_COMPAT_H
#define OWN_COMPAT_H
#include <Python.h>

#if PY_VERSION_HEX < 0x030D00A1
static inline PyObject *
PyImport_AddModuleRef(const char *name)
{
    PyObject *module = PyImport_AddModule(name);
    Py_XINCREF(module);
    return module;
}
#endif

#if PY_VERSION_HEX < 0x030D0000
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif

static inline int own_compat_unused(void) { return 0; }
#endif
