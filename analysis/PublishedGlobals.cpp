//===--- PublishedGlobals.cpp ---------------------------------------------===//

#include "analysis/PublishedGlobals.h"

#include "analysis/AstQueries.h"
#include "analysis/InitOnlyFields.h"
#include "analysis/NewReferences.h"
#include "analysis/PublishedFills.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>

namespace gilport {

using namespace clang;

namespace {

/// A use of the variable and the function it is in (null outside any).
struct Use {
  const DeclRefExpr *Ref;
  const FunctionDecl *Function;
};

/// Every use of \p Var in the translation unit.
std::vector<Use> usesIn(const VarDecl &Var, ASTContext &Ctx) {
  struct Collector : RecursiveASTVisitor<Collector> {
    const VarDecl *Var;
    const FunctionDecl *Current = nullptr;
    std::vector<Use> Found;
    bool TraverseFunctionDecl(FunctionDecl *F) {
      const FunctionDecl *Saved = Current;
      Current = F;
      bool Result = RecursiveASTVisitor::TraverseFunctionDecl(F);
      Current = Saved;
      return Result;
    }
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (Ref->getDecl()->getCanonicalDecl() == Var)
        Found.push_back({Ref, Current});
      return true;
    }
  } Collect;
  Collect.Var = Var.getCanonicalDecl();
  Collect.TraverseDecl(Ctx.getTranslationUnitDecl());
  return std::move(Collect.Found);
}

/// \p S, or the labels and `case`s around it, up to the block holding
/// them, and that block.
std::pair<const Stmt *, const CompoundStmt *> labelledInBlock(const Stmt &S,
                                                              ASTContext &Ctx) {
  const Stmt *Child = &S;
  const Stmt *Up = parentStmt(S, Ctx);
  while (Up && isa<LabelStmt, SwitchCase>(Up)) {
    Child = Up;
    Up = parentStmt(*Up, Ctx);
  }
  return {Child, dyn_cast_or_null<CompoundStmt>(Up)};
}

/// The fill `if (v == NULL) v = make(...);` whose store is \p Ref, or null.
const IfStmt *fillStoring(const DeclRefExpr &Ref, ASTContext &Ctx) {
  const Stmt *Up = parentStmt(Ref, Ctx);
  while (Up && isa<ParenExpr>(Up))
    Up = parentStmt(*Up, Ctx);
  const auto *Store = dyn_cast_or_null<BinaryOperator>(Up);
  if (!Store || Store->getOpcode() != BO_Assign ||
      Store->getLHS()->IgnoreParens() != &Ref)
    return nullptr;
  const Stmt *Then = Store;
  Up = parentStmt(*Store, Ctx);
  if (const auto *Branch = dyn_cast_or_null<CompoundStmt>(Up);
      Branch && Branch->size() == 1) {
    Then = Branch;
    Up = parentStmt(*Branch, Ctx);
  }
  const auto *If = dyn_cast_or_null<IfStmt>(Up);
  const auto *Var = dyn_cast<VarDecl>(Ref.getDecl());
  if (!If || If->getThen() != Then || If->getElse() || If->getInit() ||
      If->getConditionVariable() || !testsForNull(If->getCond(), Var, Ctx))
    return nullptr;
  return If;
}

/// Whether \p E names only file-scope things: it can be made anywhere.
bool madeFromFileScope(const Expr &E) {
  struct Finder : RecursiveASTVisitor<Finder> {
    bool Local = false;
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl()))
        Local |= !V->isFileVarDecl();
      return true;
    }
  } Find;
  Find.TraverseStmt(const_cast<Expr *>(&E));
  return !Find.Local;
}

/// Whether \p Read comes after \p Fill in the block holding Fill, with no
/// label or `case` from Fill's statement to Read's.
bool readAfterFill(const DeclRefExpr &Read, const IfStmt &Fill,
                   ASTContext &Ctx) {
  auto [FillStatement, Block] = labelledInBlock(Fill, Ctx);
  if (!Block)
    return false;
  const Stmt *Child = &Read;
  const Stmt *Up = parentStmt(Read, Ctx);
  while (Up && Up != Block) {
    Child = Up;
    Up = parentStmt(*Up, Ctx);
  }
  if (!Up)
    return false;
  auto FillAt = llvm::find(Block->body(), FillStatement);
  auto ReadAt = llvm::find(Block->body(), Child);
  if (FillAt >= ReadAt || ReadAt == Block->body_end())
    return false;
  for (auto It = std::next(FillAt); It <= ReadAt; ++It)
    if (controlTransfersIn(*It).Entry)
      return false;
  return true;
}

/// The `if` whose condition \p Ref is in, or null.
const IfStmt *testOf(const DeclRefExpr &Ref, ASTContext &Ctx) {
  const Stmt *Child = &Ref;
  for (const Stmt *Up = parentStmt(Ref, Ctx); Up;
       Child = Up, Up = parentStmt(*Up, Ctx))
    if (const auto *If = dyn_cast<IfStmt>(Up))
      return If->getCond() == Child ? If : nullptr;
  return nullptr;
}

