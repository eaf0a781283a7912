//===--- KeptOperands.cpp -------------------------------------------------===//

#include "analysis/KeptOperands.h"

#include "analysis/ContainerApis.h"
#include "analysis/MacroLocations.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"

namespace gilport {

using namespace clang;

void forEachKeptOperand(
    const Stmt &S, const ASTContext &Ctx,
    llvm::function_ref<bool(const FunctionDecl &, unsigned)> KeepsNothing,
    llvm::function_ref<void(const Expr *)> Keep) {
  if (const auto *Call = dyn_cast<CallExpr>(&S)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || !Callee->getIdentifier())
      return;
    for (unsigned I = 0, N = Call->getNumArgs(); I < N; ++I)
      if (isNonEscapingArgument(Callee->getName(), I) ||
          KeepsNothing(*Callee, I))
        Keep(Call->getArg(I));
  } else if (const auto *Member = dyn_cast<MemberExpr>(&S)) {
    Keep(Member->getBase());
  } else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(&S)) {
    Keep(Subscript->getBase());
  } else if (const auto *Op = dyn_cast<UnaryOperator>(&S)) {
    if (Op->getOpcode() == UO_LNot || Op->getOpcode() == UO_Deref ||
        (Op->getOpcode() == UO_AddrOf &&
         isWithinExpansionOf(Op->getOperatorLoc(), "Py_CLEAR",
                             Ctx.getSourceManager(), Ctx.getLangOpts())))
      Keep(Op->getSubExpr());
  } else if (const auto *Op = dyn_cast<BinaryOperator>(&S)) {
    if (Op->isComparisonOp() || Op->isLogicalOp()) {
      Keep(Op->getLHS());
      Keep(Op->getRHS());
    } else if (Op->getOpcode() == BO_Comma) {
      Keep(Op->getLHS());
    }
  } else if (const auto *Cond = dyn_cast<ConditionalOperator>(&S)) {
    Keep(Cond->getCond());
  } else if (const auto *If = dyn_cast<IfStmt>(&S)) {
    Keep(If->getCond());
  } else if (const auto *While = dyn_cast<WhileStmt>(&S)) {
    Keep(While->getCond());
  } else if (const auto *Do = dyn_cast<DoStmt>(&S)) {
    Keep(Do->getCond());
  } else if (const auto *For = dyn_cast<ForStmt>(&S)) {
    Keep(For->getCond());
  }
}

} // namespace gilport
