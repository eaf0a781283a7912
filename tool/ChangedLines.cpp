//===--- ChangedLines.cpp -------------------------------------------------===//

#include "tool/ChangedLines.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace gilport {

bool ChangedLines::read(llvm::StringRef Source, std::string &Error) {
  bool FromStdin = Source == "-";
  std::string Name = FromStdin ? std::string("the diff on standard input")
                               : "the diff '" + Source.str() + "'";
  if (!FromStdin && llvm::sys::fs::is_directory(Source)) {
    Error = "cannot read " + Name + ": it is a directory";
    return false;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer =
      FromStdin ? llvm::MemoryBuffer::getSTDIN()
                : llvm::MemoryBuffer::getFile(Source, /*IsText=*/true);
  if (!Buffer) {
    Error = "cannot read " + Name + ": " + Buffer.getError().message();
    return false;
  }
  return parse((*Buffer)->getBuffer(), Name, Error);
}

/// The file a `+++` line names, as an absolute path.
static std::string diffTarget(llvm::StringRef Spelled) {
  // `diff -u` follows the name with a tab and a date.
  llvm::StringRef Path = Spelled.split('\t').first.rtrim("\r");
  if (Path.size() > 2 && (Path.starts_with("a/") || Path.starts_with("b/"))) {
    llvm::StringRef Stripped = Path.drop_front(2);
    if (llvm::sys::fs::exists(Stripped) || !llvm::sys::fs::exists(Path))
      Path = Stripped;
  }
  llvm::SmallString<256> Absolute(Path);
  llvm::sys::fs::make_absolute(Absolute);
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  return std::string(Absolute);
}

/// Reads "START[,COUNT]" (COUNT defaults to 1).
static bool hunkRange(llvm::StringRef Text, unsigned &Start, unsigned &Count) {
  auto [First, Second] = Text.split(',');
  Count = 1;
  return !First.getAsInteger(10, Start) &&
         (Second.empty() || !Second.getAsInteger(10, Count));
}

bool ChangedLines::parse(llvm::StringRef Diff, llvm::StringRef Name,
                         std::string &Error) {
  std::set<unsigned> *Current = nullptr;
  bool Deleted = false;
  unsigned LineNo = 0;
  while (!Diff.empty()) {
    auto [Line, Rest] = Diff.split('\n');
    Diff = Rest;
    ++LineNo;
    if (Line.consume_front("+++ ")) {
      Deleted = Line.split('\t').first.rtrim("\r") == "/dev/null";
      Current = Deleted ? nullptr : &Lines[canonical(diffTarget(Line))];
      continue;
    }
    if (!Line.starts_with("@@ "))
      continue;
    // @@ -OLD[,N] +NEW[,M] @@ ...
    llvm::SmallVector<llvm::StringRef, 4> Parts;
    Line.split(Parts, ' ', 3);
    unsigned OldStart, OldCount, NewStart, NewCount;
    if (Parts.size() < 4 || !Parts[1].consume_front("-") ||
        !Parts[2].consume_front("+") ||
        !hunkRange(Parts[1], OldStart, OldCount) ||
        !hunkRange(Parts[2], NewStart, NewCount) ||
        !Parts[3].starts_with("@@")) {
      Error = llvm::formatv("{0}, line {1}: malformed hunk header '{2}'", Name,
                            LineNo, Line.rtrim("\r"));
      return false;
    }
    if (!Current && !Deleted) {
      Error = llvm::formatv("{0}, line {1}: a hunk before any '+++' line", Name,
                            LineNo);
      return false;
    }
    // The counts say where the hunk ends: a removed line "--- x" or an
    // added "+++ x" inside it is not a file header.
    unsigned New = NewStart;
    unsigned HeaderLine = LineNo;
    while (OldCount || NewCount) {
      if (Diff.empty()) {
        Error = llvm::formatv("{0} ends inside the hunk of line {1}", Name,
                              HeaderLine);
        return false;
      }
      auto [Body, After] = Diff.split('\n');
      Diff = After;
      ++LineNo;
      char Kind = Body.empty() ? ' ' : Body.front();
      if (Kind == '+' && NewCount) {
        if (Current)
          Current->insert(New);
        ++New;
        --NewCount;
      } else if (Kind == '-' && OldCount) {
        --OldCount;
      } else if (Kind == ' ' && OldCount && NewCount) {
        ++New;
        --OldCount;
        --NewCount;
      } else if (Kind != '\\') {
        Error = llvm::formatv("{0}, line {1}: the line does not fit the hunk "
                              "header's counts",
                              Name, LineNo);
        return false;
      }
    }
  }
  return true;
}

std::string ChangedLines::canonical(const std::string &File) {
  auto [It, Inserted] = Canonical.try_emplace(File, File);
  if (Inserted) {
    llvm::SmallString<256> Real;
    if (!llvm::sys::fs::real_path(File, Real))
      It->second = std::string(Real);
  }
  return It->second;
}

bool ChangedLines::contains(const std::string &File, unsigned Line) {
  auto It = Lines.find(canonical(File));
  return It != Lines.end() && It->second.count(Line);
}

unsigned ChangedLines::keepChanged(std::vector<Finding> &Findings) {
  size_t Before = Findings.size();
  Findings.erase(std::remove_if(Findings.begin(), Findings.end(),
                                [&](const Finding &F) {
                                  return !contains(F.File, F.Line);
                                }),
                 Findings.end());
  return Before - Findings.size();
}

} // namespace gilport
