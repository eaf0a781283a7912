//===--- CapsulePointers.h - C API pointers taken from capsules -*- C++ -*-===//
//
// The documented way to use another extension's C API keeps the pointer the
// other module put in a capsule in a static variable that init code sets:
//
//   static void **other_API;
//   ...
//   other_API = (void **)PyCapsule_GetPointer(capsule, "other._C_API");
//
// Every interpreter that imports the module stores it again, while code of
// another interpreter reads it (in pymongo, through macros of a header):
// a data race, and a failed import in one interpreter sets it to NULL under
// the others (CPython's gh-141563, for PyDateTime_IMPORT). Stored once under
// a PyMutex (rewrites/CapsulePointerOnce.h), the variable never changes
// again once set, so every later read is ordered after the store.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_CAPSULEPOINTERS_H
#define GILPORT_ANALYSIS_CAPSULEPOINTERS_H

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class BinaryOperator;
class Expr;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// The stores of a capsule's pointer to a static variable.
struct CapsulePointerStores {
  /// `Var = (T)PyCapsule_GetPointer(...);`, each a statement of its own,
  /// spelled in the file, in source order.
  std::vector<const clang::BinaryOperator *> Stores;
  /// The lock every store is already made under, as
  /// rewrites/CapsulePointerOnce.h writes it: `PyMutex_Lock(&Lock);`, then
  /// `if (Var == NULL)` around the store, then `PyMutex_Unlock(&Lock);`.
  /// Null when a store is not.
  const clang::VarDecl *Lock = nullptr;
  /// Whether a store of a capsule's pointer was seen, even when Reason
  /// says why the variable is not set only that way.
  bool FromCapsule = false;
  /// Why the variable is not set that way; empty when it is.
  std::string Reason;
};

/// How \p Var, a static pointer to C data (not to a Python object) with no
/// initializer but NULL, is set: only by whole statements storing the
/// result of PyCapsule_GetPointer, otherwise only read.
/// PyCapsule_Import is not accepted: it also imports its module into the
/// interpreter, which storing the pointer once would skip.
CapsulePointerStores capsulePointerStores(const clang::VarDecl &Var,
                                          clang::ASTContext &Ctx);

} // namespace gilport

#endif
