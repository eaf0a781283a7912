// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true --check-option=gilport-global-state.ProcessWideCounters=generation
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true --check-option=gilport-global-state.ProcessWideCounters=generation > %t.out
// RUN: FileCheck %s --check-prefix=NOTES < %t.out
// RUN: %python %scripts/build-extension.py --python %python_ft --name hits --out %t.ft %t.dir/module-state-atomic.c
// RUN: %python %scripts/build-extension.py --python %python_gil --name hits --out %t.gil %t.dir/module-state-atomic.c
// RUN: env -u PYTHON_GIL %python_ft %S/Inputs/hits-check.py %t.ft | FileCheck %s --check-prefix=RUNTIME
// RUN: %python_gil %S/Inputs/hits-check.py %t.gil | FileCheck %s --check-prefix=RUNTIME

// Options AtomicCounters and ProcessWideCounters: an integer counter that
// cannot move to the module state (here: updated by an exported function
// that has no way to the module) becomes a C11 atomic where it is, and so
// does one declared process-wide ('generation'), which never moves. Reads
// become atomic_load, `++`/`--` and `+=`/`-=`/`|=`/`&=`/`^=` the
// atomic_fetch_* operations (a post-increment keeps its value: the old
// one), `x = x + n` atomic_fetch_add, a plain store atomic_store; the
// declaration gets _Atomic and the file includes <stdatomic.h> after
// Python.h. Shapes that atomics would not make one step stay, with a note:
// a function that both reads and updates the variable (check-then-set), a
// pre-increment whose new value is used, an address taken. The counter
// that every user can reach still moves to the state, as an _Atomic field
// ('made++' on it is then one atomic operation in C11). The fixed module
// builds with both Pythons, and its counters count across 8 threads on
// python3.13t without losing an update.
#include <Python.h>

static long made;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'made' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long external_events;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'external_events' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long ticks = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'ticks' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static unsigned long generation = 1;
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global variable 'generation' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static int initialized;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'initialized' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long serial;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'serial' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long scratch;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'scratch' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

static void clear_long(long *p) { *p = 0; }

/* Called by C code that does not know the module. */
long hits_external_event(long weight) {
  external_events++;
  ticks = ticks + weight;
  if (!initialized)
    initialized = 1;
  clear_long(&scratch);
  return ++serial;
}

static PyObject *hits_record(PyObject *module, PyObject *arg) {
  long weight = PyLong_AsLong(arg);
  if (weight == -1 && PyErr_Occurred())
    return NULL;
  made++;
  return PyLong_FromLong(hits_external_event(weight));
}

static PyObject *hits_bump(PyObject *module, PyObject *unused) {
  generation += 2;
  Py_RETURN_NONE;
}

static PyObject *hits_counts(PyObject *module, PyObject *unused) {
  return Py_BuildValue("(llkl)", made, external_events, generation, ticks);
}

static PyMethodDef hits_methods[] = {
    {"record", hits_record, METH_O, NULL},
    {"bump", hits_bump, METH_NOARGS, NULL},
    {"counts", hits_counts, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef hits_module = {
    PyModuleDef_HEAD_INIT, "hits", NULL, -1, hits_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_hits(void) {
  PyObject *m = PyModule_Create(&hits_module);
  if (m == NULL)
    return NULL;
  return m;
}

// CHECK-FIXES:      #include <Python.h>
// CHECK-FIXES-NEXT: #include <stdatomic.h>
// CHECK-FIXES:      static _Atomic long external_events;
// CHECK-FIXES:      static _Atomic long ticks = 0;
// CHECK-FIXES:      static _Atomic unsigned long generation = 1;
// CHECK-FIXES:      static int initialized;
// CHECK-FIXES:      static long serial;
// CHECK-FIXES:      static long scratch;
// CHECK-FIXES:      long hits_external_event(long weight) {
// CHECK-FIXES-NEXT:   atomic_fetch_add(&external_events, 1);
// CHECK-FIXES-NEXT:   atomic_fetch_add(&ticks, weight);
// CHECK-FIXES-NEXT:   if (!initialized)
// CHECK-FIXES-NEXT:     initialized = 1;
// CHECK-FIXES-NEXT:   clear_long(&scratch);
// CHECK-FIXES-NEXT:   return ++serial;
// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   _Atomic long made;
// CHECK-FIXES-NEXT: } hits_state;
// CHECK-FIXES:        get_hits_state(module)->made++;
// CHECK-FIXES:        atomic_fetch_add(&generation, 2);
// CHECK-FIXES:        return Py_BuildValue("(llkl)", get_hits_state(module)->made, atomic_load(&external_events), atomic_load(&generation), atomic_load(&ticks));
// CHECK-FIXES:          {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},

// NOTES: not moved to the module state: 'initialized' is written while the module is in use, and the module's threads share its state as well: moved there, it would still race; nor can it be made atomic: 'hits_external_event' (line {{[0-9]+}}) both reads and updates 'initialized': atomics would not make that one step; guard it with a 'PyMutex'
// NOTES: not moved to the module state: 'serial' is written while the module is in use, and the module's threads share its state as well: moved there, it would still race; nor can it be made atomic: the new value of 'serial' is used at line {{[0-9]+}}; an atomic increment gives the old one
// NOTES: not moved to the module state: 'scratch' is written while the module is in use, and the module's threads share its state as well: moved there, it would still race; nor can it be made atomic: 'scratch' is used at line {{[0-9]+}} other than by reading, incrementing or storing it

// RUNTIME:      counts: (2, 2, 3, 5)
// RUNTIME-NEXT: threads: (8002, 8002, 3, 8005)
