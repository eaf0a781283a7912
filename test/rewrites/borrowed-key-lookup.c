// RUN: %check_gilport %s gilport-borrowed-ref %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c

// One lookup's result is the key of another. A dict lends its value, not
// its key: both become strong references in one run, and the second
// lookup's new error path releases the first's reference, which the first
// lookup's rewrite releases right after it (a second run, which
// check_gilport makes, changes nothing). The returned expression goes
// through a result variable.
#include <Python.h>

static PyObject *module_dict_of(PyObject *ns, PyObject *modules,
                                PyObject *attr) {
  PyObject *name = PyDict_GetItemString(ns, "__module__");
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'PyDict_GetItemString' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemStringRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  if (name == NULL)
    return NULL;
  PyObject *module = PyDict_GetItem(modules, name);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  if (module == NULL)
    return NULL;
  return PyObject_GetAttr(module, attr);
}
// CHECK-FIXES:      PyObject *name;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemStringRef(ns, "__module__", &name) < 0) {
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES:        PyObject *module;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(modules, name, &module) < 0) {
// CHECK-FIXES-NEXT:       Py_XDECREF(name);
// CHECK-FIXES-NEXT:       return NULL;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   Py_DECREF(name);
// CHECK-FIXES:        if (module == NULL)
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   PyObject *result = PyObject_GetAttr(module, attr);
// CHECK-FIXES-NEXT:   Py_DECREF(module);
// CHECK-FIXES-NEXT:   return result;

// A lookup only tested for NULL is not a finding, so no rewrite makes its
// variable hold a reference: another lookup's error path neither releases
// it nor counts it as held.
static int only_tested(PyObject *ns, PyObject *d) {
  PyObject *marker = PyDict_GetItemString(ns, "marker");
  PyObject *value = PyDict_GetItem(d, Py_None);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyDict_GetItem' returns a borrowed reference that another thread can invalidate; use 'PyDict_GetItemRef' (Python 3.13), which returns a strong reference [gilport-borrowed-ref]
  if (marker == NULL || value == NULL)
    return -1;
  return PyObject_IsTrue(value);
}
// CHECK-FIXES:      PyObject *marker = PyDict_GetItemString(ns, "marker");
// CHECK-FIXES-NEXT:   PyObject *value;
// CHECK-FIXES-NEXT:   if (PyDict_GetItemRef(d, Py_None, &value) < 0) {
// CHECK-FIXES-NEXT:       return -1;
// CHECK-FIXES-NEXT:   }
