//===--- MutexGuards.cpp --------------------------------------------------===//
//
// Sources: CPython 3.13 Include/cpython/lock.h (PyMutex_Lock and
// PyMutex_Unlock are macros naming the inline _PyMutex_Lock and
// _PyMutex_Unlock).
//
//===----------------------------------------------------------------------===//

#include "analysis/MutexGuards.h"

#include "analysis/CallSites.h"
#include "analysis/StaticStorage.h"
#include "analysis/UnitFacts.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

enum class LockOp { None, Acquire, Release };

LockOp lockOp(const CallExpr &Call) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || !Callee->getIdentifier() || Call.getNumArgs() != 1)
    return LockOp::None;
  llvm::StringRef Name = Callee->getName();
  if (Name == "PyMutex_Lock" || Name == "_PyMutex_Lock")
    return LockOp::Acquire;
  if (Name == "PyMutex_Unlock" || Name == "_PyMutex_Unlock")
    return LockOp::Release;
  return LockOp::None;
}

} // namespace

bool isMutexLockCall(const CallExpr &Call) {
  return lockOp(Call) == LockOp::Acquire;
}

namespace {

/// The static mutex `m` in `PyMutex_Lock(&m)`.
const VarDecl *lockedMutex(const CallExpr &Call) {
  const auto *AddrOf =
      dyn_cast<UnaryOperator>(Call.getArg(0)->IgnoreParenImpCasts());
  if (!AddrOf || AddrOf->getOpcode() != UO_AddrOf)
    return nullptr;
  const auto *Ref =
      dyn_cast<DeclRefExpr>(AddrOf->getSubExpr()->IgnoreParenImpCasts());
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return Var && Var->hasGlobalStorage() ? Var->getCanonicalDecl() : nullptr;
}

/// The mutex a statement `PyMutex_Lock(&m);` acquires.
const VarDecl *acquiredBy(const Stmt *S) {
  const auto *E = dyn_cast<Expr>(S);
  if (!E)
    return nullptr;
  // `(void)PyMutex_Lock(&m);`
  E = E->IgnoreParenCasts();
  const auto *Call = dyn_cast<CallExpr>(E);
  return Call && lockOp(*Call) == LockOp::Acquire ? lockedMutex(*Call)
                                                  : nullptr;
}

/// One pass over the user's code: references to the candidates and the
/// mutexes, and for every function whether it may release a mutex.
class Survey : public RecursiveASTVisitor<Survey> {
public:
  explicit Survey(const llvm::DenseSet<const VarDecl *> &Candidates)
      : Candidates(Candidates) {}

  bool TraverseFunctionDecl(FunctionDecl *Function) {
    const FunctionDecl *Outer = Current;
    if (Function->doesThisDeclarationHaveABody()) {
      Current = Function->getCanonicalDecl();
      Bodies.push_back(Function);
    }
    bool Result = RecursiveASTVisitor::TraverseFunctionDecl(Function);
    Current = Outer;
    return Result;
  }

  bool VisitCallExpr(CallExpr *Call) {
    LockOp Op = lockOp(*Call);
    if (Op != LockOp::None) {
      if (const VarDecl *Mutex = lockedMutex(*Call))
        ++MutexUsesInLockCalls[Mutex];
      if (Op == LockOp::Release && Current)
        MayRelease.insert(Current);
    } else if (!Call->getDirectCallee() && Current) {
      IndirectCallers.push_back(Current);
    }
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (!Var)
      return true;
    Var = Var->getCanonicalDecl();
    if (Candidates.contains(Var))
      ++CandidateUses[Var];
    else if (Var->hasGlobalStorage())
      ++MutexUses[Var];
    return true;
  }

  /// Completes MayRelease: callers of a releasing function release too, and
  /// an indirect call may reach any function whose address is taken.
  void propagate(CallSiteIndex &CallSites) {
    llvm::SmallVector<const FunctionDecl *, 16> Work(MayRelease.begin(),
                                                     MayRelease.end());
    auto Add = [&](const FunctionDecl *Caller) {
      if (MayRelease.insert(Caller->getCanonicalDecl()).second)
        Work.push_back(Caller->getCanonicalDecl());
    };
    while (!Work.empty()) {
      const FunctionDecl *Releaser = Work.pop_back_val();
      for (const CallSiteIndex::Site &Site : CallSites.directCalls(*Releaser))
        Add(Site.Caller);
      if (!AnyIndirectReleases && CallSites.addressUses(*Releaser) != 0) {
        AnyIndirectReleases = true;
        for (const FunctionDecl *Caller : IndirectCallers)
          Add(Caller);
      }
    }
  }

