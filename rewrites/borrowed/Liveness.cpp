//===--- Liveness.cpp -----------------------------------------------------===//

#include "rewrites/borrowed/Liveness.h"
#include "analysis/AstQueries.h"
#include "rewrites/borrowed/OwnershipWalk.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>

namespace gilport {
namespace borrowed {

using namespace clang;

namespace {

/// Calls that acquire something other than a reference.
constexpr llvm::StringRef ResourceCalls[] = {"PyMem_Malloc",
                                             "PyMem_Calloc",
                                             "PyMem_Realloc",
                                             "PyMem_RawMalloc",
                                             "PyMem_RawCalloc",
                                             "PyObject_Malloc",
                                             "PyObject_Calloc",
                                             "malloc",
                                             "calloc",
                                             "realloc",
                                             "Py_EnterRecursiveCall",
                                             "_Py_EnterRecursiveCall",
                                             "PyObject_GetBuffer",
                                             "PyGILState_Ensure",
                                             "PyEval_SaveThread",
                                             "PyThread_acquire_lock",
                                             "PyThread_acquire_lock_timed",
                                             "PyMutex_Lock",
                                             "PyCriticalSection_Begin",
                                             "PyCriticalSection2_Begin",
                                             "Py_ReprEnter",
                                             "PyEval_AcquireThread",
                                             "PyEval_RestoreThread"};

/// Whether \p T points to a Python object: PyObject, or a struct whose first
/// member is its header (`PyObject_HEAD` declares `ob_base`); a struct of
/// the project's own (a module state) holds no reference. An incomplete
/// struct may be an object.
bool isPointerToObject(QualType T) {
  const auto *P = T->getAs<PointerType>();
  const RecordDecl *Record =
      P ? P->getPointeeType()->getAsRecordDecl() : nullptr;
  if (!Record)
    return false;
  const RecordDecl *Definition = Record->getDefinition();
  if (!Definition || Record->getName() == "_object")
    return true;
  auto First = Definition->field_begin();
  return First != Definition->field_end() && First->getName() == "ob_base";
}

bool isLoop(const Stmt *S) { return isa<WhileStmt, ForStmt, DoStmt>(S); }

const Stmt *loopBody(const Stmt *Loop) {
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    return W->getBody();
  if (const auto *F = dyn_cast<ForStmt>(Loop))
    return F->getBody();
  return cast<DoStmt>(Loop)->getBody();
}

bool isRecursionCall(const Stmt *S, llvm::StringRef Which) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  if (!Call)
    return false;
  llvm::StringRef Name = calleeName(Call);
  Name.consume_front("_");
  return Name == ("Py_" + Which + "RecursiveCall").str();
}

bool mentionsRecursionGuard(const Stmt *S) {
  if (isRecursionCall(S, "Enter") || isRecursionCall(S, "Leave"))
    return true;
  return llvm::any_of(S->children(), [](const Stmt *Child) {
    return Child && mentionsRecursionGuard(Child);
  });
}

/// The recursion guards of \p Block that it also leaves:
/// `if (Py_EnterRecursiveCall(...)) <exit>`, then statements that cannot
/// jump out, then `Py_LeaveRecursiveCall();`. Once the whole block has run,
/// they hold nothing.
llvm::SmallVector<const IfStmt *, 2>
leftRecursionGuards(const CompoundStmt &Block) {
  llvm::SmallVector<const IfStmt *, 2> Found;
  for (auto It = Block.body_begin(); It != Block.body_end(); ++It) {
    const auto *If = dyn_cast<IfStmt>(*It);
    if (!If || !If->getCond() || If->getElse() || !endsInExit(If->getThen()) ||
        !isRecursionCall(If->getCond()->IgnoreParenImpCasts(), "Enter"))
      continue;
    for (auto Next = std::next(It); Next != Block.body_end(); ++Next) {
      if (isRecursionCall(*Next, "Leave")) {
        Found.push_back(If);
        break;
      }
      ControlTransfers Transfers = controlTransfersIn(*Next);
      if (!Transfers.Exits.empty() || Transfers.Entry || Transfers.Jump ||
          mentionsRecursionGuard(*Next))
        break;
    }
  }
  return Found;
}

/// The new references a statement stores in local variables, and the first
/// resource other than a reference that it acquires.
class Acquisitions : public RecursiveASTVisitor<Acquisitions> {
public:
  Acquisitions(llvm::SmallPtrSetImpl<const VarDecl *> &Live,
               const VarDecl *Exclude,
               const llvm::SmallPtrSetImpl<const VarDecl *> *Converted)
      : Live(Live), Exclude(Exclude), Converted(Converted) {}
  std::string Resource;

