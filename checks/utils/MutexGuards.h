//===--- MutexGuards.h - Data only touched under one lock -------*- C++ -*-===//
//
// C data that every function touches only between `PyMutex_Lock(&m)` and
// `PyMutex_Unlock(&m)` of the same static mutex is not raced on, however
// many threads and interpreters share it. gilport-global-state does not
// report it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_UTILS_MUTEXGUARDS_H
#define GILPORT_CHECKS_UTILS_MUTEXGUARDS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class CallExpr;
class VarDecl;
} // namespace clang

namespace gilport {

class CheckContext;

/// `PyMutex_Lock(...)`: without one in the file no region can exist.
bool isMutexLockCall(const clang::CallExpr &Call);

/// Those of \p Vars -- scalars that no other translation unit can name --
/// whose every use in the user's code (the AST's traversal scope)
/// names the variable itself, without taking its address, inside a region
/// that holds one and the same lock for all of them. A region starts at a
/// statement `PyMutex_Lock(&m);`, or `PyThread_acquire_lock(l, WAIT_LOCK);`,
/// with `m` or `l` a variable with static storage, and covers the statements
/// after it in the same block up to the first one that may release the lock
/// again (`PyMutex_Unlock(&m)`, `PyThread_release_lock(l)`). A loop that may
/// release the lock ends the region for its whole body, and a label or
/// `case` ends every region (control can arrive from outside it).
/// Walks the user's code once.
llvm::SmallPtrSet<const clang::VarDecl *, 8>
alwaysUnderOneLock(llvm::ArrayRef<const clang::VarDecl *> Vars,
                   clang::ASTContext &Ctx, CheckContext &Context);

} // namespace gilport

#endif
