//===--- PhaseCalls.cpp ---------------------------------------------------===//

#include "analysis/PhaseCalls.h"

#include "analysis/InitOnlyFields.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseSet.h"

namespace gilport {

using namespace clang;

namespace {

class PhaseCallCollector : public RecursiveASTVisitor<PhaseCallCollector> {
public:
  PhaseCallCollector(ASTContext &Ctx, InitOnlyFields &Lifecycle)
      : Ctx(Ctx), Lifecycle(Lifecycle) {}

  bool TraverseFunctionDecl(FunctionDecl *F) {
    const FunctionDecl *Outer = Function;
    Function = F->doesThisDeclarationHaveABody() ? F : nullptr;
    bool Result = RecursiveASTVisitor::TraverseFunctionDecl(F);
    Function = Outer;
    return Result;
  }

  // Visited before its callee.
  bool VisitCallExpr(CallExpr *Call) {
    if (const auto *Callee =
            dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreParenImpCasts()))
      Callees.insert(Callee);
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *Called = dyn_cast<FunctionDecl>(Ref->getDecl());
    if (!Called || !Called->isExternallyVisible() || !Called->getIdentifier())
      return true;
    std::string Name = Called->getName().str();
    if (Function && Callees.contains(Ref) &&
        Lifecycle.isLifecycle(*Function, Ctx))
      Result.AtInit.insert(Name);
    else
      Result.AtRunTime.insert(Name);
    return true;
  }

  PhaseCalls Result;

private:
  ASTContext &Ctx;
  InitOnlyFields &Lifecycle;
  const FunctionDecl *Function = nullptr;
  llvm::DenseSet<const DeclRefExpr *> Callees;
};

} // namespace

PhaseCalls callsByPhase(ASTContext &Ctx, InitOnlyFields &Lifecycle) {
  PhaseCallCollector Collector(Ctx, Lifecycle);
  Collector.TraverseAST(Ctx);
  for (const std::string &Name : Collector.Result.AtRunTime)
    Collector.Result.AtInit.erase(Name);
  return std::move(Collector.Result);
}

} // namespace gilport
