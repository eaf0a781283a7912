//===--- UnlockedObjectStateCheck.h - gilport-unlocked-object-state -*- C++
//-*-===//

#ifndef GILPORT_CHECKS_UNLOCKEDOBJECTSTATECHECK_H
#define GILPORT_CHECKS_UNLOCKEDOBJECTSTATECHECK_H

#include "checks/GilportCheck.h"
#include "rewrites/Rewrite.h"

namespace gilport {

class ContainerAnalysis;
struct ObjectLockPlan;

/// Finds the fields of an extension object that its methods, getters,
/// setters and slots change without a critical section on the object
/// (analysis/ObjectStateWrites.h): counters and hand-made reference counts,
/// object fields replaced, buffers reallocated and indexed. Two threads
/// calling such a method on one object at once lose updates or use freed
/// memory.
///
/// Not reported: lifecycle slots (tp_new, tp_init, tp_dealloc, tp_clear,
/// ...) and the static functions only they call; writes inside
/// Py_BEGIN_CRITICAL_SECTION, in a function only called inside one (as
/// Argument Clinic's `@critical_section` wrappers call their `_impl`), in a
/// `*_lock_held` function or one that asserts the object's section is held;
/// functions that take a lock of their own (PyMutex, PyThread locks,
/// pthread mutexes); `_Atomic` fields.
///
/// The fix holds the object's section in every function that runs on it
/// from Python and uses the fields changed without one, readers too
/// (analysis/ObjectLocking.h), by CPython's `_lock_held` split
/// (rewrites/LockHeldSplit.h).
///
/// See docs/checks/gilport-unlocked-object-state.md.
class UnlockedObjectStateCheck : public GilportCheck {
public:
  explicit UnlockedObjectStateCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options() { return {}; }

  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  /// The edits of every split \p Plan asks for, or why there are none.
  static Rewrite lockPlanEdits(const ObjectLockPlan &Plan,
                               clang::ASTContext &Ctx);
  void addFix(FindingBuilder &Finding, const ObjectLockPlan &Plan,
              const Rewrite &Fix, clang::ASTContext &Ctx);

  /// Shared for the critical sections the code already has.
  ContainerAnalysis &Containers;
};

} // namespace gilport

#endif
