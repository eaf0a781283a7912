//===--- BorrowedRefCheck.cpp - gilport-borrowed-ref ----------------------===//

#include "checks/BorrowedRefCheck.h"
#include "checks/ProjectCompat.h"

#include "analysis/AstQueries.h"
#include "analysis/BorrowedApis.h"
#include "analysis/CallSites.h"
#include "analysis/MacroLocations.h"
#include "analysis/Matchers.h"
#include "analysis/NewReferences.h"
#include "analysis/Parents.h"
#include "rewrites/BorrowedToStrong.h"
#include "rewrites/CompatHeader.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

constexpr CheckOptionInfo Options[] = {
    {"ReportPrivateContainers", "false",
     "Also report borrowing from a container no other thread can change: "
     "created by the function and not shared yet, a tuple, a private "
     "container passed to a static function, a field only filled while "
     "the module initialises, or one of a struct that only lives on the "
     "stack of one call."},
};

constexpr llvm::StringLiteral UnlockedContainerAccessName =
    "gilport-unlocked-container-access";

bool isBorrowedApi(llvm::StringRef Name) {
  return findBorrowedApi(Name) != nullptr;
}

/// Whether \p E is the address of one of the interpreter's immortal
/// singletons (`Py_None`, `Py_True`, `Py_False`, `Py_Ellipsis`,
/// `Py_NotImplemented`): no freed object can ever be at that address.
bool isSingletonAddress(const Expr *E) {
  const auto *AddrOf = dyn_cast<UnaryOperator>(E->IgnoreParenCasts());
  if (!AddrOf || AddrOf->getOpcode() != UO_AddrOf)
    return false;
  const auto *Ref =
      dyn_cast<DeclRefExpr>(AddrOf->getSubExpr()->IgnoreParenImpCasts());
  if (!Ref || !Ref->getDecl()->getIdentifier())
    return false;
  llvm::StringRef Name = Ref->getDecl()->getName();
  return Name == "_Py_NoneStruct" || Name == "_Py_TrueStruct" ||
         Name == "_Py_FalseStruct" || Name == "_Py_EllipsisObject" ||
         Name == "_Py_NotImplementedStruct";
}

/// Whether the result of a borrowed call (or the item a macro read from
/// `->ob_item[i]`) is only compared with NULL, tested for truth or thrown
/// away: `if (PyDict_GetItemString(d, "x") == NULL)`, `assert(...)`. The
/// pointer is never stored, passed on or dereferenced, so freeing the object
/// afterwards cannot hurt. With \p Singletons, a comparison with `Py_None`
/// and the other immortal singletons counts too (`found != Py_None`); not
/// for weak references, where it is the liveness test 3.13 replaced with
/// PyWeakref_GetRef, and the API is deprecated.
bool isOnlyTestedForNull(const Expr *Node, ASTContext &Ctx,
                         bool Singletons = false) {
  DynTypedNode Current = DynTypedNode::create(*Node);
  const Stmt *Child = Node;
  if (isa<MemberExpr>(Node)) {
    // `->ob_item` is the array; the value is the subscript around it.
    const ArraySubscriptExpr *Subscript = nullptr;
    for (unsigned Depth = 0; Depth < 4 && !Subscript; ++Depth) {
      auto Parents = parentsOf(Current, Ctx);
      if (Parents.size() != 1)
        return false;
      Current = Parents[0];
      Subscript = Current.get<ArraySubscriptExpr>();
      if (!Subscript && !Current.get<ImplicitCastExpr>() &&
          !Current.get<ParenExpr>())
        return false;
    }
    if (!Subscript)
      return false;
    Child = Subscript;
  }
  for (;;) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.size() != 1)
      return false;
    Current = Parents[0];
    const auto *Parent = Current.get<Stmt>();
    if (!Parent)
      return false;
    if (const auto *Cast = dyn_cast<CastExpr>(Parent)) {
      if (Cast->getCastKind() == CK_ToVoid)
        return true;
      Child = Parent;
      continue;
    }
    if (isa<ParenExpr>(Parent)) {
      Child = Parent;
      continue;
    }
    if (const auto *Op = dyn_cast<BinaryOperator>(Parent)) {
      if (Op->isEqualityOp()) {
        const Expr *Other = Op->getLHS() == Child ? Op->getRHS() : Op->getLHS();
        return Other->IgnoreParenCasts()->isNullPointerConstant(
                   Ctx, Expr::NPC_ValueDependentIsNotNull) ||
               (Singletons && isSingletonAddress(Other));
      }
      return Op->isLogicalOp() ||
             (Op->getOpcode() == BO_Comma && Op->getLHS() == Child);
    }
    if (const auto *Op = dyn_cast<UnaryOperator>(Parent))
      return Op->getOpcode() == UO_LNot;
    if (const auto *If = dyn_cast<IfStmt>(Parent))
      return If->getCond() == Child;
    if (const auto *While = dyn_cast<WhileStmt>(Parent))
      return While->getCond() == Child;
    if (const auto *Do = dyn_cast<DoStmt>(Parent))
      return Do->getCond() == Child;
    if (const auto *For = dyn_cast<ForStmt>(Parent))
      return For->getCond() == Child;
    if (const auto *Conditional = dyn_cast<ConditionalOperator>(Parent))
      return Conditional->getCond() == Child;
    // Not evaluated: sizeof, and glibc's assert() has one.
    return isa<UnaryExprOrTypeTraitExpr>(Parent);
  }
}

