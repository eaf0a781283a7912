// REQUIRES: python3.15-headers
// Python 3.15's headers number the module slots anew (Py_mod_gil is 87
// outside the limited API): a PyModuleDef_Slot array that declares
// Py_mod_gil is recognised by either number (PyInit_export below). A PEP 793
// export hook, PyModExport_<name>, returns a PySlot array: without
// Py_mod_gil it is reported, and the fix adds PySlot_DATA entries before
// PySlot_END, unguarded (only 3.15 reads the array). Compiled with
// -Wall -Werror against 3.15's free-threaded headers; a second fix changes
// nothing.
// RUN: rm -rf %t && mkdir -p %t && cp %s %t/export.c
// RUN: %expect_exit 1 %gilport check --target-python=3.15 %t/export.c --checks=-*,gilport-missing-gil-decl --color=never | FileCheck %s --check-prefix=CHECK --implicit-check-not=warning:
// CHECK: export.c:31:18: warning: module export function 'PyModExport_export' does not declare whether the module can run without the GIL, so importing it enables the GIL on free-threaded Python; once the module is thread-safe, add 'PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED)' to its slots (Python 3.15, PEP 793) [gilport-missing-gil-decl]
// CHECK: note: the module does not declare 'Py_mod_multiple_interpreters' either
// CHECK: 1 finding in 1 file
// RUN: %gilport fix --target-python=3.15 %t/export.c --checks=-*,gilport-missing-gil-decl --color=never | FileCheck %s --check-prefix=FIX
// FIX: 1 finding fixed in 1 file, 0 left for a human
// RUN: FileCheck %s --check-prefix=FIXED < %t/export.c
// FIXED:      PySlot_FUNC(Py_mod_exec, export_exec),
// FIXED-NEXT: PySlot_DATA(Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED),
// FIXED-NEXT: PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),
// FIXED-NEXT: PySlot_END,
// RUN: clang-19 -fsyntax-only -Wall -Werror -DPy_GIL_DISABLED=1 -isystem %headers_315/usr/include/python3.15 -isystem %headers_315/usr/include %t/export.c
// RUN: cp %t/export.c %t/once.c && %gilport fix --target-python=3.15 %t/export.c --checks=-*,gilport-missing-gil-decl --color=never && cmp %t/once.c %t/export.c
// RUN: %gilport check --target-python=3.15 %t/export.c --checks=-*,gilport-missing-gil-decl --color=never | FileCheck %s --check-prefix=AFTER
// AFTER: no findings

#include <Python.h>

static int export_exec(PyObject *m) { return 0; }

PyMODEXPORT_FUNC PyModExport_export(void) {
  static PySlot slots[] = {
      PySlot_DATA(Py_mod_name, "export"),
      PySlot_FUNC(Py_mod_exec, export_exec),
      PySlot_END,
  };
  return slots;
}

// The classic entry point in the same file, for older Pythons: declared.
static PyModuleDef_Slot old_slots[] = {
    {Py_mod_exec, export_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};
static struct PyModuleDef export_def = {PyModuleDef_HEAD_INIT, "export", NULL,
                                        0, NULL, old_slots};
PyMODINIT_FUNC PyInit_export(void) { return PyModuleDef_Init(&export_def); }
