//===--- UnlockedAccesses.cpp --------------------------------------------===//

#include "checks/UnlockedAccesses.h"

#include "analysis/ContainerApis.h"
#include "analysis/ContainerPrivacy.h"
#include "analysis/ExistingSections.h"
#include "analysis/SectionSuspension.h"
#include "checks/CheckContext.h"
#include "rewrites/ItemReferences.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/Lex/Preprocessor.h"

#include <map>

namespace gilport {

using namespace clang;

namespace {

bool isUnlockedContainerOp(llvm::StringRef Name) {
  return findUnlockedContainerOp(Name) != nullptr;
}

} // namespace

void UnlockedAccesses::addNames(Preprocessor &PP, IdentifierSet &CallNames,
                                IdentifierSet &MemberNames) {
  for (const UnlockedContainerOp &Op : unlockedContainerOps())
    CallNames.insert(PP.getIdentifierInfo(Op.Name));
  addIdentifiers(MemberNames, PP, {"ob_item"});
}

void UnlockedAccesses::recordCall(const CallExpr &Call,
                                  const FunctionDecl &Function,
                                  CheckContext &Context) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || !Callee->getIdentifier())
    return;
  SourceLocation CalleeLoc =
      Call.getCallee()->IgnoreParenImpCasts()->getExprLoc();
  std::optional<ApiSpelling> Spelling = findApiSpelling(
      Callee->getName(), CalleeLoc, CalleeLoc, isUnlockedContainerOp, Context);
  if (!Spelling)
    return;
  const UnlockedContainerOp &Op = *findUnlockedContainerOp(Spelling->Name);
  if (Op.ContainerArgument < Call.getNumArgs() &&
      Seen.insert(Spelling->NameLoc).second)
    Recorded.push_back({&Function,
                        *Spelling,
                        Call.getArg(Op.ContainerArgument),
                        &Call,
                        &Call,
                        {}});
}

void UnlockedAccesses::recordMember(const MemberExpr &Member,
                                    const FunctionDecl &Function,
                                    CheckContext &Context) {
  std::optional<ApiSpelling> Spelling =
      findApiSpelling("", SourceLocation(), Member.getMemberLoc(),
                      isUnlockedContainerOp, Context);
  if (Spelling && Seen.insert(Spelling->NameLoc).second)
    Recorded.push_back(
        {&Function, *Spelling, Member.getBase(), nullptr, &Member, {}});
}

std::vector<UnlockedAccesses::Access>
UnlockedAccesses::finish(ASTContext &Ctx, const ExistingSections &Sections,
                         ContainerPrivacy &Privacy, CheckContext &Context) {
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::SmallVector<const FunctionDecl *, 8> Functions;
  for (const Access &Found : Recorded)
    Functions.push_back(Found.Function);
  llvm::SmallPtrSet<const FunctionDecl *, 8> Locked =
      Sections.onlyCalledInside(Functions, Ctx);
  std::vector<Access> Needed;
  SectionSuspension Suspensions;
  for (Access &Found : Recorded) {
    bool Guarded = (Locked.count(Found.Function) &&
                    ExistingSections::handedInByCaller(*Found.Container)) ||
                   Sections.contains(Found.Spelling.NameLoc, SM);
    auto Private = [&] {
      return Privacy
          .classify(*Found.Function, *Found.Container, Found.Spelling.NameLoc,
                    SM)
          .isPrivate();
    };
    if (!Guarded) {
      if (!Private())
        Needed.push_back(std::move(Found));
      continue;
    }
    // The section guards the key and value only while it is not suspended.
    if (Found.Spelling.Name == "PyDict_Next" && Found.Call && !Private())
      if (std::optional<SuspendedIteration> Hazard =
              suspendedIteration(*Found.Call, Suspensions, Ctx)) {
        Found.Section = Hazard->Fix;
        SuspendedLoops.push_back({std::move(Found), std::move(*Hazard)});
      }
  }
  Recorded.clear();
  // The sections of one function are planned together: they may merge.
  std::map<const FunctionDecl *, std::vector<size_t>> ByFunction;
  for (size_t I = 0; I < Needed.size(); ++I)
    ByFunction[Needed[I].Function].push_back(I);
  for (const auto &[Function, Indices] : ByFunction) {
    std::vector<ContainerAccess> Plan;
    for (size_t I : Indices)
      Plan.push_back(
          {Needed[I].Container, Needed[I].Node,
           Needed[I].Spelling.Name == "PyDict_Next" && Needed[I].Call});
    std::vector<Rewrite> Rewrites = planCriticalSections(Plan, *Function, Ctx);
    for (size_t K = 0; K < Indices.size(); ++K)
      Needed[Indices[K]].Section = std::move(Rewrites[K]);
  }
  return Needed;
}

char ContainerAnalysis::ID;

ContainerAnalysis::ContainerAnalysis(CheckContext &Context)
    : Privacy(Context.callSites(), Context.initOnlyFields()), Context(Context) {
}

void ContainerAnalysis::registerPPCallbacks(Preprocessor &PP) {
  if (CallbacksRegistered)
    return;
  CallbacksRegistered = true;
  Sections.recordFrom(PP);
}

const std::vector<UnlockedAccesses::Access> &
ContainerAnalysis::unlockedAccesses(ASTContext &Ctx) {
  if (!Needed)
    Needed = Accesses.finish(Ctx, Sections, Privacy, Context);
  return *Needed;
}

const std::vector<UnlockedAccesses::Suspended> &
ContainerAnalysis::suspendedIterations(ASTContext &Ctx) {
  unlockedAccesses(Ctx);
  return Accesses.suspendedLoops();
}

} // namespace gilport
