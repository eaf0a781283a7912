//===--- PerCallTables.cpp ------------------------------------------------===//

#include "rewrites/PerCallTables.h"

#include "analysis/AstQueries.h"
#include "analysis/StaticCaches.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gilport {

using namespace clang;

namespace {

/// The text of one file and positions in it.
class FileText {
public:
  FileText(FileID File, const SourceManager &SM)
      : File(File), SM(SM), Text(SM.getBufferData(File)) {}

  /// The offset of \p Loc in this file, or none when it is elsewhere or in
  /// a macro.
  std::optional<size_t> offset(SourceLocation Loc) const {
    if (Loc.isInvalid() || Loc.isMacroID())
      return std::nullopt;
    auto [Where, Offset] = SM.getDecomposedLoc(Loc);
    if (Where != File)
      return std::nullopt;
    return Offset;
  }
  size_t lineStart(size_t Offset) const {
    size_t Newline = Text.rfind('\n', Offset == 0 ? 0 : Offset - 1);
    return Offset == 0 || Newline == llvm::StringRef::npos ? 0 : Newline + 1;
  }
  /// Just after the newline ending the line of \p Offset.
  size_t nextLine(size_t Offset) const {
    size_t Newline = Text.find('\n', Offset);
    return Newline == llvm::StringRef::npos ? Text.size() : Newline + 1;
  }
  bool blank(size_t Begin, size_t End) const {
    return Text.slice(Begin, End).trim().empty();
  }
  /// Whether [Begin, End) is blank or one comment.
  bool blankOrComment(size_t Begin, size_t End) const {
    llvm::StringRef Rest = Text.slice(Begin, End).trim();
    return Rest.empty() || Rest.starts_with("//") ||
           (Rest.starts_with("/*") && Rest.find("*/") == Rest.size() - 2);
  }
  /// Whether the lines of [Begin, End) are blank or comments.
  bool commentLines(size_t Begin, size_t End) const {
    bool InComment = false;
    for (size_t Line = Begin; Line < End; Line = nextLine(Line)) {
      llvm::StringRef Text =
          this->Text.slice(Line, std::min(nextLine(Line), End)).trim();
      if (InComment) {
        InComment = !Text.ends_with("*/");
        continue;
      }
      if (Text.empty() || Text.starts_with("//"))
        continue;
      if (!Text.starts_with("/*"))
        return false;
      size_t Close = Text.find("*/");
      if (Close == llvm::StringRef::npos)
        InComment = true;
      else if (Close != Text.size() - 2)
        return false;
    }
    return !InComment;
  }
  SourceLocation at(size_t Offset) const {
    return SM.getLocForStartOfFile(File).getLocWithOffset(Offset);
  }
  CharSourceRange range(size_t Begin, size_t End) const {
    return CharSourceRange::getCharRange(at(Begin), at(End));
  }

  FileID File;
  const SourceManager &SM;
  llvm::StringRef Text;
};

std::string quoted(const VarDecl *Var) {
  return "'" + Var->getName().str() + "'";
}

} // namespace

