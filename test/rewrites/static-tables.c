// RUN: %check_gilport %s gilport-global-state %t
// RUN: %python %S/Inputs/run-fix.py --gilport %gilport --check gilport-global-state --out %t.dir --compile %python_ft --compile %python_gil %s > %t.out
// With ConvertToModuleState the same fixes are made where the variables
// are: module state is shared by the module's threads, so moving a table
// there would not end the race.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-global-state --format=json --check-option=gilport-global-state.ConvertToModuleState=true | %python -c "import json,sys; f=json.load(sys.stdin)['findings']; print('fixed', sorted(x['message'].split(\"'\")[1] for x in f if x['fix_available']))" | FileCheck %s --check-prefix=CONVERT

// A second check of the fixed file reports only what was left: a fill under
// the lock of an earlier run is not a race (every reader locks first).
// RUN: %expect_exit 1 %gilport check %t.dir/static-tables.c --checks=-*,gilport-global-state --format=json | %python -c "import json,sys; f=json.load(sys.stdin)['findings']; print('left', sorted(x['message'].split(\"'\")[1] for x in f))" | FileCheck %s --check-prefix=AFTER
// AFTER: left ['counts', 'done', 'key', 'key', 'ones', 'ready', 'table', 'table']

// Function-static tables filled when a static flag says so race without the
// GIL. When the flag is a key that changes, one thread can refill a table
// while another reads it: the tables become per-call variables and the
// flag goes. When the flag is set once, a PyMutex around the fill is enough.
// A fill that may run Python code, that is jumped over, or whose tables are
// written elsewhere, is reported without a fix.
#include <Python.h>
#include <string.h>

static void fill_reversed(unsigned char *table, int big) {
  int k;
  for (k = 0; k < 256; k++) {
    unsigned char t = 0;
    for (int j = 0; j < 8; j++)
      if (k & (1 << j))
        t |= big ? 1 << j : 128 >> j;
    table[k] = t;
  }
}

static void fill_half(unsigned char *table) {
  for (int k = 0; k < 128; k++)
    table[k] = (unsigned char)(k ^ 0x55);
}

static PyObject *reverse_bits(PyObject *module, PyObject *args) {
  static unsigned char table[256], half[256];
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: function-static variable 'table' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  // CHECK-MESSAGES: :[[@LINE-2]]:36: warning: function-static variable 'half' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int filled_for = -1; /* the order the tables are filled for */
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'filled_for' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  int byte, big;

  if (!PyArg_ParseTuple(args, "ii", &byte, &big))
    return NULL;
  if (filled_for != big) {
    /* Both orders. */
    fill_reversed(table, big);
    fill_half(half);
    filled_for = big;
  }
  return Py_BuildValue("ii", table[byte & 0xff], half[byte & 0xff]);
}
// CHECK-FIXES:      static PyObject *reverse_bits(PyObject *module, PyObject *args) {
// CHECK-FIXES-NEXT:   unsigned char table[256], half[256] = {0};
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   int byte, big;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   if (!PyArg_ParseTuple(args, "ii", &byte, &big))
// CHECK-FIXES-NEXT:     return NULL;
// CHECK-FIXES-NEXT:   /* Both orders. */
// CHECK-FIXES-NEXT:   fill_reversed(table, big);
// CHECK-FIXES-NEXT:   fill_half(half);
// CHECK-FIXES-NEXT:   return Py_BuildValue("ii", table[byte & 0xff], half[byte & 0xff]);
// CHECK-FIXES-NEXT: }

