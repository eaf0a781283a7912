//===--- CompatDefinitions.cpp --------------------------------------------===//

#include "analysis/CompatDefinitions.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <vector>

namespace gilport {

using namespace clang;

namespace {

bool isIdentifierChar(char C) { return llvm::isAlnum(C) || C == '_'; }

/// Whether the text before a name on its line is only a definition's
/// specifiers and return type: words and `*`, none of them a statement
/// keyword.
bool onlyTypeBefore(llvm::StringRef Prefix) {
  Prefix = Prefix.trim();
  while (!Prefix.empty()) {
    if (Prefix.front() == '*') {
      Prefix = Prefix.drop_front().ltrim();
      continue;
    }
    size_t Length = 0;
    while (Length < Prefix.size() && isIdentifierChar(Prefix[Length]))
      ++Length;
    if (Length == 0)
      return false;
    llvm::StringRef Word = Prefix.take_front(Length);
    if (Word == "return" || Word == "if" || Word == "while" || Word == "else" ||
        Word == "case" || Word == "sizeof" || Word == "do")
      return false;
    Prefix = Prefix.drop_front(Length).ltrim();
  }
  return true;
}

/// Whether one of the three lines before offset \p LineStart of \p Text is
/// `#ifndef G` or `#if !defined(G)` for one of \p Guards.
bool guardedBefore(llvm::StringRef Text, size_t LineStart,
                   llvm::ArrayRef<llvm::StringRef> Guards) {
  llvm::StringRef Before = Text.take_front(LineStart);
  for (int Lines = 0; Lines < 3 && !Before.empty(); ++Lines) {
    Before = Before.drop_back(Before.ends_with("\n") ? 1 : 0);
    size_t Start = Before.rfind('\n');
    Start = Start == llvm::StringRef::npos ? 0 : Start + 1;
    llvm::StringRef Line = Before.drop_front(Start).trim();
    Before = Before.take_front(Start);
    if (!Line.consume_front("#"))
      continue;
    Line = Line.ltrim();
    std::string Tested;
    if (Line.consume_front("ifndef"))
      Tested = Line.trim().str();
    else if (Line.consume_front("if")) {
      Line = Line.ltrim();
      if (Line.consume_front("!"))
        Tested = Line.ltrim().str();
    }
    llvm::StringRef T(Tested);
    T.consume_front("defined");
    T = T.ltrim().ltrim('(').rtrim(')').trim();
    if (llvm::is_contained(Guards, T))
      return true;
  }
  return false;
}

} // namespace

CompatDefinitions::Definition
CompatDefinitions::definitionIn(llvm::StringRef Text, llvm::StringRef Name,
                                llvm::ArrayRef<llvm::StringRef> Guards) {
  for (size_t Pos = Text.find(Name); Pos != llvm::StringRef::npos;
       Pos = Text.find(Name, Pos + 1)) {
    size_t End = Pos + Name.size();
    if ((Pos > 0 && isIdentifierChar(Text[Pos - 1])) ||
        (End < Text.size() && isIdentifierChar(Text[End])))
      continue;
    size_t LineStart = Text.rfind('\n', Pos);
    LineStart = LineStart == llvm::StringRef::npos ? 0 : LineStart + 1;
    llvm::StringRef Before = Text.slice(LineStart, Pos);
    llvm::StringRef Directive = Before.ltrim();
    if (Directive.consume_front("#")) {
      Directive = Directive.ltrim();
      if (Directive.consume_front("define") && !Directive.empty() &&
          Directive.trim().empty())
        return guardedBefore(Text, LineStart,
                             Guards.empty() ? llvm::ArrayRef(Name) : Guards)
                   ? Definition::GuardedMacro
                   : Definition::Unguarded;
      continue;
    }
    llvm::StringRef After = Text.drop_front(End).ltrim(" \t");
    if (!After.starts_with("(") || !onlyTypeBefore(Before))
      continue;
    // `static inline int Name(...)`, or `Name(...)` under a line holding
    // only its type; a call statement follows a ';', '{' or '}'.
    if (Before.trim().empty()) {
      llvm::StringRef Previous =
          LineStart ? Text.take_front(LineStart - 1) : llvm::StringRef();
      Previous = Previous.substr(Previous.rfind('\n') + 1).trim();
      if (Previous.empty() || !onlyTypeBefore(Previous))
        continue;
    }
    // The rest of the line: a definition's parameters, not `...);`.
    llvm::StringRef Line = After.take_until([](char C) { return C == '\n'; });
    if (!Line.contains(';') || Line.contains('{'))
      return Definition::Unguarded;
  }
  return Definition::None;
}

void CompatDefinitions::scan() const {
  if (Scanned)
    return;
  Scanned = true;
  FileID Main = SM.getMainFileID();
  // The files of the unit, and Python's include folder: Python's own
  // headers define the names too, and may be included with -I, as user
  // headers.
  std::vector<std::pair<FileID, FileEntryRef>> Files;
  std::string PythonDir;
  for (unsigned I = 0, N = SM.local_sloc_entry_size(); I < N; ++I) {
    const SrcMgr::SLocEntry &Entry = SM.getLocalSLocEntry(I);
    if (!Entry.isFile())
      continue;
    FileID ID =
        SM.getFileID(SourceLocation::getFromRawEncoding(Entry.getOffset()));
    OptionalFileEntryRef Ref = SM.getFileEntryRefForID(ID);
    if (!Ref)
      continue;
    Files.emplace_back(ID, *Ref);
    llvm::StringRef Path = Ref->getName();
    if (!PythonDir.empty() || llvm::sys::path::filename(Path) != "Python.h")
      continue;
    PythonDir = llvm::sys::path::parent_path(Path).str();
    // The main file's line that led here, when a line follows it.
    if (std::optional<SourceLocation> Include = includeIn(ID, Main);
        Include && Include->isValid()) {
      unsigned After = lineAfter(*Include);
      if (SM.getBufferData(Main).take_front(After).ends_with("\n"))
        AfterPython = After;
    }
  }
  llvm::DenseSet<unsigned> Seen;
  for (const auto &[ID, Ref] : Files) {
    llvm::StringRef Path = Ref.getName();
    // gilport_compat.h is gilport's, not the project's: a fix that relied
    // on it where it happens to be included would not include it.
    if (SM.getFileCharacteristic(SM.getLocForStartOfFile(ID)) !=
            SrcMgr::C_User ||
        (!PythonDir.empty() && Path.starts_with(PythonDir)) ||
        llvm::sys::path::filename(Path) == "gilport_compat.h" ||
        !Seen.insert(Ref.getUID()).second)
      continue;
    llvm::StringRef Text = SM.getBufferData(ID);
    for (llvm::StringRef Name : Names) {
      if (DefinedUnguardedIn.count(Name) || !Text.contains(Name))
        continue;
      Definition Kind = definitionIn(Text, Name, Names);
      if (Kind != Definition::None)
        DefinedIn[Name].push_back({ID, Path.str()});
      if (Kind == Definition::Unguarded)
        DefinedUnguardedIn[Name] = Path.str();
    }
  }
}

std::optional<SourceLocation> CompatDefinitions::includeIn(FileID From,
                                                           FileID User) const {
  SourceLocation Include;
  for (FileID F = From; F.isValid();) {
    if (F == User)
      return Include;
    Include = SM.getIncludeLoc(F);
    F = Include.isValid() ? SM.getFileID(Include) : FileID();
  }
  return std::nullopt;
}

unsigned CompatDefinitions::lineAfter(SourceLocation Loc) const {
  llvm::StringRef Buffer = SM.getBufferData(SM.getFileID(Loc));
  size_t LineEnd = Buffer.find('\n', SM.getFileOffset(Loc));
  return LineEnd == llvm::StringRef::npos ? Buffer.size() : LineEnd + 1;
}

llvm::StringRef CompatDefinitions::definedFor(llvm::StringRef Name,
                                              FileID User) const {
  scan();
  auto It = DefinedIn.find(Name);
  if (It == DefinedIn.end())
    return {};
  for (const Place &P : It->second)
    if (includeIn(P.File, User))
      return P.Path;
  return {};
}

std::optional<unsigned>
CompatDefinitions::afterDefinitionOf(llvm::StringRef Name, FileID User) const {
  scan();
  auto It = DefinedIn.find(Name);
  if (It == DefinedIn.end())
    return std::nullopt;
  for (const Place &P : It->second)
    if (std::optional<SourceLocation> Include = includeIn(P.File, User);
        Include && Include->isValid())
      return lineAfter(*Include);
  return std::nullopt;
}

llvm::StringRef
CompatDefinitions::definedUnguardedIn(llvm::StringRef Name) const {
  scan();
  auto It = DefinedUnguardedIn.find(Name);
  return It == DefinedUnguardedIn.end() ? llvm::StringRef() : It->second;
}

const CompatDefinitions::IncludeLines &
CompatDefinitions::includeLines(FileID File) const {
  auto [It, New] = Includes.try_emplace(File);
  if (!New)
    return It->second;
  IncludeLines &Found = It->second;
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return Found;
  for (size_t Pos = 0; Pos < Buffer.size();) {
    size_t End = Buffer.find('\n', Pos);
    if (End == llvm::StringRef::npos)
      End = Buffer.size();
    llvm::StringRef Line = Buffer.slice(Pos, End).trim();
    Pos = End + 1;
    if (!Line.consume_front("#"))
      continue;
    Line = Line.ltrim();
    if (!Line.consume_front("include"))
      continue;
    Line = Line.trim();
    if (Line == "\"gilport_compat.h\"" || Line == "<gilport_compat.h>")
      Found.CompatHeader = true;
    else if (!Found.AfterPython &&
             (Line == "<Python.h>" || Line == "\"Python.h\""))
      Found.AfterPython = std::min<size_t>(Pos, Buffer.size());
  }
  return Found;
}

} // namespace gilport
