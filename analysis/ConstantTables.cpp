//===--- ConstantTables.cpp -----------------------------------------------===//

#include "analysis/ConstantTables.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <set>

namespace gilport {

using namespace clang;

ConstantTableFill constantTableFill(const VarDecl &Table, ASTContext &Ctx) {
  ConstantTableFill Fill;
  auto Fail = [&](std::string Why) {
    Fill.Stores.clear();
    Fill.Reason = std::move(Why);
    return Fill;
  };
  std::string Name = "'" + Table.getName().str() + "'";
  const auto *Array = Ctx.getAsConstantArrayType(Table.getType());
  if (Ctx.getLangOpts().CPlusPlus || !Array ||
      !(Array->getElementType()->isPointerType() ||
        Array->getElementType()->isIntegerType()) ||
      Table.getType().isVolatileQualified())
    return Fail(Name + " is not a C array of pointers or integers");
  const SourceManager &SM = Ctx.getSourceManager();
  // A table of a header is one per file that includes it.
  if (Table.getInit() || !Table.hasGlobalStorage() ||
      Table.isExternallyVisible() || !isFileRange(Table.getSourceRange()) ||
      !SM.isInMainFile(Table.getLocation()))
    return Fail(Name + " has an initializer, or is visible outside the file, "
                       "or is declared through a macro or in a header");

  std::set<uint64_t> Indexes;
  std::vector<const DeclRefExpr *> Others;
  for (const DeclRefExpr *Ref : referencesInUnit(Table, Ctx)) {
    const Stmt *Child = nullptr;
    const Stmt *P = parentPastParensAndCasts(*Ref, Ctx, Child);
    if (const auto *Subscript = dyn_cast_or_null<ArraySubscriptExpr>(P);
        Subscript && Subscript->getBase() == Child) {
      const Stmt *Element = nullptr;
      const Stmt *Use = parentPastParensAndCasts(*Subscript, Ctx, Element);
      const auto *Assign = dyn_cast_or_null<BinaryOperator>(Use);
      if (Assign && Assign->getOpcode() == BO_Assign &&
          Assign->getLHS() == Element) {
        const FunctionDecl *F = enclosingFunction(Assign, Ctx);
        const auto *Body = F ? dyn_cast<CompoundStmt>(F->getBody()) : nullptr;
        if (!Body || !llvm::is_contained(Body->body(), Assign) ||
            !isFileRange(Assign->getSourceRange()))
          return Fail("a store to " + Name +
                      " is not a statement of its own in a function body, or "
                      "is spelled through a macro");
        if (Fill.Function && Fill.Function != F)
          return Fail(Name + " is written in more than one function");
        Fill.Function = F;
        const Expr *Index = Subscript->getIdx();
        const Expr *Value = Assign->getRHS();
        Expr::EvalResult At;
        if (!Index->EvaluateAsInt(At, Ctx) || At.Val.getInt().isNegative() ||
            At.Val.getInt().getZExtValue() >= Array->getSize().getZExtValue() ||
            !Indexes.insert(At.Val.getInt().getZExtValue()).second)
          return Fail("a store to " + Name +
                      " is at an index that is not a constant within the "
                      "array, or that is written twice");
        if (!Value->isConstantInitializer(Ctx, false) ||
            Value->HasSideEffects(Ctx))
          return Fail("a store to " + Name +
                      " writes a value that cannot initialise a static "
                      "object");
        Fill.Stores.push_back({Assign, Index, Value});
        continue;
      }
      // A read of an element.
      if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Element);
          Cast && Cast->getCastKind() == CK_LValueToRValue) {
        Others.push_back(Ref);
        continue;
      }
      return Fail(Name + " is changed other than by a store of a constant");
    }
    // The whole table handed to PyCapsule_New, for other modules to read.
    const Stmt *Arg = Ref;
    const Stmt *Up = parentStmt(*Ref, Ctx);
    while (isa_and_nonnull<ParenExpr, CastExpr>(Up)) {
      Arg = Up;
      Up = parentStmt(*Up, Ctx);
    }
    const auto *Call = dyn_cast_or_null<CallExpr>(Up);
    if (Call && calleeName(Call) == "PyCapsule_New" && Call->getNumArgs() > 0 &&
        Call->getArg(0) == Arg) {
      Others.push_back(Ref);
      continue;
    }
    return Fail(Name + " is used other than by stores of constants, reads of "
                       "its elements and PyCapsule_New");
  }
  if (Fill.Stores.empty())
    return Fail(Name + " is not filled by stores of constants");
  llvm::sort(Fill.Stores, [&](const auto &A, const auto &B) {
    return SM.isBeforeInTranslationUnit(A.Assignment->getBeginLoc(),
                                        B.Assignment->getBeginLoc());
  });
  // What the fill function reads before its last store would see the
  // values sooner.
  SourceLocation Last = Fill.Stores.back().Assignment->getBeginLoc();
  for (const DeclRefExpr *Ref : Others)
    if (enclosingFunction(Ref, Ctx) == Fill.Function &&
        SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Ref->getBeginLoc()),
                                     Last))
      return Fail(Name + " is used before the last of its stores");
  return Fill;
}

} // namespace gilport
