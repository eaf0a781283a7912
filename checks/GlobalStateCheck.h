//===--- GlobalStateCheck.h - gilport-global-state --------------*- C++ -*-===//

#ifndef GILPORT_CHECKS_GLOBALSTATECHECK_H
#define GILPORT_CHECKS_GLOBALSTATECHECK_H

#include "analysis/GlobalStateTypes.h"
#include "analysis/ModuleInit.h"
#include "checks/GilportCheck.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <optional>
#include <vector>

namespace clang {
class DeclRefExpr;
class VarDecl;
} // namespace clang

namespace gilport {

/// Finds file-scope and function-static state shared by every interpreter
/// and raced on by every thread.
///
/// Python object pointers, static objects and static types are reported
/// wherever they are defined; other mutable C data only when a function
/// writes it (assigns, increments, or passes its address as a pointer to
/// non-const data).
///
/// With the option ConvertToModuleState, the fix moves the variables into
/// the module state (rewrites/ModuleStateConversion.h); AtomicCounters and
/// ProcessWideCounters make integer counters C11 atomics.
class GlobalStateCheck : public GilportCheck {
public:
  explicit GlobalStateCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void
  check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

  /// The module-state conversion planned for the last translation unit:
  /// its init function and the edits (the same for every moved variable).
  struct ModuleStateFixes {
    const clang::FunctionDecl *Init = nullptr;
    std::vector<clang::tooling::Replacement> Fixes;
    std::vector<clang::tooling::Replacement> FixesWithoutGil;
    bool Complete = false;
  };
  /// Set by onEndOfTranslationUnit() when ConvertToModuleState moves
  /// something.
  const std::optional<ModuleStateFixes> &moduleStateFixes() const {
    return StateFixes;
  }

private:
  enum class WriteKind {
    Modified,
    ModifiedThrough,
    PointerPassed,
    ReferencePassed,
    PointerTaken,
  };
  struct WriteSite {
    clang::SourceLocation Loc;
    WriteKind Kind;
  };
  struct Candidate {
    const clang::VarDecl *Var;
    StaticStateKind Kind;
  };

  /// A local pointer or parameter pointing into a global: writes through it
  /// write the global.
  struct Alias {
    const clang::VarDecl *Pointer;
    const clang::DeclRefExpr *Target;
  };

  void checkVariable(const clang::VarDecl *Var, clang::ASTContext &Ctx);
  void checkCall(const clang::CallExpr *Call);
  /// \p Target is assigned, incremented, ...
  void recordModification(const clang::Expr *Target);
  /// A pointer into \p Target's storage is stored to \p Destination.
  void recordPointerTo(const clang::DeclRefExpr *Target,
                       const clang::Expr *Destination);
  /// A pointer into \p Target's storage is passed to a call.
  void recordPointerPassed(const clang::DeclRefExpr *Target,
                           const clang::CallExpr *Call, unsigned ParamIndex);
  void recordWrite(const clang::DeclRefExpr *Target, WriteSite Site);
  void recordWriteThrough(const clang::DeclRefExpr *Pointer, WriteSite Site);
  void keepEarliest(llvm::DenseMap<const clang::VarDecl *, WriteSite> &Sites,
                    const clang::VarDecl *Var, WriteSite Site);
  static bool isGlobal(const clang::DeclRefExpr *Ref);
  bool isIgnored(llvm::StringRef Name) const;
  /// Removes the candidates that are immortal static tuples nothing writes
  /// (Argument Clinic's `_kwtuple`; utils/ImmortalObjects.h).
  void dropImmortalTuples(clang::ASTContext &Ctx);
  /// Removes the candidates no thread or interpreter can race on: tables of
  /// object pointers that are constant and only read
  /// (utils/UnchangedStatics.h), and C data only touched under one PyMutex
  /// (utils/MutexGuards.h).
  void dropUnsharedState(clang::ASTContext &Ctx);
  /// Reports the candidates with the module-state conversion's fixes.
  void reportWithModuleState(clang::ASTContext &Ctx);
  void resetTranslationUnit();
  Finding draft(const Candidate &Found) const;

  /// `IgnoreVariables`: a regular expression matched against whole names.
  const std::string IgnoreVariablesPattern;
  std::optional<llvm::Regex> IgnoreVariables;
  const bool ConvertToModuleState;
  /// `ProcessWideCounters`: integers that become atomics, never state.
  const std::string ProcessWidePattern;
  std::optional<llvm::Regex> ProcessWide;
  /// `AtomicCounters`: integers that cannot move become atomics.
  const bool AtomicCounters;

  ModuleInitAnalyzer Analyzer;
  std::optional<ModuleStateFixes> StateFixes;
  /// Builds the findings of the conversion before they are reported.
  std::unique_ptr<AnalysisOptions> ScratchOptions;
  std::unique_ptr<CheckContext> Scratch;

  std::unique_ptr<GlobalStateTypes> Types;
  std::vector<Candidate> Candidates;
  /// The first write found for each variable, keyed by canonical decl.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> FirstWrites;
  std::vector<Alias> Aliases;
  /// The first write through each local pointer.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> WritesThrough;
  /// Whether the user's code calls PyMutex_Lock at all.
  bool SawMutexLock = false;
};

} // namespace gilport

#endif