  bool VisitBinaryOperator(BinaryOperator *B) {
    if (B->getOpcode() == BO_Assign)
      acquired(B->getRHS(), B->getLHS());
    return true;
  }
  bool VisitVarDecl(VarDecl *V) {
    if (V->getInit() && V->hasLocalStorage() && V != Exclude) {
      const auto *Call = dyn_cast<CallExpr>(stripCasts(V->getInit()));
      if (Call && isPointerToObject(Call->getType()) &&
          (!llvm::is_contained(BorrowingCalls, calleeName(Call)) ||
           converted(V)))
        Live.insert(V);
    }
    return true;
  }
  /// The recursion guards that a block of the walk leaves again.
  bool VisitCompoundStmt(CompoundStmt *Block) {
    for (const IfStmt *Guard : leftRecursionGuards(*Block))
      BalancedGuards.insert(Guard->getCond()->IgnoreParenImpCasts());
    return true;
  }
  bool VisitCallExpr(CallExpr *Call) {
    llvm::StringRef Name = calleeName(Call);
    if (BalancedGuards.count(Call))
      return true;
    if (llvm::is_contained(ResourceCalls, Name)) {
      Resource = Name.str();
      return false;
    }
    if (Name.starts_with("PyArg_"))
      return true;
    for (const Expr *Arg : Call->arguments())
      if (const auto *U = dyn_cast<UnaryOperator>(Arg->IgnoreParenCasts());
          U && U->getOpcode() == UO_AddrOf)
        if (const VarDecl *V = refVar(U->getSubExpr());
            V && V->hasLocalStorage() && V != Exclude &&
            isPointerToObject(V->getType()))
          Live.insert(V);
    return true;
  }

private:
  void acquired(const Expr *Value, const Expr *Into) {
    const auto *Call = dyn_cast<CallExpr>(stripCasts(Value));
    if (!Call || !Call->getType()->isPointerType())
      return;
    if ((llvm::is_contained(BorrowingCalls, calleeName(Call)) &&
         !(Into && converted(refVar(Into)))) ||
        !isPointerToObject(Call->getType()))
      return;
    const VarDecl *V = Into ? refVar(Into) : nullptr;
    if (V && V != Exclude && V->hasLocalStorage())
      Live.insert(V);
  }
  bool converted(const VarDecl *V) const {
    return Converted && Converted->count(V);
  }

