//===--- SourceRanges.cpp -------------------------------------------------===//

#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

std::optional<CharSourceRange> fileRangeOf(SourceRange Range,
                                           const SourceManager &SM,
                                           const LangOptions &LO) {
  CharSourceRange R = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(Range), SM, LO);
  if (R.isInvalid())
    return std::nullopt;
  return R;
}

std::optional<std::string>
spelledText(SourceRange Range, const SourceManager &SM, const LangOptions &LO) {
  std::optional<CharSourceRange> R = fileRangeOf(Range, SM, LO);
  if (!R)
    return std::nullopt;
  return Lexer::getSourceText(*R, SM, LO).str();
}

std::optional<SourceLocation> statementBegin(const Stmt &S,
                                             const SourceManager &SM,
                                             const LangOptions &LO) {
  SourceLocation Begin = S.getBeginLoc();
  if (Begin.isFileID())
    return Begin;
  SourceLocation MacroBegin;
  if (Lexer::isAtStartOfMacroExpansion(Begin, SM, LO, &MacroBegin) &&
      MacroBegin.isFileID())
    return MacroBegin;
  return std::nullopt;
}

std::optional<SourceLocation> statementEnd(const Stmt &S,
                                           const SourceManager &SM,
                                           const LangOptions &LO) {
  SourceLocation End = S.getEndLoc();
  if (End.isMacroID()) {
    SourceLocation MacroEnd;
    if (!Lexer::isAtEndOfMacroExpansion(End, SM, LO, &MacroEnd) ||
        !MacroEnd.isFileID())
      return std::nullopt;
    End = MacroEnd;
  }
  SourceLocation After = Lexer::getLocForEndOfToken(End, 0, SM, LO);
  if (After.isInvalid())
    return std::nullopt;
  if (isa<CompoundStmt>(S))
    return After;
  bool Invalid = false;
  const char *EndChar = SM.getCharacterData(End, &Invalid);
  if (!Invalid && (*EndChar == ';' || *EndChar == '}'))
    return After;
  SourceLocation Semi = Lexer::findLocationAfterToken(
      End, tok::semi, SM, LO, /*SkipTrailingWhitespaceAndNewLine=*/false);
  return Semi.isValid() ? Semi : After;
}

std::optional<CharSourceRange> statementRange(const Stmt &S,
                                              const SourceManager &SM,
                                              const LangOptions &LO) {
  std::optional<SourceLocation> Begin = statementBegin(S, SM, LO);
  std::optional<SourceLocation> End = statementEnd(S, SM, LO);
  if (!Begin || !End || SM.getFileID(*Begin) != SM.getFileID(*End))
    return std::nullopt;
  return CharSourceRange::getCharRange(*Begin, *End);
}

std::optional<CharSourceRange> wholeStatementLines(const Stmt &S,
                                                   const SourceManager &SM,
                                                   const LangOptions &LO) {
  std::optional<CharSourceRange> R = statementRange(S, SM, LO);
  if (!R)
    return std::nullopt;
  auto [File, BeginOffset] = SM.getDecomposedLoc(R->getBegin());
  unsigned EndOffset = SM.getFileOffset(R->getEnd());
  llvm::StringRef Buffer = SM.getBufferData(File);
  unsigned LineStart = BeginOffset;
  while (LineStart > 0 && (Buffer[LineStart - 1] == ' ' ||
                           Buffer[LineStart - 1] == '\t'))
    --LineStart;
  if (LineStart > 0 && Buffer[LineStart - 1] != '\n')
    return R;
  unsigned LineEnd = EndOffset;
  while (LineEnd < Buffer.size() &&
         (Buffer[LineEnd] == ' ' || Buffer[LineEnd] == '\t'))
    ++LineEnd;
  if (LineEnd < Buffer.size() && Buffer[LineEnd] != '\n')
    return R;
  if (LineEnd < Buffer.size())
    ++LineEnd;
  SourceLocation Start = SM.getLocForStartOfFile(File);
  return CharSourceRange::getCharRange(Start.getLocWithOffset(LineStart),
                                       Start.getLocWithOffset(LineEnd));
}

unsigned expansionOffset(SourceLocation Loc, const SourceManager &SM) {
  return SM.getFileOffset(SM.getExpansionLoc(Loc));
}

std::string indentationAt(SourceLocation Loc, const SourceManager &SM) {
  Loc = SM.getExpansionLoc(Loc);
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return "";
  size_t LineStart = Buffer.rfind('\n', Offset ? Offset - 1 : 0);
  LineStart = LineStart == llvm::StringRef::npos || Offset == 0 ? 0 : LineStart + 1;
  if (Offset > 0 && Buffer[Offset - 1] == '\n')
    LineStart = Offset;
  size_t End = LineStart;
  while (End < Buffer.size() && (Buffer[End] == ' ' || Buffer[End] == '\t'))
    ++End;
  return Buffer.slice(LineStart, End).str();
}

std::optional<SourceLocation> endOfLineAfter(SourceLocation Loc,
                                             const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid || Offset > Buffer.size())
    return std::nullopt;
  size_t End = Buffer.find('\n', Offset);
  if (End == llvm::StringRef::npos)
    End = Buffer.size();
  llvm::StringRef Rest = Buffer.slice(Offset, End).trim();
  bool Comment = Rest.starts_with("//") ||
                 (Rest.starts_with("/*") && Rest.ends_with("*/") &&
                  Rest.find("*/") == Rest.size() - 2);
  if (!Rest.empty() && !Comment)
    return std::nullopt;
  // Keep a '\r' of the line ending where it is.
  if (End > 0 && End <= Buffer.size() && Buffer[End - 1] == '\r')
    --End;
  return SM.getLocForStartOfFile(File).getLocWithOffset(End);
}

/// Moves \p Offset up over the comment lines directly above it, so that text
/// inserted there does not separate a function from its comment.
unsigned aboveAttachedComments(llvm::StringRef Buffer, unsigned Offset) {
  while (Offset > 0) {
    size_t PreviousEnd = Offset - 1; // the newline ending the previous line
    size_t PreviousStart =
        Buffer.rfind('\n', PreviousEnd ? PreviousEnd - 1 : 0);
    PreviousStart =
        PreviousStart == llvm::StringRef::npos ? 0 : PreviousStart + 1;
    if (PreviousEnd == 0)
      PreviousStart = 0;
    llvm::StringRef Line = Buffer.slice(PreviousStart, PreviousEnd).trim();
    if (Line.starts_with("//")) {
      Offset = PreviousStart;
      continue;
    }
    if (!Line.ends_with("*/"))
      break;
    size_t Open = Buffer.take_front(PreviousEnd).rfind("/*");
    if (Open == llvm::StringRef::npos)
      break;
    size_t OpenLine = Buffer.rfind('\n', Open);
    OpenLine = OpenLine == llvm::StringRef::npos ? 0 : OpenLine + 1;
    // Only a comment that starts its line.
    if (!Buffer.slice(OpenLine, Open).trim().empty())
      break;
    Offset = OpenLine;
  }
  return Offset;
}

} // namespace gilport