/// Whether the result of \p Call is stored in a local variable that the
/// function only assigns and compares with NULL (`found = call; if (found !=
/// NULL) return result;`): as with a direct test, the pointer is never used.
bool isStoredOnlyForNullTests(const Expr *Node, const FunctionDecl &Function,
                              ASTContext &Ctx, bool Singletons) {
  const auto *Call = dyn_cast<CallExpr>(Node);
  const VarDecl *Local = Call ? storedInLocal(Call, Ctx) : nullptr;
  if (!Local || !Function.getBody())
    return false;
  for (const DeclRefExpr *Mention : referencesTo(*Local, Function.getBody())) {
    auto Parents = parentsOf(*Mention, Ctx);
    const auto *Assign =
        Parents.size() == 1 ? Parents[0].get<BinaryOperator>() : nullptr;
    if (Assign && Assign->getOpcode() == BO_Assign &&
        Assign->getLHS() == Mention)
      continue;
    if (!isOnlyTestedForNull(Mention, Ctx, Singletons))
      return false;
  }
  return true;
}

/// The name of the variable a container expression belongs to.
std::string ownerRoot(const Expr *Container) {
  const VarDecl *Root = containerRoot(Container);
  return Root ? Root->getName().str() : std::string();
}

} // namespace

BorrowedRefCheck::BorrowedRefCheck(CheckContext &Context)
    : GilportCheck("gilport-borrowed-ref", Context),
      ReportPrivateContainers(boolOption("ReportPrivateContainers")),
      Containers(Context.shared<ContainerAnalysis>()) {}

llvm::ArrayRef<CheckOptionInfo> BorrowedRefCheck::options() { return Options; }

void BorrowedRefCheck::registerMatchers(MatchFinder *Finder) {
  // Narrow matchers, dispatched by node kind during MatchFinder's single
  // traversal. Macros that wrap a static inline function of the same name are
  // calls of it; the others are recognised by the member access they expand
  // to: PyList_GET_ITEM to `->ob_item[i]`, PyCell_GET (3.11) to `->ob_ref`.
  matchers::addApiUseMatchers(*Finder, this, &context(), &CallNames,
                              &MemberNames);
}

