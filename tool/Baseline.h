//===--- Baseline.h - Findings recorded to fail only on new ones -*- C++
//-*-===//
//
// `check --write-baseline=FILE` records the current findings; `--baseline=FILE`
// reports only the findings it does not hold. The file is JSON:
//
//   {"version": 1, "tool": "gilport",
//    "findings": [{"check": "...", "file": "src/mod.c", "function": "f",
//                  "line_text": "PyObject *x = PyList_GetItem(l, 0);",
//                  "count": 1}]}
//
// Each entry is a FindingIdentity with the number of findings that have it,
// sorted, so that the file diffs well under version control.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_BASELINE_H
#define GILPORT_TOOL_BASELINE_H

#include "tool/FindingIdentity.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gilport {

/// The version written in, and the only one read from, a baseline file.
constexpr int BaselineVersion = 1;

class Baseline {
public:
  /// Reads \p Path; std::nullopt and \p Error when it is missing, not a
  /// regular file or not a baseline of this version.
  static std::optional<Baseline> load(llvm::StringRef Path, std::string &Error);

  /// The directory a path with no project root is taken relative to.
  llvm::StringRef directory() const { return Directory; }

  /// Removes from \p Findings each one the baseline holds (an entry with
  /// count N holds the first N findings with its identity) and returns how
  /// many were removed. \p Stale is set to the count of entries no finding
  /// used.
  unsigned removeKnown(std::vector<Finding> &Findings,
                       FindingIdentities &Identities, unsigned &Stale) const;

private:
  std::string Directory;
  std::map<FindingIdentity, unsigned> Counts;
};

/// The absolute directory of the baseline file \p Path (which may not exist
/// yet): files with no project root are relative to it.
std::string baselineDirectory(llvm::StringRef Path);

/// Writes the identities of \p Findings to \p Path: to a temporary file
/// beside it, renamed over it once complete, so that an interrupted or
/// failed write leaves the old baseline whole.
bool writeBaseline(llvm::StringRef Path, const std::vector<Finding> &Findings,
                   FindingIdentities &Identities, std::string &Error);

} // namespace gilport

#endif
