// RUN: %check_gilport %s gilport-global-state %t -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --targets=free-threading,subinterpreters --check-option=gilport-global-state.ConvertToModuleState=true --check-option=gilport-global-state.AtomicCounters=true > %t.out

// AtomicCounters when nothing moves to the module state: the only finding
// is a counter that an exported function updates, so it becomes an atomic
// and the module itself is left as it is (single-phase, no declarations).
#include <Python.h>

static long events;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'events' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

long ao_event(void) { return events++; }

static PyObject *ao_count(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(events);
}

static PyMethodDef ao_methods[] = {
    {"count", ao_count, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ao_module = {
    PyModuleDef_HEAD_INIT, "ao", NULL, -1, ao_methods,
};

PyMODINIT_FUNC PyInit_ao(void) {
  PyObject *m = PyModule_Create(&ao_module);
  if (m == NULL)
    return NULL;
  return m;
}

// CHECK-FIXES:      #include <Python.h>
// CHECK-FIXES-NEXT: #include <stdatomic.h>
// CHECK-FIXES:      static _Atomic long events;
// CHECK-FIXES:      long ao_event(void) { return atomic_fetch_add(&events, 1); }
// CHECK-FIXES:        return PyLong_FromLong(atomic_load(&events));
// CHECK-FIXES:          PyModuleDef_HEAD_INIT, "ao", NULL, -1, ao_methods,
// CHECK-FIXES:        PyObject *m = PyModule_Create(&ao_module);
