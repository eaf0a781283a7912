//===--- FixApplication.h - Turn findings' fixes into file edits -*- C++
//-*-===//
//
// Fixes are merged per file in tooling::Replacements. Edits that compose are
// combined in one run: identical edits are made once, and insertions at one
// offset become one insertion, in finding order. Findings whose edits truly
// overlap are all dropped as a whole, with a reason: keeping the first would
// let the next run apply the others, so a second run would not be a no-op.
// Files are staged, then all renamed into place (apply/FileWrites.h), and
// never written when they changed on disk after they were parsed. The
// gilport_compat.h the fixed files include goes in before them; a file whose
// header cannot be written is not written either.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_FIXAPPLICATION_H
#define GILPORT_APPLY_FIXAPPLICATION_H

#include "apply/FileWrites.h"
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

/// Gives the edits of \p Findings the line ending of the file they change:
/// in a file whose lines mostly end in CRLF, inserted lines end in CRLF too.
void matchLineEndings(std::vector<Finding> &Findings);

/// Where `fix` writes gilport_compat.h for \p FixedFile: \p Requested, or
/// else beside the file (beside the file a symlink names).
std::string compatHeaderPath(llvm::StringRef FixedFile,
                             llvm::StringRef Requested);

/// Whether \p Content is a gilport_compat.h that gilport wrote (any
/// version); any other file of that name is the user's and stays.
bool isOwnCompatHeader(llvm::StringRef Content);

/// Applies \p Plan. \p ParsedHashes gives the content hash of each file as it
/// was parsed; a file whose content differs now is left alone. A fixed file
/// that includes gilport_compat.h is written only once the header is in
/// place at compatHeaderPath(File, \p CompatHeader).
std::vector<FileOutcome>
applyPlan(const FixPlan &Plan, const llvm::StringMap<uint64_t> &ParsedHashes,
          llvm::StringRef CompatHeader = "");

/// Writes the clang-apply-replacements YAML for the findings whose fixes are
/// in the plan.
void writeExportedFixes(llvm::raw_ostream &OS,
                        const std::vector<Finding> &Findings,
                        llvm::StringRef MainSourceFile);

} // namespace gilport

#endif