  llvm::SmallPtrSetImpl<const VarDecl *> &Live;
  const VarDecl *Exclude;
  const llvm::SmallPtrSetImpl<const VarDecl *> *Converted;
  llvm::SmallPtrSet<const Expr *, 4> BalancedGuards;
};

void collectAlwaysAssigned(const Expr *E,
                           llvm::SmallPtrSetImpl<const VarDecl *> &Out) {
  if (!E)
    return;
  E = E->IgnoreParenCasts();
  if (const auto *B = dyn_cast<BinaryOperator>(E)) {
    if (B->getOpcode() == BO_Assign) {
      if (isa<DeclRefExpr>(B->getLHS()->IgnoreParenImpCasts()))
        if (const VarDecl *V = refVar(B->getLHS()))
          Out.insert(V);
      collectAlwaysAssigned(B->getRHS(), Out);
      return;
    }
    collectAlwaysAssigned(B->getLHS(), Out);
    // The right operand of && and || may not run.
    if (!B->isLogicalOp())
      collectAlwaysAssigned(B->getRHS(), Out);
    return;
  }
  if (const auto *U = dyn_cast<UnaryOperator>(E))
    collectAlwaysAssigned(U->getSubExpr(), Out);
}

/// Whether \p S holds a 'continue' of the loop it is in (not of a loop
/// nested in it).
bool continuesOuterLoop(const Stmt *S) {
  if (!S || isLoop(S))
    return false;
  if (isa<ContinueStmt>(S))
    return true;
  return llvm::any_of(S->children(), continuesOuterLoop);
}

/// Whether \p V, which \p Loop acquires, holds no reference when the loop
/// goes round again: every acquisition is in a statement of the body that a
/// release of V at the body's top level follows, with no 'continue' between.
bool releasedBeforeNextIteration(const Stmt *Loop, const VarDecl *V,
                                 ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  auto Acquires = [&](const Stmt *S) {
    llvm::SmallPtrSet<const VarDecl *, 4> Found;
    Acquisitions A(Found, nullptr, nullptr);
    A.TraverseStmt(const_cast<Stmt *>(S));
    return Found.count(V) > 0;
  };
  const Expr *Cond = nullptr;
  const Stmt *Inc = nullptr;
  if (const auto *W = dyn_cast<WhileStmt>(Loop))
    Cond = W->getCond();
  else if (const auto *F = dyn_cast<ForStmt>(Loop))
    Cond = F->getCond(), Inc = F->getInc();
  else
    Cond = cast<DoStmt>(Loop)->getCond();
  if ((Cond && Acquires(Cond)) || (Inc && Acquires(Inc)))
    return false;
  const auto *Body = dyn_cast<CompoundStmt>(loopBody(Loop));
  if (!Body)
    return false;
  llvm::ArrayRef<Stmt *> Stmts(Body->body_begin(), Body->body_end());
  size_t Release = Stmts.size();
  for (size_t I = 0; I < Stmts.size(); ++I)
    if (releasedVar(Stmts[I], SM, LO) == V)
      Release = I;
  if (Release == Stmts.size())
    return false;
  bool Acquired = false;
  for (size_t I = 0; I < Stmts.size(); ++I) {
    bool Here = Acquires(Stmts[I]);
    if (Here && I > Release)
      return false;
    Acquired |= Here;
    if (Acquired && I < Release && continuesOuterLoop(Stmts[I]))
      return false;
  }
  return true;
}

} // namespace

bool isResourceCall(llvm::StringRef Name) {
  return llvm::is_contained(ResourceCalls, Name);
}

void forEachWrite(
    const Stmt *S, ASTContext &Ctx,
    llvm::function_ref<void(const VarDecl *, const Expr *)> Found) {
  struct Writes : RecursiveASTVisitor<Writes> {
    const SourceManager &SM;
    const LangOptions &LO;
    llvm::function_ref<void(const VarDecl *, const Expr *)> Found;
    Writes(ASTContext &Ctx,
           llvm::function_ref<void(const VarDecl *, const Expr *)> F)
        : SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()), Found(F) {}
    void named(const Expr *E, const Expr *Site) {
      if (const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts()))
        if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
            V && V->hasLocalStorage())
          Found(V, Site);
    }
    bool VisitBinaryOperator(BinaryOperator *B) {
      if (B->isAssignmentOp())
        named(B->getLHS(), B);
      return true;
    }
    bool VisitUnaryOperator(UnaryOperator *U) {
      if (U->getOpcode() == UO_AddrOf || U->isIncrementDecrementOp())
        named(U->getSubExpr(), U);
      return true;
    }
    bool VisitCallExpr(CallExpr *Call) {
      if (const VarDecl *V = releasedVar(Call, SM, LO))
        Found(V, Call);
      return true;
    }
  } W(Ctx, Found);
  W.TraverseStmt(const_cast<Stmt *>(S));
}

