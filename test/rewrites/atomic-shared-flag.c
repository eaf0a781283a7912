// The fix edits the header too, so it is checked on copies (run-fix.py).
// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --header %S/Inputs/shared-flag.h --compile %python_ft --compile %python_gil %s -- --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out
// RUN: FileCheck %s --check-prefix=FIXED < %t.out
// Without AtomicCounters the flag stays as it is, and the reason says why.
// RUN: not %gilport check --format=json --checks=gilport-global-state --check-option=gilport-global-state.ConvertToModuleState=true %s | FileCheck %s --check-prefix=PLAIN

// AtomicCounters in a source with no module init function: a flag defined
// here, declared 'extern' in the project's header and read through the
// header's macro by other sources, becomes a C11 atomic in both places.
// Reads spelled in the macro stay as they are: reading an _Atomic variable
// is an atomic load. A variable other files may declare on their own is
// left alone.
#include <Python.h>
#include "Inputs/shared-flag.h"

int flagged_debug = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: global variable 'flagged_debug' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// PLAIN: "no_fix_reason": "not moved to the module state: no module init function in this file"

int flagged_spare = 0;

int flagged_private = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: global variable 'flagged_private' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

PyObject *flagged_set_debug(PyObject *self, PyObject *value) {
  int on = PyObject_IsTrue(value);
  if (on < 0)
    return NULL;
  flagged_debug = on ? 1 : 0;
  flagged_private += 1;
  Py_RETURN_NONE;
}

PyObject *flagged_work(PyObject *self, PyObject *unused) {
  flagged_log("working\n");
  return PyLong_FromLong(flagged_spare + flagged_private);
}

// FIXED-LABEL: ==== report ====
// FIXED: 'flagged_private' is not 'static', and no header declares it, so other files may declare it as they like
// FIXED-LABEL: ==== fixed atomic-shared-flag.c ====
// FIXED:      #include <Python.h>
// FIXED-NEXT: #include <stdatomic.h>
// FIXED:      _Atomic int flagged_debug = 0;
// FIXED:      int flagged_private = 0;
// FIXED:        atomic_store(&flagged_debug, on ? 1 : 0);
// FIXED-NEXT:   flagged_private += 1;
// FIXED:        flagged_log("working\n");
// FIXED-LABEL: ==== fixed shared-flag.h ====
// FIXED: extern _Atomic int flagged_debug;
// FIXED-NEXT: extern int flagged_spare;
// FIXED-NOT: ==== fixed
