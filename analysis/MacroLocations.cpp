//===--- MacroLocations.cpp -----------------------------------------------===//

#include "analysis/MacroLocations.h"

#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

namespace gilport {

using namespace clang;

llvm::SmallVector<MacroFrame, 4>
enclosingMacroExpansions(SourceLocation Loc, const SourceManager &SM,
                         const LangOptions &LangOpts) {
  llvm::SmallVector<MacroFrame, 4> Frames;
  while (Loc.isMacroID()) {
    if (SM.isMacroArgExpansion(Loc)) {
      Loc = SM.getImmediateSpellingLoc(Loc);
      continue;
    }
    SourceLocation NameLoc = SM.getImmediateExpansionRange(Loc).getBegin();
    Frames.push_back(
        {Lexer::getImmediateMacroName(Loc, SM, LangOpts), NameLoc});
    Loc = NameLoc;
  }
  return Frames;
}

bool isWithinExpansionOf(SourceLocation Loc, llvm::StringRef Name,
                         const SourceManager &SM, const LangOptions &LangOpts) {
  // Unlike enclosingMacroExpansions, an argument token counts as part of the
  // invocation it is an argument of.
  while (Loc.isMacroID()) {
    if (Lexer::getImmediateMacroName(Loc, SM, LangOpts) == Name)
      return true;
    Loc = SM.getImmediateExpansionRange(Loc).getBegin();
  }
  return false;
}

std::string displayText(const Expr &E, const SourceManager &SM,
                        const LangOptions &LangOpts) {
  constexpr size_t MaxLength = 60;
  CharSourceRange Range = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(E.getSourceRange()), SM, LangOpts);
  if (Range.isInvalid()) {
    // Inside a macro: read the tokens where they were written, if that is
    // one contiguous piece of one file.
    SourceLocation Begin = SM.getSpellingLoc(E.getBeginLoc());
    SourceLocation End = SM.getSpellingLoc(E.getEndLoc());
    if (SM.getFileID(Begin) != SM.getFileID(End) ||
        SM.getFileOffset(End) < SM.getFileOffset(Begin))
      return "";
    Range = CharSourceRange::getTokenRange(Begin, End);
  }
  bool Invalid = false;
  llvm::StringRef Text = Lexer::getSourceText(Range, SM, LangOpts, &Invalid);
  if (Invalid || Text.empty() || Text.size() > MaxLength)
    return "";
  std::string Collapsed;
  bool PendingSpace = false;
  for (char C : Text) {
    if (C == ' ' || C == '\t' || C == '\n' || C == '\r' || C == '\\') {
      PendingSpace = !Collapsed.empty();
      continue;
    }
    if (PendingSpace)
      Collapsed.push_back(' ');
    PendingSpace = false;
    Collapsed.push_back(C);
  }
  return Collapsed;
}

} // namespace gilport
