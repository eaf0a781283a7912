//===--- CapsulePointers.cpp ----------------------------------------------===//

#include "analysis/CapsulePointers.h"

#include "analysis/AstQueries.h"
#include "analysis/MutexGuards.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

/// The parent of \p S over parentheses; \p Child is the last node passed.
const Stmt *parentOverParens(const Stmt *S, ASTContext &Ctx,
                             const Stmt *&Child) {
  Child = S;
  const Stmt *P = parentStmt(*S, Ctx);
  while (isa_and_nonnull<ParenExpr>(P)) {
    Child = P;
    P = parentStmt(*P, Ctx);
  }
  return P;
}

/// The lock \p Store is made under in the shape the fix writes:
/// `PyMutex_Lock(&m); if (Var == NULL) { Store; } PyMutex_Unlock(&m);`.
const VarDecl *publishingLock(const BinaryOperator &Store, const VarDecl &Var,
                              ASTContext &Ctx) {
  const Stmt *Holder = parentStmt(Store, Ctx);
  if (const auto *Block = dyn_cast_or_null<CompoundStmt>(Holder)) {
    if (Block->size() != 1)
      return nullptr;
    Holder = parentStmt(*Block, Ctx);
  }
  const auto *If = dyn_cast_or_null<IfStmt>(Holder);
  if (!If || If->getElse() || If->getInit() || If->getConditionVariable() ||
      !testsForNull(If->getCond(), &Var, Ctx))
    return nullptr;
  const auto *Block = dyn_cast_or_null<CompoundStmt>(parentStmt(*If, Ctx));
  if (!Block)
    return nullptr;
  auto At = llvm::find(Block->body(), If);
  if (At == Block->body_begin() || At + 1 == Block->body_end())
    return nullptr;
  const VarDecl *Lock = mutexOfStatement(*(At - 1), /*Unlock=*/false);
  return Lock && Lock == mutexOfStatement(*(At + 1), /*Unlock=*/true) ? Lock
                                                                      : nullptr;
}

} // namespace

CapsulePointerStores capsulePointerStores(const VarDecl &Var, ASTContext &Ctx) {
  CapsulePointerStores Result;
  auto Fail = [&](std::string Why) {
    Result.Stores.clear();
    Result.Lock = nullptr;
    Result.Reason = std::move(Why);
    return Result;
  };
  std::string Name = "'" + Var.getName().str() + "'";
  QualType Type = Var.getType();
  if (Ctx.getLangOpts().CPlusPlus || !Type->isPointerType() ||
      Type.isVolatileQualified() || !Var.hasGlobalStorage())
    return Fail(Name + " is not a static C pointer");
  if (const Expr *Init = Var.getInit();
      Init && Init->isNullPointerConstant(
                  Ctx, Expr::NPC_ValueDependentIsNotNull) == Expr::NPCK_NotNull)
    return Fail(Name + " has an initializer");

  const SourceManager &SM = Ctx.getSourceManager();
  bool SomePublished = false, SomeNot = false;
  for (const DeclRefExpr *Ref : referencesInUnit(Var, Ctx)) {
    const Stmt *Child = nullptr;
    const Stmt *P = parentOverParens(Ref, Ctx, Child);
    if (const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(P);
        Cast && Cast->getCastKind() == CK_LValueToRValue)
      continue; // A read.
    const auto *Assign = dyn_cast_or_null<BinaryOperator>(P);
    if (!Assign || Assign->getOpcode() != BO_Assign ||
        Assign->getLHS() != Child)
      return Fail(Name + " is used other than by reads and stores of "
                         "PyCapsule_GetPointer's result");
    const auto *Call = dyn_cast<CallExpr>(stripCasts(Assign->getRHS()));
    llvm::StringRef Callee = calleeName(Call);
    if (Callee == "PyCapsule_Import" || Callee == "PyCapsule_GetPointer")
      Result.FromCapsule = true;
    if (Callee == "PyCapsule_Import")
      return Fail(Name + " is set by PyCapsule_Import, which also imports its "
                         "module into each interpreter: storing the pointer "
                         "once would skip that import");
    if (Callee != "PyCapsule_GetPointer")
      return Fail(Name + " is set other than from PyCapsule_GetPointer");
    if (!isFileRange(Assign->getSourceRange()) ||
        !SM.isWrittenInMainFile(Assign->getBeginLoc()))
      return Fail("a store to " + Name +
                  " is spelled through a macro or in a header");
    const Stmt *Holder = parentStmt(*Assign, Ctx);
    if (const VarDecl *Lock = publishingLock(*Assign, Var, Ctx)) {
      if (Result.Lock && Result.Lock != Lock)
        return Fail(Name + " is stored under two different locks");
      Result.Lock = Lock;
      SomePublished = true;
    } else if (isa_and_nonnull<CompoundStmt>(Holder)) {
      SomeNot = true;
    } else {
      return Fail("a store to " + Name + " is not a statement of its own");
    }
    Result.Stores.push_back(Assign);
  }
  if (Result.Stores.empty())
    return Fail(Name + " is not set from PyCapsule_GetPointer");
  if (SomePublished && SomeNot)
    return Fail("some stores to " + Name +
                " are made once under a lock and others are not");
  llvm::sort(Result.Stores, [&](const auto *A, const auto *B) {
    return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
  });
  return Result;
}

} // namespace gilport