void BorrowedRefCheck::registerPPCallbacks(const SourceManager &,
                                           Preprocessor *PP) {
  Containers.registerPPCallbacks(*PP);
  for (const BorrowedApi &Api : borrowedApis())
    CallNames.insert(PP->getIdentifierInfo(Api.Name));
  addIdentifiers(CallNames, *PP, NewRefFunctions);
  addIdentifiers(MemberNames, *PP, {"ob_item", "ob_ref"});
  UnlockedAccesses::addNames(*PP, CallNames, MemberNames);
}

void BorrowedRefCheck::check(const MatchFinder::MatchResult &Result) {
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function")) {
    Functions.enter(*Function, SM);
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call")) {
    const FunctionDecl *Function = Functions.enclosing(Call->getBeginLoc(), SM);
    if (!Function)
      return;
    Containers.recordCall(*Call, *Function);
    llvm::StringRef CalleeName = Call->getDirectCallee()->getName();
    if (llvm::is_contained(NewRefFunctions, CalleeName)) {
      // For the note; findings are made at the end of the translation unit.
      if (Call->getNumArgs() == 1)
        NewRefArguments[stripCasts(Call->getArg(0))->getBeginLoc()] =
            Call->getBeginLoc();
      return;
    }
    SourceLocation CalleeLoc =
        Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
    std::optional<ApiSpelling> Spelling = findApiSpelling(
        CalleeName, CalleeLoc, CalleeLoc, isBorrowedApi, context());
    if (!Spelling)
      return;
    const BorrowedApi *Api = findBorrowedApi(Spelling->Name);
    const Expr *Owner = nullptr;
    if (Api->OwnerArgument >= 0 &&
        static_cast<unsigned>(Api->OwnerArgument) < Call->getNumArgs())
      Owner = Call->getArg(Api->OwnerArgument);
    if (Seen.insert(Spelling->NameLoc).second)
      Uses.push_back({Function, *Spelling, Owner, Call});
    return;
  }
  const auto *Member = Result.Nodes.getNodeAs<MemberExpr>("member");
  const FunctionDecl *Function = Functions.enclosing(Member->getBeginLoc(), SM);
  if (!Function)
    return;
  Containers.recordMember(*Member, *Function);
  std::optional<ApiSpelling> Spelling = findApiSpelling(
      "", SourceLocation(), Member->getMemberLoc(), isBorrowedApi, context());
  if (Spelling && Seen.insert(Spelling->NameLoc).second)
    Uses.push_back({Function, *Spelling, Member->getBase(), Member});
}

void BorrowedRefCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  for (const UnlockedAccesses::Access &Access :
       Containers.unlockedAccesses(Ctx))
    SectionFixes[Access.Spelling.NameLoc] = Access.Section;
  llvm::SmallVector<const FunctionDecl *, 8> WithContainers;
  for (const Use &Found : Uses)
    if (Found.Owner &&
        findBorrowedApi(Found.Spelling.Name)->isOwnedByContainer())
      WithContainers.push_back(Found.Function);
  llvm::SmallPtrSet<const FunctionDecl *, 8> Locked =
      Containers.Sections.onlyCalledInside(WithContainers, Ctx);
  // Another walk of the unit, only wanted for PyState_FindModule.
  Modules = llvm::any_of(Uses,
                         [](const Use &Found) {
                           return findBorrowedApi(Found.Spelling.Name)->Owner ==
                                  BorrowOwner::InterpreterModules;
                         })
                ? FoundModules::analyze(Ctx)
                : FoundModules();
  // A function's rewrites depend on each other and on nothing outside it:
  // settle and report one function at a time, all of it within one parent
  // scope (the uses come function by function; keep them so).
  llvm::DenseMap<const FunctionDecl *, size_t> FirstUse;
  for (size_t I = 0; I < Uses.size(); ++I)
    FirstUse.try_emplace(Uses[I].Function, I);
  llvm::stable_sort(Uses, [&](const Use &A, const Use &B) {
    return FirstUse[A.Function] < FirstUse[B.Function];
  });
  Converted.clear();
  StrongRewrites.clear();
  for (size_t Begin = 0, End; Begin < Uses.size(); Begin = End) {
    const FunctionDecl *Function = Uses[Begin].Function;
    for (End = Begin + 1; End < Uses.size() && Uses[End].Function == Function;
         ++End)
      ;
    ParentScope Scope(*Function, Ctx);
    llvm::ArrayRef<Use> OfFunction(Uses.data() + Begin, End - Begin);
    bool LockedByCallers = Locked.count(Function);
    findConverted(OfFunction, LockedByCallers, Ctx);
    if (!context().callSites().neverRunsHere(*Function))
      for (const Use &Found : OfFunction)
        report(Found, LockedByCallers, Ctx);
  }
  Uses.clear();
  SectionFixes.clear();
  Converted.clear();
  StrongRewrites.clear();
  ReportedUses.clear();
}