static int digit_value(char c) {
  static signed char values[2][128];
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: function-static variable 'values' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int ready;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'ready' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

  if (c & 0x80)
    return -1;
  if (!ready) {
    memset(values, 0xff, sizeof values);
    for (int i = 0; i < 10; i++)
      values[0]['0' + i] = (signed char)i;
    for (int i = 0; i < 16; i++)
      values[1][(unsigned char)"0123456789abcdef"[i]] = (signed char)i;
    ready = 1;
  }
  return values[1][(unsigned char)c];
}
// CHECK-FIXES:      static int ready;
// CHECK-FIXES-NEXT:   static PyMutex values_lock;
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-EMPTY:
// CHECK-FIXES-NEXT:   if (c & 0x80)
// CHECK-FIXES-NEXT:     return -1;
// CHECK-FIXES-NEXT:   PyMutex_Lock(&values_lock);
// CHECK-FIXES-NEXT:   if (!ready) {
// CHECK-FIXES:          ready = 1;
// CHECK-FIXES-NEXT:   }
// CHECK-FIXES-NEXT:   PyMutex_Unlock(&values_lock);
// CHECK-FIXES-NEXT:   return values[1][(unsigned char)c];

static PyObject *hex_value(PyObject *module, PyObject *arg) {
  const char *s = PyUnicode_AsUTF8(arg);
  if (s == NULL)
    return NULL;
  return PyLong_FromLong(digit_value(s[0]));
}

// The fill warns, which runs Python code: no lock may be held around it.
static PyObject *warned(PyObject *module, PyObject *args) {
  static int table[16];
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'table' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int ready = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'ready' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  if (!ready) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, "filling", 1) < 0) {
    }
    for (int i = 0; i < 16; i++)
      table[i] = i * i;
    ready = 1;
  }
  return PyLong_FromLong(table[3]);
}
// CHECK-FIXES:      static PyObject *warned(PyObject *module, PyObject *args) {
// CHECK-FIXES-NEXT:   static int table[16];

// Written after the fill too: the table is state, not a cache.
static PyObject *bumped(PyObject *module, PyObject *args) {
  static int counts[4];
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'counts' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int key = -1;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'key' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  int which = (int)PyTuple_GET_SIZE(args);
  if (key != which) {
    memset(counts, 0, sizeof counts);
    key = which;
  }
  counts[which & 3]++;
  return PyLong_FromLong(counts[which & 3]);
}
// CHECK-FIXES:      static PyObject *bumped(PyObject *module, PyObject *args) {
// CHECK-FIXES-NEXT:   static int counts[4];

// A 'goto' jumps past the fill.
static PyObject *jumped(PyObject *module, PyObject *args) {
  static char table[8];
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: function-static variable 'table' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int key = -1;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'key' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  int which = (int)PyTuple_GET_SIZE(args);
  if (which > 7)
    goto done;
  if (key != which) {
    memset(table, which, sizeof table);
    key = which;
  }
done:
  return PyLong_FromLong(table[0]);
}
// CHECK-FIXES:      static PyObject *jumped(PyObject *module, PyObject *args) {
// CHECK-FIXES-NEXT:   static char table[8];

// The fill is spelled in a macro: reported, not rewritten.
#define FILL_ONCE(flag, table)                                                 \
  if (!flag) {                                                                 \
    memset(table, 1, sizeof table);                                            \
    flag = 1;                                                                  \
  }
static PyObject *macro_fill(PyObject *module, PyObject *args) {
  static char ones[8];
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: function-static variable 'ones' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  static int done;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: function-static variable 'done' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
  FILL_ONCE(done, ones)
  return PyLong_FromLong(ones[2]);
}
// CHECK-FIXES:      static PyObject *macro_fill(PyObject *module, PyObject *args) {
// CHECK-FIXES-NEXT:   static char ones[8];

static PyMethodDef tables_methods[] = {
    {"reverse_bits", reverse_bits, METH_VARARGS, NULL},
    {"hex_value", hex_value, METH_O, NULL},
    {"warned", warned, METH_VARARGS, NULL},
    {"bumped", bumped, METH_VARARGS, NULL},
    {"jumped", jumped, METH_VARARGS, NULL},
    {"macro_fill", macro_fill, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef tables_module = {
    PyModuleDef_HEAD_INIT, "tables", NULL, -1, tables_methods,
};

PyMODINIT_FUNC PyInit_tables(void) { return PyModule_Create(&tables_module); }

// CONVERT: fixed ['filled_for', 'half', 'ready', 'table', 'values']