bool endsInExit(const Stmt *S) {
  if (isa<ReturnStmt, GotoStmt, BreakStmt, ContinueStmt>(S))
    return true;
  if (const auto *C = dyn_cast<CompoundStmt>(S))
    return !C->body_empty() && endsInExit(C->body_back());
  return false;
}

llvm::SmallPtrSet<const VarDecl *, 2> alwaysAssigned(const Stmt *S) {
  llvm::SmallPtrSet<const VarDecl *, 2> Out;
  if (const auto *E = dyn_cast_or_null<Expr>(S))
    collectAlwaysAssigned(E, Out);
  else if (const auto *If = dyn_cast_or_null<IfStmt>(S))
    collectAlwaysAssigned(If->getCond(), Out);
  else if (const auto *D = dyn_cast_or_null<DeclStmt>(S))
    for (const Decl *Each : D->decls())
      if (const auto *V = dyn_cast<VarDecl>(Each); V && V->getInit())
        Out.insert(V);
  return Out;
}

bool writesVariable(const Stmt *S, const VarDecl *V, ASTContext &Ctx) {
  bool Found = false;
  forEachWrite(S, Ctx,
               [&](const VarDecl *W, const Expr *) { Found |= W == V; });
  return Found;
}

/// Calls \p F with each variable declared inside \p S.
static void
forEachDeclaredVariable(const Stmt *S,
                        llvm::function_ref<void(const VarDecl *)> F) {
  if (!S)
    return;
  if (const auto *D = dyn_cast<DeclStmt>(S))
    for (const Decl *Each : D->decls())
      if (const auto *V = dyn_cast<VarDecl>(Each))
        F(V);
  for (const Stmt *Child : S->children())
    forEachDeclaredVariable(Child, F);
}

std::vector<const VarDecl *>
inDeclarationOrder(const llvm::SmallPtrSetImpl<const VarDecl *> &Vars,
                   const SourceManager &SM) {
  std::vector<const VarDecl *> Out(Vars.begin(), Vars.end());
  llvm::sort(Out, [&](const VarDecl *A, const VarDecl *B) {
    return SM.isBeforeInTranslationUnit(A->getLocation(), B->getLocation());
  });
  return Out;
}

