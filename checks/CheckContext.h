//===--- CheckContext.h - State shared by the checks of one run -*- C++ -*-===//

#ifndef GILPORT_CHECKS_CHECKCONTEXT_H
#define GILPORT_CHECKS_CHECKCONTEXT_H

#include "checks/Finding.h"
#include "checks/Suppressions.h"

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace clang {
class SourceManager;
class LangOptions;
} // namespace clang

namespace gilport {

class CallSiteIndex;
class InitOnlyFields;

/// Per-run settings the checks may consult.
struct AnalysisOptions {
  /// Effective `check-name.Option` values (defaults already filled in).
  std::map<std::string, std::string> CheckOptions;
  /// The oldest Python the project supports ("3.9"): below 3.13, fixed code
  /// reaches the 3.13 APIs through gilport_compat.h.
  std::string MinimumPython = "3.9";
};

/// One context per translation unit being analysed.
class CheckContext {
public:
  explicit CheckContext(const AnalysisOptions &Options);
  ~CheckContext();

  void setSourceManager(const clang::SourceManager *SM,
                        const clang::LangOptions *LangOpts);
  const clang::SourceManager &getSourceManager() const { return *SM; }
  const clang::LangOptions &getLangOpts() const { return *LangOpts; }

  /// The raw option value; empty if unset (the registry fills defaults).
  std::string getOption(llvm::StringRef Check, llvm::StringRef Option) const;
  /// AnalysisOptions::MinimumPython.
  llvm::StringRef getMinimumPython() const { return Options.MinimumPython; }

  /// Whether findings located at \p Loc are reported at all: not in system
  /// headers, and not in the Python installation's own headers.
  bool isReportedLocation(clang::SourceLocation Loc);

  /// Takes ownership of a finished finding located at \p Loc. Findings that
  /// are suppressed or not in a reported file are dropped here.
  void report(clang::SourceLocation Loc, Finding Draft);

  std::vector<Finding> takeFindings() { return std::move(Findings); }

  /// Facts about the whole translation unit that several checks ask for,
  /// computed once, on first use.
  CallSiteIndex &callSites();
  InitOnlyFields &initOnlyFields();

private:
  bool isPythonHeaderDir(llvm::StringRef Dir);

  const AnalysisOptions &Options;
  const clang::SourceManager *SM = nullptr;
  const clang::LangOptions *LangOpts = nullptr;
  llvm::DenseMap<clang::FileID, bool> ReportedFiles;
  llvm::StringMap<bool> PythonHeaderDirs;
  llvm::DenseMap<clang::FileID, Suppressions> FileSuppressions;
  std::vector<Finding> Findings;
  std::unique_ptr<CallSiteIndex> CallSites;
  std::unique_ptr<InitOnlyFields> InitOnly;
};

} // namespace gilport

#endif
