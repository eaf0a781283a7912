//===--- CapsulePointerOnce.h - A capsule's pointer stored once -*- C++ -*-===//
//
// The fix for a static C API pointer that init code takes from a capsule
// (analysis/CapsulePointers.h): each store is made only while the variable
// is still NULL, under a new static PyMutex,
//
//   static PyMutex other_API_lock;
//   ...
//   PyMutex_Lock(&other_API_lock);
//   if (other_API == NULL) {
//       other_API = (void **)PyCapsule_GetPointer(capsule, "other._C_API");
//   }
//   PyMutex_Unlock(&other_API_lock);
//
// so that once set it never changes: a read in any interpreter comes after
// that interpreter's own init, which saw it set under the lock. The tests
// that follow the store still read it; they race with a store only while
// it is NULL, that is, when PyCapsule_GetPointer failed, which it does in
// every interpreter alike (the capsule's name is the other module's code).
//
// The variable keeps the first interpreter's pointer: the code already
// shares one pointer between interpreters, which is right for the usual
// capsule, a static table of functions.
//
// PyMutex is Python 3.13's; gilport_compat.h defines a lock that does
// nothing for older versions.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_CAPSULEPOINTERONCE_H
#define GILPORT_REWRITES_CAPSULEPOINTERONCE_H

#include "analysis/CapsulePointers.h"
#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that make \p Stores, the stores of \p Var, happen once under a
/// new static PyMutex, `<name>_lock`, declared after \p Var when it is
/// declared in the main file, else before the first function that stores
/// it.
Rewrite storeCapsulePointerOnce(const clang::VarDecl &Var,
                                const CapsulePointerStores &Stores,
                                clang::ASTContext &Ctx);

} // namespace gilport

#endif
