//===--- Runner.h - Find the sources and analyse them in parallel -*- C++ -*-===//

#ifndef GILPORT_TOOL_RUNNER_H
#define GILPORT_TOOL_RUNNER_H

#include "checks/CheckContext.h"
#include "checks/Finding.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gilport {

struct InputError {
  std::string File;
  std::string Message;
};

struct SourceList {
  /// Absolute paths, sorted, without duplicates.
  std::vector<std::string> Files;
  std::vector<InputError> Errors;
  /// Notes for stderr (an empty directory, a header given as a path, ...).
  std::vector<std::string> Remarks;
  /// For files found by walking a directory (and not named themselves):
  /// the directory that was walked.
  std::map<std::string, std::string> WalkedFrom;
};

/// Expands \p Paths into C and C++ sources; directories are walked
/// recursively, skipping hidden directories. \p IsExcluded filters files.
SourceList
collectSources(const std::vector<std::string> &Paths,
               const std::function<bool(llvm::StringRef)> &IsExcluded);

struct RunResult {
  /// Deduplicated and sorted by file, line and column.
  std::vector<Finding> Findings;
  std::vector<InputError> Errors;
  unsigned FilesAnalyzed = 0;
  /// Content hashes of the files that fixes edit, as parsed.
  llvm::StringMap<uint64_t> ContentHashes;
};

/// Analyses every file, \p Jobs at a time: in \p Jobs worker processes
/// (GILPORT_PARALLEL=threads: threads) when \p Jobs > 1, the largest files
/// first. The result does not depend on \p Jobs. \p OnProgress is called
/// after each file with (done, total, file).
RunResult
analyzeAll(const clang::tooling::CompilationDatabase &Database,
           const std::vector<std::string> &Files,
           const AnalysisOptions &Options,
           const std::vector<std::string> &EnabledChecks, unsigned Jobs,
           bool DeclareAnyway,
           const std::function<void(unsigned, unsigned, llvm::StringRef)>
               &OnProgress);

} // namespace gilport

#endif
