//===--- ModuleStatePlan.h - Candidates, outcomes, plan ---------*- C++ -*-===//
//
// The candidates, the slots already declared, and the plan with one
// outcome per candidate: the types of the public entry point
// planModuleState() in rewrites/ModuleStateConversion.h, which includes this
// header and is the one to include.
//
// They are in a header of their own so that the planner's private header
// (rewrites/modulestate/Planner.h) can use them without including
// ModuleStateConversion.h: ModuleStateConversion.cpp includes the planner,
// and test/architecture/check_layers.py counts a header and its .cpp as one
// file, so that would be an include cycle.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_MODULESTATE_MODULESTATEPLAN_H
#define GILPORT_REWRITES_MODULESTATE_MODULESTATEPLAN_H

#include "rewrites/Rewrite.h"

#include "clang/Basic/SourceLocation.h"

#include <string>
#include <vector>

namespace clang {
class VarDecl;
} // namespace clang

namespace gilport {

/// A variable gilport-global-state reports.
struct StateCandidate {
  const clang::VarDecl *Var = nullptr;
  /// Whether it is a Python object pointer (visited and cleared with the
  /// state) rather than plain C data.
  bool IsObject = false;
  /// Whether it is a statically allocated type (converted to a heap type
  /// kept in the state, rewrites/HeapTypeConversion.h).
  bool IsType = false;
  /// Why it cannot move whatever its accessors (a static type, an array of
  /// object pointers); empty when it may.
  std::string NotMovable;
  /// Declared process-wide (option ProcessWideCounters): an integer that
  /// never moves to the state but becomes an atomic where it is.
  bool ProcessWide = false;
  /// May become an atomic where it is when it cannot move (option
  /// AtomicCounters).
  bool AtomicFallback = false;
  /// Written while the module is in use: the module's threads share its
  /// state too, so moving it would not end the race, and gilport would no
  /// longer see it there. It moves only as an atomic counter.
  bool WrittenWhileInUse = false;
  /// Its race is fixed where it is (a lock, per-call variables): it stays,
  /// and does not keep the conversion from declaring that the module runs
  /// without the GIL.
  bool FixedInPlace = false;
};

/// What happens to one candidate.
struct StateVariableOutcome {
  const clang::VarDecl *Var = nullptr;
  /// Fixed: moved to the state, or made atomic when Atomic is set.
  bool Moved = false;
  /// Why it stays global, naming the place that cannot reach the module.
  std::string Reason;
  /// That place (may be invalid).
  clang::SourceLocation Where;
  /// Made atomic where it is (process-wide) instead of moving.
  bool Atomic = false;
};

/// Which slots a multi-phase module already declares (in active or inactive
/// code); ignored for single-phase modules.
struct DeclaredSlots {
  bool Gil = false;
  bool MultipleInterpreters = false;
};

struct ModuleStatePlan {
  std::vector<StateVariableOutcome> Outcomes;
  /// Why nothing moves at all (empty when something does).
  std::string Reason;
  /// Every edit, the `Py_mod_gil` slot included when the conversion is
  /// complete.
  Rewrite Edits;
  /// The same edits without the `Py_mod_gil` slot.
  Rewrite EditsWithoutGil;
  /// Whether every candidate moved, or was fixed where it is.
  bool Complete = false;
  /// Whether every candidate moved, or was fixed where it is without
  /// staying an object shared by the interpreters.
  bool Isolated = false;

  bool converts() const { return Reason.empty() && Edits.ok(); }
};

} // namespace gilport

#endif
