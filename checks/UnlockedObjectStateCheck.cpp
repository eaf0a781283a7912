//===--- UnlockedObjectStateCheck.cpp -------------------------------------===//

#include "checks/UnlockedObjectStateCheck.h"

#include "analysis/AstQueries.h"
#include "analysis/CallSites.h"
#include "analysis/ObjectLocking.h"
#include "analysis/ObjectStateWrites.h"
#include "checks/CheckContext.h"
#include "checks/ProjectCompat.h"
#include "checks/UnlockedAccesses.h"
#include "rewrites/CompatHeader.h"
#include "rewrites/LockHeldSplit.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

/// Whether \p Function takes a lock of its own: then it serialises its
/// callers itself, and which lock guards which field is beyond this check.
bool takesLock(const FunctionDecl &Function) {
  struct Finder : RecursiveASTVisitor<Finder> {
    bool Found = false;
    bool VisitCallExpr(CallExpr *Call) {
      Found |= llvm::is_contained(
          {"PyMutex_Lock", "_PyMutex_Lock", "PyThread_acquire_lock",
           "PyThread_acquire_lock_timed", "pthread_mutex_lock",
           "pthread_rwlock_wrlock", "pthread_spin_lock", "mtx_lock",
           "EnterCriticalSection", "AcquireSRWLockExclusive"},
          calleeName(Call));
      return !Found;
    }
  } Find;
  Find.TraverseStmt(Function.getBody());
  return Find.Found;
}

/// The functions that run with a lock held: those only called inside a
/// critical section (ExistingSections::onlyCalledInside), `*_lock_held`
/// ones, those that take a lock of their own, and, transitively, static
/// functions only called directly by such functions or inside a section
/// (the helpers of Argument Clinic's `@critical_section` `_impl`s).
llvm::SmallPtrSet<const FunctionDecl *, 8>
lockedFunctions(const ObjectStateScan &Scan, const ExistingSections &Sections,
                CallSiteIndex &Callers, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::SmallPtrSet<const FunctionDecl *, 8> Locked;
  for (const FunctionDecl *F : Sections.onlyCalledInside(Scan.Definitions, Ctx))
    Locked.insert(F->getCanonicalDecl());
  for (const FunctionDecl *F : Scan.Definitions)
    if (F->getName().ends_with("_lock_held") || takesLock(*F))
      Locked.insert(F->getCanonicalDecl());
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const FunctionDecl *F : Scan.Definitions) {
      const auto *Sites = Callers.knownCallers(*F);
      if (Locked.count(F->getCanonicalDecl()) || !Sites ||
          !llvm::all_of(*Sites, [&](const CallSiteIndex::Site &Site) {
            return Locked.count(Site.Caller->getCanonicalDecl()) ||
                   Sections.contains(Site.Call->getBeginLoc(), SM);
          }))
        continue;
      Locked.insert(F->getCanonicalDecl());
      Changed = true;
    }
  }
  return Locked;
}

} // namespace

UnlockedObjectStateCheck::UnlockedObjectStateCheck(CheckContext &Context)
    : GilportCheck("gilport-unlocked-object-state", Context),
      Containers(Context.shared<ContainerAnalysis>()) {}

void UnlockedObjectStateCheck::registerPPCallbacks(const SourceManager &,
                                                   Preprocessor *PP) {
  Containers.registerPPCallbacks(*PP);
}

void UnlockedObjectStateCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  CallSiteIndex &Callers = context().callSites();
  ObjectStateScan Scan = findObjectStateWrites(Ctx, Callers);
  const std::vector<ObjectStateWrite> &Writes = Scan.Writes;
  const ExistingSections &Sections = Containers.Sections;
  llvm::SmallPtrSet<const FunctionDecl *, 8> CalledLocked =
      lockedFunctions(Scan, Sections, Callers, Ctx);

  llvm::MapVector<const FunctionDecl *, std::vector<const ObjectStateWrite *>>
      Unlocked;
  for (const ObjectStateWrite &W : Writes) {
    const FunctionDecl *F = W.Function;
    SourceLocation At = SM.getFileLoc(W.Write->getExprLoc());
    if (CalledLocked.count(F->getCanonicalDecl()) ||
        Sections.contains(At, SM) ||
        Sections.assertsHeld(*F, W.Object->getName(), At, SM) ||
        !context().wouldReport(At, name()))
      continue;
    Unlocked[F].push_back(&W);
  }
  // The fix: every function that runs on such an object from Python and
  // uses the fields changed here holds the object's section for its whole
  // run.
  RacyFieldMap Racy;
  for (auto &[F, Found] : Unlocked)
    for (const ObjectStateWrite *W : Found)
      Racy[W->Type].insert(W->Field);
  llvm::SmallPtrSet<const FunctionDecl *, 16> Exempt = Scan.Lifecycle;
  Exempt.insert(CalledLocked.begin(), CalledLocked.end());
  ObjectLockPlan Plan =
      planObjectLocks(Scan.Definitions, Racy, Exempt, Sections, Callers, Ctx);
  Rewrite Fix = lockPlanEdits(Plan, Ctx);

  for (auto &[F, Found] : Unlocked) {
    const ObjectStateWrite &First = *Found.front();
    std::string Object = First.Object->getName().str();
    FindingBuilder Finding =
        diag(SM.getFileLoc(First.Write->getExprLoc()),
             "'" + First.Field->getName().str() + "' of the '" +
                 recordName(First.Type).str() + "' object is changed in '" +
                 F->getName().str() +
                 "' without a critical section on the object: two threads "
                 "calling it on one object at once race on the field; hold "
                 "'Py_BEGIN_CRITICAL_SECTION(" +
                 Object +
                 ")' ... 'Py_END_CRITICAL_SECTION()' around the code "
                 "that reads and changes it");
    llvm::SmallVector<const FieldDecl *, 4> Named = {First.Field};
    for (const ObjectStateWrite *W : llvm::drop_begin(Found)) {
      if (llvm::is_contained(Named, W->Field) || Named.size() >= 6)
        continue;
      Named.push_back(W->Field);
      Finding.note(SM.getFileLoc(W->Write->getExprLoc()),
                   "'" + W->Field->getName().str() + "' is changed here too");
    }
    bool Covered = Callers.knownCallers(*F) ||
                   llvm::any_of(Plan.Entries,
                                [&](const auto &E) { return E.Function == F; });
    if (!Fix.ok() || !Covered) {
      Finding.noFix(
          (Fix.ok() ? "'" + F->getName().str() + "' is never called"
                    : Fix.Reason) +
          "; hold the section by hand around everything the change depends "
          "on (a test before it, a size and the buffer it sizes), or move "
          "the body into a '" +
          F->getName().str() + "_lock_held' function called inside it");
      continue;
    }
    addFix(Finding, Plan, Fix, Ctx);
  }
}

Rewrite UnlockedObjectStateCheck::lockPlanEdits(const ObjectLockPlan &Plan,
                                                ASTContext &Ctx) {
  if (!Plan.Reason.empty())
    return Rewrite::failure(Plan.Reason);
  if (Plan.Entries.empty())
    return Rewrite::failure("no function that runs on the object from "
                            "Python was found to lock");
  Rewrite All;
  for (const ObjectLockPlan::Entry &Entry : Plan.Entries) {
    Rewrite One = splitLockHeld(*Entry.Function, Entry.Objects, Ctx);
    if (!One.ok())
      return Rewrite::failure(One.Reason);
    llvm::append_range(All.Hints, One.Hints);
  }
  return All;
}

void UnlockedObjectStateCheck::addFix(FindingBuilder &Finding,
                                      const ObjectLockPlan &Plan,
                                      const Rewrite &Fix, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  std::string Names;
  for (size_t I = 0; I < Plan.Entries.size() && I < 8; ++I)
    Names +=
        (I ? ", '" : "'") + Plan.Entries[I].Function->getName().str() + "'";
  if (Plan.Entries.size() > 8)
    Names += " and " + std::to_string(Plan.Entries.size() - 8) + " more";
  Finding.note(SourceLocation(),
               "the fix runs each function that reads or changes these "
               "fields from Python under the object's critical section, "
               "readers too (" +
                   Names +
                   "), with its body moved into a '*_lock_held' "
                   "function");
  llvm::StringRef Apis[] = {"Py_BEGIN_CRITICAL_SECTION"};
  std::string Reason =
      addFixWithCompatHeader(Fix.Hints, SM, SM.getMainFileID(),
                             {context().getMinimumPython(), 3, 13, Apis,
                              context().shared<ProjectCompat>().Definitions},
                             [&](const FixItHint &Hint) { Finding.fix(Hint); });
  if (!Reason.empty())
    Finding.noFix(Reason);
}

} // namespace gilport
