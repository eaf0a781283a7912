// RUN: %check_gilport %s gilport-global-state %t -- --python=%python_ft
// RUN: %check_gilport --check-suffix=311 %s gilport-global-state %t.311 -- --python=%python_gil
// REQUIRES: python-ft
//
// Statically allocated tuples that the headers make immortal (3.12 and
// later: PyObject_HEAD_INIT sets the immortal reference count) and that
// nothing writes -- their only use is their address in a static
// _PyArg_Parser, as with Argument Clinic's `_kwtuple` -- are not state: no
// interpreter or thread can change them. With 3.11's headers the same
// objects are ordinary reference-counted objects and are reported.

#include <Python.h>

// Argument Clinic's layout; the real definition is in CPython's internal
// headers (Include/internal/pycore_gc.h).
typedef struct {
  uintptr_t _gc_next;
  uintptr_t _gc_prev;
} PyGC_Head;

#include "Inputs/gilport-global-state-kwtuple.h"

// Not reported on 3.13: the clinic shape, in the file itself.
static PyObject *parse(PyObject *module, PyObject *kwnames) {
  static struct {
    PyGC_Head _this_is_not_used;
    PyObject_VAR_HEAD PyObject *ob_item[2];
  } _kwtuple = {
      .ob_base = PyVarObject_HEAD_INIT(&PyTuple_Type, 2).ob_item = {Py_None,
                                                                    Py_True},
  };
  // CHECK-MESSAGES-311: :[[@LINE-4]]:5: warning: function-static variable '_kwtuple' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
#define KWTUPLE (&_kwtuple.ob_base.ob_base)
  static const char *const _keywords[] = {"a", "b", NULL};
  static _PyArg_Parser _parser = {
      .keywords = _keywords,
      .fname = "parse",
      .kwtuple = KWTUPLE,
  };
#undef KWTUPLE
  return _parser.kwtuple == kwnames ? module : NULL;
}

// Not reported on 3.13: a file-scope tuple without the GC header, defined
// through the user's macro.
typedef struct {
  PyObject_VAR_HEAD PyObject *ob_item[1];
} OneTuple;
#define IMMORTAL_ONE(NAME, ITEM)                                               \
  static OneTuple NAME = {PyVarObject_HEAD_INIT(&PyTuple_Type, 1){ITEM}};
IMMORTAL_ONE(none_tuple, Py_None)
// CHECK-MESSAGES-311: :[[@LINE-1]]:14: warning: Python object 'none_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
static _PyArg_Parser none_parser = {.fname = "f",
                                    .kwtuple = &none_tuple.ob_base.ob_base};

// Reported: the address escapes to code that may write through it.
static OneTuple leaked_tuple = {PyVarObject_HEAD_INIT(&PyTuple_Type, 1){
    Py_None}};
// CHECK-MESSAGES: :[[@LINE-2]]:17: warning: Python object 'leaked_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-3]]:17: warning: Python object 'leaked_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
static PyObject *get_leaked(void) {
  return Py_NewRef((PyObject *)&leaked_tuple);
}

// Reported: written by a function.
static OneTuple written_tuple = {PyVarObject_HEAD_INIT(&PyTuple_Type, 1){
    Py_None}};
// CHECK-MESSAGES: :[[@LINE-2]]:17: warning: Python object 'written_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-3]]:17: warning: Python object 'written_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
static _PyArg_Parser written_parser = {
    .fname = "g", .kwtuple = &written_tuple.ob_base.ob_base};
static void set_item(PyObject *item) { written_tuple.ob_item[0] = item; }

// Reported: not immortal (the reference count is spelled by hand).
static OneTuple mortal_tuple = {
    .ob_base = {.ob_base = {.ob_type = &PyTuple_Type}, .ob_size = 1}};
// CHECK-MESSAGES: :[[@LINE-2]]:17: warning: Python object 'mortal_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-3]]:17: warning: Python object 'mortal_tuple' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
static _PyArg_Parser mortal_parser = {
    .fname = "h", .kwtuple = &mortal_tuple.ob_base.ob_base};

// Reported: immortal, but not a tuple (other objects have state that
// changes, such as a cached hash).
typedef struct {
  PyObject_HEAD long value;
} Box;
static PyTypeObject Box_Type = {PyVarObject_HEAD_INIT(NULL, 0) "m.Box",
                                sizeof(Box)};
// CHECK-MESSAGES: :[[@LINE-2]]:21: warning: type object 'Box_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-3]]:21: warning: type object 'Box_Type' is statically allocated and shared by all interpreters; create it as a heap type with 'PyType_FromModuleAndSpec' and keep it in the module state [gilport-global-state]
static Box zero_box = {PyObject_HEAD_INIT(&Box_Type) 0};
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: Python object 'zero_box' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
// CHECK-MESSAGES-311: :[[@LINE-2]]:12: warning: Python object 'zero_box' is statically allocated and shared by all interpreters and threads; create it at module init and keep it in the module state [gilport-global-state]
static _PyArg_Parser box_parser = {.fname = "i",
                                   .kwtuple = &zero_box.ob_base};

static int use_all(PyObject *m) {
  return parse(m, NULL) == header_parse(m, NULL) && get_leaked() &&
         none_parser.fname && written_parser.fname && mortal_parser.fname &&
         box_parser.fname;
}

// The header is reported after the file.
// CHECK-MESSAGES-311: gilport-global-state-kwtuple.h:18:5: warning: function-static variable '_kwtuple' holds Python object pointers shared by all interpreters and threads; move them to the module state [gilport-global-state]
