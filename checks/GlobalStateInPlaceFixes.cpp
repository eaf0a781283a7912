//===--- GlobalStateInPlaceFixes.cpp --------------------------------------===//
//
// GlobalStateScan's fixes that end a race where the variable is: a PyMutex
// around first-use fills (rewrites/LazyInitLock.h) or under which they are
// published (rewrites/PublishFill.h, in place or by an accessor for a
// file-scope pointer), and tables filled under
// a flag made per call or locked (rewrites/PerCallTables.h), and tables
// that init code fills with constants, initialised statically instead
// (rewrites/ConstantTableInit.h), and C API pointers taken from a capsule,
// stored once under a PyMutex (rewrites/CapsulePointerOnce.h). They are the
// fix whatever the options: module state does not end a race between the
// module's threads.
//
//===----------------------------------------------------------------------===//

#include "checks/GlobalStateScan.h"

#include "analysis/AstQueries.h"
#include "analysis/CapsulePointers.h"
#include "analysis/ConstantTables.h"
#include "checks/ProjectCompat.h"
#include "rewrites/CapsulePointerOnce.h"
#include "rewrites/CompatHeader.h"
#include "rewrites/ConstantTableInit.h"
#include "rewrites/LazyInitLock.h"
#include "rewrites/PerCallTables.h"
#include "rewrites/PublishFill.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/MapVector.h"

#include <map>

