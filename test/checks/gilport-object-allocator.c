// RUN: %check_gilport %s gilport-object-allocator %t -- --extra-arg=-I%S/Inputs
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S/Inputs -isystem $(%python_ft %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -I%S/Inputs -isystem $(%python_gil %S/../rewrites/Inputs/include-dir.py) %t.fixed.c
// The same file against GIL-build headers (3.11): the same findings.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-object-allocator --python=%python_gil --extra-arg=-I%S/Inputs --color=never | FileCheck %s --check-prefix=GIL
// GIL: 10 findings in 2 files
// Why the fix is withheld.
// RUN: %expect_exit 1 %gilport check --format=json %s --checks=-*,gilport-object-allocator --extra-arg=-I%S/Inputs | FileCheck %s --check-prefix=REASON
#include <Python.h>
#include <string.h>

#include "object_allocator.h"
// REASON: "no_fix_reason": "'copy' is returned, so its memory leaves the function"

typedef struct {
  PyObject_HEAD
  long value;
} BoxObject;

typedef struct {
  int depth;
  void *prv;
} Context;

typedef struct {
  void *(*malloc)(size_t);
  void (*free)(void *);
  void *(*realloc)(void *, size_t);
} Allocator;

static PyTypeObject Box_Type;

// Positive: a buffer that stays in the function; its release is renamed too.
static PyObject *long_from_text(const char *text, size_t length) {
  char *buf = PyObject_Malloc(length + 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyObject_Malloc' allocates memory for 'char *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
  // CHECK-FIXES: char *buf = PyMem_Malloc(length + 1);
  if (buf == NULL)
    return PyErr_NoMemory();
  memcpy(buf, text, length);
  buf[length] = '\0';
  PyObject *result = PyLong_FromString(buf, NULL, 10);
  PyObject_Free(buf);
  // CHECK-FIXES: PyMem_Free(buf);
  return result;
}

// Positive: grown with PyObject_Realloc; one finding, every call renamed.
static Py_ssize_t sum_squares(Py_ssize_t n) {
  long *items = NULL;
  Py_ssize_t total = 0;
  for (Py_ssize_t i = 0; i < n; i++) {
    long *grown = NULL;
    items = (long *)PyObject_Realloc(items, (size_t)(i + 1) * sizeof(long));
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'PyObject_Realloc' allocates memory for 'long *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Realloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
    // CHECK-FIXES: items = (long *)PyMem_Realloc(items, (size_t)(i + 1) * sizeof(long));
    if (items == NULL)
      return -1;
    items[i] = (long)(i * i);
    total += items[i];
    (void)grown;
  }
  PyObject_Free(items);
  // CHECK-FIXES: PyMem_Free(items);
  return total;
}

// Positive: a buffer on the stack for small sizes, else allocated.
static double sum_values(const double *values, Py_ssize_t n) {
  double small[8];
  double *scratch = small;
  double total = 0.0;
  if (n > 8) {
    scratch = (double *)PyObject_Malloc((size_t)n * sizeof(double));
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'PyObject_Malloc' allocates memory for 'double *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
    // CHECK-FIXES: scratch = (double *)PyMem_Malloc((size_t)n * sizeof(double));
    if (scratch == NULL)
      return -1.0;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    scratch[i] = values[i];
    total += scratch[i];
  }
  if (scratch != small)
    PyObject_Free(scratch);
  // CHECK-FIXES: PyMem_Free(scratch);
  return total;
}

// Positive: the callbacks of a C library; renamed together.
// CHECK-MESSAGES: :[[@LINE+2]]:5: warning: 'PyObject_Malloc' is handed out as an allocator, for memory that is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: hand out 'PyMem_Malloc' and the other PyMem_* functions instead [gilport-object-allocator]
static const Allocator library_allocator = {
    PyObject_Malloc,
    PyObject_Free,
    PyObject_Realloc,
};
// CHECK-FIXES:      PyMem_Malloc,
// CHECK-FIXES-NEXT: PyMem_Free,
// CHECK-FIXES-NEXT: PyMem_Realloc,

// No fix: the release is not handed out with it.
static void *(*lone_malloc)(size_t) = PyObject_Malloc;
// CHECK-MESSAGES: :[[@LINE-1]]:39: warning: 'PyObject_Malloc' is handed out as an allocator, for memory that is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: hand out 'PyMem_Malloc' and the other PyMem_* functions instead [gilport-object-allocator]
// REASON: "no_fix_reason": "the function that releases the memory is not handed out in the same initializer: change them together by hand"

// No fix: kept in a field, which other code releases.
static int begin_context(Context *ctx) {
  ctx->prv = PyObject_Malloc(sizeof(Context));
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'PyObject_Malloc' allocates memory for 'Context', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
  // REASON: "no_fix_reason": "the memory is kept in the field 'prv', which other code may release with PyObject_Free: change its allocation and every release by hand"
  return ctx->prv == NULL ? -1 : 0;
}

static void end_context(Context *ctx) { PyObject_Free(ctx->prv); }

// No fix: passed to a function of the project, which may release it.
static void release_later(char *text) { PyObject_Free(text); }

static void hand_over(size_t n) {
  char *text = PyObject_Malloc(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'PyObject_Malloc' allocates memory for 'char *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
  // REASON: "no_fix_reason": "'text' is passed to 'release_later', which may keep or release it"
  if (text != NULL)
    release_later(text);
}

// No fix: its value flows on through a conditional.
static size_t conditional_pick(size_t n) {
  char *big = PyObject_Malloc(n + 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'PyObject_Malloc' allocates memory for 'char *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
  // REASON: "no_fix_reason": "'big' is used other than in place, so its memory may leave the function"
  if (big == NULL)
    return 0;
  big[0] = '\0';
  char *use = n > 4 ? big : NULL;
  size_t length = use ? strlen(use) : 0;
  PyObject_Free(big);
  return length;
}

// Macro: reported, no fix.
#define ALLOC_BYTES(n) PyObject_Malloc(n)
static void macro_buffer(void) {
  char *bytes = ALLOC_BYTES(16);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'PyObject_Malloc' allocates memory for 'char *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
  // CHECK-MESSAGES: :[[@LINE-4]]:24: note: expanded from macro 'ALLOC_BYTES'
  // REASON: "no_fix_reason": "'PyObject_Malloc' is spelled through a macro"
  PyObject_Free(bytes);
}

// Negative: Python objects.
static PyObject *new_box(long value) {
  BoxObject *box = (BoxObject *)PyObject_Malloc(sizeof(BoxObject));
  if (box == NULL)
    return PyErr_NoMemory();
  PyObject_Init((PyObject *)box, &Box_Type);
  box->value = value;
  return (PyObject *)box;
}

static PyObject *new_raw_box(void) {
  void *mem = PyObject_Malloc(sizeof(BoxObject));
  if (mem == NULL)
    return PyErr_NoMemory();
  return PyObject_Init((PyObject *)mem, &Box_Type);
}

static PyObject *new_bytes_box(size_t extra) {
  char *mem = PyObject_Malloc(sizeof(BoxObject) + extra);
  if (mem == NULL)
    return PyErr_NoMemory();
  return PyObject_Init((PyObject *)mem, &Box_Type);
}

// An object after a header of the allocator's own (3.11's gcmodule.c).
typedef struct {
  uintptr_t next, prev;
} Header;

static PyObject *new_tracked_box(void) {
  Header *g = PyObject_Malloc(sizeof(Header) + sizeof(BoxObject));
  if (g == NULL)
    return PyErr_NoMemory();
  return PyObject_Init((PyObject *)(g + 1), &Box_Type);
}

static PyObject *new_prefixed_box(size_t presize) {
  char *mem = PyObject_Malloc(presize + sizeof(BoxObject));
  if (mem == NULL)
    return PyErr_NoMemory();
  PyObject *op = (PyObject *)(mem + presize);
  return PyObject_Init(op, &Box_Type);
}

static void box_dealloc(PyObject *self) { PyObject_Free(self); }

// Negative: nothing tells what the memory is.
static void *opaque(size_t n) {
  void *p = PyObject_Malloc(n);
  return p;
}

static PyMethodDef methods[] = {{NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "object_allocator", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit_object_allocator(void) {
  (void)long_from_text;
  (void)sum_squares;
  (void)sum_values;
  (void)library_allocator;
  (void)lone_malloc;
  (void)begin_context;
  (void)end_context;
  (void)hand_over;
  (void)conditional_pick;
  (void)macro_buffer;
  (void)new_box;
  (void)new_raw_box;
  (void)new_bytes_box;
  (void)new_tracked_box;
  (void)new_prefixed_box;
  (void)box_dealloc;
  (void)opaque;
  (void)copy_text;
  return PyModule_Create(&module_def);
}

// The header's helper is reported last, with its own file.
// CHECK-MESSAGES: object_allocator.h:4:24: warning: 'PyObject_Malloc' allocates memory for 'char *', which is not a Python object; the free-threaded build requires the object allocator to be used only for Python objects: use 'PyMem_Malloc', and release the memory with 'PyMem_Free' [gilport-object-allocator]
