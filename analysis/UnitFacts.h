//===--- UnitFacts.h - Facts about one translation unit ---------*- C++ -*-===//
//
// What the analyses of one translation unit share: its source manager,
// which of its files are the user's code, and the indexes over the whole
// unit that several analyses ask for (computed once, on first use).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_UNITFACTS_H
#define GILPORT_ANALYSIS_UNITFACTS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace clang {
class SourceManager;
class LangOptions;
} // namespace clang

namespace gilport {

class CallSiteIndex;
class InitOnlyFields;

class UnitFacts {
public:
  UnitFacts();
  ~UnitFacts();

  void setSourceManager(const clang::SourceManager *SM,
                        const clang::LangOptions *LangOpts);
  const clang::SourceManager &getSourceManager() const { return *SM; }
  const clang::LangOptions &getLangOpts() const { return *LangOpts; }

  /// Whether findings located at \p Loc are reported at all: not in system
  /// headers, and not in the Python installation's own headers.
  bool isReportedLocation(clang::SourceLocation Loc);

  /// Facts about the whole translation unit that several checks ask for,
  /// computed once, on first use.
  CallSiteIndex &callSites();
  InitOnlyFields &initOnlyFields();

protected:
  const clang::SourceManager *SM = nullptr;
  const clang::LangOptions *LangOpts = nullptr;

private:
  bool isPythonHeaderDir(llvm::StringRef Dir);

  llvm::DenseMap<clang::FileID, bool> ReportedFiles;
  llvm::StringMap<bool> PythonHeaderDirs;
  std::unique_ptr<CallSiteIndex> CallSites;
  std::unique_ptr<InitOnlyFields> InitOnly;
};

} // namespace gilport

#endif
