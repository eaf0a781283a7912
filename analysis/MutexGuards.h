//===--- MutexGuards.h - Data only touched under one lock -------*- C++ -*-===//
//
// C data that every function touches only between `PyMutex_Lock(&m)` and
// `PyMutex_Unlock(&m)` of the same static mutex is not raced on, however
// many threads and interpreters share it. gilport-global-state does not
// report it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_MUTEXGUARDS_H
#define GILPORT_ANALYSIS_MUTEXGUARDS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class CallExpr;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

class UnitFacts;

/// `PyMutex_Lock(...)`: without one in the file no region can exist.
bool isMutexLockCall(const clang::CallExpr &Call);

/// The static mutex `m` that statement \p S, `PyMutex_Lock(&m);` (or
/// `PyMutex_Unlock(&m);` when \p Unlock), names; null for anything else.
const clang::VarDecl *mutexOfStatement(const clang::Stmt *S, bool Unlock);

/// Those of \p Vars -- scalars that no other translation unit can name --
/// whose every use in the user's code (the AST's traversal scope) names the
/// variable itself, without taking its address, inside a region that holds
/// one and the same mutex for all of them. A region starts at a statement
/// `PyMutex_Lock(&m);`, with `m` a static mutex that only lock calls name,
/// and covers the statements after it in the same block up to the first one
/// that may release a mutex (`PyMutex_Unlock`, or a call that may reach
/// one). A loop that may release ends the region for its whole body; a
/// `goto` label ends every region (control can arrive from outside it), and
/// a `case` holds what the switch was entered with. C only.
/// Walks the user's code once.
llvm::SmallPtrSet<const clang::VarDecl *, 8>
alwaysUnderOneLock(llvm::ArrayRef<const clang::VarDecl *> Vars,
                   clang::ASTContext &Ctx, UnitFacts &Context);

} // namespace gilport

#endif
