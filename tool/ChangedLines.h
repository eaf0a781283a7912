//===--- ChangedLines.h - The lines a unified diff adds ---------*- C++ -*-===//
//
// `check --changed-lines=DIFF` reports only findings on lines that the new
// side of a unified diff adds or changes (clang-tidy-diff's model): the diff
// of a pull request, `git diff -U0`, `diff -u old new`.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_CHANGEDLINES_H
#define GILPORT_TOOL_CHANGEDLINES_H

#include "checks/Finding.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <set>
#include <string>
#include <vector>

namespace gilport {

class ChangedLines {
public:
  /// Reads the diff in \p Source, a file or "-" for standard input. Paths in
  /// it are relative to the current directory; a leading `a/` or `b/` (git's
  /// prefixes) is dropped when the path without it exists, or the path with
  /// it does not. False, with \p Error, when it cannot be read or a hunk is
  /// malformed.
  bool read(llvm::StringRef Source, std::string &Error);

  /// Parses the text of a unified diff (see read). \p Name names it in errors.
  bool parse(llvm::StringRef Diff, llvm::StringRef Name, std::string &Error);

  /// Whether 1-based \p Line of \p File (absolute) was added or changed.
  bool contains(const std::string &File, unsigned Line);

  /// Keeps the findings on changed lines; returns how many were removed.
  unsigned keepChanged(std::vector<Finding> &Findings);

private:
  /// Lines by file, each file by its real path when it exists.
  llvm::StringMap<std::set<unsigned>> Lines;
  llvm::StringMap<std::string> Canonical;
  std::string canonical(const std::string &File);
};

} // namespace gilport

#endif
