//===--- FreshObjects.h - Objects no other thread can hold yet --*- C++ -*-===//
//
// A helper that changes the fields of an object it is given is a hazard
// only when the object can be shared. Many helpers are only ever given an
// object their caller has just made: bitarray's freeze_if_frozen(res) after
// `res = bitarray_cp(self)`, a decoder filling the result of new_bitarray().
// No other thread can hold such an object until the caller returns it.
//
// An object is fresh in a caller when it is a local variable that is only
// ever set from a call that makes a new object, and never stored anywhere
// nor has its address taken; or when it is a parameter of the caller that
// is itself always given a fresh object. A call makes a new object when it
// is an allocator (`type->tp_alloc(type, 0)`, `PyObject_New`,
// `PyObject_GC_New`, `PyType_GenericAlloc`, ...), a call of a type object
// (`PyObject_CallObject((PyObject *)type, args)`), or a call of a function
// of this file whose every return gives NULL or a fresh object.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_FRESHOBJECTS_H
#define GILPORT_ANALYSIS_FRESHOBJECTS_H

#include "llvm/ADT/DenseMap.h"

namespace clang {
class CallExpr;
class Expr;
class FunctionDecl;
class ParmVarDecl;
class VarDecl;
} // namespace clang

namespace gilport {

class CallSiteIndex;

class FreshObjects {
public:
  explicit FreshObjects(CallSiteIndex &Callers) : Callers(Callers) {}

  /// Whether every call of \p Param's function is known (CallSiteIndex) and
  /// passes as \p Param an object fresh in its caller.
  bool alwaysGivenFresh(const clang::ParmVarDecl &Param);

  /// Whether \p Value, in \p In, is an object \p In has just made.
  bool isFresh(const clang::Expr &Value, const clang::FunctionDecl &In) {
    return freshValue(&Value, In, 0);
  }

private:
  enum class State { Unknown, InProgress, Fresh, Shared };

  bool freshValue(const clang::Expr *E, const clang::FunctionDecl &In,
                  unsigned Depth);
  bool freshLocal(const clang::VarDecl &Var, const clang::FunctionDecl &In,
                  unsigned Depth);
  bool makesNewObject(const clang::CallExpr &Call, unsigned Depth);
  bool returnsFresh(const clang::FunctionDecl &Function, unsigned Depth);
  bool paramFresh(const clang::ParmVarDecl &Param, unsigned Depth);

  CallSiteIndex &Callers;
  llvm::DenseMap<const void *, State> Memo;
};

} // namespace gilport

#endif
