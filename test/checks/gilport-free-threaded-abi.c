// RUN: %check_gilport %s gilport-free-threaded-abi %t -- --extra-arg=-I%S/Inputs
// The same file against GIL-build headers (3.11), where it compiles: the
// header written by hand is still reported.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-free-threaded-abi --python=%python_gil --extra-arg=-I%S/Inputs --color=never | FileCheck %s --check-prefix=GIL
// GIL-DAG: warning: static object 'NoDefault_Object'
// GIL-DAG: warning: static object 'Empty_Object'
// GIL-DAG: free_threaded_abi_object.h:{{[0-9]+}}:17: warning: static object 'Header_Object'
// GIL-DAG: warning: static object 'Macro_Object'
// GIL-DAG: warning: static object 'Hidden_Object'
// GIL-DAG: warning: static object 'Sized_Object'
// GIL-DAG: warning: static object 'Struct_Object'
// GIL: 7 findings in 2 files
//
// The rest of the file is analysed, and counted as analysed.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-free-threaded-abi,gilport-global-state --extra-arg=-I%S/Inputs --color=never | FileCheck %s --check-prefix=REST
// REST: warning: global Python object pointer 'cached'
// REST: {{[0-9]+}} findings in 2 files (1 file analysed)
//
// Any other compile error still stops the analysis of the file.
// RUN: %expect_exit 2 %gilport check %S/Inputs/free_threaded_abi_other_error.c --checks=-*,gilport-free-threaded-abi --color=never 2>&1 | FileCheck %s --check-prefix=OTHER
// OTHER: cannot analyse {{.*}}free_threaded_abi_other_error.c': {{.*}}: error: incompatible pointer to integer conversion
// OTHER: (0 files analysed, 1 could not be analysed)
//
// Why the objects that are not fixed are not.
// RUN: %expect_exit 1 %gilport check %s --checks=-*,gilport-free-threaded-abi --extra-arg=-I%S/Inputs --format=json | FileCheck %s --check-prefix=WHY
// WHY-DAG: "no_fix_reason": "'Macro_Object' is declared inside a macro expansion; change the macro by hand"
// WHY-DAG: "no_fix_reason": "'Header_Object' is defined in a header, which other sources may use; change it by hand"
// WHY-DAG: "no_fix_reason": "'Hidden_Object' is also named at line {{[0-9]+}}, where the compiler did not see it"
// WHY-DAG: "no_fix_reason": "'Sized_Object' is used at line {{[0-9]+}} other than by its address"
// WHY-DAG: "no_fix_reason": "'Struct_Object' is not declared as 'PyObject' at line {{[0-9]+}}"
#include <Python.h>

static PyTypeObject NoDefault_Type = {PyVarObject_HEAD_INIT(NULL, 0)};

PyObject NoDefault_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: static object 'NoDefault_Object' has its header initialised for the GIL build's object layout, which the free-threaded build changes: it does not compile there [gilport-free-threaded-abi]

/* A variable-size object whose header is written by hand. */
PyVarObject Empty_Object = {{_PyObject_EXTRA_INIT 1, &NoDefault_Type}, 0};
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: static object 'Empty_Object' has its header initialised for the GIL build's object layout, which the free-threaded build changes: it does not compile there [gilport-free-threaded-abi]

/* Through a macro of the project's: reported at the macro's use. */
#define SINGLETON(name, type) PyObject name = {_PyObject_EXTRA_INIT 1, type}
SINGLETON(Macro_Object, &NoDefault_Type);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: static object 'Macro_Object' has its header initialised for the GIL build's object layout

/* Not fixed: named where the compiler did not see it. */
PyObject Hidden_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: static object 'Hidden_Object' has its header initialised
#define HIDDEN_SIZE sizeof(Hidden_Object)

/* Not fixed: used other than by its address. */
PyObject Sized_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: static object 'Sized_Object' has its header initialised
size_t sized(void) { return sizeof(Sized_Object); }

/* Not fixed: the type is named by its struct. */
struct _object Struct_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: static object 'Struct_Object' has its header initialised

/* Not findings: headers made by PyObject_HEAD_INIT, and declarations. */
static struct {
  PyObject_HEAD
} Proper_Object = {PyObject_HEAD_INIT(&NoDefault_Type)};
PyVarObject Proper_Var = {PyObject_HEAD_INIT(&NoDefault_Type) 0};
extern PyObject Declared_Object;

/* Another check's finding in the same file. */
static PyObject *cached;
PyObject *get_cached(void) { return cached; }

/* In a header the file includes. */
#include "free_threaded_abi_object.h"
// CHECK-MESSAGES: free_threaded_abi_object.h:{{[0-9]+}}:17: warning: static object 'Header_Object'

// The others get PyObject_HEAD_INIT.
// CHECK-FIXES: struct NoDefault_Object { PyObject_HEAD } NoDefault_Object = {PyObject_HEAD_INIT(&NoDefault_Type)};
// CHECK-FIXES: PyVarObject Empty_Object = {PyObject_HEAD_INIT(&NoDefault_Type) 0};
