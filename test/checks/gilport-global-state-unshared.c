// RUN: %check_gilport %s gilport-global-state %t -- --python=%python_ft
// RUN: %check_gilport --check-suffix=311 %s gilport-global-state %t.311 -- --python=%python_gil
// REQUIRES: python-ft
//
// State no thread or interpreter can race on is not reported:
// - a table of object pointers initialized with constants (NULL, or the
//   address of a static object of this file) and only read in place, copied
//   from, or handed out where the callee only reads;
// - C data that every function touches only while holding one static
//   PyMutex (3.13 headers only: 3.11 has no PyMutex).

#include <Python.h>
#include <string.h>

#include "Inputs/gilport-global-state-unshared.h"

typedef struct {
  const char *name;
  int flag;
  PyObject *ex;
} CondEntry;

// Not reported: a template, copied into the module state at exec.
static CondEntry cond_template[] = {
    {"InvalidOperation", 1, NULL}, {"Overflow", 2, NULL}, {NULL}};

static CondEntry *copy_template(void) {
  CondEntry *copy = PyMem_Malloc(sizeof(cond_template));
  if (copy == NULL)
    return NULL;
  memcpy(copy, cond_template, sizeof cond_template);
  for (Py_ssize_t i = 0; cond_template[i].name != NULL; i++)
    copy[i].flag = cond_template[i].flag * 2;
  return copy;
}

// Not reported: handed to a function of the file that only reads through
// its (non-const) parameter, as _decimal's dec_cond_map_init does.
static CondEntry signal_template[] = {{"Overflow", 2, NULL}, {NULL}};
static CondEntry *duplicate(CondEntry *source, size_t size) {
  CondEntry *copy = PyMem_Malloc(size);
  if (copy != NULL)
    memcpy(copy, source, size);
  return copy;
}
static CondEntry *copy_signals(void) {
  return duplicate(signal_template, sizeof(signal_template));
}

// Reported: the function it is handed to writes through its parameter.
static CondEntry flag_template[] = {{"Overflow", 2, NULL}, {NULL}};
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global variable 'flag_template' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:18: warning: global variable 'flag_template' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
static void set_flags(CondEntry *entries) { entries[0].flag = 3; }
static void reset_flags(void) { set_flags(flag_template); }

// Reported: a function stores into it.
static CondEntry filled_map[] = {{"InvalidOperation", 1, NULL}, {NULL}};
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global variable 'filled_map' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:18: warning: global variable 'filled_map' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
static int fill_map(PyObject *module) {
  filled_map[0].ex = PyErr_NewException("m.InvalidOperation", NULL, NULL);
  return filled_map[0].ex == NULL ? -1 : 0;
}

// Reported: other files can name it.
CondEntry extern_template[] = {{"Overflow", 2, NULL}, {NULL}};
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: global variable 'extern_template' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:11: warning: global variable 'extern_template' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]

// Reported: its address is handed to code that may write through it.
static CondEntry handed_out[] = {{"Overflow", 2, NULL}, {NULL}};
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global variable 'handed_out' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:18: warning: global variable 'handed_out' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
static CondEntry *entries(void) { return handed_out; }
static void rename_first(void) {
  CondEntry *all = entries();
  all[0].name = "Renamed";
}

// A C-API struct of static types, handed out through a capsule.
typedef struct {
  PyTypeObject *BoxType;
  PyObject *(*Box_New)(long);
} Box_CAPI;
static PyObject *box_new(long value) { return PyLong_FromLong(value); }
static PyTypeObject BoxType = {PyVarObject_HEAD_INIT(NULL, 0) "m.Box"};
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: type object 'BoxType' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:21: warning: type object 'BoxType' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]

// Not reported: the pointers never change; BoxType is reported itself.
static Box_CAPI box_capi = {.BoxType = &BoxType, .Box_New = box_new};
static Box_CAPI *get_box_capi(void) { return &box_capi; }
static PyObject *make_capsule(void) {
  Box_CAPI *capi = get_box_capi();
  if (capi == NULL)
    return NULL;
  return PyCapsule_New(capi, "m._C_API", NULL);
}

// Reported: it points to a type defined in another file, and this is the
// only place that shows the sharing.
extern PyTypeObject OtherFileType;
static Box_CAPI other_capi = {.BoxType = &OtherFileType, .Box_New = box_new};
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: global variable 'other_capi' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:17: warning: global variable 'other_capi' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
static PyTypeObject *other_type(void) { return other_capi.BoxType; }

