//===--- CapsulePointerOnce.cpp -------------------------------------------===//

#include "rewrites/CapsulePointerOnce.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/GilDeclarationFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <string>

namespace gilport {

using namespace clang;

namespace {

/// Where the lock's declaration goes, and its text: after \p Var's own
/// declaration in the main file, else before \p Function.
std::optional<FixItHint> lockDeclaration(const VarDecl &Var,
                                         const FunctionDecl &Function,
                                         const std::string &Lock,
                                         ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::optional<SourceLocation> DeclarationEnd;
  if (Var.getLocation().isFileID() &&
      SM.isWrittenInMainFile(Var.getLocation())) {
    if (Var.isStaticLocal()) {
      if (const DeclStmt *Declaration = declarationOf(Var, Ctx);
          Declaration && Declaration->isSingleDecl())
        DeclarationEnd = statementEnd(*Declaration, SM, LO);
    } else if (SourceLocation After = Lexer::findLocationAfterToken(
                   Var.getEndLoc(), tok::semi, SM, LO, false);
               After.isValid()) {
      DeclarationEnd = After;
    }
  }
  if (DeclarationEnd) {
    if (std::optional<SourceLocation> NewLine =
            endOfLineAfter(*DeclarationEnd, SM))
      return FixItHint::CreateInsertion(
          *NewLine, "\n" + indentationAt(Var.getLocation(), SM) +
                        "static PyMutex " + Lock + ";");
  }
  // A header's static is one per file that includes it: the lock is this
  // file's, before the function and the comment above it.
  SourceLocation FunctionBegin = SM.getExpansionLoc(Function.getBeginLoc());
  if (!SM.isInMainFile(FunctionBegin))
    return std::nullopt;
  SourceLocation LineBegin = text::lineStart(FunctionBegin, SM);
  unsigned Offset = aboveAttachedComments(
      SM.getBufferData(SM.getFileID(LineBegin)), SM.getFileOffset(LineBegin));
  return FixItHint::CreateInsertion(
      LineBegin.getLocWithOffset(int(Offset) -
                                 int(SM.getFileOffset(LineBegin))),
      "static PyMutex " + Lock + ";\n\n");
}

} // namespace

Rewrite storeCapsulePointerOnce(const VarDecl &Var,
                                const CapsulePointerStores &Stores,
                                ASTContext &Ctx) {
  if (!Stores.Reason.empty())
    return Rewrite::failure(Stores.Reason);
  if (Stores.Lock || Stores.Stores.empty())
    return Rewrite::failure("'" + Var.getName().str() +
                            "' is already stored once under a lock");
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::string Name = Var.getName().str();
  std::string Lock = Name + "_lock";
  // Any use of the name in the unit, even in a header or a macro.
  if (Ctx.Idents.find(Lock) != Ctx.Idents.end())
    return Rewrite::failure("the name '" + Lock + "' is taken");
  const FunctionDecl *First = enclosingFunction(Stores.Stores.front(), Ctx);
  if (!First)
    return Rewrite::failure("a store to '" + Name + "' is not in a function");
  std::optional<FixItHint> Declaration =
      lockDeclaration(Var, *First, Lock, Ctx);
  if (!Declaration)
    return Rewrite::failure("no place in the file for the lock of '" + Name +
                            "'");

  Rewrite Result;
  Result.Hints.push_back(*Declaration);
  for (const BinaryOperator *Store : Stores.Stores) {
    std::optional<SourceLocation> Begin = statementBegin(*Store, SM, LO);
    std::optional<SourceLocation> End = statementEnd(*Store, SM, LO);
    std::optional<SourceLocation> LineEnd =
        End ? endOfLineAfter(*End, SM) : std::nullopt;
    if (!Begin || !LineEnd || !text::startsLine(*Begin, SM))
      return Rewrite::failure("a store to '" + Name +
                              "' shares its line with other code");
    std::string Indent = indentationAt(*Begin, SM);
    std::string Step = text::indentUnit(*Begin, SM);
    Result.Hints.push_back(FixItHint::CreateInsertion(
        *Begin, "PyMutex_Lock(&" + Lock + ");\n" + Indent + "if (" + Name +
                    " == NULL) {\n" + Indent + Step));
    // The store's own continuation lines move in by one step too.
    auto [File, From] = SM.getDecomposedLoc(*Begin);
    unsigned To = SM.getFileOffset(*End);
    llvm::StringRef Text = SM.getBufferData(File).slice(From, To);
    for (size_t At = Text.find('\n'); At != llvm::StringRef::npos;
         At = Text.find('\n', At + 1))
      Result.Hints.push_back(FixItHint::CreateInsertion(
          Begin->getLocWithOffset(int(At) + 1), Step));
    Result.Hints.push_back(FixItHint::CreateInsertion(
        *LineEnd,
        "\n" + Indent + "}\n" + Indent + "PyMutex_Unlock(&" + Lock + ");"));
  }
  return Result;
}

} // namespace gilport
