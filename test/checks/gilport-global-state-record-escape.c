// RUN: %check_gilport %s gilport-global-state %t

// A static record whose address is stored in a struct (a table of handlers
// that objects point to) is not modified by that alone: it is written only
// if this file writes some object of its type, through a member, the whole
// object, a cast pointer or a function defined elsewhere. gilport checks the
// record's type, not each pointer's target.
#include <Python.h>
#include <string.h>

typedef struct Handlers {
  int (*is_space)(int);
  int (*is_word)(int);
} Handlers;

static int ascii_space(int c) { return c == ' '; }
static int ascii_word(int c) { return c == '_'; }

/* Only read through the pointers stored to it: not state. */
static Handlers ascii_handlers = {ascii_space, ascii_word};

typedef struct {
  Handlers *handlers;
  int pos;
} Scanner;

static void scanner_init(Scanner *s, Handlers *h) {
  s->handlers = h;
  s->pos = 0;
}

static PyObject *count_spaces(PyObject *module, PyObject *arg) {
  Scanner scanner;
  const char *text = PyUnicode_AsUTF8(arg);
  if (text == NULL)
    return NULL;
  scanner.handlers = &ascii_handlers;
  long n = 0;
  for (; text[scanner.pos]; scanner.pos++)
    n += scanner.handlers->is_space(text[scanner.pos]);
  return PyLong_FromLong(n);
}

/* Through a local function pointer only ever set to functions of this file,
   whose bodies the scan sees. */
static int space_in(Handlers *h, int c) { return h->is_space(c); }
static int word_in(Handlers *h, int c) { return h->is_word(c); }

static PyObject *classify(PyObject *module, PyObject *arg) {
  Scanner scanner;
  int (*test)(Handlers *, int);
  scanner.handlers = &ascii_handlers;
  test = PyObject_IsTrue(arg) ? space_in : word_in;
  return PyBool_FromLong(test(scanner.handlers, ' '));
}

/* Another table of a type this file writes: its address escapes, so it may
   be what is written. */
typedef struct Limits {
  int low, high;
} Limits;

static Limits default_limits = {0, 10};
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'default_limits' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

typedef struct {
  Limits *limits;
} Range;

static PyObject *widen(PyObject *module, PyObject *arg) {
  Range range;
  range.limits = &default_limits;
  range.limits->high += 1;
  return PyLong_FromLong(range.limits->high);
}

/* Handed to a callback gilport cannot see: it may write it. */
typedef struct Options {
  int flags;
} Options;

static Options default_options;
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: global variable 'default_options' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

typedef struct {
  Options *options;
  void (*configure)(Options *);
} Config;

static PyObject *configure(PyObject *module, PyObject *capsule) {
  Config *config = PyCapsule_GetPointer(capsule, "config");
  if (config == NULL)
    return NULL;
  config->options = &default_options;
  config->configure(config->options);
  Py_RETURN_NONE;
}

/* Cleared through memset, a function defined elsewhere. */
typedef struct Counts {
  long seen;
} Counts;

static Counts totals;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global variable 'totals' is modified at run time and shared by all threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]

typedef struct {
  Counts *counts;
} Holder;

static void clear_counts(Counts *c) { memset(c, 0, sizeof *c); }

static PyObject *reset(PyObject *module, PyObject *unused) {
  Holder holder;
  holder.counts = &totals;
  clear_counts(holder.counts);
  Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"count_spaces", count_spaces, METH_O, NULL},
    {"classify", classify, METH_O, NULL},
    {"widen", widen, METH_O, NULL},
    {"reset", reset, METH_NOARGS, NULL},
    {"configure", configure, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef escape_module = {
    PyModuleDef_HEAD_INIT, "escape", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit_escape(void) {
  Scanner s;
  scanner_init(&s, &ascii_handlers);
  (void)ascii_word;
  return PyModule_Create(&escape_module);
}
