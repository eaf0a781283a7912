//===--- KeptOperands.h - Operands only used in place ------------*- C++
//-*-===//
//
// Where an expression's value goes nowhere else: the contexts in which the
// privacy analyses (ContainerPrivacy, StackStructs) may read a container
// without sharing it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_KEPTOPERANDS_H
#define GILPORT_ANALYSIS_KEPTOPERANDS_H

#include "llvm/ADT/STLFunctionalExtras.h"

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class Stmt;
} // namespace clang

namespace gilport {

/// Calls \p Keep on each operand whose value \p S only uses in place, so
/// that the object goes nowhere else through it: an argument of a call that
/// keeps nothing of it (isNonEscapingArgument, or \p KeepsNothing), the
/// operands of a comparison or of `&&` and `||`, the left one of a comma, a
/// condition, the base of a member access or subscript, the operand of `!`
/// and `*`, and the address `Py_CLEAR` takes to set it to NULL. Called on a
/// node before its operands are walked, it marks them in time.
void forEachKeptOperand(
    const clang::Stmt &S, const clang::ASTContext &Ctx,
    llvm::function_ref<bool(const clang::FunctionDecl &, unsigned)>
        KeepsNothing,
    llvm::function_ref<void(const clang::Expr *)> Keep);

} // namespace gilport

#endif
