//===--- PublishFill.cpp --------------------------------------------------===//

#include "rewrites/PublishFill.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/GilDeclarationFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/Regex.h"

#include <string>

namespace gilport {

using namespace clang;

namespace {

/// The statements that keep the first value published, one a line, each
/// indented by \p In (\p Step deeper in the `if`), the last without its
/// newline: under \p Lock, \p Local goes into \p Cache if that is still
/// NULL; a value that lost is released; \p Local then reads the cache.
/// isPublishedCache and findPublishableGlobal (Published) recognise this
/// shape.
std::string publishStatements(const std::string &Cache,
                              const std::string &Local, const std::string &Lock,
                              const std::string &In, const std::string &Step,
                              bool OwnLineBrace) {
  return In + "PyMutex_Lock(&" + Lock + ");\n" + In + "if (" + Cache +
         " == NULL)" + (OwnLineBrace ? "\n" + In + "{" : std::string(" {")) +
         "\n" + In + Step + Cache + " = " + Local + ";\n" + In + Step + Local +
         " = NULL;\n" + In + "}\n" + In + "PyMutex_Unlock(&" + Lock + ");\n" +
         In + "Py_XDECREF(" + Local + ");\n" + In + Local + " = " + Cache + ";";
}

} // namespace

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
      publishStatements(CacheName, Old, LockName, In, Step, OwnLineBrace);
  Result.Hints.push_back(FixItHint::CreateInsertion(*BranchEnd, Publish));
  return Result;
}

Rewrite publishGlobalFill(const PublishableGlobal &Fill, const VarDecl &Var,
                          ASTContext &Ctx) {
  if (Fill.Fills.empty() || !Fill.Value || !Fill.FirstFunction)
    return Rewrite::failure(Fill.Reason.empty() ? "no first-use fill"
                                                : Fill.Reason);
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const TranslationUnitDecl *Unit = Ctx.getTranslationUnitDecl();
  std::string Old = Var.getName().str();
  std::string Accessor = "get_" + Old, LockName = Old + "_lock";
  if (declaresOrUsesName(Unit, Accessor) || declaresOrUsesName(Unit, LockName))
    return Rewrite::failure("'" + Accessor + "' or '" + LockName +
                            "' is already a name in the file");
  std::optional<std::string> Made =
      spelledText(Fill.Value->getSourceRange(), SM, LO);
  if (!Made)
    return Rewrite::failure("its value is spelled through a macro");
  std::string Local =
      llvm::Regex("\\bvalue\\b").match(*Made) ? "made" : "value";

  // Before the first function that fills it and the comment above it.
  SourceLocation FunctionBegin =
      SM.getExpansionLoc(Fill.FirstFunction->getBeginLoc());
  if (!SM.isInMainFile(FunctionBegin))
    return Rewrite::failure("the function that fills it is in a header");
  SourceLocation LineBegin = text::lineStart(FunctionBegin, SM);
  unsigned InsertOffset = aboveAttachedComments(
      SM.getBufferData(SM.getFileID(LineBegin)), SM.getFileOffset(LineBegin));
  SourceLocation InsertAt = LineBegin.getLocWithOffset(
      int(InsertOffset) - int(SM.getFileOffset(LineBegin)));
  // The file's own step, from the function's body; else four spaces.
  std::string Step = "    ";
  if (const auto *Body =
          dyn_cast_or_null<CompoundStmt>(Fill.FirstFunction->getBody());
      Body && !Body->body_empty()) {
    std::string Inner = indentationAt(Body->body_front()->getBeginLoc(), SM);
    std::string Outer = indentationAt(FunctionBegin, SM);
    if (llvm::StringRef(Inner).starts_with(Outer) &&
        Inner.size() > Outer.size())
      Step = Inner.substr(Outer.size());
  }
  std::string Type = Var.getType().getAsString(Ctx.getPrintingPolicy());
  if (!llvm::StringRef(Type).ends_with("*"))
    return Rewrite::failure("its type is not spelled as a pointer");
  std::string Decl =
      llvm::StringRef(Type).ends_with(" *") ? Type + Local : Type + " " + Local;
  std::string Lock = "PyMutex_Lock(&" + LockName + ");\n";
  std::string Unlock = "PyMutex_Unlock(&" + LockName + ");\n";
  std::string In = Step + Step;
  std::string Text =
      "static PyMutex " + LockName + ";\n\n" + "/* " + Old +
      ", made on first use. Threads that make it at once\n"
      "   publish it under " +
      LockName + ", and the first value wins. */\n" + "static " + Type +
      (llvm::StringRef(Type).ends_with(" *") ? "" : " ") + "\n" + Accessor +
      "(void)\n{\n" + Step + Decl + ";\n\n" + Step + Lock + Step + Local +
      " = " + Old + ";\n" + Step + Unlock + Step + "if (" + Local +
      " == NULL) {\n" + In + Local + " = " + *Made + ";\n" + In + "if (" +
      Local + " == NULL)\n" + In + Step + "return NULL;\n" +
      publishStatements(Old, Local, LockName, In, Step, false) + "\n" + Step +
      "}\n" + Step + "return " + Local + ";\n}\n\n";

  Rewrite Result;
  Result.Hints.push_back(FixItHint::CreateInsertion(InsertAt, Text));
  for (const IfStmt *If : Fill.Fills) {
    std::optional<CharSourceRange> Lines = wholeStatementLines(*If, SM, LO);
    if (!Lines)
      return Rewrite::failure("a fill is spelled through a macro");
    // With the fill gone, a blank line that followed it would follow a
    // `case` label or a brace.
    auto [File, Begin] = SM.getDecomposedLoc(Lines->getBegin());
    unsigned End = SM.getFileOffset(Lines->getEnd());
    llvm::StringRef Buffer = SM.getBufferData(File);
    llvm::StringRef Before = Buffer.take_front(Begin).rtrim(" \t\n");
    if ((Before.ends_with(":") || Before.ends_with("{")) &&
        Buffer.drop_front(End).starts_with("\n"))
      Lines->setEnd(Lines->getEnd().getLocWithOffset(1));
    Result.Hints.push_back(FixItHint::CreateRemoval(*Lines));
  }
  for (const DeclRefExpr *Read : Fill.Reads)
    Result.Hints.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(SM.getSpellingLoc(Read->getLocation())),
        Accessor + "()"));
  return Result;
}

} // namespace gilport
