//===--- Runner.h - Analyse the sources in parallel -------------*- C++ -*-===//

#ifndef GILPORT_TOOL_RUNNER_H
#define GILPORT_TOOL_RUNNER_H

#include "checks/CheckContext.h"
#include "checks/Finding.h"
#include "tool/Sources.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringMap.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace gilport {

struct RunResult {
  /// Deduplicated and sorted by file, line and column.
  std::vector<Finding> Findings;
  /// Findings a NOLINT comment suppresses (sorted the same way): SARIF
  /// lists them as suppressed; they are never counted, fixed or printed.
  std::vector<Finding> Suppressed;
  std::vector<InputError> Errors;
  unsigned FilesAnalyzed = 0;
  /// Content hashes of the files that fixes edit, as parsed.
  llvm::StringMap<uint64_t> ContentHashes;
};

/// Analyses every file, \p Jobs at a time, the largest files first: in worker
/// processes (GILPORT_PARALLEL=threads: threads, which no time limit can
/// stop). A file that takes longer than \p FileTimeout (0: no limit) is an
/// error of that file: its worker is killed and the run goes on. The result
/// does not depend on \p Jobs. \p OnProgress is called after each file with
/// (done, total, file).
RunResult analyzeAll(
    const clang::tooling::CompilationDatabase &Database,
    const std::vector<std::string> &Files, const AnalysisOptions &Options,
    const std::vector<std::string> &EnabledChecks, unsigned Jobs,
    bool DeclareAnyway, std::chrono::seconds FileTimeout,
    const std::function<void(unsigned, unsigned, llvm::StringRef)> &OnProgress);

} // namespace gilport

#endif