bool liveReferencesBefore(
    const Stmt *Target, const FunctionDecl &Function, ASTContext &Ctx,
    const VarDecl *Exclude, HeldReferences &Held, std::string &Why,
    const llvm::SmallPtrSetImpl<const VarDecl *> *Converted) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  auto &Live = Held.Live;
  // The chain of statements from the body down to Target.
  llvm::SmallVector<const Stmt *, 8> Chain{Target};
  while (true) {
    const Stmt *P = parentStmt(*Chain.back(), Ctx);
    if (!P)
      break;
    if (isa<SwitchStmt>(P)) {
      Why = "the lookup is inside a 'switch'";
      return false;
    }
    Chain.push_back(P);
    if (P == Function.getBody())
      break;
  }
  if (Chain.back() != Function.getBody()) {
    Why = "the lookup is not in a statement of the function body";
    return false;
  }
  bool Unmodelled = false;
  auto Resource = [&](const std::string &Name, llvm::StringRef Where) {
    Unmodelled = true;
    Why = "the function holds a resource ('" + Name + "')" + Where.str() +
          " that the error path would have to release";
  };
  // Gen/kill over one statement that runs before Target.
  std::function<void(const Stmt *)> Effects = [&](const Stmt *S) {
    if (!S || Unmodelled)
      return;
    if (const VarDecl *V = releasedVar(S, SM, LO)) {
      Live.erase(V);
      return;
    }
    if (const auto *C = dyn_cast<CompoundStmt>(S)) {
      // The whole block runs before Target: a guard it enters and leaves
      // holds nothing there.
      llvm::SmallVector<const IfStmt *, 2> Left = leftRecursionGuards(*C);
      for (const Stmt *Child : C->body())
        if (!llvm::is_contained(Left, Child))
          Effects(Child);
      return;
    }
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      Effects(If->getCond());
      // A branch that leaves the function does not reach Target.
      llvm::SmallPtrSet<const VarDecl *, 4> Before(Live.begin(), Live.end());
      llvm::SmallPtrSet<const VarDecl *, 4> AfterThen = Before;
      if (!endsInExit(If->getThen())) {
        Effects(If->getThen());
        AfterThen.insert(Live.begin(), Live.end());
      }
      Live.clear();
      Live.insert(Before.begin(), Before.end());
      if (If->getElse() && !endsInExit(If->getElse()))
        Effects(If->getElse());
      // Anything live on either path is live.
      Live.insert(AfterThen.begin(), AfterThen.end());
      return;
    }
    // Any other statement: acquisitions anywhere in it.
    Acquisitions A(Live, Exclude, Converted);
    A.TraverseStmt(const_cast<Stmt *>(S));
    if (!A.Resource.empty())
      Resource(A.Resource, "");
  };
  // Entering a loop around Target: what the loop changes is either set
  // again before Target in each iteration, or unsettled there.
  auto EnterLoop = [&](size_t LoopIndex) {
    const Stmt *Loop = Chain[LoopIndex];
    llvm::SmallPtrSet<const VarDecl *, 8> Fresh;
    const Stmt *LoopCond = nullptr;
    if (const auto *W = dyn_cast<WhileStmt>(Loop))
      LoopCond = W->getCond();
    else if (const auto *F = dyn_cast<ForStmt>(Loop))
      LoopCond = F->getCond();
    for (const VarDecl *V : alwaysAssigned(LoopCond))
      Fresh.insert(V);
    for (size_t J = LoopIndex - 1; J > 0; --J) {
      const Stmt *Outer = Chain[J];
      llvm::SmallVector<const Stmt *, 8> Before;
      if (const auto *C = dyn_cast<CompoundStmt>(Outer)) {
        for (const Stmt *Child : C->body()) {
          if (Child == Chain[J - 1])
            break;
          Before.push_back(Child);
        }
      } else if (const auto *If = dyn_cast<IfStmt>(Outer)) {
        Before.push_back(If->getCond());
      } else if (const auto *W = dyn_cast<WhileStmt>(Outer)) {
        Before.push_back(W->getCond());
      } else if (const auto *F = dyn_cast<ForStmt>(Outer)) {
        Before.push_back(F->getCond());
      }
      for (const Stmt *S : Before)
        for (const VarDecl *V : alwaysAssigned(S))
          Fresh.insert(V);
    }
    llvm::SmallPtrSet<const VarDecl *, 8> Acquired;
    Acquisitions A(Acquired, Exclude, Converted);
    A.TraverseStmt(const_cast<Stmt *>(Loop));
    // Go on when a resource stops the model: the unsettled variables are
    // still wanted (sameStateExit).
    if (!A.Resource.empty() && !Unmodelled)
      Resource(A.Resource, " in the loop around the lookup");
    SourceRange LoopRange(SM.getExpansionLoc(Loop->getBeginLoc()),
                          SM.getExpansionLoc(Loop->getEndLoc()));
    llvm::SmallPtrSet<const VarDecl *, 8> Changed;
    forEachWrite(Loop, Ctx, [&](const VarDecl *V, const Expr *) {
      // A variable declared in the loop starts again in each iteration.
      SourceLocation At = SM.getExpansionLoc(V->getLocation());
      bool Inside = !SM.isBeforeInTranslationUnit(At, LoopRange.getBegin()) &&
                    SM.isBeforeInTranslationUnit(At, LoopRange.getEnd());
      if (V != Exclude && !Inside)
        Changed.insert(V);
    });
    for (const VarDecl *V : Changed) {
      if (Fresh.count(V)) {
        // Set again before Target: the walk of this iteration decides.
        Live.erase(V);
        continue;
      }
      if (Acquired.count(V) && !releasedBeforeNextIteration(Loop, V, Ctx)) {
        // It holds a live reference at the lookup, not a released one.
        if (!Unmodelled)
          Why = "'" + V->getName().str() +
                "' may still hold a reference from the previous iteration "
                "of the loop around the lookup";
        Unmodelled = true;
        continue;
      }
      Held.Unsettled.insert(V);
    }
  };
  for (size_t I = Chain.size() - 1; I > 0; --I) {
    const Stmt *Outer = Chain[I];
    const Stmt *Inner = Chain[I - 1];
    if (const auto *C = dyn_cast<CompoundStmt>(Outer)) {
      for (const Stmt *Child : C->body()) {
        if (Child == Inner)
          break;
        Effects(Child);
        // A variable of a block that has ended is out of scope at the
        // lookup: whatever it still held, the error path cannot name it.
        if (!isa<DeclStmt>(Child))
          forEachDeclaredVariable(Child,
                                  [&](const VarDecl *V) { Live.erase(V); });
      }
    } else if (const auto *If = dyn_cast<IfStmt>(Outer)) {
      Effects(If->getCond());
    } else if (const auto *W = dyn_cast<WhileStmt>(Outer)) {
      EnterLoop(I);
      Effects(W->getCond());
    } else if (const auto *F = dyn_cast<ForStmt>(Outer)) {
      Effects(F->getInit());
      EnterLoop(I);
      Effects(F->getCond());
    } else if (isa<DoStmt>(Outer)) {
      EnterLoop(I);
    } else if (!isa<LabelStmt>(Outer)) {
      Why = "the lookup is nested in a statement that is not modelled";
      return false;
    }
  }
  Held.LoopsKnown = true;
  return !Unmodelled;
}

