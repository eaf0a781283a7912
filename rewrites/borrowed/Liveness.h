//===--- Liveness.h - References held where a lookup runs -------*- C++ -*-===//
//
// What the function holds when a lookup runs, and what is known about a
// variable there: the facts the error path of the borrowed -> strong fix is
// built from. A lookup inside loops is modelled per iteration: a variable
// that an enclosing loop changes is either set again before the lookup in
// every iteration, or its value at the lookup depends on the iteration
// before, and an error path must not release it. Private to the borrowed
// rewrite (rewrites/borrowed/).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_LIVENESS_H
#define GILPORT_REWRITES_BORROWED_LIVENESS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class Stmt;
class SourceManager;
class VarDecl;
} // namespace clang

namespace gilport {
namespace borrowed {

/// The local references a function may hold where a lookup runs.
struct HeldReferences {
  /// References that may be held (a gen/kill walk; an over-approximation).
  llvm::SmallPtrSet<const clang::VarDecl *, 8> Live;
  /// Variables an enclosing loop changes without setting them again before
  /// the lookup: on the second iteration they may hold a reference that was
  /// released. An error path must not release them.
  llvm::SmallPtrSet<const clang::VarDecl *, 4> Unsettled;
  /// Every loop around the lookup was walked, so Unsettled is complete even
  /// where Live is not (a resource is held).
  bool LoopsKnown = false;
};

/// \p Vars in the order of their declarations, for messages and edits: a
/// set's own order follows addresses, which change from run to run.
std::vector<const clang::VarDecl *>
inDeclarationOrder(const llvm::SmallPtrSetImpl<const clang::VarDecl *> &Vars,
                   const clang::SourceManager &SM);

/// Whether \p Name acquires something other than a reference: memory, a
/// lock, a recursion level, a buffer, the thread state.
bool isResourceCall(llvm::StringRef Name);

/// Whether \p S cannot complete normally: it ends in a return, goto, break
/// or continue.
bool endsInExit(const clang::Stmt *S);

/// The references the function may hold when \p Target runs, \p Exclude
/// aside. False, with \p Why set, when something is not modelled (a
/// resource other than a reference, a 'switch' around \p Target, a variable
/// that may still hold the reference of an earlier iteration).
/// \p Converted: variables that other fixes of the same run make hold a
/// new reference where the code borrowed one.
bool liveReferencesBefore(
    const clang::Stmt *Target, const clang::FunctionDecl &Function,
    clang::ASTContext &Ctx, const clang::VarDecl *Exclude, HeldReferences &Held,
    std::string &Why,
    const llvm::SmallPtrSetImpl<const clang::VarDecl *> *Converted = nullptr);

/// The statements that run before \p Target on every path to it (in each
/// iteration of the loops around it), in source order: the earlier
/// statements of each block between the function body and Target, and the
/// conditions of the loops on the way. Empty when Target is not reached
/// through blocks, 'if's and loops only.
std::vector<const clang::Stmt *>
dominatingStatements(const clang::Stmt *Target,
                     const clang::FunctionDecl &Function,
                     clang::ASTContext &Ctx);

/// The local variables \p S assigns whenever it runs: `v = ...` as a
/// statement, or an assignment that a condition always evaluates
/// (`(v = f()) == NULL`, `!(v = f())`, the left operand of && and ||).
llvm::SmallPtrSet<const clang::VarDecl *, 2>
alwaysAssigned(const clang::Stmt *S);

/// Calls \p Found for each place in \p S that assigns, takes the address of,
/// or releases a local variable.
void forEachWrite(
    const clang::Stmt *S, clang::ASTContext &Ctx,
    llvm::function_ref<void(const clang::VarDecl *, const clang::Expr *)>
        Found);

/// Whether \p S assigns, takes the address of, or releases \p V anywhere.
bool writesVariable(const clang::Stmt *S, const clang::VarDecl *V,
                    clang::ASTContext &Ctx);

/// Whether \p V is known not to be NULL when \p Target runs: a statement
/// that runs before it on every path exits when V is NULL
/// (`if ((v = f()) == NULL) return NULL;`), and nothing writes V between
/// that test and Target, nor in a loop around Target that the test is not
/// in.
bool knownNonNullAt(const clang::VarDecl *V, const clang::Stmt *Target,
                    const clang::FunctionDecl &Function,
                    clang::ASTContext &Ctx);

} // namespace borrowed
} // namespace gilport

#endif
