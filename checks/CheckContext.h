//===--- CheckContext.h - State shared by the checks of one run -*- C++ -*-===//

#ifndef GILPORT_CHECKS_CHECKCONTEXT_H
#define GILPORT_CHECKS_CHECKCONTEXT_H

#include "analysis/PhaseCalls.h"
#include "analysis/UnitFacts.h"
#include "checks/Finding.h"
#include "checks/Suppressions.h"

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// Per-run settings the checks may consult.
struct AnalysisOptions {
  /// Effective `check-name.Option` values (defaults already filled in).
  std::map<std::string, std::string> CheckOptions;
  /// The oldest Python the project supports ("3.9"): below 3.13, fixed code
  /// reaches the 3.13 APIs through gilport_compat.h.
  std::string MinimumPython = "3.9";
  /// The configuration's `Targets` (`free-threading`, `subinterpreters`);
  /// empty: what each module declares decides.
  std::vector<std::string> Targets;
};

/// Work that several checks share in one translation unit (see
/// CheckContext::shared).
class SharedWork {
public:
  virtual ~SharedWork();
};

/// One context per translation unit being analysed: the unit's facts, which
/// the analyses take, plus the checks' options and the findings they report.
class CheckContext : public UnitFacts {
public:
  explicit CheckContext(const AnalysisOptions &Options);
  ~CheckContext();

  void setSourceManager(const clang::SourceManager *SM,
                        const clang::LangOptions *LangOpts);

  /// The checks of this run; set before any check is created.
  void setEnabledChecks(llvm::ArrayRef<std::string> Names) {
    EnabledChecks.assign(Names.begin(), Names.end());
  }
  /// Whether \p Check runs on this unit: a check may leave a hazard to
  /// another that reports it at the same place (one hazard, one finding).
  bool isEnabled(llvm::StringRef Check) const {
    return llvm::is_contained(EnabledChecks, Check);
  }

  /// The raw option value; empty if unset (the registry fills defaults).
  std::string getOption(llvm::StringRef Check, llvm::StringRef Option) const;
  /// AnalysisOptions::MinimumPython.
  llvm::StringRef getMinimumPython() const { return Options.MinimumPython; }
  /// Whether the configuration targets subinterpreters; unset when it says
  /// nothing (the module's declarations decide).
  std::optional<bool> targetsSubinterpreters() const;
  /// Whether this unit defines a module that several interpreters may load
  /// (or the configuration targets subinterpreters); gilport-global-state
  /// records what it decided.
  bool moduleLoadableByInterpreters() const { return LoadableByInterpreters; }
  void setModuleLoadableByInterpreters() { LoadableByInterpreters = true; }
  /// The functions with external linkage the unit calls, by phase, as
  /// gilport-global-state found them.
  const PhaseCalls &phaseCalls() const { return Calls; }
  void setPhaseCalls(PhaseCalls Found) { Calls = std::move(Found); }

  /// Takes ownership of a finished finding located at \p Loc, naming the
  /// function that holds it. Findings not in a reported file are dropped
  /// here; suppressed ones are set aside (takeSuppressed).
  void report(clang::SourceLocation Loc, Finding Draft);

  /// The unit's AST, whose function definitions name the function each
  /// reported finding is in (Finding::Function).
  void setASTContext(clang::ASTContext *Ctx);

  /// Whether a finding of \p Check at \p Loc would be reported: in the
  /// user's code and not suppressed there.
  bool wouldReport(clang::SourceLocation Loc, llvm::StringRef Check);

  std::vector<Finding> takeFindings() { return std::move(Findings); }
  /// The findings a NOLINT comment suppressed, without their fixes.
  std::vector<Finding> takeSuppressed() { return std::move(Suppressed); }

  /// The \p Work of this translation unit, made by the first check that asks
  /// (as `Work(CheckContext &)`), so that checks needing the same analysis
  /// run it once. \p Work derives from SharedWork and has a `static char ID`.
  template <typename Work> Work &shared() {
    std::unique_ptr<SharedWork> &Slot = Shared[&Work::ID];
    if (!Slot)
      Slot = std::make_unique<Work>(*this);
    return static_cast<Work &>(*Slot);
  }

private:
  bool isSuppressed(clang::SourceLocation FileLoc, llvm::StringRef Check);
  /// The qualified name of the function definition holding \p Loc, or "".
  std::string enclosingFunctionName(clang::SourceLocation Loc);

  const AnalysisOptions &Options;
  llvm::DenseMap<clang::FileID, Suppressions> FileSuppressions;
  std::vector<Finding> Findings;
  std::vector<Finding> Suppressed;
  std::vector<std::string> EnabledChecks;
  bool LoadableByInterpreters = false;
  PhaseCalls Calls;
  clang::ASTContext *AST = nullptr;
  /// A function definition's extent in its file, as offsets.
  struct FunctionSpan {
    unsigned Begin;
    unsigned End;
    const clang::FunctionDecl *Function;
    /// The largest End of this span and those before it.
    unsigned ReachesTo = 0;
  };
  /// The function definitions of each file, by Begin; built on the first
  /// report.
  std::optional<llvm::DenseMap<clang::FileID, std::vector<FunctionSpan>>>
      FunctionSpans;
  std::map<const void *, std::unique_ptr<SharedWork>> Shared;
};

} // namespace gilport

#endif
