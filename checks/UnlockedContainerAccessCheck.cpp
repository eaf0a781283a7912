//===--- UnlockedContainerAccessCheck.cpp ---------------------------------===//

#include "checks/UnlockedContainerAccessCheck.h"

#include "checks/utils/ContainerApis.h"
#include "checks/utils/MacroLocations.h"
#include "checks/utils/Matchers.h"
#include "rewrites/CompatHeader.h"
#include "rewrites/CriticalSectionFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/SourceManager.h"

#include <map>

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

bool isUnlockedContainerOp(llvm::StringRef Name) {
  return findUnlockedContainerOp(Name) != nullptr;
}

} // namespace

UnlockedContainerAccessCheck::UnlockedContainerAccessCheck(
    CheckContext &Context)
    : GilportCheck("gilport-unlocked-container-access", Context) {}

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
  Sections.recordFrom(*PP);
  for (const UnlockedContainerOp &Op : unlockedContainerOps())
    CallNames.insert(PP->getIdentifierInfo(Op.Name));
  addIdentifiers(MemberNames, *PP, {"ob_item"});
}

void UnlockedContainerAccessCheck::check(
    const MatchFinder::MatchResult &Result) {
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function")) {
    Functions.enter(*Function, SM);
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call")) {
    const FunctionDecl *Function = Functions.enclosing(Call->getBeginLoc(), SM);
    if (!Function)
      return;
    SourceLocation CalleeLoc =
        Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
    std::optional<ApiSpelling> Spelling =
        findApiSpelling(Call->getDirectCallee()->getName(), CalleeLoc,
                        CalleeLoc, isUnlockedContainerOp, context());
    if (!Spelling)
      return;
    const UnlockedContainerOp &Op = *findUnlockedContainerOp(Spelling->Name);
    if (Op.ContainerArgument < Call->getNumArgs() &&
        Seen.insert(Spelling->NameLoc).second)
      Accesses.push_back(
          {Function, *Spelling, Call->getArg(Op.ContainerArgument), Call, Call});
    return;
  }
  const auto *Member = Result.Nodes.getNodeAs<MemberExpr>("member");
  const FunctionDecl *Function = Functions.enclosing(Member->getBeginLoc(), SM);
  if (!Function)
    return;
  std::optional<ApiSpelling> Spelling =
      findApiSpelling("", SourceLocation(), Member->getMemberLoc(),
                      isUnlockedContainerOp, context());
  if (Spelling && Seen.insert(Spelling->NameLoc).second)
    Accesses.push_back(
        {Function, *Spelling, Member->getBase(), nullptr, Member});
}

void UnlockedContainerAccessCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  llvm::SmallVector<const FunctionDecl *, 8> Functions;
  for (const Access &Found : Accesses)
    Functions.push_back(Found.Function);
  llvm::SmallPtrSet<const FunctionDecl *, 8> Locked =
      Sections.onlyCalledInside(Functions, Ctx, context());
  // The sections of one function are planned together: they may merge.
  std::vector<const Access *> Reported;
  for (const Access &Found : Accesses)
    if (!Locked.count(Found.Function) && needsSection(Found))
      Reported.push_back(&Found);
  std::map<const FunctionDecl *, std::vector<const Access *>> ByFunction;
  for (const Access *Found : Reported)
    ByFunction[Found->Function].push_back(Found);
  std::map<const Access *, SectionRewrite> Planned;
  for (const auto &[Function, List] : ByFunction) {
    std::vector<ContainerAccess> Plan;
    for (const Access *Found : List)
      Plan.push_back({Found->Container, Found->Node,
                      Found->Spelling.Name == "PyDict_Next" && Found->Call});
    std::vector<SectionRewrite> Rewrites =
        planCriticalSections(Plan, *Function, Ctx);
    for (size_t I = 0; I < List.size(); ++I)
      Planned[List[I]] = std::move(Rewrites[I]);
  }
  for (const Access *Found : Reported)
    report(*Found, Planned[Found], Ctx);
  Accesses.clear();
}

bool UnlockedContainerAccessCheck::needsSection(const Access &Found) {
  const SourceManager &SM = context().getSourceManager();
  if (Sections.contains(Found.Spelling.NameLoc, SM))
    return false;
  return !Privacy
              .classify(*Found.Function, *Found.Container,
                        Found.Spelling.NameLoc, SM)
              .isPrivate();
}

void UnlockedContainerAccessCheck::report(const Access &Found,
                                          const SectionRewrite &Rewrite,
                                          ASTContext &Ctx) {
  const ApiSpelling &Spelling = Found.Spelling;
  const Expr &Container = *Found.Container;
  const SourceManager &SM = context().getSourceManager();

  const UnlockedContainerOp &Op = *findUnlockedContainerOp(Spelling.Name);
  std::string Object = spelledText(*ContainerPrivacy::stripCasts(&Container),
                                   SM, context().getLangOpts());
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
  addFix(Finding, Found, Rewrite, Ctx);
}

void UnlockedContainerAccessCheck::addFix(FindingBuilder &Finding,
                                          const Access &Found,
                                          const SectionRewrite &Rewrite,
                                          ASTContext &Ctx) {
  if (!Rewrite.ok()) {
    Finding.noFix(Rewrite.Reason);
    return;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  FileID File = SM.getFileID(SM.getExpansionLoc(Found.Node->getBeginLoc()));
  std::optional<FixItHint> Include;
  if (needsCompatHeader(context().getMinimumPython(), 3, 13)) {
    Include = compatIncludeInsertion(SM, File);
    if (!Include && !includesCompatHeader(SM, File)) {
      Finding.noFix(("MinimumPython is " + context().getMinimumPython() +
                     " and the file has no '#include <Python.h>' line after "
                     "which to include gilport_compat.h")
                        .str());
      return;
    }
  }
  for (const FixItHint &Hint : Rewrite.Hints)
    Finding.fix(Hint);
  if (Include)
    Finding.fix(*Include);
}

} // namespace gilport