std::vector<const Stmt *> dominatingStatements(const Stmt *Target,
                                               const FunctionDecl &Function,
                                               ASTContext &Ctx) {
  std::vector<const Stmt *> Result;
  const Stmt *Child = Target;
  while (Child != Function.getBody()) {
    const Stmt *P = parentStmt(*Child, Ctx);
    if (!P ||
        !isa<CompoundStmt, IfStmt, LabelStmt, WhileStmt, ForStmt, DoStmt>(P))
      return {};
    if (const auto *C = dyn_cast<CompoundStmt>(P)) {
      for (const Stmt *S : C->body()) {
        if (S == Child)
          break;
        Result.push_back(S);
      }
    } else if (const auto *W = dyn_cast<WhileStmt>(P)) {
      Result.push_back(W->getCond());
    } else if (const auto *F = dyn_cast<ForStmt>(P)) {
      for (const Stmt *S :
           {F->getInit(), static_cast<const Stmt *>(F->getCond())})
        if (S)
          Result.push_back(S);
    }
    Child = P;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::stable_sort(Result, [&](const Stmt *A, const Stmt *B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A->getBeginLoc()),
                                        SM.getExpansionLoc(B->getBeginLoc()));
  });
  return Result;
}

namespace {

/// Whether \p E names \p V, or assigns it: `v`, `(v = f())`.
bool namesOrAssigns(const Expr *E, const VarDecl *V) {
  E = E->IgnoreParenCasts();
  if (const auto *B = dyn_cast<BinaryOperator>(E);
      B && B->getOpcode() == BO_Assign)
    E = B->getLHS()->IgnoreParenCasts();
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  return Ref && Ref->getDecl() == V;
}

/// Whether \p Cond is true whenever \p V is NULL once it has run:
/// `v == NULL`, `!v`, `(v = f()) == NULL`, or an operand of `||` that is.
bool trueWhenNull(const Expr *Cond, const VarDecl *V, ASTContext &Ctx) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(Cond))
    return U->getOpcode() == UO_LNot && namesOrAssigns(U->getSubExpr(), V);
  const auto *B = dyn_cast<BinaryOperator>(Cond);
  if (!B)
    return false;
  if (B->getOpcode() == BO_LOr)
    return trueWhenNull(B->getLHS(), V, Ctx) ||
           trueWhenNull(B->getRHS(), V, Ctx);
  if (B->getOpcode() != BO_EQ)
    return false;
  auto IsNull = [&](const Expr *E) {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
           Expr::NPCK_NotNull;
  };
  return (namesOrAssigns(B->getLHS(), V) && IsNull(B->getRHS())) ||
         (IsNull(B->getLHS()) && namesOrAssigns(B->getRHS(), V));
}