bool BorrowedRefCheck::isReported(const Use &Found, bool LockedByCallers,
                                  ASTContext &Ctx,
                                  PrivacyVerdict &Verdict) const {
  // Both askers pass the same LockedByCallers for a use.
  auto Known = ReportedUses.find(&Found);
  if (Known == ReportedUses.end()) {
    PrivacyVerdict Computed;
    bool Reported = computeIsReported(Found, LockedByCallers, Ctx, Computed);
    Known = ReportedUses.try_emplace(&Found, Reported, Computed).first;
  }
  Verdict = Known->second.second;
  return Known->second.first;
}

bool BorrowedRefCheck::computeIsReported(const Use &Found, bool LockedByCallers,
                                         ASTContext &Ctx,
                                         PrivacyVerdict &Verdict) const {
  const ApiSpelling &Spelling = Found.Spelling;
  const BorrowedApi &Api = *findBorrowedApi(Spelling.Name);
  const SourceManager &SM = Ctx.getSourceManager();
  // A module the init function hands back on a re-import is never dropped
  // from the interpreter's list while it runs.
  if (Api.Owner == BorrowOwner::InterpreterModules) {
    const auto *Call = dyn_cast<CallExpr>(Found.Node);
    if (Call && Call->getNumArgs() == 1 &&
        Modules.keptForInterpreterLife(namedVariable(Call->getArg(0))))
      return false;
  }
  if (Api.isOwnedByContainer() && Found.Owner) {
    // Holding the container's lock keeps its items alive; so does the lock
    // of the object the container belongs to, when the function asserts
    // that its callers hold it, or only runs under its callers' section and
    // the container is one its caller handed it (`self->memo`), not one it
    // found itself (`sys.argv`).
    bool InSection = Containers.Sections.contains(Spelling.NameLoc, SM);
    if (InSection ||
        (LockedByCallers && ExistingSections::handedInByCaller(*Found.Owner)) ||
        Containers.Sections.assertsHeld(*Found.Function, ownerRoot(Found.Owner),
                                        Spelling.NameLoc, SM)) {
      // Only until a call that can suspend the section.
      std::optional<Suspender> Suspended =
          suspendedSection(Found, /*WholeFunction=*/!InSection, Ctx);
      if (!Suspended)
        return false;
      SuspendedUses[&Found] = std::move(*Suspended);
      return true;
    }
    Verdict = Containers.Privacy.classify(*Found.Function, *Found.Owner,
                                          Spelling.NameLoc, SM);
    if (Verdict.isPrivate() && !ReportPrivateContainers)
      return false;
  }
  // A set-default call also inserts, and its Ref replacement with a NULL
  // result pointer is a drop-in swap (CPython 3.13 made it in pyexpat.c):
  // its NULL tests are still reported, for the fix.
  return Api.Contract == ReplacementContract::SetDefaultOutParameter ||
         !(isOnlyTestedForNull(Found.Node, Ctx, Api.isOwnedByContainer()) ||
           isStoredOnlyForNullTests(Found.Node, *Found.Function, Ctx,
                                    Api.isOwnedByContainer()));
}

