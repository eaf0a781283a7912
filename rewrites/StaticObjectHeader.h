//===--- StaticObjectHeader.h - Static objects for every layout -*- C++ -*-===//
//
// The fix of gilport-free-threaded-abi: a static object whose header was
// written by hand for the GIL build,
//
//   PyObject _NoDefault_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
//
// gets its header from PyObject_HEAD_INIT, which is right for the GIL and
// the free-threaded layout of every version. That macro ends with a comma,
// so it can only start a longer initializer: a PyVarObject keeps its type,
//
//   PyVarObject Empty_Object = {PyObject_HEAD_INIT(&Empty_Type) 0};
//
// and a PyObject becomes a struct holding one (the tag takes the variable's
// own name; C keeps tags apart from variables), whose uses, all `&name`,
// take its `ob_base`:
//
//   struct _NoDefault_Object { PyObject_HEAD } _NoDefault_Object =
//       {PyObject_HEAD_INIT(&NoDefault_Type)};
//   #define NODEFAULT &_NoDefault_Object.ob_base
//
// The struct has the layout of a PyObject, so a source that still declares
// `extern PyObject name;` keeps working. A definition that an #if chooses
// between versions (`#if PY312 ... #else ... #endif`, every branch a
// definition of the same object) is replaced, chain and all, by the one
// definition.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_STATICOBJECTHEADER_H
#define GILPORT_REWRITES_STATICOBJECTHEADER_H

#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that initialise the header of \p Var, a PyObject or
/// PyVarObject defined in the main file, with PyObject_HEAD_INIT; or why
/// there are none.
Rewrite initialiseHeaderPortably(const clang::VarDecl &Var,
                                 clang::ASTContext &Ctx);

} // namespace gilport

#endif
