//===--- Output.h - Text, JSON and SARIF reports ----------------*- C++ -*-===//

#ifndef GILPORT_TOOL_OUTPUT_H
#define GILPORT_TOOL_OUTPUT_H

#include "tool/Runner.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace gilport {

struct ReportSettings {
  bool Color = false;
  bool Summary = true;
  /// Files that could not be read or analysed, counted in the summary.
  unsigned FilesFailed = 0;
  /// Base for SARIF helpUri; a check's page is <base><check-name>.md.
  std::string DocsBaseUrl;
  /// In fix mode the report lists what is left for a human.
  bool FixMode = false;
  unsigned FixedFindings = 0;
  unsigned FilesWritten = 0;
  /// The files the fix rewrote, as they were analysed: the snippets under
  /// the findings left show these lines, not the rewritten ones.
  llvm::StringMap<std::string> ContentsBeforeFix;
  /// With --baseline or --write-baseline: how many findings the baseline
  /// held (not reported), and how many of its entries no finding used.
  struct BaselineCounts {
    unsigned Matched = 0;
    unsigned Stale = 0;
  };
  std::optional<BaselineCounts> Baseline;
};

/// Path as shown to the user: relative to the working directory when inside
/// it, else absolute.
std::string displayPath(llvm::StringRef Path);

void writeTextReport(llvm::raw_ostream &OS, const RunResult &Result,
                     const ReportSettings &Settings);
void writeJsonReport(llvm::raw_ostream &OS, const RunResult &Result,
                     const ReportSettings &Settings);
void writeSarifReport(llvm::raw_ostream &OS, const RunResult &Result,
                      const ReportSettings &Settings);

} // namespace gilport

#endif
