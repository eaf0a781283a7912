//===--- CheckContext.h - State shared by the checks of one run -*- C++ -*-===//

#ifndef GILPORT_CHECKS_CHECKCONTEXT_H
#define GILPORT_CHECKS_CHECKCONTEXT_H

#include "analysis/UnitFacts.h"
#include "checks/Finding.h"
#include "checks/Suppressions.h"

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace gilport {

/// Per-run settings the checks may consult.
struct AnalysisOptions {
  /// Effective `check-name.Option` values (defaults already filled in).
  std::map<std::string, std::string> CheckOptions;
  /// The oldest Python the project supports ("3.9"): below 3.13, fixed code
  /// reaches the 3.13 APIs through gilport_compat.h.
  std::string MinimumPython = "3.9";
};

/// One context per translation unit being analysed: the unit's facts, which
/// the analyses take, plus the checks' options and the findings they report.
class CheckContext : public UnitFacts {
public:
  explicit CheckContext(const AnalysisOptions &Options);
  ~CheckContext();

  void setSourceManager(const clang::SourceManager *SM,
                        const clang::LangOptions *LangOpts);

  /// The raw option value; empty if unset (the registry fills defaults).
  std::string getOption(llvm::StringRef Check, llvm::StringRef Option) const;
  /// AnalysisOptions::MinimumPython.
  llvm::StringRef getMinimumPython() const { return Options.MinimumPython; }

  /// Takes ownership of a finished finding located at \p Loc. Findings that
  /// are suppressed or not in a reported file are dropped here.
  void report(clang::SourceLocation Loc, Finding Draft);

  std::vector<Finding> takeFindings() { return std::move(Findings); }

private:
  const AnalysisOptions &Options;
  llvm::DenseMap<clang::FileID, Suppressions> FileSuppressions;
  std::vector<Finding> Findings;
};

} // namespace gilport

#endif
