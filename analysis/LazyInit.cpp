//===--- LazyInit.cpp -----------------------------------------------------===//

#include "analysis/LazyInit.h"

#include "analysis/AstQueries.h"
#include "analysis/MutexGuards.h"

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

/// Calls that make a new string or number from C values and run no Python
/// code (no __del__, no import, no user method).
constexpr llvm::StringLiteral ConstantMakers[] = {
    "PyUnicode_InternFromString",  "PyUnicode_FromString",
    "PyUnicode_FromStringAndSize", "PyBytes_FromString",
    "PyBytes_FromStringAndSize",   "PyLong_FromLong",
    "PyLong_FromUnsignedLong",     "PyLong_FromSsize_t",
    "PyLong_FromSize_t",           "PyLong_FromLongLong",
    "PyLong_FromUnsignedLongLong", "PyFloat_FromDouble",
};

class CallFinder : public RecursiveASTVisitor<CallFinder> {
public:
  bool VisitCallExpr(CallExpr *) {
    Found = true;
    return false;
  }
  bool Found = false;
};

/// Why \p Value cannot be made while a lock is held; empty when it can.
std::string makerProblem(const Expr *Value) {
  const auto *Call = dyn_cast<CallExpr>(Value->IgnoreParenCasts());
  if (!Call)
    return "its value is not made by a call";
  llvm::StringRef Name = calleeName(Call);
  if (!llvm::is_contained(ConstantMakers, Name))
    return "its value comes from " +
           (Name.empty() ? std::string("an indirect call")
                         : "'" + Name.str() + "'") +
           ", which may run Python code: holding a lock around it could "
           "deadlock";
  for (const Expr *Arg : Call->arguments()) {
    CallFinder Finder;
    Finder.TraverseStmt(const_cast<Expr *>(Arg));
    if (Finder.Found)
      return "the arguments of '" + Name.str() +
             "' call other functions, which may run Python code";
  }
  return {};
}

const DeclRefExpr *refTo(const Expr *E, const VarDecl &Var) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  return Ref && Ref->getDecl() == &Var ? Ref : nullptr;
}

} // namespace