namespace gilport {

using namespace clang;

std::string GlobalStateScan::inPlaceFailure(const Candidate &Found,
                                            llvm::StringRef Reason,
                                            bool Nor) const {
  if (CapsulePointers.count(Found.Var))
    return (Nor ? "; nor are its stores made once under a lock: "
                : "its stores are not made once under a lock "
                  "automatically: ") +
           Reason.str();
  if (Found.Cache)
    return (Nor ? "; nor is its fill fixed where it is: "
                : "its fill is not fixed automatically: ") +
           Reason.str();
  return (Nor ? "; nor is its first-use fill guarded by a lock: "
              : "its first-use fill is not guarded by a lock "
                "automatically: ") +
         Reason.str();
}

std::string GlobalStateScan::Candidate::inPlaceReason() const {
  // A fill that a lock cannot guard may still be published under one.
  if (Publish && !SharedByInterpreters)
    return Publish->Reason;
  if (Lazy && !SharedByInterpreters)
    return Lazy->Reason;
  if (PublishGlobal && PublishGlobal->FillSeen && !SharedByInterpreters)
    return PublishGlobal->Reason;
  if (Cache && Cache->FlagFound)
    return Cache->Reason;
  return {};
}

void GlobalStateScan::addLazyFillFixes(ASTContext &Ctx) {
  // Racing first-use fills, by block, then by the `if` that fills them (one
  // `if` may fill several variables).
  llvm::DenseMap<const CompoundStmt *,
                 std::map<const IfStmt *, std::vector<const VarDecl *>>>
      ByBlock;
  for (const Candidate &Found : Candidates)
    if (!Found.SharedByInterpreters && Found.RunTimeWrite && Found.Lazy &&
        Found.Lazy->Fill &&
        Context.wouldReport(Found.Var->getLocation(), CheckName))
      ByBlock[Found.Lazy->Block][Found.Lazy->Fill].push_back(Found.Var);
  for (const Candidate &Found : Candidates)
    if (!Found.SharedByInterpreters && Found.RunTimeWrite && Found.Publish &&
        Found.Publish->Fill &&
        Context.wouldReport(Found.Var->getLocation(), CheckName))
      InPlaceFixes[Found.Var] = publishFill(*Found.Publish, *Found.Var, Ctx);
  for (const Candidate &Found : Candidates)
    if (!Found.SharedByInterpreters && Found.RunTimeWrite &&
        Found.PublishGlobal && !Found.PublishGlobal->Fills.empty() &&
        Context.wouldReport(Found.Var->getLocation(), CheckName))
      InPlaceFixes[Found.Var] =
          publishGlobalFill(*Found.PublishGlobal, *Found.Var, Ctx);
  for (auto &[Block, ByFill] : ByBlock) {
    std::vector<std::pair<long, const IfStmt *>> Ordered;
    for (const auto &Entry : ByFill)
      Ordered.push_back(
          {llvm::find(Block->body(), Entry.first) - Block->body_begin(),
           Entry.first});
    llvm::sort(Ordered);
    // Adjacent fills share one lock.
    for (size_t Start = 0; Start < Ordered.size();) {
      size_t End = Start + 1;
      while (End < Ordered.size() &&
             Ordered[End].first == Ordered[End - 1].first + 1)
        ++End;
      std::vector<const IfStmt *> Fills;
      std::vector<const VarDecl *> Vars;
      for (size_t I = Start; I < End; ++I) {
        Fills.push_back(Ordered[I].second);
        for (const VarDecl *Var : ByFill[Ordered[I].second])
          Vars.push_back(Var);
      }
      Rewrite Lock = lockLazyFills(Fills, Vars, Ctx);
      for (const VarDecl *Var : Vars)
        InPlaceFixes[Var] = Lock;
      Start = End;
    }
  }
}

void GlobalStateScan::addTableFillFixes(ASTContext &Ctx) {
  llvm::MapVector<const IfStmt *, std::vector<const Candidate *>> ByFill;
  for (const Candidate &Found : Candidates)
    if (Found.RunTimeWrite && Found.Cache && Found.Cache->found() &&
        Context.wouldReport(Found.Var->getLocation(), CheckName))
      ByFill[Found.Cache->Fill].push_back(&Found);
  for (auto &[Fill, Group] : ByFill) {
    const StaticCache &Cache = *Group.front()->Cache;
    std::vector<const VarDecl *> Vars(Cache.Tables);
    Vars.push_back(Cache.Flag);
    // A static of the fill that is not a finding here (suppressed, or
    // found safe) would be changed without a word.
    Rewrite Fix;
    if (Group.size() != Vars.size())
      Fix = Rewrite::failure("not every static the fill writes is reported");
    else if (Cache.Kind == StaticCache::FlagKind::Key)
      Fix = fillTablesPerCall(Cache, Ctx);
    else
      Fix = lockLazyFills({Fill}, Vars, Ctx, Cache.Tables.front());
    for (const Candidate *Found : Group)
      InPlaceFixes[Found->Var] = Fix;
  }
}

void GlobalStateScan::addConstantTableFixes(ASTContext &Ctx) {
  // Only tables written while the module initialises: a fill at run time
  // may be read, or tested, before it (analysis/StaticCaches.h).
  for (const Candidate &Found : Candidates)
    if (Found.Kind == StaticStateKind::MutableData && !Found.RunTimeWrite &&
        Found.SharedByInterpreters &&
        Context.wouldReport(Found.Var->getLocation(), CheckName)) {
      ConstantTableFill Fill = constantTableFill(*Found.Var, Ctx);
      if (!Fill.Reason.empty())
        continue;
      Rewrite Fix = initializeConstantTable(*Found.Var, Fill, Ctx);
      if (!Fix.ok())
        continue;
      InPlaceFixes[Found.Var] = std::move(Fix);
      ConstantTables.insert(Found.Var);
    }
}

void GlobalStateScan::addCapsulePointerFixes(ASTContext &Ctx) {
  // Only pointers set while the module initialises: a store at run time
  // could race with a read however it is made.
  llvm::SmallPtrSet<const VarDecl *, 4> StoredOnce;
  // The cheap test before the walk of the unit: a write that stores a
  // capsule's pointer.
  auto StoresCapsule = [&](const VarDecl *Var) {
    auto Writes = AllWrites.find(Var->getCanonicalDecl());
    return Writes != AllWrites.end() &&
           llvm::any_of(Writes->second, [&](const WriteSite &Site) {
             const Stmt *P = Site.Node ? parentStmt(*Site.Node, Ctx) : nullptr;
             while (isa_and_nonnull<ParenExpr>(P))
               P = parentStmt(*P, Ctx);
             const auto *Assign = dyn_cast_or_null<BinaryOperator>(P);
             const auto *Call =
                 Assign ? dyn_cast<CallExpr>(stripCasts(Assign->getRHS()))
                        : nullptr;
             return calleeName(Call).starts_with("PyCapsule_");
           });
  };
  for (const Candidate &Found : Candidates) {
    if (Found.Kind != StaticStateKind::MutableData || Found.RunTimeWrite ||
        !Found.Var->getType()->isPointerType() || !StoresCapsule(Found.Var))
      continue;
    CapsulePointerStores Stores = capsulePointerStores(*Found.Var, Ctx);
    if (!Stores.FromCapsule)
      continue;
    CapsulePointers.insert(Found.Var);
    if (Stores.Lock) {
      StoredOnce.insert(Found.Var);
      continue;
    }
    // The reason, when there is no fix, is the finding's.
    if (Found.SharedByInterpreters &&
        Context.wouldReport(Found.Var->getLocation(), CheckName))
      InPlaceFixes[Found.Var] =
          storeCapsulePointerOnce(*Found.Var, Stores, Ctx);
  }
  llvm::erase_if(Candidates, [&](const Candidate &Found) {
    return StoredOnce.count(Found.Var) != 0;
  });
}

void GlobalStateScan::attachInPlaceFix(FindingBuilder &Finding,
                                       const Candidate &Found,
                                       const Rewrite &Fix, ASTContext &Ctx) {
  llvm::ArrayRef<FixItHint> Hints = Fix.Hints;
  if ((Found.Cache && Found.Cache->Kind == StaticCache::FlagKind::Key) ||
      ConstantTables.count(Found.Var)) {
    // Per-call tables and initialised ones need no API.
    for (const FixItHint &Hint : Hints)
      Finding.fix(Hint);
    return;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::StringRef Apis[] = {"PyMutex", "PyMutex_Lock", "PyMutex_Unlock"};
  std::string Reason = addFixWithCompatHeader(
      Hints, SM,
      SM.getFileID(SM.getExpansionLoc(Hints.front().RemoveRange.getBegin())),
      {Context.getMinimumPython(), 3, 13, Apis,
       Context.shared<ProjectCompat>().Definitions},
      [&](const FixItHint &Hint) { Finding.fix(Hint); });
  if (!Reason.empty())
    Finding.noFix(Reason);
}

} // namespace gilport
