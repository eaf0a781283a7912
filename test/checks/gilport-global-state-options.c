// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.IgnoreVariables='debug_.*|legacy_cache'
// RUN: %check_gilport %s gilport-global-state %t.311 -- --check-option=gilport-global-state.IgnoreVariables='debug_.*|legacy_cache' --python=%python_gil

// IgnoreVariables matches whole names.

#include <Python.h>

static PyObject *legacy_cache;
static PyObject *legacy_cache_2;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'legacy_cache_2' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static int debug_calls;
static int my_debug_calls;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'my_debug_calls' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static void count(void) {
  debug_calls++;
  my_debug_calls++;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'my_debug_calls' is modified here
}
