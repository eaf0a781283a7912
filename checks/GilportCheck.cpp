//===--- GilportCheck.cpp -------------------------------------------------===//

#include "checks/GilportCheck.h"

#include "rewrites/Rewrite.h"

#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace gilport {

namespace {

/// Absolute, dot-free path of the file holding \p FileLoc.
std::string filePath(const clang::SourceManager &SM,
                     clang::SourceLocation FileLoc) {
  clang::OptionalFileEntryRef Entry =
      SM.getFileEntryRefForID(SM.getFileID(FileLoc));
  if (!Entry)
    return "<unknown>";
  llvm::SmallString<256> Path(Entry->getName());
  // Relative to the compile command's directory, not the process's.
  SM.getFileManager().makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

} // namespace

FindingBuilder::FindingBuilder(CheckContext &Context, clang::SourceLocation Loc,
                               Finding Draft)
    : Context(&Context), Loc(Loc), Draft(std::move(Draft)) {
  if (Loc.isInvalid())
    return;
  const clang::SourceManager &SM = Context.getSourceManager();
  clang::SourceLocation FileLoc = SM.getFileLoc(Loc);
  this->Draft.File = filePath(SM, FileLoc);
  this->Draft.Line = SM.getSpellingLineNumber(FileLoc);
  this->Draft.Column = SM.getSpellingColumnNumber(FileLoc);
  this->Draft.Offset = SM.getFileOffset(FileLoc);
}

FindingBuilder::FindingBuilder(FindingBuilder &&Other)
    : Context(Other.Context), Loc(Other.Loc), Draft(std::move(Other.Draft)),
      FixBroken(Other.FixBroken) {
  Other.Context = nullptr;
}

FindingBuilder::~FindingBuilder() {
  if (!Context)
    return;
  CheckContext *Sink = Context;
  Sink->report(Loc, take());
}

Finding FindingBuilder::take() {
  if (FixBroken)
    Draft.Fixes.clear();
  if (!Draft.Fixes.empty())
    Draft.NoFixReason.clear();
  Context = nullptr;
  return std::move(Draft);
}

FindingBuilder &FindingBuilder::note(clang::SourceLocation NoteLoc,
                                     llvm::StringRef Message) {
  FindingNote Note;
  Note.Message = Message.str();
  if (NoteLoc.isValid()) {
    const clang::SourceManager &SM = Context->getSourceManager();
    clang::SourceLocation FileLoc = SM.getFileLoc(NoteLoc);
    Note.File = filePath(SM, FileLoc);
    Note.Line = SM.getSpellingLineNumber(FileLoc);
    Note.Column = SM.getSpellingColumnNumber(FileLoc);
  }
  Draft.Notes.push_back(std::move(Note));
  return *this;
}

FindingBuilder &FindingBuilder::fix(const clang::FixItHint &Hint) {
  if (FixBroken)
    return *this;
  const clang::SourceManager &SM = Context->getSourceManager();
  clang::CharSourceRange Range = Hint.RemoveRange;
  if (Range.getBegin().isMacroID() || Range.getEnd().isMacroID()) {
    FixBroken = true;
    Draft.NoFixReason = "the code is spelled inside a macro expansion";
    return *this;
  }
  clang::CharSourceRange FileRange = clang::Lexer::makeFileCharRange(
      Range, SM, Context->getLangOpts());
  if (FileRange.isInvalid()) {
    FixBroken = true;
    Draft.NoFixReason = "the edit cannot be mapped to one file range";
    return *this;
  }
  // Absolute paths: a compile database may name files relative to its
  // directory, and exported fixes are applied from anywhere.
  clang::tooling::Replacement Edit(SM, FileRange, Hint.CodeToInsert,
                                   Context->getLangOpts());
  Draft.Fixes.emplace_back(filePath(SM, FileRange.getBegin()), Edit.getOffset(),
                           Edit.getLength(), Edit.getReplacementText());
  return *this;
}

FindingBuilder &FindingBuilder::noFix(llvm::StringRef Reason) {
  Draft.NoFixReason = Reason.str();
  return *this;
}

FindingBuilder &FindingBuilder::fix(const Rewrite &Edits) {
  if (!Edits.Reason.empty())
    return noFix(Edits.Reason);
  for (const clang::FixItHint &Hint : Edits.Hints)
    fix(Hint);
  return *this;
}

FindingBuilder GilportCheck::diag(clang::SourceLocation Loc,
                                  llvm::StringRef Message, Severity Level) {
  Finding Draft;
  Draft.Check = Name;
  Draft.Level = Level;
  Draft.Message = Message.str();
  return FindingBuilder(Context, Loc, std::move(Draft));
}

std::string GilportCheck::option(llvm::StringRef OptionName) const {
  return Context.getOption(Name, OptionName);
}

bool isTrueOption(llvm::StringRef Value) {
  Value = Value.trim();
  return Value.equals_insensitive("true") || Value == "1" ||
         Value.equals_insensitive("yes") || Value.equals_insensitive("on");
}

bool GilportCheck::boolOption(llvm::StringRef OptionName) const {
  return isTrueOption(option(OptionName));
}

void addMacroExpansionNotes(FindingBuilder &Builder, clang::SourceLocation Loc,
                            const clang::SourceManager &SM,
                            const clang::LangOptions &LangOpts) {
  while (Loc.isMacroID()) {
    if (SM.isMacroArgExpansion(Loc)) {
      Loc = SM.getImmediateSpellingLoc(Loc);
      continue;
    }
    llvm::StringRef Name =
        clang::Lexer::getImmediateMacroName(Loc, SM, LangOpts);
    Builder.note(SM.getSpellingLoc(Loc),
                 ("expanded from macro '" + Name + "'").str());
    Loc = SM.getImmediateExpansionRange(Loc).getBegin();
  }
}

} // namespace gilport
