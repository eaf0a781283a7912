//===--- CriticalSectionFix.cpp -------------------------------------------===//

#include "rewrites/CriticalSectionFix.h"
#include "rewrites/RewriteUtils.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

namespace gilport {

using namespace clang;

namespace {

/// A side-effect-free lvalue: a variable or a chain of member accesses.
bool isStableObject(const Expr *E) {
  E = E->IgnoreParenCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return isa<VarDecl>(Ref->getDecl());
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return isStableObject(Member->getBase());
  return false;
}

/// Why control can leave \p S other than by falling through or by a
/// `break` of the loop itself; empty when it cannot.
std::string leavesSection(const Stmt *S) {
  if (!S)
    return "";
  if (isa<ReturnStmt>(S))
    return "the loop body returns from the function";
  if (isa<GotoStmt, IndirectGotoStmt>(S))
    return "the loop body jumps out with 'goto'";
  if (isa<LabelStmt>(S))
    return "the loop body has a label";
  for (const Stmt *Child : S->children()) {
    std::string Why = leavesSection(Child);
    if (!Why.empty())
      return Why;
  }
  return "";
}

} // namespace

SectionRewrite wrapDictNextLoop(const CallExpr &Next, const Expr &Dict,
                                ASTContext &Ctx) {
  SectionRewrite Result;
  auto Fail = [&](llvm::StringRef Why) {
    Result.Hints.clear();
    Result.Reason = Why.str();
    return Result;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  // The loop whose condition holds the call.
  const Stmt *Child = &Next;
  const Stmt *Loop = nullptr;
  while (true) {
    auto Parents = Ctx.getParents(*Child);
    if (Parents.empty())
      break;
    const Stmt *P = Parents[0].get<Stmt>();
    if (!P)
      break;
    if (const auto *While = dyn_cast<WhileStmt>(P)) {
      if (While->getCond() == Child)
        Loop = P;
      break;
    }
    if (const auto *For = dyn_cast<ForStmt>(P)) {
      if (For->getCond() == Child)
        Loop = P;
      break;
    }
    if (!isa<Expr>(P))
      break;
    Child = P;
  }
  if (!Loop)
    return Fail("'PyDict_Next' is not the condition of a 'while' or 'for' "
                "loop; wrap the iteration by hand");
  if (!isStableObject(&Dict))
    return Fail("the dict is not a variable or a field, so it cannot be "
                "named in the critical section");
  auto Parents = Ctx.getParents(*Loop);
  if (Parents.empty() || !Parents[0].get<CompoundStmt>())
    return Fail("the loop is not a statement of its own in a block");
  const Stmt *Body = isa<WhileStmt>(Loop) ? cast<WhileStmt>(Loop)->getBody()
                                          : cast<ForStmt>(Loop)->getBody();
  std::string Why = leavesSection(Body);
  if (Why.empty() && isa<ForStmt>(Loop))
    Why = leavesSection(cast<ForStmt>(Loop)->getInc());
  if (!Why.empty())
    return Fail(Why + "; the critical section would not be ended "
                      "(restructure the exits, then wrap the loop)");
  std::optional<CharSourceRange> DictRange =
      fileRangeOf(Dict.IgnoreParenImpCasts()->getSourceRange(), SM, LO);
  std::optional<SourceLocation> Begin = statementBegin(*Loop, SM, LO);
  std::optional<SourceLocation> End = statementEnd(*Loop, SM, LO);
  if (!DictRange || !Begin || !End || Begin->isMacroID() || End->isMacroID())
    return Fail("the loop is spelled through a macro");
  std::string DictText = Lexer::getSourceText(*DictRange, SM, LO).str();
  std::string Indent = indentationAt(*Begin, SM);
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *Begin, "Py_BEGIN_CRITICAL_SECTION(" + DictText + ");\n" + Indent));
  Result.Hints.push_back(
      FixItHint::CreateInsertion(*End, "\n" + Indent + "Py_END_CRITICAL_SECTION();"));
  return Result;
}

} // namespace gilport
