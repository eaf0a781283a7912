//===--- FindingIdentity.h - What makes a finding the same one --*- C++ -*-===//
//
// A finding's identity survives edits elsewhere in its file: the check, the
// file relative to the project root, the enclosing function and the text of
// its line with whitespace collapsed, but not its line number. Baselines
// (Baseline.h) store it; SARIF carries its hash as a partial fingerprint.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_FINDINGIDENTITY_H
#define GILPORT_TOOL_FINDINGIDENTITY_H

#include "checks/Finding.h"
#include "tool/SourceLines.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <tuple>

namespace gilport {

struct FindingIdentity {
  std::string Check;
  /// '/'-separated, relative to the project root (see identityPath).
  std::string File;
  /// Empty at file scope.
  std::string Function;
  /// The finding's line, whitespace collapsed (normalizeLine).
  std::string LineText;

  auto tie() const { return std::tie(Check, File, Function, LineText); }
  bool operator<(const FindingIdentity &O) const { return tie() < O.tie(); }
  bool operator==(const FindingIdentity &O) const { return tie() == O.tie(); }
};

/// \p Line with leading and trailing whitespace removed and every run of
/// spaces and tabs inside it made one space.
std::string normalizeLine(llvm::StringRef Line);

/// Makes the identities of one run's findings. Paths are relative to each
/// file's project root (the nearest parent with .git, pyproject.toml,
/// setup.py, setup.cfg or .gilport.yaml, as for inferred flags); a file with
/// no project root is relative to \p FallbackBase when under it, else
/// absolute.
class FindingIdentities {
public:
  FindingIdentities(
      std::string FallbackBase,
      const llvm::StringMap<std::string> *ContentsBefore = nullptr);

  FindingIdentity of(const Finding &F);
  std::string identityPath(const std::string &File);

private:
  std::string FallbackBase;
  SourceLines Lines;
  llvm::StringMap<std::string> Paths;
};

/// A stable hash of \p Identity (hex SHA-256 of its fields), the value of
/// SARIF's `gilport/v1` partial fingerprint before its occurrence number.
std::string fingerprintOf(const FindingIdentity &Identity);

} // namespace gilport

#endif