  const llvm::DenseSet<const VarDecl *> &Candidates;
  const FunctionDecl *Current = nullptr;
  std::vector<const FunctionDecl *> Bodies;
  std::vector<const FunctionDecl *> IndirectCallers;
  llvm::DenseSet<const FunctionDecl *> MayRelease;
  bool AnyIndirectReleases = false;
  llvm::DenseMap<const VarDecl *, unsigned> CandidateUses;
  llvm::DenseMap<const VarDecl *, unsigned> MutexUses;
  llvm::DenseMap<const VarDecl *, unsigned> MutexUsesInLockCalls;
};

using LockSet = llvm::SmallVector<const VarDecl *, 2>;

/// Walks function bodies in order, keeping the mutexes held at each point.
class RegionWalker {
public:
  explicit RegionWalker(const Survey &Facts) : Facts(Facts) {}

  void walkBody(const Stmt *Body) { walk(Body, {}); }

  struct Guard {
    unsigned WalkedUses = 0;
    /// The mutexes held at every use so far.
    LockSet Common;
    bool AddressTaken = false;
  };
  llvm::DenseMap<const VarDecl *, Guard> Guards;

private:
  void walk(const Stmt *S, LockSet Held) {
    if (!S)
      return;
    if (const auto *Block = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *Child : Block->body()) {
        const Stmt *Labelled = Child;
        while (isa<LabelStmt, SwitchCase>(Labelled)) {
          Held = entryOf(Labelled);
          Labelled = isa<LabelStmt>(Labelled)
                         ? cast<LabelStmt>(Labelled)->getSubStmt()
                         : cast<SwitchCase>(Labelled)->getSubStmt();
        }
        if (const VarDecl *Mutex = acquiredBy(Labelled)) {
          if (!llvm::is_contained(Held, Mutex) && isPrivateMutex(Mutex))
            Held.push_back(Mutex);
          continue;
        }
        walk(Child, Held);
        if (mayReleaseAndGoOn(Child))
          Held.clear();
      }
      return;
    }
    if (isa<LabelStmt, SwitchCase>(S)) {
      Held = entryOf(S);
    } else if (!isa<IfStmt>(S) && mayRelease(S)) {
      // Where in an expression, or on which turn of a loop, the release
      // happens is not followed: no part of S is in the region.
      Held.clear();
    } else if (const auto *If = dyn_cast<IfStmt>(S)) {
      // The branches are blocks or statements, walked in order.
      if (headMayRelease(*If))
        Held.clear();
    }
    if (const auto *AddrOf = dyn_cast<UnaryOperator>(S);
        AddrOf && AddrOf->getOpcode() == UO_AddrOf)
      if (const VarDecl *Var = candidate(storageRoot(AddrOf->getSubExpr())))
        Guards[Var].AddressTaken = true;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (const VarDecl *Var = candidate(Ref))
        recordUse(Var, Held);
    bool Switch = isa<SwitchStmt>(S);
    if (Switch)
      SwitchEntries.push_back(Held);
    for (const Stmt *Child : S->children())
      walk(Child, Held);
    if (Switch)
      SwitchEntries.pop_back();
  }

  /// The mutexes held where control can arrive at a label from elsewhere:
  /// none for a `goto` label; those held on entering the switch for a
  /// `case`.
  LockSet entryOf(const Stmt *Label) const {
    if (isa<SwitchCase>(Label) && !SwitchEntries.empty())
      return SwitchEntries.back();
    return {};
  }

