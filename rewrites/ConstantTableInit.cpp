//===--- ConstantTableInit.cpp --------------------------------------------===//

#include "rewrites/ConstantTableInit.h"

#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <string>

namespace gilport {

using namespace clang;

Rewrite initializeConstantTable(const VarDecl &Table,
                                const ConstantTableFill &Fill,
                                ASTContext &Ctx) {
  if (!Fill.Reason.empty())
    return Rewrite::failure(Fill.Reason);
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  SourceLocation After =
      Lexer::getLocForEndOfToken(Table.getEndLoc(), 0, SM, LO);
  if (After.isInvalid() || After.isMacroID())
    return Rewrite::failure("the end of the declaration of '" +
                            Table.getName().str() + "' is not found");
  std::string Indent = indentationAt(Table.getLocation(), SM);
  std::string Initializer = " = {\n";
  Rewrite Result;
  for (const ConstantTableFill::Store &Store : Fill.Stores) {
    std::optional<std::string> Index =
        spelledText(Store.Index->getSourceRange(), SM, LO);
    std::optional<std::string> Value =
        spelledText(Store.Value->getSourceRange(), SM, LO);
    std::optional<CharSourceRange> Lines =
        wholeStatementLines(*Store.Assignment, SM, LO);
    if (!Index || !Value || !Lines || Lines->getBegin().isMacroID())
      return Rewrite::failure("a store to '" + Table.getName().str() +
                              "' is not spelled in the file");
    Initializer += Indent + "    [" + *Index + "] = " + *Value + ",\n";
    Result.Hints.push_back(FixItHint::CreateRemoval(*Lines));
  }
  Initializer += Indent + "}";
  Result.Hints.insert(Result.Hints.begin(),
                      FixItHint::CreateInsertion(After, Initializer));
  return Result;
}

} // namespace gilport
