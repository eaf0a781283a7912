// REQUIRES: python-ft
// A static table that the module's exec function fills with constants, the
// usual way to export a C API through a capsule (pymongo's _cbson_API), is
// filled again by every interpreter that imports the module while another
// may read it. When every store is `table[i] = c;`, a statement of its own
// with a constant index and a value that can initialise a static object,
// the fix makes the stores the table's initializer and removes them: nothing
// writes the table any more. Not when a value is not a constant, a store is
// conditional or spelled through a macro, the table is read before its last
// store, or it is used otherwise. The fixed file compiles against the 3.13t
// headers and 3.11's, and a second run changes nothing.
// RUN: %check_gilport %s gilport-global-state %t
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_ft %S/Inputs/include-dir.py) %t.fixed.c
// RUN: clang-19 -fsyntax-only -Wall -Werror -Wno-unused-function -isystem $(%python_gil %S/Inputs/include-dir.py) %t.fixed.c
#include <Python.h>

#define API_WRITE 0
#define API_READ 1
#define API_COUNT 2

enum { LIMIT_SMALL, LIMIT_LARGE, LIMIT_COUNT };

#define SET_SLOT(i, v) (other_api[i] = (void *)(v))

static int api_write(PyObject *o) { return o != NULL; }
static int api_read(PyObject *o) { return o == NULL; }

static long limits[LIMIT_COUNT];
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'limits' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES: static long limits[LIMIT_COUNT] = {
// CHECK-FIXES-NEXT:     [LIMIT_SMALL] = 16,
// CHECK-FIXES-NEXT:     [LIMIT_LARGE] = 1 << 20,
// CHECK-FIXES-NEXT: };

// Negative: a value that is not a constant.
static void *owned_api[1];
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: global variable 'owned_api' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES: static void *owned_api[1];

// Negative: a store spelled through a macro.
static void *other_api[1];
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: global variable 'other_api' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES: static void *other_api[1];

// Negative: read before its last store.
static long sizes[2];
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'sizes' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES: static long sizes[2];

static int module_exec(PyObject *m) {
  static void *api[API_COUNT];
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: function-static variable 'api' is written each time an interpreter loads or unloads the module, while other interpreters may use it: a data race between interpreters; move it to the module state, or initialize it statically [gilport-global-state]
// CHECK-FIXES:      static void *api[API_COUNT] = {
// CHECK-FIXES-NEXT:     [API_WRITE] = (void *)api_write,
// CHECK-FIXES-NEXT:     [API_READ] = (void *)api_read,
// CHECK-FIXES-NEXT: };

  /* Export the C API. */
  api[API_WRITE] = (void *)api_write;
  api[API_READ] =
      (void *)api_read;
// CHECK-FIXES:      /* Export the C API. */
// CHECK-FIXES-NOT:  api[API_WRITE] =
// CHECK-FIXES:      PyObject *capsule = PyCapsule_New((void *)api, "m._C_API", NULL);
  PyObject *capsule = PyCapsule_New((void *)api, "m._C_API", NULL);
  if (capsule == NULL)
    return -1;
  if (PyModule_AddObject(m, "_C_API", capsule) < 0) {
    Py_DECREF(capsule);
    return -1;
  }

  limits[LIMIT_SMALL] = 16;
  limits[LIMIT_LARGE] = 1 << 20;
  owned_api[0] = (void *)Py_NewRef(Py_None);
  SET_SLOT(0, api_read);
  sizes[0] = 8;
// CHECK-FIXES:      owned_api[0] = (void *)Py_NewRef(Py_None);
// CHECK-FIXES-NEXT: SET_SLOT(0, api_read);
// CHECK-FIXES-NEXT: sizes[0] = 8;
  if (sizes[0] > limits[LIMIT_SMALL])
    return -1;
  sizes[1] = 16;
  return 0;
}

static PyObject *get_limit(PyObject *self, PyObject *large) {
  return PyLong_FromLong(limits[PyObject_IsTrue(large) ? LIMIT_LARGE
                                                       : LIMIT_SMALL] +
                         sizes[1]);
}

static PyMethodDef methods[] = {
    {"get_limit", get_limit, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "m", NULL, 0, methods, slots,
};

PyMODINIT_FUNC PyInit_m(void) { return PyModuleDef_Init(&module_def); }
