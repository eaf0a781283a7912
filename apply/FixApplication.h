//===--- FixApplication.h - Turn findings' fixes into file edits -*- C++ -*-===//
//
// Fixes are merged per file in tooling::Replacements. Edits that compose are
// combined in one run: identical edits are made once, and insertions at one
// offset become one insertion, in finding order. Findings whose edits truly
// overlap are all dropped as a whole, with a reason: keeping the first would
// let the next run apply the others, so a second run would not be a no-op.
// Files are written atomically, and never when they changed on disk after
// they were parsed.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_FIXAPPLICATION_H
#define GILPORT_APPLY_FIXAPPLICATION_H

#include "checks/Finding.h"

#include "clang/Tooling/Core/Replacement.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace gilport {

struct FixPlan {
  /// Edits per absolute file path.
  std::map<std::string, clang::tooling::Replacements> EditsByFile;
  /// How many findings' fixes are in the plan.
  unsigned FixedFindings = 0;
};

/// Merges the fixes of \p Findings (sorted) into a plan. Findings whose
/// fixes conflict with each other lose them: their Fixes are cleared and
/// NoFixReason says why.
FixPlan planFixes(std::vector<Finding> &Findings);

/// What happened to one file when a plan was applied.
struct FileOutcome {
  std::string Path;
  bool Written = false;
  /// Why the file was not written (empty when written).
  std::string Problem;
  /// The content the edits were applied to, as analysed (when written).
  std::string Before;
};

/// Applies \p Plan. \p ParsedHashes gives the content hash of each file as it
/// was parsed; a file whose content differs now is left alone.
std::vector<FileOutcome>
applyPlan(const FixPlan &Plan, const llvm::StringMap<uint64_t> &ParsedHashes);

/// The content hash used to detect files changed since they were parsed.
uint64_t contentHash(llvm::StringRef Content);

/// Writes the clang-apply-replacements YAML for the findings whose fixes are
/// in the plan.
void writeExportedFixes(llvm::raw_ostream &OS,
                        const std::vector<Finding> &Findings,
                        llvm::StringRef MainSourceFile);

/// Writes \p Content to \p Path through a temporary file in the same
/// directory and a rename, keeping the file's permissions.
bool writeFileAtomically(llvm::StringRef Path, llvm::StringRef Content,
                         std::string &Error);

} // namespace gilport

#endif