/// Whether \p S ends in a 'return' or a 'goto' (the function has no label
/// before the lookup, so neither leads back to it).
bool leavesForGood(const Stmt *S) {
  if (isa<ReturnStmt, GotoStmt>(S))
    return true;
  if (const auto *C = dyn_cast<CompoundStmt>(S))
    return !C->body_empty() && leavesForGood(C->body_back());
  return false;
}

/// Whether \p S writes \p V on a path that goes on after it.
bool writesOnFallThrough(const Stmt *S, const VarDecl *V, ASTContext &Ctx) {
  const auto *If = dyn_cast<IfStmt>(S);
  if (!If)
    return writesVariable(S, V, Ctx);
  return writesVariable(If->getCond(), V, Ctx) ||
         (!leavesForGood(If->getThen()) &&
          writesVariable(If->getThen(), V, Ctx)) ||
         (If->getElse() && !leavesForGood(If->getElse()) &&
          writesVariable(If->getElse(), V, Ctx));
}

} // namespace

bool knownNonNullAt(const VarDecl *V, const Stmt *Target,
                    const FunctionDecl &Function, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const Stmt *Test = nullptr;
  for (const Stmt *S : dominatingStatements(Target, Function, Ctx)) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (If && !If->getElse() && !If->getInit() && !If->getConditionVariable() &&
        endsInExit(If->getThen()) && trueWhenNull(If->getCond(), V, Ctx)) {
      Test = S;
      continue;
    }
    if (writesOnFallThrough(S, V, Ctx))
      Test = nullptr;
  }
  if (!Test)
    return false;
  auto Begin = [&](const Stmt *S) {
    return SM.getExpansionLoc(S->getBeginLoc());
  };
  auto End = [&](const Stmt *S) { return SM.getExpansionLoc(S->getEndLoc()); };
  auto Within = [&](SourceLocation At, const Stmt *S) {
    return !SM.isBeforeInTranslationUnit(At, Begin(S)) &&
           !SM.isBeforeInTranslationUnit(End(S), At);
  };
  // The loops around Target that do not hold the test.
  llvm::SmallVector<const Stmt *, 4> Loops;
  for (const Stmt *S = parentStmt(*Target, Ctx); S; S = parentStmt(*S, Ctx))
    if (isLoop(S) && !Within(Begin(Test), S))
      Loops.push_back(S);
  bool Written = false;
  forEachWrite(Function.getBody(), Ctx, [&](const VarDecl *W, const Expr *E) {
    if (W != V || Within(Begin(E), Test))
      return;
    SourceLocation At = Begin(E);
    // A write in a branch that returns or jumps away does not reach Target.
    for (const Stmt *S = E; S; S = parentStmt(*S, Ctx)) {
      const Stmt *P = parentStmt(*S, Ctx);
      const auto *If = dyn_cast_or_null<IfStmt>(P);
      if (If && If->getCond() != S && leavesForGood(S) &&
          !Within(Begin(Target), S))
        return;
    }
    if (SM.isBeforeInTranslationUnit(End(Test), At) &&
        SM.isBeforeInTranslationUnit(At, Begin(Target)))
      Written = true;
    for (const Stmt *Loop : Loops)
      Written |= Within(At, Loop);
  });
  return !Written;
}

} // namespace borrowed
} // namespace gilport