LazyInit findLazyInit(const VarDecl &Var, ASTContext &Ctx) {
  LazyInit Result;
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  if (!Var.isStaticLocal() || !Function || !Function->hasBody() ||
      !Var.getType()->isPointerType()) {
    Result.Reason = "it is not a function-static pointer";
    return Result;
  }
  if (const Expr *Init = Var.getInit())
    if (Init->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) ==
        Expr::NPCK_NotNull) {
      Result.Reason = "it starts with a value other than NULL";
      return Result;
    }
  std::vector<const DeclRefExpr *> Refs =
      referencesTo(Var, Function->getBody());

  // The one write: `v = make(...)`.
  const BinaryOperator *Fill = nullptr;
  for (const DeclRefExpr *Ref : Refs) {
    const Stmt *Parent = parentStmt(*Ref, Ctx);
    while (Parent && isa<ParenExpr>(Parent))
      Parent = parentStmt(*Parent, Ctx);
    if (const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(Parent))
      if (Cast->getCastKind() == CK_LValueToRValue)
        continue;
    const auto *Assign = dyn_cast_or_null<BinaryOperator>(Parent);
    if (!Assign || Assign->getOpcode() != BO_Assign ||
        refTo(Assign->getLHS(), Var) != Ref || Fill) {
      Result.Reason = "it is written other than by filling it once";
      return Result;
    }
    Fill = Assign;
  }
  if (!Fill) {
    Result.Reason = "it is never filled in its function";
    return Result;
  }
  if (std::string Problem = makerProblem(Fill->getRHS()); !Problem.empty()) {
    Result.Reason = Problem;
    return Result;
  }
  // `if (v == NULL) v = ...;` or `if (!v) { v = ...; w = ...; }`: the
  // branch only fills function-static pointers of this function, one of
  // which the condition tests for NULL.
  const Stmt *Up = parentStmt(*Fill, Ctx);
  const VarDecl *Tested = nullptr;
  auto FillsStatic = [&](const Stmt *S) -> const VarDecl * {
    const auto *Assign = dyn_cast<BinaryOperator>(S);
    if (!Assign || Assign->getOpcode() != BO_Assign ||
        !makerProblem(Assign->getRHS()).empty())
      return nullptr;
    const auto *Ref = dyn_cast<DeclRefExpr>(Assign->getLHS()->IgnoreParens());
    const auto *Filled = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Filled && Filled->isStaticLocal() &&
                   Filled->getDeclContext() == Var.getDeclContext()
               ? Filled
               : nullptr;
  };
  llvm::SmallVector<const VarDecl *, 4> Filled;
  if (const auto *Braces = dyn_cast_or_null<CompoundStmt>(Up)) {
    for (const Stmt *S : Braces->body())
      if (const VarDecl *V = FillsStatic(S))
        Filled.push_back(V);
    Up = Filled.size() == Braces->size() ? parentStmt(*Braces, Ctx) : nullptr;
  } else {
    Filled.push_back(&Var);
  }
  const auto *If = dyn_cast_or_null<IfStmt>(Up);
  if (If && !If->getElse() && !If->getInit() && !If->getConditionVariable())
    for (const VarDecl *V : Filled)
      if (testsForNull(If->getCond(), V, Ctx))
        Tested = V;
  if (!If || !Tested) {
    Result.Reason = "it is not filled by an 'if' that tests it for NULL "
                    "and does nothing else";
    return Result;
  }
  // The variable tested must not be emptied again, or the branch would run
  // a second time while others read what it fills.
  if (Tested != &Var && findLazyInit(*Tested, Ctx).Fill != If) {
    Result.Reason = "'" + Tested->getName().str() +
                    "', which decides whether it is filled, is written "
                    "elsewhere too";
    return Result;
  }
  const auto *Block = dyn_cast_or_null<CompoundStmt>(parentStmt(*If, Ctx));
  if (!Block) {
    Result.Reason = "the 'if' that fills it is not a statement of a block";
    return Result;
  }
  if (If->getBeginLoc().isMacroID() || If->getEndLoc().isMacroID()) {
    Result.Reason = "the 'if' that fills it is spelled in a macro";
    return Result;
  }
  ControlTransfers Transfers = controlTransfersIn(If);
  if (!Transfers.Exits.empty() || Transfers.Jump) {
    Result.Reason = "the 'if' that fills it leaves the block";
    return Result;
  }

  // Every other use comes after the fill, in the same block, with no way
  // in that skips it.
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation FillEnd = SM.getExpansionLoc(If->getEndLoc());
  SourceLocation BlockEnd = SM.getExpansionLoc(Block->getRBracLoc());
  SourceLocation IfBegin = SM.getExpansionLoc(If->getBeginLoc());
  for (const DeclRefExpr *Ref : Refs) {
    SourceLocation Loc = SM.getExpansionLoc(Ref->getLocation());
    bool InFill = !SM.isBeforeInTranslationUnit(Loc, IfBegin) &&
                  !SM.isBeforeInTranslationUnit(FillEnd, Loc);
    bool After = SM.isBeforeInTranslationUnit(FillEnd, Loc) &&
                 SM.isBeforeInTranslationUnit(Loc, BlockEnd);
    if (!InFill && !After) {
      Result.Reason = "it is used before the 'if' that fills it, or outside "
                      "its block";
      return Result;
    }
  }
  auto Position = llvm::find(Block->body(), If);
  for (auto It = std::next(Position); It != Block->body_end(); ++It) {
    if (controlTransfersIn(*It).Entry) {
      Result.Reason = "a label or 'case' after the 'if' that fills it lets "
                      "control skip it";
      return Result;
    }
  }
  Result.Fill = If;
  Result.Block = Block;

  // Guarded: `PyMutex_Lock(&m);` before the run of fills holding this one,
  // `PyMutex_Unlock(&m);` after it.
  auto Before = Position;
  while (Before != Block->body_begin() && isa<IfStmt>(*std::prev(Before)))
    --Before;
  auto After = std::next(Position);
  while (After != Block->body_end() && isa<IfStmt>(*After))
    ++After;
  if (Before != Block->body_begin() && After != Block->body_end()) {
    const VarDecl *Locked = mutexOfStatement(*std::prev(Before), false);
    if (Locked && Locked == mutexOfStatement(*After, true))
      Result.Mutex = Locked;
  }
  return Result;
}

} // namespace gilport
