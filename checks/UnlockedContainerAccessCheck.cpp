//===--- UnlockedContainerAccessCheck.cpp ---------------------------------===//

#include "checks/UnlockedContainerAccessCheck.h"
#include "checks/ProjectCompat.h"

#include "analysis/AstQueries.h"
#include "analysis/BorrowedApis.h"
#include "analysis/ContainerApis.h"
#include "analysis/MacroLocations.h"
#include "analysis/Matchers.h"
#include "rewrites/CompatHeader.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

UnlockedContainerAccessCheck::UnlockedContainerAccessCheck(
    CheckContext &Context)
    : GilportCheck("gilport-unlocked-container-access", Context),
      Containers(Context.shared<ContainerAnalysis>()) {}

llvm::ArrayRef<CheckOptionInfo> UnlockedContainerAccessCheck::options() {
  return {};
}

void UnlockedContainerAccessCheck::registerMatchers(MatchFinder *Finder) {
  // PyDict_Next and the macros wrapping a static inline function of the same
  // name (PyList_SET_ITEM) are calls; PyList_GET_ITEM and PySequence_Fast_*
  // expand to accesses of the item array.
  matchers::addApiUseMatchers(*Finder, this, &context(), &CallNames,
                              &MemberNames);
}

void UnlockedContainerAccessCheck::registerPPCallbacks(const SourceManager &,
                                                       Preprocessor *PP) {
  Containers.registerPPCallbacks(*PP);
  UnlockedAccesses::addNames(*PP, CallNames, MemberNames);
}

void UnlockedContainerAccessCheck::check(
    const MatchFinder::MatchResult &Result) {
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function")) {
    Functions.enter(*Function, SM);
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call")) {
    if (const FunctionDecl *Function =
            Functions.enclosing(Call->getBeginLoc(), SM))
      Containers.recordCall(*Call, *Function);
    return;
  }
  const auto *Member = Result.Nodes.getNodeAs<MemberExpr>("member");
  if (const FunctionDecl *Function =
          Functions.enclosing(Member->getBeginLoc(), SM))
    Containers.recordMember(*Member, *Function);
}

void UnlockedContainerAccessCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  for (const UnlockedAccesses::Access &Found : Containers.unlockedAccesses(Ctx))
    report(Found, Ctx);
  for (const UnlockedAccesses::Suspended &Found :
       Containers.suspendedIterations(Ctx))
    reportSuspended(Found, Ctx);
}

void UnlockedContainerAccessCheck::reportSuspended(
    const UnlockedAccesses::Suspended &Found, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const SuspendedIteration &Hazard = Found.Hazard;
  const Suspender &First = Hazard.Held.front().Suspended;
  std::string Items;
  for (const HeldItem &Held : Hazard.Held)
    if (Held.Item)
      Items += (Items.empty() ? "'" : ", '") + Held.Item->getName().str() + "'";
  std::string Callee = First.spelledName(SM, LO);
  SourceLocation At = Found.Loop.Spelling.NameLoc;
  FindingBuilder Finding =
      diag(At, "'PyDict_Next' hands out borrowed references (" + Items +
                   ") that the critical section guards only until '" + Callee +
                   "', which " + First.Reason +
                   ": the section is suspended meanwhile, and another thread "
                   "can remove and free them");
  addMacroExpansionNotes(Finding, At, SM, LO);
  Finding.note(First.Call->getBeginLoc(),
               "the critical section can be suspended here");
  const Rewrite &Fix = Found.Loop.Section;
  if (!Fix.ok()) {
    Finding.noFix("own each item for its iteration (Py_INCREF after "
                  "'PyDict_Next', Py_DECREF on every way out of the loop's "
                  "body); not automatic here: " +
                  Fix.Reason);
    return;
  }
  for (const FixItHint &Hint : Fix.Hints)
    Finding.fix(Hint);
}

void UnlockedContainerAccessCheck::report(const UnlockedAccesses::Access &Found,
                                          ASTContext &Ctx) {
  const ApiSpelling &Spelling = Found.Spelling;
  const Expr &Container = *Found.Container;
  const SourceManager &SM = context().getSourceManager();
  const UnlockedContainerOp &Op = *findUnlockedContainerOp(Spelling.Name);
  std::string Object =
      displayText(*stripCasts(&Container), SM, context().getLangOpts());
  std::string Lock =
      Object.empty()
          ? ("a critical section on the " + containerKindName(Op.Kind) +
             " ('Py_BEGIN_CRITICAL_SECTION' ... 'Py_END_CRITICAL_SECTION()')")
                .str()
          : "'Py_BEGIN_CRITICAL_SECTION(" + Object +
                ")' ... 'Py_END_CRITICAL_SECTION()'";
  FindingBuilder Finding =
      diag(Spelling.NameLoc,
           ("'" + Op.Name + "' " + Op.Action +
            " that another thread can modify; wrap " + Op.Scope + " in " + Lock)
               .str());
  addMacroExpansionNotes(Finding, Spelling.NameLoc, SM,
                         context().getLangOpts());
  if (Op.Kind == ContainerKind::Sequence)
    Finding.note(SourceLocation(),
                 "'PySequence_Fast' returns its argument itself when that is "
                 "a list, so the result is as shared as the argument");
  // gilport-borrowed-ref leaves this place to this finding.
  const BorrowedApi *Borrowed = findBorrowedApi(Spelling.Name);
  if (Borrowed && Borrowed->isOwnedByContainer() &&
      context().isEnabled("gilport-borrowed-ref")) {
    std::string Note = "the item is also a borrowed reference "
                       "[gilport-borrowed-ref]: the critical section keeps it "
                       "alive while the section lasts";
    if (!Borrowed->Replacement.empty())
      Note += ("; '" + Borrowed->Replacement +
               "' would return a strong reference instead")
                  .str();
    Finding.note(SourceLocation(), Note);
  }
  addFix(Finding, Found, Ctx);
}

void UnlockedContainerAccessCheck::addFix(FindingBuilder &Finding,
                                          const UnlockedAccesses::Access &Found,
                                          ASTContext &Ctx) {
  const Rewrite &Section = Found.Section;
  if (!Section.ok()) {
    Finding.noFix(Section.Reason);
    return;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  FileID File = SM.getFileID(SM.getExpansionLoc(Found.Node->getBeginLoc()));
  llvm::StringRef Apis[] = {"Py_BEGIN_CRITICAL_SECTION"};
  std::string Reason =
      addFixWithCompatHeader(Section.Hints, SM, File,
                             {context().getMinimumPython(), 3, 13, Apis,
                              context().shared<ProjectCompat>().Definitions},
                             [&](const FixItHint &Hint) { Finding.fix(Hint); });
  if (!Reason.empty())
    Finding.noFix(Reason);
}

} // namespace gilport
