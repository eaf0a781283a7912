//===--- Helpers.cpp ------------------------------------------------------===//
//
// The small helpers the planner's files share (declared in Planner.h):
// message wording, initializer queries, comments above a declaration.
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {
namespace modulestate {

using namespace clang;

std::string lineOf(SourceLocation Loc, const SourceManager &SM) {
  return "line " + std::to_string(SM.getExpansionLineNumber(Loc));
}

std::string quoted(const NamedDecl *D) {
  return "'" + D->getName().str() + "'";
}

/// `'f' (line 12)`.
std::string place(const FunctionDecl *F) {
  const SourceManager &SM = F->getASTContext().getSourceManager();
  return quoted(F) + " (" + lineOf(F->getLocation(), SM) + ")";
}

const InitListExpr *semanticList(const Expr *E) {
  const auto *List = dyn_cast_or_null<InitListExpr>(E);
  if (List && List->isSyntacticForm() && List->getSemanticForm())
    List = List->getSemanticForm();
  return List;
}

bool isNullConstant(const Expr *E, ASTContext &Ctx) {
  return E->IgnoreParenCasts()->isNullPointerConstant(
             Ctx, Expr::NPC_ValueDependentIsNotNull) != Expr::NPCK_NotNull;
}

/// Whether the initializer \p E stores nothing but zeros.
bool isZeroInitializer(const Expr *E, ASTContext &Ctx) {
  if (isa<ImplicitValueInitExpr>(E))
    return true;
  if (const auto *List = semanticList(E))
    return llvm::all_of(List->inits(), [&](const Expr *Element) {
      return isZeroInitializer(Element, Ctx);
    });
  if (E->getType()->isPointerType())
    return isNullConstant(E, Ctx);
  Expr::EvalResult Result;
  if (!E->EvaluateAsRValue(Result, Ctx) || !Result.Val.isInt())
    return false;
  return Result.Val.getInt() == 0;
}

/// The declaration of the named type \p Type refers to, through pointers
/// and arrays, if it is a typedef or a tag.
const Decl *namedTypeDecl(QualType Type, ASTContext &Ctx) {
  while (true) {
    if (const auto *Array = Ctx.getAsArrayType(Type)) {
      Type = Array->getElementType();
      continue;
    }
    if (const auto *Typedef = Type->getAs<TypedefType>())
      return Typedef->getDecl();
    if (const auto *Pointer = Type->getAs<PointerType>()) {
      Type = Pointer->getPointeeType();
      continue;
    }
    if (const auto *Tag = Type->getAsTagDecl())
      return Tag;
    return nullptr;
  }
}

} // namespace modulestate
} // namespace gilport
