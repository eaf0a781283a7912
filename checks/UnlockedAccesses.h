//===--- UnlockedAccesses.h - Accesses needing a lock ----------*- C++ -*-===//
//
// The container accesses of a translation unit that skip the container's
// lock on free-threaded builds, with the critical sections that fix them,
// planned per function. gilport-unlocked-container-access reports the
// accesses; gilport-borrowed-ref fixes its item reads (PyList_GET_ITEM) with
// the same sections, since holding the container's lock keeps its items
// alive. Both checks record the same accesses from the same matches, so both
// get the same edits, which are then applied once.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_UNLOCKEDACCESSES_H
#define GILPORT_CHECKS_UNLOCKEDACCESSES_H

#include "analysis/ApiSpelling.h"
#include "analysis/ContainerPrivacy.h"
#include "analysis/ExistingSections.h"
#include "analysis/MacroLocations.h"
#include "analysis/Matchers.h"
#include "checks/CheckContext.h"
#include "rewrites/CriticalSectionPlanner.h"
#include "rewrites/ItemReferences.h"

#include "llvm/ADT/DenseSet.h"

#include <optional>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class Expr;
class FunctionDecl;
class MemberExpr;
class Preprocessor;
} // namespace clang

namespace gilport {

class UnlockedAccesses {
public:
  struct Access {
    const clang::FunctionDecl *Function;
    ApiSpelling Spelling;
    /// The container argument (casts included).
    const clang::Expr *Container;
    /// The call, when the access is one (PyDict_Next, PyList_SET_ITEM).
    const clang::CallExpr *Call;
    /// The call, or the member access inside the macro's expansion.
    const clang::Expr *Node;
    /// The planned section, or why there is none (set by finish()).
    Rewrite Section;
  };

  /// A PyDict_Next loop that a section already guards (or that runs in a
  /// function its callers lock), whose key or value the loop still uses
  /// across a call that can suspend the section. Loop.Section holds the
  /// strong references that fix it, or why there are none.
  struct Suspended {
    Access Loop;
    SuspendedIteration Hazard;
  };

  /// Adds the names of the unlocked accessors to the names a check matches:
  /// calls in \p CallNames, `ob_item` in \p MemberNames.
  static void addNames(clang::Preprocessor &PP, IdentifierSet &CallNames,
                       IdentifierSet &MemberNames);

  /// Records \p Call in \p Function if it is an unlocked access.
  void recordCall(const clang::CallExpr &Call,
                  const clang::FunctionDecl &Function, CheckContext &Context);
  /// Records \p Member in \p Function if it is an unlocked access.
  void recordMember(const clang::MemberExpr &Member,
                    const clang::FunctionDecl &Function, CheckContext &Context);

  /// The recorded accesses that need a critical section (not under one, not
  /// in a function only called under one, not on a private container), in
  /// the order recorded, each with its planned section. Forgets them, and
  /// keeps the guarded loops of suspendedLoops().
  std::vector<Access> finish(clang::ASTContext &Ctx,
                             const ExistingSections &Sections,
                             ContainerPrivacy &Privacy, CheckContext &Context);

  /// The guarded loops finish() found that a suspension makes unsafe.
  const std::vector<Suspended> &suspendedLoops() const {
    return SuspendedLoops;
  }

private:
  std::vector<Access> Recorded;
  std::vector<Suspended> SuspendedLoops;
  /// Name tokens already seen: one macro expansion yields several nodes.
  llvm::DenseSet<clang::SourceLocation> Seen;
};

/// The container analyses that gilport-borrowed-ref and
/// gilport-unlocked-container-access share, run once per translation unit
/// (CheckContext::shared): the critical sections the code already has, which
/// containers are private, and the unlocked accesses with their planned
/// sections. Both checks record accesses from the same matches; a name token
/// already recorded is skipped, so each access is recorded once.
class ContainerAnalysis : public SharedWork {
public:
  static char ID;
  explicit ContainerAnalysis(CheckContext &Context);

  /// Starts recording the unit's critical sections (the first call only).
  void registerPPCallbacks(clang::Preprocessor &PP);
  void recordCall(const clang::CallExpr &Call,
                  const clang::FunctionDecl &Function) {
    Accesses.recordCall(Call, Function, Context);
  }
  void recordMember(const clang::MemberExpr &Member,
                    const clang::FunctionDecl &Function) {
    Accesses.recordMember(Member, Function, Context);
  }
  /// UnlockedAccesses::finish's answer, computed by the first call once the
  /// whole translation unit has been matched.
  const std::vector<UnlockedAccesses::Access> &
  unlockedAccesses(clang::ASTContext &Ctx);
  /// UnlockedAccesses::suspendedLoops, once the unit has been matched.
  const std::vector<UnlockedAccesses::Suspended> &
  suspendedIterations(clang::ASTContext &Ctx);

  ExistingSections Sections;
  ContainerPrivacy Privacy;

private:
  CheckContext &Context;
  UnlockedAccesses Accesses;
  bool CallbacksRegistered = false;
  std::optional<std::vector<UnlockedAccesses::Access>> Needed;
};

} // namespace gilport

#endif
