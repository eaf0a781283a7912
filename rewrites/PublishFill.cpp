//===--- PublishFill.cpp --------------------------------------------------===//

#include "rewrites/PublishFill.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

#include <string>

namespace gilport {

using namespace clang;

Rewrite publishFill(const PublishableFill &Fill, const VarDecl &Var,
                    ASTContext &Ctx) {
  if (!Fill.Fill || !Fill.Declaration)
    return Rewrite::failure(Fill.Reason.empty() ? "no first-use fill"
                                                : Fill.Reason);
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const auto *Function = cast<FunctionDecl>(Var.getDeclContext());
  std::string Old = Var.getName().str();
  std::string CacheName = Old + "_cache", LockName = Old + "_lock";
  if (declaresOrUsesName(Function, CacheName) ||
      declaresOrUsesName(Function, LockName))
    return Rewrite::failure("'" + CacheName + "' or '" + LockName +
                            "' is already a name in the function");

  // The local's type, as the declaration spells it without 'static'.
  SourceLocation DeclBegin = Fill.Declaration->getBeginLoc();
  if (DeclBegin.isMacroID() || Var.getLocation().isMacroID() ||
      SM.getFileID(DeclBegin) != SM.getFileID(Var.getLocation()))
    return Rewrite::failure("it is declared in a macro");
  const char *Begin = SM.getCharacterData(DeclBegin);
  llvm::StringRef Type(Begin, SM.getCharacterData(Var.getLocation()) - Begin);
  if (!Type.consume_front("static") || Type.empty() ||
      !(Type.front() == ' ' || Type.front() == '\t') || Type.contains('\n') ||
      Type.contains('/'))
    return Rewrite::failure("its declaration does not start with 'static' "
                            "and its type on one line");
  std::string LocalType = Type.ltrim().str();

  const CompoundStmt *Branch = cast<CompoundStmt>(Fill.Fill->getThen());
  std::optional<SourceLocation> DeclarationEnd =
      statementEnd(*Fill.Declaration, SM, LO);
  std::optional<SourceLocation> NewLine =
      DeclarationEnd ? endOfLineAfter(*DeclarationEnd, SM) : std::nullopt;
  std::optional<SourceLocation> IfAt = statementBegin(*Fill.Fill, SM, LO);
  std::optional<SourceLocation> LastEnd =
      statementEnd(*Branch->body_back(), SM, LO);
  std::optional<SourceLocation> BranchEnd =
      LastEnd ? endOfLineAfter(*LastEnd, SM) : std::nullopt;
  if (!NewLine || !IfAt || !BranchEnd)
    return Rewrite::failure("the declaration or the fill shares its line "
                            "with other code");

  std::string DeclIndent =
      indentationAt(SM.getExpansionLoc(Fill.Declaration->getBeginLoc()), SM);
  std::string IfIndent = indentationAt(*IfAt, SM);
  std::string In = indentationAt(
      SM.getExpansionLoc(Branch->body_front()->getBeginLoc()), SM);
  std::string Step =
      llvm::StringRef(In).starts_with(IfIndent) && In.size() > IfIndent.size()
          ? In.substr(IfIndent.size())
          : std::string("    ");

  // The file's brace style: `{` on the line of the `if`, or on its own.
  bool OwnLineBrace =
      indentationAt(Branch->getLBracLoc(), SM).size() ==
      static_cast<size_t>(SM.getExpansionColumnNumber(Branch->getLBracLoc()) -
                          1);

  Rewrite Result;
  Result.Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getTokenRange(Var.getLocation()), CacheName));
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *NewLine, "\n" + DeclIndent + "static PyMutex " + LockName + ";\n" +
                    DeclIndent + LocalType + Old + ";"));
  Result.Hints.push_back(FixItHint::CreateInsertion(
      *IfAt, "PyMutex_Lock(&" + LockName + ");\n" + IfIndent + Old + " = " +
                 CacheName + ";\n" + IfIndent + "PyMutex_Unlock(&" + LockName +
                 ");\n" + IfIndent));
  std::string Publish =
      "\n" + In +
      "/* Keep the first value made: another thread may have made one. */\n" +
      In + "PyMutex_Lock(&" + LockName + ");\n" + In + "if (" + CacheName +
      " == NULL)" + (OwnLineBrace ? "\n" + In + "{" : std::string(" {")) +
      "\n" + In + Step + CacheName + " = " + Old + ";\n" + In + Step + Old +
      " = NULL;\n" + In + "}\n" + In + "PyMutex_Unlock(&" + LockName + ");\n" +
      In + "Py_XDECREF(" + Old + ");\n" + In + Old + " = " + CacheName + ";";
  Result.Hints.push_back(FixItHint::CreateInsertion(*BranchEnd, Publish));
  return Result;
}

} // namespace gilport