bool isFileScopeObjectPointer(const VarDecl &Var, ASTContext &Ctx) {
  return Var.isFileVarDecl() && !Var.isExternallyVisible() &&
         Var.getType()->isPointerType() && startsNull(Var, Ctx);
}

/// Whether \p Uses, those of \p Var, are those of a published cache
/// (analysis/PublishedFills.h's usedAsPublishedCache) in the one function
/// that uses it while the module is in use: the fix's accessor.
bool publishedIn(const VarDecl &Var, llvm::ArrayRef<Use> Uses, ASTContext &Ctx,
                 InitOnlyFields &Lifecycle) {
  std::vector<const DeclRefExpr *> Refs;
  const FunctionDecl *Only = nullptr;
  for (const Use &U : Uses) {
    if (!U.Function)
      return false;
    if (Lifecycle.isLifecycle(*U.Function, Ctx))
      continue;
    if (Only && Only != U.Function)
      return false;
    Only = U.Function;
    Refs.push_back(U.Ref);
  }
  return Only && usedAsPublishedCache(Var, Refs, Ctx);
}

} // namespace

PublishableGlobal findPublishableGlobal(const VarDecl &Var, ASTContext &Ctx,
                                        InitOnlyFields &Lifecycle) {
  PublishableGlobal Result;
  auto Fail = [&](std::string Why) {
    Result.Fills.clear();
    Result.Reason = std::move(Why);
    return Result;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  if (!isFileScopeObjectPointer(Var, Ctx))
    return Fail("it is not a static pointer that starts NULL");
  std::vector<Use> Uses = usesIn(Var, Ctx);
  if (publishedIn(Var, Uses, Ctx, Lifecycle)) {
    Result.Published = true;
    return Result;
  }
  if (!SM.isInMainFile(SM.getExpansionLoc(Var.getLocation())))
    return Fail("it is declared in a header");

  std::vector<const DeclRefExpr *> Others;
  std::optional<std::string> Made;
  for (const Use &U : Uses) {
    if (!U.Function)
      return Fail("it is used outside any function");
    if (Lifecycle.isLifecycle(*U.Function, Ctx))
      continue;
    const IfStmt *Fill = fillStoring(*U.Ref, Ctx);
    if (!Fill) {
      Others.push_back(U.Ref);
      continue;
    }
    Result.FillSeen = true;
    const Stmt *Store = parentStmt(*U.Ref, Ctx);
    while (isa<ParenExpr>(Store))
      Store = parentStmt(*Store, Ctx);
    const Expr *Value = cast<BinaryOperator>(Store)->getRHS();
    if (Fill->getBeginLoc().isMacroID() || Fill->getEndLoc().isMacroID())
      return Fail("a fill is spelled in a macro");
    std::optional<std::string> Text =
        spelledText(Value->getSourceRange(), SM, Ctx.getLangOpts());
    if (!Text || (Made && *Made != *Text))
      return Fail("its fills do not all make the value the same way");
    if (mentionsVariable(Value, &Var) || !madeFromFileScope(*Value))
      return Fail("its value is made from a local or from its old value");
    if (!makesNewReference(Value, Ctx))
      return Fail("its value is not shown to be a new reference");
    auto [Statement, Block] = labelledInBlock(*Fill, Ctx);
    if (!Block)
      return Fail("a fill is not a statement of a block");
    // A label before the fill needs a statement once the fill goes.
    if (Statement != Fill && Block->body_back() == Statement)
      return Fail("a fill is the last statement of its block");
    Made = Text;
    Result.Value = Value;
    if (Result.Fills.empty())
      Result.FirstFunction = U.Function;
    Result.Fills.push_back(Fill);
  }
  if (Result.Fills.empty())
    return Fail("it is not filled by 'if (v == NULL) v = ...;'");
  for (const DeclRefExpr *Ref : Others) {
    if (llvm::is_contained(Result.Fills, testOf(*Ref, Ctx)))
      continue;
    if (!onlyReads(*Ref, Ctx))
      return Fail("it is used other than by reading it while the module is "
                  "in use");
    // An argument of a macro (`Py_XNewRef(v)`) is spelled in the file.
    SourceLocation At = Ref->getLocation();
    if (At.isMacroID() && (!SM.isMacroArgExpansion(At) ||
                           !SM.isInMainFile(SM.getSpellingLoc(At))))
      return Fail("it is read in a macro");
    if (!llvm::any_of(Result.Fills, [&](const IfStmt *Fill) {
          return readAfterFill(*Ref, *Fill, Ctx);
        }))
      return Fail("it is read where no fill before it in the same block "
                  "made it");
    Result.Reads.push_back(Ref);
  }
  return Result;
}

} // namespace gilport