std::optional<Suspender>
BorrowedRefCheck::suspendedSection(const Use &Found, bool WholeFunction,
                                   ASTContext &Ctx) const {
  const auto *Call = dyn_cast<CallExpr>(Found.Node);
  if (!Call)
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  return Suspensions.heldAcross(
      *Call, *Found.Function, Ctx,
      [&](const DeclRefExpr &Ref) {
        return !isOnlyTestedForNull(&Ref, Ctx, /*Singletons=*/true);
      },
      [&](SourceLocation Loc) {
        return WholeFunction || Containers.Sections.contains(Loc, SM);
      });
}

void BorrowedRefCheck::reportSuspended(const Use &Found,
                                       const Suspender &Suspended) {
  const BorrowedApi &Api = *findBorrowedApi(Found.Spelling.Name);
  const SourceManager &SM = context().getSourceManager();
  std::string Callee = Suspended.spelledName(SM, context().getLangOpts());
  FindingBuilder Finding =
      diag(Found.Spelling.NameLoc,
           ("'" + Api.Name +
            "' returns a borrowed reference that the critical "
            "section guards only until '" +
            Callee + "', which " + Suspended.Reason +
            ": the section is suspended meanwhile, and "
            "another thread can remove and free the object")
               .str());
  addMacroExpansionNotes(Finding, Found.Spelling.NameLoc, SM,
                         context().getLangOpts());
  Finding.note(Suspended.Call->getBeginLoc(),
               "the critical section can be suspended here");
  std::string Take =
      Api.Replacement.empty()
          ? std::string("take a strong reference")
          : "take the object with '" + Api.Replacement.str() + "'";
  Finding.noFix(Take + " inside the section, before '" + Callee +
                "', and release it after its last use; the strong-reference "
                "rewrite is not made inside a critical section, whose error "
                "paths must end it");
}

void BorrowedRefCheck::report(const Use &Found, bool LockedByCallers,
                              ASTContext &Ctx) {
  const ApiSpelling &Spelling = Found.Spelling;
  const BorrowedApi &Api = *findBorrowedApi(Spelling.Name);
  const SourceManager &SM = context().getSourceManager();
  PrivacyVerdict Verdict;
  if (!isReported(Found, LockedByCallers, Ctx, Verdict))
    return;
  if (auto Suspended = SuspendedUses.find(&Found);
      Suspended != SuspendedUses.end()) {
    reportSuspended(Found, Suspended->second);
    return;
  }
  // One hazard, one finding: an item read of a shared list that
  // gilport-unlocked-container-access reports at the same place is reported
  // there, with a note for this check; its section fixes both.
  if (Api.isOwnedByContainer() && SectionFixes.count(Spelling.NameLoc) &&
      context().isEnabled(UnlockedContainerAccessName) &&
      context().wouldReport(Spelling.NameLoc, UnlockedContainerAccessName))
    return;

  FindingBuilder Finding =
      diag(Spelling.NameLoc, ("'" + Api.Name +
                              "' returns a borrowed reference that another "
                              "thread can invalidate; " +
                              replacementAdvice(Api))
                                 .str());
  addMacroExpansionNotes(Finding, Spelling.NameLoc, SM,
                         context().getLangOpts());
  // A macro's item access starts where its call-like spelling does.
  auto NewRef = NewRefArguments.find(Found.Node->getBeginLoc());
  if (NewRef != NewRefArguments.end())
    Finding.note(NewRef->second,
                 "taking a strong reference right after the call does not "
                 "help: another thread can free the object before the "
                 "increment");
  std::string Contract = replacementContractNote(Api);
  if (!Contract.empty())
    Finding.note(SourceLocation(), Contract);
  if (Verdict.isPrivate()) {
    SourceLocation Where = Verdict.Creator    ? Verdict.Creator->getBeginLoc()
                           : Verdict.Variable ? Verdict.Variable->getLocation()
                                              : Verdict.FilledAt;
    Finding.note(Where, Verdict.explanation());
  }
  addFix(Finding, Found, Ctx);
}