// Reported: a caller of the accessor writes through the result.
static Box_CAPI patched_capi = {.BoxType = &BoxType, .Box_New = box_new};
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: global variable 'patched_capi' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:17: warning: global variable 'patched_capi' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
static Box_CAPI *get_patched_capi(void) { return &patched_capi; }
static PyObject *patch_capsule(void) {
  Box_CAPI *capi = get_patched_capi();
  if (!capi)
    return NULL;
  capi->BoxType = NULL;
  return PyCapsule_New(capi, "m._C_API2", NULL);
}

// Reported: not constant, it names a value computed at run time.
static PyObject *cached = NULL;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: global Python object pointer 'cached' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:18: warning: global Python object pointer 'cached' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
static PyObject *get_cached(void) {
  if (cached == NULL)
    cached = PyUnicode_FromString("x");
  return cached;
}

// The header's tables: one only read here, one written.
static const char *header_names(void) {
  header_written[0].name = "c";
  return header_template[0].name;
}

// A table made by the user's macro, only read: not reported.
#define NAME_TABLE(NAME, FIRST) static CondEntry NAME[] = {{FIRST, 0, NULL}};
NAME_TABLE(macro_template, "first")
static const char *first_name(void) { return macro_template[0].name; }

#if PY_VERSION_HEX >= 0x030D0000
static PyMutex random_mutex = {0};
static unsigned int random_value = 1;
static unsigned int random_stream = 0;

// Not reported: every use holds random_mutex.
static int random_bits(int bits) {
  int result;
  PyMutex_Lock(&random_mutex);
  if (random_stream < (1U << bits)) {
    random_value *= 1082527;
    random_stream = random_value;
  }
  result = random_stream & ((1 << bits) - 1);
  random_stream >>= bits;
  PyMutex_Unlock(&random_mutex);
  return result;
}

// Not reported: the region is made by the user's macros, and an early
// unlock inside a branch ends it only on that branch.
#define LOCK() PyMutex_Lock(&random_mutex)
#define UNLOCK() PyMutex_Unlock(&random_mutex)
static long draws = 0;
static int count_draw(int limit) {
  LOCK();
  if (draws >= limit) {
    UNLOCK();
    return -1;
  }
  draws++;
  UNLOCK();
  return 0;
}

// Not reported: a switch inside the region.
static long zero_kinds = 0;
static long other_kinds = 0;
static void count_kind(int kind) {
  PyMutex_Lock(&random_mutex);
  switch (kind) {
  case 0:
    zero_kinds++;
    break;
  default:
    other_kinds++;
    break;
  }
  PyMutex_Unlock(&random_mutex);
}

// Reported: read after the unlock.
static long late_reads = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'late_reads' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long bump_late(void) {
  PyMutex_Lock(&random_mutex);
  late_reads++;
  PyMutex_Unlock(&random_mutex);
  return late_reads;
}

// Reported: a helper it calls releases the lock first.
static long helper_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'helper_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void release(void) { PyMutex_Unlock(&random_mutex); }
static void bump_after_helper(void) {
  PyMutex_Lock(&random_mutex);
  release();
  helper_count++;
}

// Reported: the loop unlocks, and its next turn runs unlocked.
static long loop_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'loop_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void bump_in_loop(int n) {
  PyMutex_Lock(&random_mutex);
  for (int i = 0; i < n; i++) {
    loop_count++;
    PyMutex_Unlock(&random_mutex);
  }
}

// Reported: two mutexes, never the same one.
static PyMutex other_mutex = {0};
static long mixed_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'mixed_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void bump_mixed(void) {
  PyMutex_Lock(&random_mutex);
  mixed_count++;
  PyMutex_Unlock(&random_mutex);
  PyMutex_Lock(&other_mutex);
  mixed_count--;
  PyMutex_Unlock(&other_mutex);
}

// Reported: a goto can reach the label without the lock.
static long jump_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'jump_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void bump_jump(int skip) {
  if (skip)
    goto bump;
  PyMutex_Lock(&random_mutex);
bump:
  jump_count++;
  PyMutex_Unlock(&random_mutex);
}

// Reported: its address leaves the region.
static long addressed_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'addressed_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static long *addressed(void) {
  PyMutex_Lock(&random_mutex);
  addressed_count++;
  long *where = &addressed_count;
  PyMutex_Unlock(&random_mutex);
  return where;
}

// Reported: the mutex's address escapes, so other code may release it.
static PyMutex shared_mutex = {0};
static long shared_count = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'shared_count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
PyMutex *module_mutex(void) { return &shared_mutex; }
static void bump_shared(void) {
  PyMutex_Lock(&shared_mutex);
  shared_count++;
  PyMutex_Unlock(&shared_mutex);
}
#endif

// The header is reported after the file.
// CHECK-MESSAGES: gilport-global-state-unshared.h:12:20: warning: global variable 'header_written' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
// CHECK-MESSAGES-311: gilport-global-state-unshared.h:12:20: warning: global variable 'header_written' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
