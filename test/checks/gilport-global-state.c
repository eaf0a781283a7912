// RUN: %check_gilport %s gilport-global-state %t
// RUN: %check_gilport %s gilport-global-state %t.311 -- --python=%python_gil

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <structmember.h>
#include <string.h>

#include "Inputs/gilport-global-state.h"

// ---- Python object pointers: reported whether or not they are written ----

static PyObject *ModuleError;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'ModuleError' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

PyObject *exported_cache = NULL;
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: global Python object pointer 'exported_cache' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyTypeObject *ForeignType;
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global Python object pointer 'ForeignType' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyListObject *pending;
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global Python object pointer 'pending' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static const PyObject *readonly_view;
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: global Python object pointer 'readonly_view' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

typedef struct {
  PyObject_HEAD
  int value;
} BoxObject;

static BoxObject *last_box;
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: global Python object pointer 'last_box' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

static PyObject *interned[4];
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global variable 'interned' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]

static struct {
  PyObject *encoder;
  PyObject *decoder;
  int hits;
} codec_cache;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: global variable 'codec_cache' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]

static PyObject *get_json(void) {
  static PyObject *json_module;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'json_module' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
  if (json_module == NULL)
    json_module = PyImport_ImportModule("json");
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'json_module' is modified here
  return Py_XNewRef(json_module);
}

// A const pointer cannot be re-pointed; what it points at is reported at
// its own definition.
static PyObject *const none_alias = Py_None;

// ---- Static types and objects ----

static PyTypeObject Box_Type = {
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'Box_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
    PyVarObject_HEAD_INIT(NULL, 0) "gs.Box",
    sizeof(BoxObject),
};

static BoxObject default_box = {PyObject_HEAD_INIT(&Box_Type) 0};
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: Python object 'default_box' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]

// ---- Mutable C data: reported only when a function writes it ----

static int initialized;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'initialized' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static int ensure_initialized(void) {
  if (initialized)
    return 0;
  initialized = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'initialized' is modified here
  return 0;
}

static long calls;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'calls' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static PyObject *count_call(PyObject *self, PyObject *unused) {
  calls += 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'calls' is modified here
  return PyLong_FromLong(calls);
}

static char message_buffer[128];
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'message_buffer' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static PyObject *describe(PyObject *self, PyObject *arg) {
  snprintf(message_buffer, sizeof message_buffer, "%ld", PyLong_AsLong(arg));
  // CHECK-MESSAGES: :[[@LINE-1]]:12: note: 'message_buffer' may be modified through the pointer passed here
  return PyUnicode_FromString(message_buffer);
}

static int verbosity;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'verbosity' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static PyObject *set_verbosity(PyObject *self, PyObject *args) {
  if (!PyArg_ParseTuple(args, "i", &verbosity))
    // CHECK-MESSAGES: :[[@LINE-1]]:37: note: 'verbosity' may be modified through the pointer passed here
    return NULL;
  Py_RETURN_NONE;
}

static struct {
  unsigned char bytes[16];
  int used;
} scratch;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: global variable 'scratch' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static void fill_scratch(unsigned char value) {
  unsigned char *cursor = scratch.bytes;
  *cursor = value;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'scratch' is modified here through a pointer to it
  scratch.used++;
}

// Written through a helper's parameter: the store runs when the code that
// passes the address runs (the exec function), not whenever the helper runs
// (a method also calls it, with a buffer of its own).
static unsigned char stamp[4];
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global variable 'stamp' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static void write_stamp(unsigned char *out) {
  out[0] = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'stamp' is modified here through a pointer to it
}

static PyObject *read_stamp(PyObject *self, PyObject *unused) {
  unsigned char local[4];
  write_stamp(local);
  return PyLong_FromLong(local[0] + stamp[0]);
}

typedef struct {
  const char *name;
  int uses;
} Block;

static Block blocks[2] = {{"a", 0}, {"b", 0}};
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: global variable 'blocks' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void reset_blocks(void) {
  Block *block = blocks;
  memset(block, 0, sizeof blocks);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: note: 'blocks' may be modified through the pointer passed here
}

// Iterating with a non-const pointer that is only read from is not a write.
static Block lookup_table[2] = {{"x", 1}, {"y", 2}};
// Passing a table to a function defined here is a write only if that
// function writes through its parameter.
static int sum_uses(Block *table, int n) {
  int sum = 0;
  for (int i = 0; i < n; i++)
    sum += table[i].uses;
  return sum;
}
static void bump_first(Block *table) { table[0].uses++; }
// CHECK-MESSAGES: :[[@LINE+4]]:14: warning: global variable 'counted_blocks' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES: :[[@LINE-2]]:40: note: 'counted_blocks' is modified here through a pointer to it

static Block read_blocks[1];
static Block counted_blocks[1];
static int use_blocks(void) {
  bump_first(counted_blocks);
  return sum_uses(read_blocks, 1) + sum_uses(counted_blocks, 1);
}

// _Py_IDENTIFIER: filled in and synchronized by the runtime.
static PyObject *identifier_name(void) {
  _Py_IDENTIFIER(name);
  return _PyUnicode_FromId(&PyId_name);
}

static int lookup(const char *name) {
  Block *entry;
  for (entry = lookup_table; entry < lookup_table + 2; entry++)
    if (strcmp(entry->name, name) == 0)
      return entry->uses;
  return -1;
}