llvm::SmallVector<const VarDecl *, 4>
BorrowedRefCheck::convertedBesides(const FunctionDecl *Function,
                                   const VarDecl *Own) const {
  llvm::SmallVector<const VarDecl *, 4> Others;
  auto Known = Converted.find(Function);
  if (Known != Converted.end())
    for (const VarDecl *Var : Known->second)
      if (Var != Own)
        Others.push_back(Var);
  llvm::sort(Others);
  return Others;
}

Rewrite BorrowedRefCheck::strongRewrite(const Use &Found, ASTContext &Ctx,
                                        const VarDecl **Holder) {
  auto Known = StrongRewrites.find(&Found);
  if (Known == StrongRewrites.end() ||
      Known->second.Others !=
          convertedBesides(Found.Function, Known->second.Holder)) {
    const VarDecl *Computed = nullptr;
    Rewrite Result = computeStrongRewrite(Found, Ctx, &Computed);
    Known =
        StrongRewrites
            .insert_or_assign(
                &Found,
                RememberedRewrite{convertedBesides(Found.Function, Computed),
                                  std::move(Result), Computed})
            .first;
  }
  if (Holder)
    *Holder = Known->second.Holder;
  return Known->second.Result;
}

Rewrite BorrowedRefCheck::computeStrongRewrite(const Use &Found,
                                               ASTContext &Ctx,
                                               const VarDecl **Holder) {
  const BorrowedApi &Api = *findBorrowedApi(Found.Spelling.Name);
  std::optional<StrongCallForm> Form;
  switch (Api.Contract) {
  case ReplacementContract::SameArgumentsNewReference:
    // The replacements that keep the borrowed API's error contract.
    if (Api.Name == "PyList_GetItem" || Api.Name == "PyImport_AddModule")
      Form = StrongCallForm::SameArguments;
    break;
  case ReplacementContract::LookupOutParameter:
    // PyDict_GetItemWithError and CPython's private ...WithError lookups
    // report errors as NULL with an exception, as the replacement does.
    if (Api.Name.ends_with("WithError"))
      Form = StrongCallForm::LookupReportingErrors;
    else if (Api.Owner == BorrowOwner::Dict)
      Form = StrongCallForm::LookupSwallowingErrors;
    break;
  case ReplacementContract::WeakrefOutParameter:
    Form = StrongCallForm::Weakref;
    break;
  case ReplacementContract::SetDefaultOutParameter:
    Form = StrongCallForm::SetDefault;
    break;
  default:
    break;
  }
  if (!Form)
    return Rewrite::failure(!Api.NoFixReason.empty()
                                ? Api.NoFixReason.str()
                                : ("no automatic fix for '" + Api.Name +
                                   "': its replacement has a different "
                                   "contract")
                                      .str());
  const auto *Call = dyn_cast<CallExpr>(Found.Node);
  if (Api.IsMacro || !Call)
    return Rewrite::failure(("'" + Api.Name +
                             "' is a macro; only calls of functions are "
                             "rewritten")
                                .str());
  const SourceManager &SM = Ctx.getSourceManager();
  if (SM.getFileLoc(Found.Spelling.NameLoc) !=
          SM.getExpansionLoc(Found.Spelling.NameLoc) ||
      Found.Spelling.NameLoc.isMacroID())
    return Rewrite::failure("the call is spelled through a macro");
  auto Others = Converted.find(Found.Function);
  return rewriteBorrowedCall(
      *Call, *Found.Function, Api.Replacement, *Form, Ctx,
      context().initOnlyFields(),
      Others == Converted.end() ? nullptr : &Others->second, Holder);
}

