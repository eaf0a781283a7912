// RUN: %check_gilport %s gilport-global-state %t -- --check-option=gilport-global-state.ConvertToModuleState=true
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s -- --check-option=gilport-global-state.ConvertToModuleState=true > %t.out

// A multi-phase module (m_size 0, an exec slot, designated initializers)
// whose functions read C globals and an object pointer that its exec
// function sets (written while the module is in use, they would race, and
// stay). The C data moves too:
// every function using it reaches the module. A non-zero initial value is
// set in exec; m_size, m_traverse, m_clear and m_free are set, one member a
// line like the others; the declarations go before the slots' terminator.
// The name 'mp_state' is taken by a function, so the struct gets another.
#include <Python.h>

#define DEFAULT_LIMIT 64

static long limit = DEFAULT_LIMIT;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'limit' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static int verbose;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'verbose' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static PyObject *last_seen;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'last_seen' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyObject *mp_limit(PyObject *module, PyObject *arg) {
  if (verbose)
    PySys_WriteStdout("limit %ld\n", limit);
  return PyLong_FromLong(limit);
}

static PyObject *mp_state(PyObject *module, PyObject *unused) {
  return Py_BuildValue("(liO)", limit, verbose,
                       last_seen ? last_seen : Py_None);
}

static PyMethodDef mp_methods[] = {
    {"limit", mp_limit, METH_O, NULL},
    {"state", mp_state, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int mp_exec(PyObject *module) {
  const char *env = getenv("MP_VERBOSE");
  verbose = env != NULL && env[0] != '\0';
  if (verbose)
    limit = 2 * DEFAULT_LIMIT;
  last_seen = PyTuple_New(0);
  if (last_seen == NULL)
    return -1;
  return PyModule_AddIntConstant(module, "DEFAULT_LIMIT", DEFAULT_LIMIT);
}

static PyModuleDef_Slot mp_slots[] = {
    {Py_mod_exec, mp_exec},
    {0, NULL},
};

static struct PyModuleDef mp_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mp",
    .m_size = 0,
    .m_methods = mp_methods,
    .m_slots = mp_slots,
};

PyMODINIT_FUNC PyInit_mp(void) { return PyModuleDef_Init(&mp_module); }

// CHECK-FIXES:      typedef struct {
// CHECK-FIXES-NEXT:   long limit;
// CHECK-FIXES-NEXT:   int verbose;
// CHECK-FIXES-NEXT:   PyObject *last_seen;
// CHECK-FIXES-NEXT: } mp_state2;
// CHECK-FIXES:      static inline mp_state2 *
// CHECK-FIXES-NEXT: get_mp_state(PyObject *module)
// CHECK-FIXES:        Py_VISIT(state->last_seen);
// CHECK-FIXES:        Py_CLEAR(state->last_seen);
// CHECK-FIXES:      static PyObject *mp_limit(PyObject *module, PyObject *arg) {
// CHECK-FIXES-NEXT:   if (get_mp_state(module)->verbose)
// CHECK-FIXES-NEXT:     PySys_WriteStdout("limit %ld\n", get_mp_state(module)->limit);
// CHECK-FIXES-NEXT:   return PyLong_FromLong(get_mp_state(module)->limit);
// CHECK-FIXES:        return Py_BuildValue("(liO)", get_mp_state(module)->limit, get_mp_state(module)->verbose,
// CHECK-FIXES-NEXT:                        get_mp_state(module)->last_seen ? get_mp_state(module)->last_seen : Py_None);
// CHECK-FIXES:      static int mp_exec(PyObject *module) {
// CHECK-FIXES-NEXT:   get_mp_state(module)->limit = DEFAULT_LIMIT;
// CHECK-FIXES-NEXT:   const char *env = getenv("MP_VERBOSE");
// CHECK-FIXES-NEXT:   get_mp_state(module)->verbose = env != NULL && env[0] != '\0';
// CHECK-FIXES-NEXT:   if (get_mp_state(module)->verbose)
// CHECK-FIXES-NEXT:     get_mp_state(module)->limit = 2 * DEFAULT_LIMIT;
// CHECK-FIXES-NEXT:   get_mp_state(module)->last_seen = PyTuple_New(0);
// CHECK-FIXES:      static PyModuleDef_Slot mp_slots[] = {
// CHECK-FIXES-NEXT:     {Py_mod_exec, mp_exec},
// CHECK-FIXES-NEXT: #if PY_VERSION_HEX >= 0x030C0000
// CHECK-FIXES-NEXT:     {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
// CHECK-FIXES-NEXT: #endif
// CHECK-FIXES-NEXT: #ifdef Py_mod_gil
// CHECK-FIXES-NEXT:     {Py_mod_gil, Py_MOD_GIL_NOT_USED},
// CHECK-FIXES-NEXT: #endif
// CHECK-FIXES-NEXT:     {0, NULL},
// CHECK-FIXES-NEXT: };
// CHECK-FIXES:          .m_size = sizeof(mp_state2),
// CHECK-FIXES-NEXT:     .m_methods = mp_methods,
// CHECK-FIXES-NEXT:     .m_slots = mp_slots,
// CHECK-FIXES-NEXT:     .m_traverse = mp_state_traverse,
// CHECK-FIXES-NEXT:     .m_clear = mp_state_clear,
// CHECK-FIXES-NEXT:     .m_free = mp_state_free,
// CHECK-FIXES-NEXT: };
