//===--- SameStateExit.h - Reuse a nearby error exit ------------*- C++ -*-===//
//
// A lookup that swallowed errors needs an error path of its own once it
// reports them. When the function's error label does more than release
// references (a `succeeded` flag, Py_LeaveRecursiveCall, an attribute to
// delete), the label cannot be proven right from its own code. But the
// function's author already wrote an error exit a few statements later,
// `if (type == NULL) goto cleanup;`, and if nothing the exit depends on
// changes between the lookup and that exit, jumping there from the lookup
// is as right as the author's own jump. Private to the borrowed rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_SAMESTATEEXIT_H
#define GILPORT_REWRITES_BORROWED_SAMESTATEEXIT_H

#include "clang/AST/Type.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class CompoundStmt;
class Expr;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace gilport {
namespace borrowed {

/// Whether \p E is the error value of a function returning \p Result:
/// NULL for a pointer, -1 for an integer.
bool isErrorValue(const clang::Expr *E, clang::QualType Result,
                  clang::ASTContext &Ctx);

/// `goto <label>;` or `return <error value>;`: the exit of the first error
/// test that follows the lookup `Block[Index]` into \p Var in the same
/// iteration, when every statement before it leaves alone what the exit
/// reads (the label's variables, the resources it releases). None
/// otherwise, with \p Why set when there is such a test. \p Unsettled:
/// variables that may hold a released reference at the lookup (HeldReferences);
/// the label must not read them. \p Converted: variables that other fixes of
/// the run make hold a new reference; none of them may be live at the lookup.
std::optional<std::string>
sameStateExit(const clang::CompoundStmt &Block, unsigned Index,
              const clang::VarDecl &Var, const clang::FunctionDecl &Function,
              clang::ASTContext &Ctx,
              const llvm::SmallPtrSetImpl<const clang::VarDecl *> &Unsettled,
              const llvm::SmallPtrSetImpl<const clang::VarDecl *> *Converted,
              std::string &Why);

} // namespace borrowed
} // namespace gilport

#endif