bool BorrowedRefCheck::takesStrongRewrite(const Use &Found,
                                          bool LockedByCallers,
                                          ASTContext &Ctx) {
  PrivacyVerdict Verdict;
  if (context().callSites().neverRunsHere(*Found.Function) ||
      !isReported(Found, LockedByCallers, Ctx, Verdict) ||
      SuspendedUses.count(&Found))
    return false;
  const BorrowedApi &Api = *findBorrowedApi(Found.Spelling.Name);
  auto Section = SectionFixes.find(Found.Spelling.NameLoc);
  if (Api.isOwnedByContainer() && Section != SectionFixes.end() &&
      Section->second.ok())
    return false;
  // The include of gilport_compat.h, which the fix needs, must be possible.
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::StringRef Apis[] = {Api.Replacement};
  return addFixWithCompatHeader(
             {}, SM,
             SM.getFileID(SM.getExpansionLoc(Found.Node->getBeginLoc())),
             {context().getMinimumPython(), Api.ReplacementAddedIn.Major,
              Api.ReplacementAddedIn.Minor, Apis,
              context().shared<ProjectCompat>().Definitions},
             [](const FixItHint &) {})
      .empty();
}

void BorrowedRefCheck::findConverted(llvm::ArrayRef<Use> OfFunction,
                                     bool LockedByCallers, ASTContext &Ctx) {
  // Start from every rewrite that succeeds alone and will be applied; drop
  // the variable of each rewrite that fails once the others are known,
  // until nothing changes (each round only removes).
  std::vector<std::pair<const Use *, const VarDecl *>> Holders;
  for (const Use &Found : OfFunction) {
    const VarDecl *Holder = nullptr;
    if (takesStrongRewrite(Found, LockedByCallers, Ctx) &&
        strongRewrite(Found, Ctx, &Holder).ok() && Holder)
      Holders.push_back({&Found, Holder});
  }
  for (const auto &[Found, Holder] : Holders)
    Converted[Found->Function].insert(Holder);
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const auto &[Found, Holder] : Holders)
      if (Converted[Found->Function].count(Holder) &&
          !strongRewrite(*Found, Ctx).ok()) {
        Converted[Found->Function].erase(Holder);
        Changed = true;
      }
  }
}

void BorrowedRefCheck::addFix(FindingBuilder &Finding, const Use &Found,
                              ASTContext &Ctx) {
  const BorrowedApi &Api = *findBorrowedApi(Found.Spelling.Name);
  // An item read that the container's critical section will guard (the
  // fix of gilport-unlocked-container-access): the lock keeps the item
  // alive while the section uses it, so the same edits fix this finding.
  auto Section = SectionFixes.find(Found.Spelling.NameLoc);
  if (Api.isOwnedByContainer() && Section != SectionFixes.end() &&
      Section->second.ok()) {
    const SourceManager &SM = Ctx.getSourceManager();
    FileID File = SM.getFileID(SM.getExpansionLoc(Found.Spelling.NameLoc));
    llvm::StringRef Apis[] = {"Py_BEGIN_CRITICAL_SECTION"};
    std::string Reason = addFixWithCompatHeader(
        Section->second.Hints, SM, File,
        {context().getMinimumPython(), 3, 13, Apis,
         context().shared<ProjectCompat>().Definitions},
        [&](const FixItHint &Hint) { Finding.fix(Hint); });
    if (!Reason.empty())
      Finding.noFix(Reason);
    return;
  }
  Rewrite Strong = strongRewrite(Found, Ctx);
  if (!Strong.ok()) {
    Finding.noFix(Strong.Reason);
    return;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *Call = cast<CallExpr>(Found.Node);
  llvm::StringRef Apis[] = {Api.Replacement};
  std::string Reason = addFixWithCompatHeader(
      Strong.Hints, SM, SM.getFileID(SM.getExpansionLoc(Call->getBeginLoc())),
      {context().getMinimumPython(), Api.ReplacementAddedIn.Major,
       Api.ReplacementAddedIn.Minor, Apis,
       context().shared<ProjectCompat>().Definitions},
      [&](const FixItHint &Hint) { Finding.fix(Hint); });
  if (!Reason.empty())
    Finding.noFix(Reason);
}

} // namespace gilport
