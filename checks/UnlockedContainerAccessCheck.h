//===--- UnlockedContainerAccessCheck.h - gilport-unlocked-container-access
//===//

#ifndef GILPORT_CHECKS_UNLOCKEDCONTAINERACCESSCHECK_H
#define GILPORT_CHECKS_UNLOCKEDCONTAINERACCESSCHECK_H

#include "analysis/ContainerPrivacy.h"
#include "analysis/ExistingSections.h"
#include "analysis/FunctionTracker.h"
#include "analysis/MacroLocations.h"
#include "analysis/Matchers.h"
#include "checks/GilportCheck.h"
#include "checks/UnlockedAccesses.h"

#include <vector>

namespace clang {
class Expr;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// Finds container accesses that are unsafe on a shared list or dict without
/// a critical section.
///
/// PyDict_Next, PySequence_Fast_ITEMS / PySequence_Fast_GET_ITEM and
/// PyList_GET_ITEM / PyList_SET_ITEM do not lock the container on
/// free-threaded builds. Accesses inside Py_BEGIN_CRITICAL_SECTION (or in a
/// static function only called inside one) and on containers private to the
/// function are not reported, except a PyDict_Next loop that uses the key or
/// value across a call that can suspend the section (CPython gh-138098).
///
/// See docs/checks/gilport-unlocked-container-access.md.
class UnlockedContainerAccessCheck : public GilportCheck {
public:
  explicit UnlockedContainerAccessCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void
  check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  void report(const UnlockedAccesses::Access &Found, clang::ASTContext &Ctx);
  void addFix(FindingBuilder &Finding, const UnlockedAccesses::Access &Found,
              clang::ASTContext &Ctx);
  void reportSuspended(const UnlockedAccesses::Suspended &Found,
                       clang::ASTContext &Ctx);

  /// Shared with gilport-borrowed-ref. Accesses are reported once the whole
  /// translation unit is known: a function may run under a caller's
  /// critical section.
  ContainerAnalysis &Containers;
  FunctionTracker Functions;
  IdentifierSet CallNames;
  IdentifierSet MemberNames;
};

} // namespace gilport

#endif
