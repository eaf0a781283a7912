//===--- LazyInitLock.cpp -------------------------------------------------===//

#include "rewrites/LazyInitLock.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

#include <string>

namespace gilport {

using namespace clang;

Rewrite lockLazyFills(llvm::ArrayRef<const IfStmt *> Fills,
                      llvm::ArrayRef<const VarDecl *> Vars, ASTContext &Ctx,
                      const VarDecl *NamedAfter) {
  if (Fills.empty() || Vars.empty())
    return Rewrite::failure("nothing to guard");
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const auto *Function = dyn_cast<FunctionDecl>(Vars[0]->getDeclContext());
  if (!Function)
    return Rewrite::failure("the variable is not in a function");

  // The mutex is declared after the last of the variables' declarations.
  const DeclStmt *LastDeclaration = nullptr;
  for (const VarDecl *Var : Vars) {
    const DeclStmt *Declaration = declarationOf(*Var, Ctx);
    if (!Declaration || Declaration->getBeginLoc().isMacroID() ||
        Declaration->getEndLoc().isMacroID())
      return Rewrite::failure("'" + Var->getName().str() +
                              "' is declared in a macro");
    if (!LastDeclaration ||
        SM.isBeforeInTranslationUnit(LastDeclaration->getBeginLoc(),
                                     Declaration->getBeginLoc()))
      LastDeclaration = Declaration;
  }
  std::optional<SourceLocation> DeclarationEnd =
      statementEnd(*LastDeclaration, SM, LO);
  std::optional<SourceLocation> NewLine =
      DeclarationEnd ? endOfLineAfter(*DeclarationEnd, SM) : std::nullopt;
  std::optional<SourceLocation> LockAt = statementBegin(*Fills.front(), SM, LO);
  std::optional<SourceLocation> UnlockAt = statementEnd(*Fills.back(), SM, LO);
  if (!NewLine || !LockAt || !UnlockAt)
    return Rewrite::failure("the declaration or the 'if' shares its line "
                            "with other code");

  if (Vars.size() == 1)
    NamedAfter = Vars[0];
  std::string Single =
      NamedAfter ? NamedAfter->getName().str() + "_lock" : std::string();
  llvm::SmallVector<llvm::StringRef, 3> Candidates;
  if (NamedAfter)
    Candidates.push_back(Single);
  Candidates.push_back("init_lock");
  Candidates.push_back("lazy_init_lock");
  llvm::StringRef Name = firstUnusedName(Function, Candidates);
  if (Name.empty())
    return Rewrite::failure("no free name for the lock");

  Rewrite Result;
  std::string DeclIndent =
      indentationAt(SM.getExpansionLoc(LastDeclaration->getBeginLoc()), SM);
  std::string FillIndent = indentationAt(*LockAt, SM);
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *NewLine, "\n" + DeclIndent + "static PyMutex " + Name.str() + ";"));
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *LockAt, "PyMutex_Lock(&" + Name.str() + ");\n" + FillIndent));
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *UnlockAt, "\n" + FillIndent + "PyMutex_Unlock(&" + Name.str() + ");"));
  return Result;
}

} // namespace gilport
