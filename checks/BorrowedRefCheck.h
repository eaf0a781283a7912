//===--- BorrowedRefCheck.h - gilport-borrowed-ref --------------*- C++ -*-===//

#ifndef GILPORT_CHECKS_BORROWEDREFCHECK_H
#define GILPORT_CHECKS_BORROWEDREFCHECK_H

#include "analysis/ApiSpelling.h"
#include "analysis/ContainerPrivacy.h"
#include "analysis/ExistingSections.h"
#include "analysis/FoundModules.h"
#include "analysis/FunctionTracker.h"
#include "analysis/MacroLocations.h"
#include "analysis/Matchers.h"
#include "analysis/SectionSuspension.h"
#include "checks/GilportCheck.h"
#include "checks/UnlockedAccesses.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <vector>

namespace clang {
class Expr;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// Finds calls of borrowed-reference C-API functions that have a
/// strong-reference replacement.
///
/// Macros (PyList_GET_ITEM, PyCell_GET, PyWeakref_GET_OBJECT) are reported
/// where the user spelled them, also inside the user's own macros. Borrowing
/// from a list or dict under a critical section (lexically, or in a static
/// function only called under one) is not reported; borrowing from one that
/// is private to the function only with ReportPrivateContainers.
///
/// See docs/checks/gilport-borrowed-ref.md.
class BorrowedRefCheck : public GilportCheck {
public:
  explicit BorrowedRefCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void
  check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  /// A use of a borrowed API, reported once the whole translation unit is
  /// known (its function may run under a caller's critical section).
  struct Use {
    const clang::FunctionDecl *Function;
    ApiSpelling Spelling;
    /// The container that owns the result, if any.
    const clang::Expr *Owner;
    /// The call, or the member access a macro expanded to.
    const clang::Expr *Node;
  };

  void report(const Use &Found, bool LockedByCallers, clang::ASTContext &Ctx);
  void reportSuspended(const Use &Found, const Suspender &Suspended);
  void addFix(FindingBuilder &Finding, const Use &Found, clang::ASTContext &Ctx);
  /// The rewrite of \p Found to a strong reference, or why there is none;
  /// \p Holder as in rewriteBorrowedCall. Computed again only when the
  /// other variables Converted holds for the function have changed.
  Rewrite strongRewrite(const Use &Found, clang::ASTContext &Ctx,
                        const clang::VarDecl **Holder = nullptr);
  Rewrite computeStrongRewrite(const Use &Found, clang::ASTContext &Ctx,
                               const clang::VarDecl **Holder);
  /// Fills Converted for the function of \p OfFunction, all its uses: the
  /// variables that the run's rewrites make hold a new reference, to a
  /// fixpoint (an error path built for one lookup must not leave another's
  /// new reference held).
  void findConverted(llvm::ArrayRef<Use> OfFunction, bool LockedByCallers,
                     clang::ASTContext &Ctx);
  /// Whether \p Found is reported, and fixed by strongRewrite (not by a
  /// critical section, and gilport_compat.h can be included if need be).
  bool takesStrongRewrite(const Use &Found, bool LockedByCallers,
                          clang::ASTContext &Ctx);
  /// Whether \p Found is a finding; \p Verdict says whether its container
  /// is private to the function. Asked twice per use, answered once.
  bool isReported(const Use &Found, bool LockedByCallers,
                  clang::ASTContext &Ctx, PrivacyVerdict &Verdict) const;
  bool computeIsReported(const Use &Found, bool LockedByCallers,
                         clang::ASTContext &Ctx, PrivacyVerdict &Verdict) const;

  const bool ReportPrivateContainers;
  /// Shared with gilport-unlocked-container-access, whose critical sections
  /// also fix the item reads (PyList_GET_ITEM) they guard.
  ContainerAnalysis &Containers;
  /// Those sections, by the item read's name token.
  llvm::DenseMap<clang::SourceLocation, Rewrite> SectionFixes;
  FunctionTracker Functions;
  IdentifierSet CallNames;
  IdentifierSet MemberNames;
  std::vector<Use> Uses;
  llvm::DenseMap<const clang::FunctionDecl *,
                 llvm::SmallPtrSet<const clang::VarDecl *, 8>>
      Converted;
  struct RememberedRewrite {
    /// What the rewrite read of Converted: the function's variables but
    /// its own Holder, which rewriteBorrowedCall ignores there.
    llvm::SmallVector<const clang::VarDecl *, 4> Others;
    Rewrite Result;
    const clang::VarDecl *Holder;
  };
  /// By use: the per-finding work is most of the check's time on a file
  /// with thousands of findings, and each is asked for up to three times.
  llvm::DenseMap<const Use *, RememberedRewrite> StrongRewrites;
  /// The variables of Converted in \p Function but \p Own, sorted.
  llvm::SmallVector<const clang::VarDecl *, 4>
  convertedBesides(const clang::FunctionDecl *Function,
                   const clang::VarDecl *Own) const;
  mutable llvm::DenseMap<const Use *, std::pair<bool, PrivacyVerdict>>
      ReportedUses;
  /// Calls that can suspend the critical section a lookup's item relies on.
  mutable SectionSuspension Suspensions;
  /// The reported uses that a section guards until such a call, by use.
  mutable llvm::DenseMap<const Use *, Suspender> SuspendedUses;
  /// The call in \p Found's function that can suspend the section guarding
  /// its item before the item's last use; \p WholeFunction: the callers
  /// hold the section for the whole body.
  std::optional<Suspender> suspendedSection(const Use &Found,
                                            bool WholeFunction,
                                            clang::ASTContext &Ctx) const;
  /// Name tokens already seen: one macro expansion yields several nodes.
  llvm::DenseSet<clang::SourceLocation> Seen;
  /// Where the arguments of Py_NewRef calls start, to the Py_NewRef call.
  llvm::DenseMap<clang::SourceLocation, clang::SourceLocation> NewRefArguments;
  /// The modules PyState_FindModule borrows for the interpreter's life.
  FoundModules Modules;
};

} // namespace gilport

#endif
