// The fixes of gilport-borrowed-ref and gilport-unlocked-container-access
// call 3.13 APIs; below MinimumPython 3.13 they include gilport_compat.h
// after the file's own '#include <Python.h>' (one helper,
// addFixWithCompatHeader, for both checks). This file gets Python.h only
// through another header: below 3.13 gilport_compat.h is included once,
// after that header's include; with MinimumPython 3.13 both are fixed
// without the include.
//
// RUN: rm -rf %t && mkdir -p %t/old %t/new
// RUN: cp %s %t/old/m.c && cp %S/Inputs/compat-include-python.h %t/old/
// RUN: cp %s %t/new/m.c && cp %S/Inputs/compat-include-python.h %t/new/
// RUN: printf 'MinimumPython: "3.13"\n' > %t/new/.gilport.yaml
//
// RUN: %gilport fix %t/old/m.c --python=%test_python --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access --color=never | FileCheck %s --check-prefix=OLD
// RUN: FileCheck %s --check-prefix=OLDFIXED < %t/old/m.c
// RUN: test -f %t/old/gilport_compat.h
//
// RUN: %gilport fix %t/new/m.c --python=%test_python --checks=-*,gilport-borrowed-ref,gilport-unlocked-container-access --color=never | FileCheck %s --check-prefix=NEW
// RUN: FileCheck %s --check-prefix=FIXED < %t/new/m.c
// RUN: not test -f %t/new/gilport_compat.h

#include "compat-include-python.h"

static PyObject *lookup(PyObject *cache, PyObject *key) {
  PyObject *value = PyDict_GetItemWithError(cache, key);
  if (value != NULL) {
    Py_INCREF(value);
    return value;
  }
  return NULL;
}

static long count_keys(PyObject *dict) {
  Py_ssize_t pos = 0;
  PyObject *key, *value;
  long n = 0;
  while (PyDict_Next(dict, &pos, &key, &value))
    n++;
  return n;
}

// OLD: 2 findings fixed in 1 file, 0 left for a human
// OLDFIXED:      {{^}}#include "compat-include-python.h"
// OLDFIXED-NEXT: {{^}}#include "gilport_compat.h"
// OLDFIXED-NOT:  {{^}}#include "gilport_compat.h"

// NEW: 2 findings fixed in 1 file
// FIXED-NOT: {{^}}#include "gilport_compat.h"
// FIXED: {{^}}  PyDict_GetItemRef(cache, key, &value);
// FIXED: {{^}}  Py_BEGIN_CRITICAL_SECTION(dict);
// FIXED-NOT: {{^}}#include "gilport_compat.h"