Rewrite fillTablesPerCall(const StaticCache &Cache, ASTContext &Ctx) {
  if (!Cache.found() || Cache.Kind != StaticCache::FlagKind::Key)
    return Rewrite::failure("the tables are not refilled by a key");
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const IfStmt *Fill = Cache.Fill;
  if (Fill->getBeginLoc().isMacroID())
    return Rewrite::failure("the 'if' that fills them is in a macro");
  FileText File(SM.getFileID(Fill->getBeginLoc()), SM);
  Rewrite Result;
  auto Remove = [&](size_t Begin, size_t End) {
    Result.Hints.push_back(FixItHint::CreateRemoval(File.range(Begin, End)));
  };

  // The tables lose 'static'.
  llvm::SmallPtrSet<const DeclStmt *, 4> Done;
  for (const VarDecl *Table : Cache.Tables) {
    const DeclStmt *Declaration = declarationOf(*Table, Ctx);
    if (!Declaration || !Done.insert(Declaration).second)
      continue;
    for (const Decl *Other : Declaration->decls())
      if (!llvm::is_contained(Cache.Tables, Other))
        return Rewrite::failure(quoted(Table) + " is declared together with "
                                                "another variable");
    std::optional<size_t> Begin = File.offset(Declaration->getBeginLoc());
    if (!Begin || !File.Text.substr(*Begin).starts_with("static"))
      return Rewrite::failure("the declaration of " + quoted(Table) +
                              " does not start with 'static'");
    size_t End = *Begin + 6;
    while (End < File.Text.size() &&
           (File.Text[End] == ' ' || File.Text[End] == '\t'))
      ++End;
    if (End == *Begin + 6)
      return Rewrite::failure("the declaration of " + quoted(Table) +
                              " does not start with 'static'");
    Remove(*Begin, End);
  }
  for (const VarDecl *Table : Cache.NotWrittenWhole) {
    SourceLocation After =
        Lexer::getLocForEndOfToken(Table->getEndLoc(), 0, SM, LO);
    if (!File.offset(After))
      return Rewrite::failure(quoted(Table) + " is declared in a macro");
    Result.Hints.push_back(FixItHint::CreateInsertion(After, " = {0}"));
  }

  // The flag's declaration goes, with a comment on its line.
  const DeclStmt *FlagDeclaration = declarationOf(*Cache.Flag, Ctx);
  if (!FlagDeclaration || !FlagDeclaration->isSingleDecl())
    return Rewrite::failure("the flag " + quoted(Cache.Flag) +
                            " is declared together with other variables");
  std::optional<size_t> FlagBegin = File.offset(FlagDeclaration->getBeginLoc());
  std::optional<size_t> FlagEnd = File.offset(FlagDeclaration->getEndLoc());
  if (!FlagBegin || !FlagEnd)
    return Rewrite::failure("the flag " + quoted(Cache.Flag) +
                            " is declared in a macro");
  size_t FlagLine = File.lineStart(*FlagBegin);
  size_t FlagNext = File.nextLine(*FlagEnd);
  if (!File.blank(FlagLine, *FlagBegin) ||
      !File.blankOrComment(*FlagEnd + 1, FlagNext))
    return Rewrite::failure("the flag " + quoted(Cache.Flag) +
                            " shares its line with other code");
  Remove(FlagLine, FlagNext);

  // The 'if' goes; its branch stays, less indented, without the flag's
  // assignment.
  const auto *Branch = cast<CompoundStmt>(Fill->getThen());
  std::optional<size_t> IfBegin = File.offset(Fill->getBeginLoc());
  std::optional<size_t> LBrace = File.offset(Branch->getLBracLoc());
  std::optional<size_t> RBrace = File.offset(Branch->getRBracLoc());
  std::optional<size_t> SetBegin = File.offset(Cache.FlagSet->getBeginLoc());
  const Stmt *First = Branch->body_front();
  std::optional<size_t> FirstBegin =
      First == Cache.FlagSet ? std::nullopt : File.offset(First->getBeginLoc());
  if (!IfBegin || !LBrace || !RBrace || !SetBegin || !FirstBegin)
    return Rewrite::failure("the 'if' that fills the tables is spelled in a "
                            "macro");
  size_t IfLine = File.lineStart(*IfBegin);
  size_t BodyLine = File.nextLine(*LBrace);
  size_t SetLine = File.lineStart(*SetBegin);
  size_t End = File.nextLine(*RBrace);
  llvm::StringRef Indent = File.Text.slice(IfLine, *IfBegin);
  llvm::StringRef BodyIndent =
      File.Text.slice(File.lineStart(*FirstBegin), *FirstBegin);
  if (!File.blank(IfLine, *IfBegin) || !File.blank(*LBrace + 1, BodyLine) ||
      !File.commentLines(BodyLine, File.lineStart(*FirstBegin)) ||
      !File.blank(File.lineStart(*FirstBegin), *FirstBegin) ||
      !File.blank(SetLine, *SetBegin) ||
      !File.blank(File.lineStart(*RBrace), *RBrace) ||
      !File.blank(*RBrace + 1, End) || !BodyIndent.starts_with(Indent) ||
      BodyIndent.size() == Indent.size())
    return Rewrite::failure("the 'if' that fills the tables is not laid out "
                            "one statement a line");
  // Between the assignment and the brace: nothing but the assignment.
  std::optional<size_t> SetEnd = File.offset(Cache.FlagSet->getEndLoc());
  if (!SetEnd)
    return Rewrite::failure("the flag is set in a macro");
  size_t Semicolon = File.Text.find(';', *SetEnd);
  if (Semicolon == llvm::StringRef::npos || Semicolon > *RBrace ||
      !File.blank(Semicolon + 1, *RBrace))
    return Rewrite::failure("the flag's assignment is not the last line of "
                            "the 'if' that fills the tables");
  Remove(IfLine, BodyLine);
  size_t Extra = BodyIndent.size() - Indent.size();
  for (size_t Line = BodyLine; Line < SetLine; Line = File.nextLine(Line)) {
    llvm::StringRef Text = File.Text.substr(Line);
    if (Text.starts_with(BodyIndent))
      Remove(Line + Indent.size(), Line + Indent.size() + Extra);
  }
  Remove(SetLine, End);
  return Result;
}

} // namespace gilport
