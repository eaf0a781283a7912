//===--- Suppressions.cpp - NOLINT comments -------------------------------===//

#include "checks/Suppressions.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/GlobPattern.h"

namespace gilport {

bool matchesGlobList(llvm::StringRef Globs, llvm::StringRef CheckName) {
  bool Matched = false;
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Globs.split(Parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Part : Parts) {
    Part = Part.trim();
    bool Negative = Part.consume_front("-");
    Part = Part.trim();
    if (Part.empty())
      continue;
    llvm::Expected<llvm::GlobPattern> Pattern = llvm::GlobPattern::create(Part);
    if (!Pattern) {
      llvm::consumeError(Pattern.takeError());
      continue;
    }
    if (Pattern->match(CheckName))
      Matched = !Negative;
  }
  return Matched;
}

namespace {

/// Parses an optional "(check,list)" right after a NOLINT marker. Returns the
/// list, or "*" when there is none.
std::string checkListAfter(llvm::StringRef Rest) {
  if (!Rest.starts_with("("))
    return "*";
  size_t Close = Rest.find(')');
  if (Close == llvm::StringRef::npos)
    return "*";
  return Rest.substr(1, Close - 1).str();
}

} // namespace

Suppressions::Suppressions(llvm::StringRef Buffer) {
  struct OpenBegin {
    unsigned Line;
    std::string Checks;
  };
  std::vector<OpenBegin> Open;
  unsigned LineNo = 0;
  while (!Buffer.empty()) {
    auto [Line, Rest] = Buffer.split('\n');
    Buffer = Rest;
    ++LineNo;
    size_t Pos = Line.find("NOLINT");
    while (Pos != llvm::StringRef::npos) {
      llvm::StringRef After = Line.substr(Pos + 6);
      if (After.consume_front("NEXTLINE")) {
        Ranges.push_back({LineNo + 1, LineNo + 1, checkListAfter(After)});
      } else if (After.consume_front("BEGIN")) {
        Open.push_back({LineNo, checkListAfter(After)});
      } else if (After.consume_front("END")) {
        std::string Checks = checkListAfter(After);
        for (auto It = Open.rbegin(); It != Open.rend(); ++It) {
          if (It->Checks != Checks)
            continue;
          Ranges.push_back({It->Line, LineNo, Checks});
          Open.erase(std::next(It).base());
          break;
        }
      } else {
        Ranges.push_back({LineNo, LineNo, checkListAfter(After)});
      }
      Pos = Line.find("NOLINT", Pos + 6);
    }
  }
  // A BEGIN without its END suppresses to the end of the file.
  for (const OpenBegin &Begin : Open)
    Ranges.push_back({Begin.Line, ~0u, Begin.Checks});
}

bool Suppressions::isSuppressed(unsigned Line, llvm::StringRef Check) const {
  for (const Range &R : Ranges)
    if (Line >= R.FirstLine && Line <= R.LastLine &&
        matchesGlobList(R.Checks, Check))
      return true;
  return false;
}

} // namespace gilport
