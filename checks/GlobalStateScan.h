//===--- GlobalStateScan.h - Global state of a translation unit -*- C++ -*-===//
//
// The analysis behind gilport-global-state: the unit's static state, the
// writes to it, and the module-state conversion that fixes it. It runs once
// per translation unit however many checks ask for it (gilport-global-state
// reports its findings; gilport-missing-gil-decl reads them and the
// conversion's edits).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_GLOBALSTATESCAN_H
#define GILPORT_CHECKS_GLOBALSTATESCAN_H

#include "analysis/GlobalStateTypes.h"
#include "analysis/LazyInit.h"
#include "analysis/ModuleInit.h"
#include "analysis/PublishedFills.h"
#include "analysis/PublishedGlobals.h"
#include "analysis/StaticCaches.h"
#include "checks/GilportCheck.h"
#include "rewrites/Rewrite.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <optional>
#include <vector>

namespace clang {
class DeclRefExpr;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// Finds file-scope and function-static state shared by every interpreter
/// and raced on by every thread.
///
/// Two hazards, told apart:
/// - a data race: a function that runs while the module is in use writes
///   the variable (assigns, increments, or passes its address as a pointer
///   to non-const data). Always reported. Writes made while the module
///   initialises or is torn down (PyInit_*, exec, clear, free, and static
///   helpers only they call) are not races: the import lock orders them.
/// - sharing between interpreters: Python object pointers, static objects
///   and static types, and C data written anywhere, are state every
///   interpreter shares. Reported only where the module can be loaded in
///   several interpreters (it is multi-phase and does not declare
///   Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED, or no init function is
///   seen), or the configuration's `Targets` names subinterpreters.
///
/// With gilport-global-state's option ConvertToModuleState, the fix moves
/// the variables into the module state (rewrites/ModuleStateConversion.h);
/// AtomicCounters and ProcessWideCounters make integer counters C11 atomics.
class GlobalStateScan : public SharedWork,
                        public clang::ast_matchers::MatchFinder::MatchCallback {
public:
  static char ID;
  /// Reads gilport-global-state's options from \p Context.
  explicit GlobalStateScan(CheckContext &Context);

  /// Registers the scan's matchers and callbacks; only the first call of
  /// each does anything.
  void registerMatchers(clang::ast_matchers::MatchFinder *Finder);
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP);
  void
  run(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  llvm::StringRef getID() const override { return CheckName; }

  /// The module-state conversion planned for the translation unit: its
  /// init function and the edits (the same for every moved variable).
  struct ModuleStateFixes {
    const clang::FunctionDecl *Init = nullptr;
    std::vector<clang::tooling::Replacement> Fixes;
    std::vector<clang::tooling::Replacement> FixesWithoutGil;
    bool Complete = false;
  };
  /// A finding of gilport-global-state, not yet reported.
  struct Found {
    clang::SourceLocation Loc;
    Finding Result;
  };
  struct Results {
    std::vector<Found> Findings;
    /// Set when ConvertToModuleState moves something.
    std::optional<ModuleStateFixes> StateFixes;
    /// State shared by interpreters that is not reported because the
    /// module cannot be loaded in several (nothing declares per-interpreter
    /// support while it is left).
    std::vector<const clang::VarDecl *> UnreportedShared;
  };
  /// The scan's results, computed by the first call once the whole
  /// translation unit has been matched.
  const Results &finish(clang::ASTContext &Ctx);

  static constexpr const char *CheckName = "gilport-global-state";

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
    /// The expression written, to find the function it is in.
    const clang::Stmt *Node = nullptr;
  };
  struct Candidate {
    const clang::VarDecl *Var;
    StaticStateKind Kind;
    /// The first write while the module is in use: a data race.
    std::optional<WriteSite> RunTimeWrite;
    /// In a unit without a module init function: the functions that write
    /// it while the module may be in use, when each has external linkage
    /// and this unit never names it (another source calls it, perhaps only
    /// from its init function); empty otherwise.
    std::vector<std::string> UncalledWriters;
    /// Reported as state shared by the interpreters that load the module.
    bool SharedByInterpreters = false;
    /// For a function-static object pointer written at run time: how it is
    /// filled on first use.
    std::optional<LazyInit> Lazy;
    /// When it is not in LazyInit's shape: how a fill that may run Python
    /// code is published instead.
    std::optional<PublishableFill> Publish;
    /// For a file-scope object pointer written at run time: how its
    /// first-use fills are published instead.
    std::optional<PublishableGlobal> PublishGlobal;
    /// For function-static C data written at run time: the fill of tables
    /// under a flag it belongs to.
    std::optional<StaticCache> Cache;
    /// Why the race is not fixed where it is, when it has a shape that could
    /// be (empty otherwise).
    std::string inPlaceReason() const;
  };

  /// A local pointer or parameter pointing into a global: writes through it
  /// write the global.
  struct Alias {
    const clang::VarDecl *Pointer;
    const clang::DeclRefExpr *Target;
  };

