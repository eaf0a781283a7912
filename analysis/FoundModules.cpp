//===--- FoundModules.cpp - How long PyState_FindModule's module lives ----===//

#include "analysis/FoundModules.h"

#include "analysis/AstQueries.h"
#include "analysis/NewReferences.h"
#include "analysis/Parents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

bool isInitFunction(const FunctionDecl *Function) {
  return Function && Function->getIdentifier() &&
         Function->getName().starts_with("PyInit_");
}

/// The module definition `&def` names in `PyState_FindModule(&def)`.
const VarDecl *foundDefinition(const CallExpr *Call) {
  if (calleeName(Call) != "PyState_FindModule" || Call->getNumArgs() != 1)
    return nullptr;
  const VarDecl *Def = namedVariable(Call->getArg(0));
  return Def && !Def->hasLocalStorage() ? Def->getCanonicalDecl() : nullptr;
}

/// Whether \p Return hands back \p Var (`return m;`, `return Py_NewRef(m);`)
/// inside an `if` that tests it, with no other value stored in it between
/// \p Found and the return.
bool returnsFound(const ReturnStmt *Return, const VarDecl *Var,
                  const CallExpr *Found, const FunctionDecl &Init,
                  ASTContext &Ctx) {
  const Expr *Value = stripCasts(Return->getRetValue());
  if (const auto *Call = dyn_cast_or_null<CallExpr>(Value)) {
    if (llvm::is_contained(NewRefFunctions, calleeName(Call)) &&
        Call->getNumArgs() == 1)
      Value = stripCasts(Call->getArg(0));
  }
  if (referencedLocal(Value) != Var)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  if (!SM.isBeforeInTranslationUnit(Found->getBeginLoc(),
                                    Return->getBeginLoc()))
    return false;
  for (const DeclRefExpr *Ref : referencesTo(*Var, Init.getBody())) {
    auto Parents = parentsOf(*Ref, Ctx);
    const auto *Assign =
        Parents.size() == 1 ? Parents[0].get<BinaryOperator>() : nullptr;
    if (Assign && Assign->isAssignmentOp() && Assign->getLHS() == Ref &&
        stripCasts(Assign->getRHS()) != Found &&
        SM.isBeforeInTranslationUnit(Found->getBeginLoc(),
                                     Ref->getBeginLoc()) &&
        SM.isBeforeInTranslationUnit(Ref->getBeginLoc(), Return->getBeginLoc()))
      return false;
  }
  // The return is guarded by a test of the found module.
  const Stmt *Child = Return;
  for (const Stmt *Parent = parentStmt(*Return, Ctx); Parent;
       Child = Parent, Parent = parentStmt(*Parent, Ctx)) {
    const auto *If = dyn_cast<IfStmt>(Parent);
    if (If && If->getThen() == Child &&
        (mentionsVariable(If->getCond(), Var) ||
         If->getCond()->getSourceRange().fullyContains(
             Found->getSourceRange())))
      return true;
  }
  return false;
}

} // namespace

FoundModules FoundModules::analyze(ASTContext &Ctx) {
  FoundModules Result;
  // Matched on the unit, a matcher is tried on every node already; under
  // findAll each node would also search all its descendants (every call
  // found once per ancestor: two fifths of the analysis of _pickle.c).
  auto Calls = match(callExpr(callee(functionDecl(hasAnyName(
                                  "PyState_FindModule", "PyState_RemoveModule",
                                  "PyState_AddModule"))),
                              forCallable(functionDecl().bind("function")))
                         .bind("call"),
                     Ctx);
  for (const BoundNodes &Bound : Calls) {
    const auto *Call = Bound.getNodeAs<CallExpr>("call");
    const auto *Function = Bound.getNodeAs<FunctionDecl>("function");
    llvm::StringRef Name = calleeName(Call);
    if (Name == "PyState_RemoveModule" ||
        (Name == "PyState_AddModule" && !isInitFunction(Function))) {
      Result.ChangesModuleList = true;
      continue;
    }
    const VarDecl *Def = foundDefinition(Call);
    const VarDecl *Var = Def ? storedInLocal(Call, Ctx) : nullptr;
    if (!Var || !isInitFunction(Function) || !Function->getBody())
      continue;
    auto Returns =
        match(findAll(returnStmt().bind("return")), *Function->getBody(), Ctx);
    for (const BoundNodes &R : Returns)
      if (returnsFound(R.getNodeAs<ReturnStmt>("return"), Var, Call, *Function,
                       Ctx))
        Result.Reused.insert(Def);
  }
  return Result;
}

bool FoundModules::keptForInterpreterLife(const VarDecl *Def) const {
  return Def && !ChangesModuleList && Reused.count(Def->getCanonicalDecl());
}

} // namespace gilport