  const VarDecl *candidate(const DeclRefExpr *Ref) const {
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var || !Facts.Candidates.contains(Var->getCanonicalDecl()))
      return nullptr;
    return Var->getCanonicalDecl();
  }

  void recordUse(const VarDecl *Var, const LockSet &Held) {
    Guard &Found = Guards[Var];
    if (Found.WalkedUses++ == 0)
      Found.Common = Held;
    else
      llvm::erase_if(Found.Common, [&](const VarDecl *Mutex) {
        return !llvm::is_contained(Held, Mutex);
      });
    if (Held.empty())
      Found.Common.clear();
  }

  /// A mutex that only the lock calls of this file name: no other code can
  /// release it.
  bool isPrivateMutex(const VarDecl *Mutex) const {
    if (Mutex->hasExternalFormalLinkage())
      return false;
    return Facts.MutexUses.lookup(Mutex) ==
           Facts.MutexUsesInLockCalls.lookup(Mutex);
  }

  /// Whether control may reach the end of \p S after a release: a branch
  /// that releases and then returns (`{ PyMutex_Unlock(&m); return -1; }`)
  /// does not end the region after the `if`.
  bool mayReleaseAndGoOn(const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (!If)
      return mayRelease(S);
    return headMayRelease(*If) ||
           (!onlyReturns(If->getThen()) && mayRelease(If->getThen())) ||
           (!onlyReturns(If->getElse()) && mayRelease(If->getElse()));
  }

  /// The part of an `if` that runs before either branch.
  bool headMayRelease(const IfStmt &If) {
    return mayRelease(If.getInit()) ||
           mayRelease(If.getConditionVariableDeclStmt()) ||
           mayRelease(If.getCond());
  }

  /// A branch that ends with `return` and has no other way out.
  static bool onlyReturns(const Stmt *Branch) {
    if (!Branch)
      return false;
    const Stmt *Last = Branch;
    if (const auto *Block = dyn_cast<CompoundStmt>(Branch))
      Last = Block->body_back();
    return Last && isa<ReturnStmt>(Last) && !hasJump(Branch);
  }

  static bool hasJump(const Stmt *S) {
    if (isa<BreakStmt, ContinueStmt, GotoStmt, IndirectGotoStmt, LabelStmt,
            SwitchCase>(S))
      return true;
    return llvm::any_of(S->children(), [](const Stmt *Child) {
      return Child && hasJump(Child);
    });
  }

  bool mayRelease(const Stmt *S) {
    if (!S)
      return false;
    auto [It, Inserted] = Releases.try_emplace(S, false);
    if (!Inserted)
      return It->second;
    bool Result = false;
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      Result =
          lockOp(*Call) == LockOp::Release ||
          (Callee && Facts.MayRelease.contains(Callee->getCanonicalDecl())) ||
          (!Callee && Facts.AnyIndirectReleases);
    }
    for (const Stmt *Child : S->children())
      if (!Result && mayRelease(Child))
        Result = true;
    Releases[S] = Result;
    return Result;
  }

  const Survey &Facts;
  llvm::DenseMap<const Stmt *, bool> Releases;
  /// The mutexes held on entering each enclosing switch.
  std::vector<LockSet> SwitchEntries;
};

} // namespace

const VarDecl *mutexOfStatement(const Stmt *S, bool Unlock) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  const auto *Call = E ? dyn_cast<CallExpr>(E->IgnoreParenCasts()) : nullptr;
  if (!Call || lockOp(*Call) != (Unlock ? LockOp::Release : LockOp::Acquire))
    return nullptr;
  const VarDecl *Mutex = lockedMutex(*Call);
  return Mutex && (Mutex->isStaticLocal() || Mutex->isFileVarDecl()) &&
                 Mutex->getStorageClass() == SC_Static
             ? Mutex
             : nullptr;
}

llvm::SmallPtrSet<const VarDecl *, 8>
alwaysUnderOneLock(llvm::ArrayRef<const VarDecl *> Vars, ASTContext &Ctx,
                   UnitFacts &Context) {
  llvm::SmallPtrSet<const VarDecl *, 8> Result;
  // C++ references and member calls reach storage without naming it.
  if (Ctx.getLangOpts().CPlusPlus)
    return Result;
  llvm::DenseSet<const VarDecl *> Candidates;
  for (const VarDecl *Var : Vars)
    if (Var->getType()->isScalarType() && !Var->hasExternalFormalLinkage())
      Candidates.insert(Var->getCanonicalDecl());
  if (Candidates.empty())
    return Result;
  Survey Facts(Candidates);
  // The traversal scope is the user's declarations (Analysis.cpp).
  Facts.TraverseDecl(Ctx.getTranslationUnitDecl());
  Facts.propagate(Context.callSites());
  RegionWalker Walker(Facts);
  for (const FunctionDecl *Function : Facts.Bodies)
    Walker.walkBody(Function->getBody());
  for (const VarDecl *Var : Vars) {
    auto It = Walker.Guards.find(Var->getCanonicalDecl());
    if (It == Walker.Guards.end())
      continue;
    const RegionWalker::Guard &Found = It->second;
    if (!Found.AddressTaken && !Found.Common.empty() &&
        Found.WalkedUses ==
            Facts.CandidateUses.lookup(Var->getCanonicalDecl()))
      Result.insert(Var);
  }
  return Result;
}

} // namespace gilport