  void checkVariable(const clang::VarDecl *Var, clang::ASTContext &Ctx);
  void checkCall(const clang::CallExpr *Call, clang::ASTContext &Ctx);
  /// Whether \p Call, an indirect call, can only call functions defined in
  /// this file (through a local pointer only ever set to them).
  static bool callsDefinedFunctions(const clang::CallExpr *Call,
                                    clang::ASTContext &Ctx);
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
  /// (Argument Clinic's `_kwtuple`; analysis/ImmortalObjects.h).
  void dropImmortalTuples(clang::ASTContext &Ctx);
  /// Removes the candidates no thread or interpreter can race on: tables of
  /// object pointers that are constant and only read
  /// (analysis/UnchangedStatics.h), and C data only touched under one PyMutex
  /// (analysis/MutexGuards.h).
  void dropUnsharedState(clang::ASTContext &Ctx);
  /// Finds each candidate's run-time write and keeps the candidates that
  /// are a hazard for the module's targets (see the class comment).
  void keepHazards(clang::ASTContext &Ctx);
  static bool changesVariable(StaticStateKind Kind, WriteKind Write);
  /// The PyMutex fixes of first-use fills that race (rewrites/
  /// LazyInitLock.h), by variable: one per run of adjacent fills; and of
  /// fills published under one (rewrites/PublishFill.h).
  void addLazyFillFixes(clang::ASTContext &Ctx);
  /// The fixes of tables filled under a flag (analysis/StaticCaches.h): per
  /// call when the flag is a key, else a PyMutex around the fill.
  void addTableFillFixes(clang::ASTContext &Ctx);
  /// The fixes of tables that init code fills with constants
  /// (analysis/ConstantTables.h): a static initializer.
  void addConstantTableFixes(clang::ASTContext &Ctx);
  /// The fixes of C API pointers that init code takes from a capsule
  /// (analysis/CapsulePointers.h): stored once under a PyMutex. Drops those
  /// already stored so.
  void addCapsulePointerFixes(clang::ASTContext &Ctx);
  /// Why \p Found's race is not fixed where it is, from \p Reason: the
  /// no-fix reason, or with \p Nor its continuation after another reason.
  std::string inPlaceFailure(const Candidate &Found, llvm::StringRef Reason,
                             bool Nor) const;
  /// Adds \p Found's fix in place to \p Finding, with the include of
  /// gilport_compat.h when it locks a PyMutex.
  void attachInPlaceFix(FindingBuilder &Finding, const Candidate &Found,
                        const Rewrite &Fix, clang::ASTContext &Ctx);
  /// Whether state shared by interpreters is a hazard in this unit; a
  /// module that several interpreters may load is recorded in the context.
  bool targetsSubinterpreters(clang::ASTContext &Ctx);
  /// The same decision, recording nothing.
  bool targetsSubinterpretersHere(clang::ASTContext &Ctx);
  /// \p Built, marked when it is reported only for sharing with other
  /// interpreters by a unit that does not know its module.
  Finding markShared(Finding Built, const Candidate &Found) const;
  /// Set when the unit defines no module init function, so that whether
  /// several interpreters may load its module is not known here.
  bool ModuleUnknown = false;
  /// The unit's init functions, analysed once for the targets and the
  /// module-state conversion.
  const std::vector<ModuleInitInfo> &moduleInits(clang::ASTContext &Ctx);
  /// The findings of the candidates, with the module-state conversion's
  /// fixes.
  void reportWithModuleState(clang::ASTContext &Ctx);
  /// Adds a finding of gilport-global-state at \p Loc.
  FindingBuilder diag(clang::SourceLocation Loc, llvm::StringRef Message);
  Finding draft(const Candidate &Found) const;
  /// The note naming the write that makes \p Found a finding, if any.
  using WriteNote = std::pair<clang::SourceLocation, std::string>;
  std::optional<WriteNote> writeNote(const Candidate &Found) const;

  CheckContext &Context;
  bool MatchersRegistered = false;
  bool CallbacksRegistered = false;
  std::optional<Results> Finished;

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
  std::optional<std::vector<ModuleInitInfo>> ModuleInits;

  std::unique_ptr<GlobalStateTypes> Types;
  std::vector<Candidate> Candidates;
  /// The first write found for each variable, keyed by canonical decl.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> FirstWrites;
  /// Every write found, by canonical decl.
  llvm::DenseMap<const clang::VarDecl *, llvm::SmallVector<WriteSite, 2>>
      AllWrites;
  std::vector<Alias> Aliases;
  /// A record's address stored where it escapes (`state->table = &table;`):
  /// a write only if this file writes some object of the record's type.
  struct RecordEscape {
    const clang::DeclRefExpr *Target;
    const clang::RecordDecl *Record;
  };
  std::vector<RecordEscape> RecordEscapes;
  /// Record types of which this file may write an object: a member or the
  /// whole object assigned, a pointer to one cast or passed to a function
  /// defined elsewhere.
  llvm::DenseSet<const clang::RecordDecl *> WrittenRecords;
  void noteRecordWrite(const clang::Expr *Target);
  void noteRecordPointer(const clang::Expr *Pointer);
  /// The first write through each local pointer.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> WritesThrough;
  /// The fixes that end a race where the variable is (a lock, per-call
  /// tables), by variable, once the candidates are known.
  llvm::DenseMap<const clang::VarDecl *, Rewrite> InPlaceFixes;
  /// The variables whose fix is a static initializer.
  llvm::DenseSet<const clang::VarDecl *> ConstantTables;
  /// The variables set from a capsule's pointer.
  llvm::DenseSet<const clang::VarDecl *> CapsulePointers;
  /// Whether the user's code calls PyMutex_Lock at all.
  bool SawMutexLock = false;
};

} // namespace gilport

#endif