// A pointer stored anywhere but in a local escapes: assume it is written.
static struct {
  char *out;
} writer;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: global variable 'writer' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES: :[[@LINE+5]]:3: note: 'writer' is modified here
static char escaping_buffer[16];
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'escaping_buffer' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
// CHECK-MESSAGES: :[[@LINE+2]]:16: note: 'escaping_buffer' may be modified through the pointer taken here
static void setup_writer(void) {
  writer.out = escaping_buffer;
}

static void (*log_hook)(const char *);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'log_hook' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static void set_log_hook(void (*hook)(const char *)) {
  log_hook = hook;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'log_hook' is modified here
}

static PyObject *next_id(PyObject *self, PyObject *unused) {
  static unsigned long long id;
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: function-static variable 'id' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  return PyLong_FromUnsignedLongLong(++id);
  // CHECK-MESSAGES: :[[@LINE-1]]:40: note: 'id' is modified here
}

// Reported at the definition, not at the extern declaration.
extern int shared_total;
int shared_total;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: global variable 'shared_total' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
static void add_total(int n) {
  shared_total += n;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'shared_total' is modified here
}

// ---- Not state: never written, constant, tables, thread-local, locks ----

static int debug_level = 0; // only read
static const char version_string[] = "1.0";
static const char *greeting = "hello"; // the pointer is never re-pointed
static char *kwlist[] = {"value", "base", NULL};
static const double scale_table[3] = {1.0, 10.0, 100.0};
static _Thread_local int per_thread_depth;
static __thread char per_thread_buffer[32];
static PyThread_type_lock table_lock;
static Py_tss_t tss_key = Py_tss_NEEDS_INIT;
static _Atomic long atomic_counter;
typedef struct {
  void *impl;
} MyLib_Mutex;
static MyLib_Mutex library_mutex;
#if PY_VERSION_HEX >= 0x030D0000
static PyMutex state_mutex;
static void lock_state(void) {
  PyMutex_Lock(&state_mutex);
  PyMutex_Unlock(&state_mutex);
}
#endif
static void MyLib_Lock(MyLib_Mutex *mutex) { mutex->impl = mutex; }

static PyObject *parse(PyObject *self, PyObject *args, PyObject *kwds) {
  long value, base = 10;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "l|l", kwlist, &value, &base))
    return NULL;
  per_thread_depth++;
  snprintf(per_thread_buffer, sizeof per_thread_buffer, "%ld", value);
  atomic_counter++;
  MyLib_Lock(&library_mutex);
  (void)lookup("x");
  (void)identifier_name();
  (void)use_blocks();
  reset_blocks();
  setup_writer();
  if (table_lock == NULL)
    table_lock = PyThread_allocate_lock();
  if (PyThread_tss_create(&tss_key) != 0)
    return NULL;
  if (debug_level > 1)
    fprintf(stderr, "%s %s %s\n", version_string, greeting, per_thread_buffer);
  return PyFloat_FromDouble(value * scale_table[base % 3]);
}

static PyMethodDef gs_methods[] = {
    {"count_call", count_call, METH_NOARGS, NULL},
    {"describe", describe, METH_O, NULL},
    {"set_verbosity", set_verbosity, METH_VARARGS, NULL},
    {"next_id", next_id, METH_NOARGS, NULL},
    {"read_stamp", read_stamp, METH_NOARGS, NULL},
    {"parse", (PyCFunction)(void (*)(void))parse, METH_VARARGS | METH_KEYWORDS,
     NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef box_members[] = {
    {"value", T_INT, offsetof(BoxObject, value), 0, NULL},
    {NULL},
};

static PyGetSetDef box_getset[] = {{NULL}};

static PyType_Slot box_slots[] = {
    {Py_tp_members, box_members},
    {Py_tp_getset, box_getset},
    {0, NULL},
};

static PyType_Spec box_spec = {"gs.Box2", sizeof(BoxObject), 0,
                               Py_TPFLAGS_DEFAULT, box_slots};

static int gs_exec(PyObject *module) {
  ModuleError = PyErr_NewException("gs.Error", NULL, NULL);
  if (ensure_initialized() < 0)
    return -1;
  fill_scratch(1);
  write_stamp(stamp);
  set_log_hook(NULL);
  add_total(1);
  (void)get_json();
  (void)PyType_FromModuleAndSpec(module, &box_spec, NULL);
  return PyType_Ready(&Box_Type);
}

static PyModuleDef_Slot gs_slots[] = {
    {Py_mod_exec, gs_exec},
    {0, NULL},
};

static struct PyModuleDef gs_module = {
    PyModuleDef_HEAD_INIT, "gs", NULL, 0, gs_methods, gs_slots,
};

// ---- Suppression, option-free ignores and macros ----

static PyObject *suppressed_cache; // NOLINT(gilport-global-state)

// NOLINTNEXTLINE(gilport-global-state)
static int suppressed_counter;
static void bump_suppressed(void) { suppressed_counter++; }

#define DEFINE_CACHE(name) static PyObject *name = NULL
DEFINE_CACHE(macro_cache);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: global Python object pointer 'macro_cache' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

#define BUMP(counter) ((counter) += 1)
static int macro_bumped;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: global variable 'macro_bumped' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void bump_macro(void) { BUMP(macro_bumped); }
// CHECK-MESSAGES: :[[@LINE-1]]:37: note: 'macro_bumped' is modified here

// CHECK-MESSAGES: gilport-global-state.h:3:18: warning: global Python object pointer 'header_cache' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
