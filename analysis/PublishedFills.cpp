//===--- PublishedFills.cpp -----------------------------------------------===//

#include "analysis/PublishedFills.h"

#include "analysis/AstQueries.h"
#include "analysis/MutexGuards.h"
#include "analysis/NewReferences.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <vector>

namespace gilport {

using namespace clang;

namespace {

/// The statement of a block that holds \p S, and that block.
std::pair<const Stmt *, const CompoundStmt *> blockStatement(const Stmt &S,
                                                             ASTContext &Ctx) {
  const Stmt *Child = &S;
  for (const Stmt *Up = parentStmt(S, Ctx); Up; Up = parentStmt(*Up, Ctx)) {
    if (const auto *Block = dyn_cast<CompoundStmt>(Up))
      return {Child, Block};
    Child = Up;
  }
  return {nullptr, nullptr};
}

} // namespace

bool onlyReads(const DeclRefExpr &Ref, ASTContext &Ctx) {
  const Stmt *Up = parentStmt(Ref, Ctx);
  while (Up && isa<ParenExpr>(Up))
    Up = parentStmt(*Up, Ctx);
  const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(Up);
  return Cast && Cast->getCastKind() == CK_LValueToRValue;
}

bool startsNull(const VarDecl &Var, ASTContext &Ctx) {
  const Expr *Init = Var.getInit();
  return !Init ||
         Init->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
             Expr::NPCK_NotNull;
}

PublishableFill findPublishableFill(const VarDecl &Var, ASTContext &Ctx) {
  PublishableFill Result;
  auto Fail = [&](std::string Why) {
    Result.Fill = nullptr;
    Result.Reason = std::move(Why);
    return Result;
  };
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  if (!Var.isStaticLocal() || !Function || !Function->hasBody() ||
      !Var.getType()->isPointerType())
    return Fail("it is not a function-static pointer");
  if (!startsNull(Var, Ctx))
    return Fail("it starts with a value other than NULL");
  const DeclStmt *Declaration = declarationOf(Var, Ctx);
  if (!Declaration || !Declaration->isSingleDecl() ||
      parentStmt(*Declaration, Ctx) != Function->getBody() ||
      Declaration->getBeginLoc().isMacroID() ||
      Declaration->getEndLoc().isMacroID())
    return Fail("it is not declared alone by a statement of the function's "
                "body");

  std::vector<const DeclRefExpr *> Refs =
      referencesTo(Var, Function->getBody());
  const BinaryOperator *Store = nullptr;
  for (const DeclRefExpr *Ref : Refs) {
    const Stmt *Up = parentStmt(*Ref, Ctx);
    while (Up && isa<ParenExpr>(Up))
      Up = parentStmt(*Up, Ctx);
    const auto *Assign = dyn_cast_or_null<BinaryOperator>(Up);
    if (!Assign || Assign->getOpcode() != BO_Assign ||
        Assign->getLHS()->IgnoreParens() != Ref)
      continue;
    if (Store)
      return Fail("it is written in more than one place");
    Store = Assign;
  }
  if (!Store)
    return Fail("it is never filled in its function");
  if (Store->getBeginLoc().isMacroID())
    return Fail("the 'if' that fills it is spelled in a macro");
  const auto *Branch = dyn_cast_or_null<CompoundStmt>(parentStmt(*Store, Ctx));
  const auto *If =
      Branch ? dyn_cast_or_null<IfStmt>(parentStmt(*Branch, Ctx)) : nullptr;
  if (!If || If->getThen() != Branch || If->getElse() || If->getInit() ||
      If->getConditionVariable() || !testsForNull(If->getCond(), &Var, Ctx))
    return Fail("it is not filled by a statement of the braced branch of an "
                "'if' that tests it for NULL");
  const auto *Block = dyn_cast_or_null<CompoundStmt>(parentStmt(*If, Ctx));
  if (!Block)
    return Fail("the 'if' that fills it is not a statement of a block");
  if (If->getBeginLoc().isMacroID() || If->getEndLoc().isMacroID())
    return Fail("the 'if' that fills it is spelled in a macro");
  if (mentionsVariable(Store->getRHS(), &Var))
    return Fail("its new value is made from its old one");
  if (!makesNewReference(Store->getRHS(), Ctx))
    return Fail("its value is not shown to be a new reference");

  // The branch runs to its end, but where the value made is NULL.
  const SourceManager &SM = Ctx.getSourceManager();
  ControlTransfers Walker = controlTransfersIn(Branch);
  if (Walker.Entry || Walker.Jump)
    return Fail("the branch that fills it has a label, 'case', 'break' or "
                "'continue'");
  if (isa<ReturnStmt>(Branch->body_back()) ||
      isa<GotoStmt>(Branch->body_back()))
    return Fail("the branch that fills it ends with an exit");
  for (const Stmt *Exit : Walker.Exits) {
    if (SM.isBeforeInTranslationUnit(Exit->getBeginLoc(), Store->getBeginLoc()))
      continue;
    bool OnNull = false;
    const Stmt *Child = Exit;
    for (const Stmt *Up = parentStmt(*Exit, Ctx); Up && Up != Branch;
         Child = Up, Up = parentStmt(*Up, Ctx))
      if (const auto *Test = dyn_cast<IfStmt>(Up))
        if (Test->getThen() == Child &&
            testsForNull(Test->getCond(), &Var, Ctx))
          OnNull = true;
    if (!OnNull)
      return Fail("the branch that fills it can leave with the value made");
  }

  // Every other use reads it after the fill, in the same block.
  SourceLocation IfBegin = If->getBeginLoc(), IfEnd = If->getEndLoc();
  for (const DeclRefExpr *Ref : Refs) {
    SourceLocation Loc = Ref->getLocation();
    bool InFill = !SM.isBeforeInTranslationUnit(Loc, IfBegin) &&
                  !SM.isBeforeInTranslationUnit(IfEnd, Loc);
    if (InFill) {
      if (Ref != Store->getLHS()->IgnoreParens() && !onlyReads(*Ref, Ctx))
        return Fail("its address is taken in the fill");
      continue;
    }
    if (!SM.isBeforeInTranslationUnit(IfEnd, Loc) ||
        !SM.isBeforeInTranslationUnit(Loc, Block->getRBracLoc()))
      return Fail("it is used before the 'if' that fills it, or outside its "
                  "block");
    if (!onlyReads(*Ref, Ctx))
      return Fail("it is used after the fill other than by reading it");
  }
  for (auto It = std::next(llvm::find(Block->body(), If));
       It != Block->body_end(); ++It) {
    if (controlTransfersIn(*It).Entry)
      return Fail("a label or 'case' after the 'if' that fills it lets "
                  "control skip it");
  }
  Result.Fill = If;
  Result.Declaration = Declaration;
  Result.Store = Store;
  return Result;
}

bool isPublishedCache(const VarDecl &Var, ASTContext &Ctx) {
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  if (!Var.isStaticLocal() || !Function || !Function->hasBody() ||
      !Var.getType()->isPointerType() || !startsNull(Var, Ctx))
    return false;
  return usedAsPublishedCache(Var, referencesTo(Var, Function->getBody()), Ctx);
}

bool usedAsPublishedCache(const VarDecl &Var,
                          llvm::ArrayRef<const DeclRefExpr *> Refs,
                          ASTContext &Ctx) {
  const VarDecl *Mutex = nullptr;
  bool Written = false;
  auto Locked = [&](const CompoundStmt &Block, const Stmt *S) {
    auto It = llvm::find(Block.body(), S);
    if (It == Block.body_begin() || std::next(It) == Block.body_end())
      return false;
    const VarDecl *M = mutexOfStatement(*std::prev(It), false);
    if (!M || M != mutexOfStatement(*std::next(It), true) ||
        (Mutex && M != Mutex))
      return false;
    Mutex = M;
    return true;
  };
  for (const DeclRefExpr *Ref : Refs) {
    auto [Statement, Block] = blockStatement(*Ref, Ctx);
    if (!Statement)
      return false;
    const Stmt *Up = parentStmt(*Ref, Ctx);
    while (Up && isa<ParenExpr>(Up))
      Up = parentStmt(*Up, Ctx);
    const auto *Assign = dyn_cast_or_null<BinaryOperator>(Up);
    if (Assign && Assign->getOpcode() == BO_Assign &&
        Assign->getLHS()->IgnoreParens() == Ref) {
      // `if (cache == NULL) { cache = local; ... }` under the lock.
      const VarDecl *Local = referencedLocal(Assign->getRHS());
      const auto *Test = dyn_cast_or_null<IfStmt>(
          parentStmt(*blockStatement(*Assign, Ctx).second, Ctx));
      if (!Local || Local->isStaticLocal() || !Test ||
          !testsForNull(Test->getCond(), &Var, Ctx) ||
          blockStatement(*Test, Ctx).first != Test)
        return false;
      auto [TestStatement, TestBlock] = blockStatement(*Test, Ctx);
      if (!Locked(*TestBlock, TestStatement))
        return false;
      Written = true;
      continue;
    }
    if (!onlyReads(*Ref, Ctx))
      return false;
    if (Locked(*Block, Statement))
      continue;
    // The last read, `local = cache;`, after `PyMutex_Unlock(&m);` and
    // `Py_XDECREF(local);`.
    auto It = llvm::find(Block->body(), Statement);
    const auto *Read = dyn_cast<BinaryOperator>(Statement);
    if (!Read || Read->getOpcode() != BO_Assign ||
        !referencedLocal(Read->getLHS()) ||
        std::distance(Block->body_begin(), It) < 3)
      return false;
    const auto *Release = dyn_cast<Expr>(*std::prev(It));
    const auto *ReleaseCall =
        Release ? dyn_cast<CallExpr>(Release->IgnoreParenCasts()) : nullptr;
    if (calleeName(ReleaseCall) != "Py_XDECREF" || !Mutex ||
        mutexOfStatement(*std::prev(It, 2), true) != Mutex ||
        !Locked(*Block, *std::prev(It, 3)))
      return false;
  }
  return Written && Mutex;
}

} // namespace gilport
