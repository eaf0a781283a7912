//===--- BorrowedToStrong.cpp ---------------------------------------------===//

#include "rewrites/BorrowedToStrong.h"
#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <optional>

namespace gilport {

using namespace clang;

namespace {

constexpr llvm::StringRef IncRefNames[] = {"Py_INCREF", "_Py_INCREF",
                                           "Py_XINCREF", "_Py_XINCREF"};
constexpr llvm::StringRef DecRefNames[] = {"Py_DECREF", "_Py_DECREF",
                                           "Py_XDECREF", "_Py_XDECREF"};
constexpr llvm::StringRef NewRefNames[] = {"Py_NewRef", "_Py_NewRef",
                                           "Py_XNewRef", "_Py_XNewRef"};
/// Functions (and macros wrapping functions) that steal a reference, with
/// the index of the stolen argument.
constexpr std::pair<llvm::StringRef, unsigned> StealingCalls[] = {
    {"PyList_SET_ITEM", 2},  {"PyList_SetItem", 2},
    {"PyTuple_SET_ITEM", 2}, {"PyTuple_SetItem", 2},
    {"PyModule_AddObject", 2}, {"PyCell_SET", 1},
    {"PyStructSequence_SET_ITEM", 2}, {"PyStructSequence_SetItem", 2},
    {"PyException_SetCause", 1}, {"PyException_SetContext", 1},
    {"PyErr_Restore", 0},    {"PyErr_Restore", 1},
    {"PyErr_Restore", 2},    {"PyModule_Add", 2},
};
/// Calls returning a pointer into (or borrowed from) an argument.
constexpr llvm::StringRef BorrowingCalls[] = {
    "PyTuple_GetItem", "PyTuple_GET_ITEM", "PyList_GetItem", "PyList_GET_ITEM",
    "PyDict_GetItem", "PyDict_GetItemWithError", "PyDict_GetItemString",
    "PyDict_SetDefault", "PyModule_GetDict", "PyWeakref_GetObject",
    "PyWeakref_GET_OBJECT", "PySequence_Fast_GET_ITEM", "PyCell_GET",
    "PyFunction_GetCode", "PyFunction_GetGlobals", "PyMethod_Function",
    "PyMethod_Self", "PyType_GetModule", "PyType_GetModuleState",
    "PyModule_GetState", "PyObject_GetTypeData", "_PyObject_CAST",
    "PyTuple_GET_ITEM", "PyCapsule_GetPointer", "PyModule_GetDef",
    "PyModule_GetNameObject", "PyException_GetTraceback"};
/// Calls that acquire something other than a reference.
constexpr llvm::StringRef ResourceCalls[] = {
    "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_RawMalloc",
    "PyMem_RawCalloc", "PyObject_Malloc", "PyObject_Calloc", "malloc",
    "calloc", "realloc", "Py_EnterRecursiveCall", "_Py_EnterRecursiveCall",
    "PyObject_GetBuffer", "PyGILState_Ensure", "PyEval_SaveThread",
    "PyThread_acquire_lock", "PyThread_acquire_lock_timed", "PyMutex_Lock",
    "PyCriticalSection_Begin", "PyCriticalSection2_Begin", "Py_ReprEnter",
    "PyEval_AcquireThread", "PyEval_RestoreThread"};

bool isNamed(const CallExpr *Call, llvm::ArrayRef<llvm::StringRef> Names) {
  return llvm::is_contained(Names, calleeName(Call));
}

const VarDecl *refVar(const Expr *E) {
  if (const auto *Ref = dyn_cast<DeclRefExpr>(stripCasts(E)))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

/// The single argument of a one-argument call of \p Names, as a variable.
const VarDecl *singleArgCallOn(const Stmt *S,
                               llvm::ArrayRef<llvm::StringRef> Names) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  if (!E)
    return nullptr;
  const auto *Call = dyn_cast<CallExpr>(stripCasts(E));
  if (!Call || Call->getNumArgs() != 1 || !isNamed(Call, Names))
    return nullptr;
  return refVar(Call->getArg(0));
}

/// Py_CLEAR is a do/while(0) macro around a decrement.
const VarDecl *clearedVar(const Stmt *S, const SourceManager &SM,
                          const LangOptions &LO) {
  if (!isa<DoStmt>(S) || !S->getBeginLoc().isMacroID())
    return nullptr;
  if (Lexer::getImmediateMacroName(S->getBeginLoc(), SM, LO) != "Py_CLEAR")
    return nullptr;
  const VarDecl *Found = nullptr;
  struct Finder : RecursiveASTVisitor<Finder> {
    const VarDecl *&Found;
    explicit Finder(const VarDecl *&F) : Found(F) {}
    bool VisitBinaryOperator(BinaryOperator *B) {
      if (B->getOpcode() == BO_Assign && !Found)
        if (const VarDecl *V = refVar(B->getLHS()))
          if (isa<DeclRefExpr>(B->getLHS()->IgnoreParenImpCasts()) &&
              V->hasLocalStorage())
            Found = V;
      return true;
    }
    // 3.13 spells it through a pointer: `__typeof__(op) *p = &(op);`.
    bool VisitUnaryOperator(UnaryOperator *U) {
      if (U->getOpcode() == UO_AddrOf && !Found)
        if (const VarDecl *V = refVar(U->getSubExpr()))
          if (isa<DeclRefExpr>(U->getSubExpr()->IgnoreParenImpCasts()) &&
              V->hasLocalStorage())
            Found = V;
      return true;
    }
  } F(Found);
  F.TraverseStmt(const_cast<Stmt *>(S));
  return Found;
}

const VarDecl *releasedVar(const Stmt *S, const SourceManager &SM,
                           const LangOptions &LO) {
  if (const VarDecl *V = singleArgCallOn(S, DecRefNames))
    return V;
  return clearedVar(S, SM, LO);
}

bool isPointerToRecord(QualType T) {
  if (const auto *P = T->getAs<PointerType>())
    return P->getPointeeType()->isRecordType();
  return false;
}

bool isPyObjectPointer(QualType T) {
  if (const auto *P = T->getAs<PointerType>())
    if (const auto *R = P->getPointeeType()->getAs<RecordType>())
      return R->getDecl()->getName() == "_object";
  return false;
}

template <typename T> bool containsA(const Stmt *S) {
  if (!S)
    return false;
  if (isa<T>(S))
    return true;
  for (const Stmt *Child : S->children())
    if (containsA<T>(Child))
      return true;
  return false;
}

/// Whether \p S can complete normally; false for a trailing exit.
bool endsInExit(const Stmt *S) {
  if (isa<ReturnStmt, GotoStmt, BreakStmt, ContinueStmt>(S))
    return true;
  if (const auto *C = dyn_cast<CompoundStmt>(S))
    return !C->body_empty() && endsInExit(C->body_back());
  return false;
}

enum class Nullness { Null, NonNull, Maybe };

/// What the rewritten variable holds at a program point.
struct OwnState {
  bool Reachable = true;
  /// The fix made a reference that the code does not know about: it must be
  /// released. Meaningless when the value is NULL.
  bool Owned = true;
  Nullness Null = Nullness::Maybe;

  static OwnState unreachable() {
    OwnState S;
    S.Reachable = false;
    return S;
  }
  bool needsRelease() const {
    return Reachable && Owned && Null != Nullness::Null;
  }
  bool operator==(const OwnState &O) const {
    return Reachable == O.Reachable && Owned == O.Owned && Null == O.Null;
  }
};

class OwnershipRewriter {
public:
  OwnershipRewriter(const VarDecl &Var, ASTContext &Ctx, std::string &Failure,
                    std::vector<FixItHint> &Hints)
      : Var(Var), Ctx(Ctx), SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()),
        Failure(Failure), Hints(Hints) {}

  /// Walks the statements of \p Block after index \p First - 1 (S).
  void walkRegion(const CompoundStmt &Block, unsigned AfterIndex,
                  OwnState State);

  llvm::SmallVector<const VarDecl *, 2> Derived;
  bool LateRelease = false;
  unsigned RefsSeen = 0;
  /// Set by scanExpr for `v = ...` where v holds no reference of the fix.
  const BinaryOperator *Reassigned = nullptr;
  bool AllowReassign = false;

private:
  OwnState walk(const Stmt *S, OwnState State);
  OwnState walkLoop(const Stmt *Loop, const Stmt *Body, const Expr *Cond,
                    const Stmt *Inc, OwnState State);
  void scanExpr(const Expr *E, OwnState &State);
  void exitPoint(const Stmt *Exit, const OwnState &State);
  std::string releaseText(const OwnState &State) const {
    return (State.Null == Nullness::NonNull ? "Py_DECREF(" : "Py_XDECREF(") +
           Var.getName().str() + ");";
  }
  void fail(llvm::StringRef Why) {
    if (Failure.empty())
      Failure = Why.str();
  }
  bool failed() const { return !Failure.empty(); }
  std::pair<OwnState, OwnState> refine(const Expr *Cond,
                                       const OwnState &State) const;
  static OwnState merge(const OwnState &A, const OwnState &B, bool &Conflict);

  const VarDecl &Var;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LO;
  std::string &Failure;
  std::vector<FixItHint> &Hints;

  struct LoopFrame {
    bool IsSwitch;
    std::vector<OwnState> Breaks;
    std::vector<OwnState> Continues;
  };
  std::vector<LoopFrame> Loops;
};

OwnState OwnershipRewriter::merge(const OwnState &A, const OwnState &B,
                                  bool &Conflict) {
  if (!A.Reachable)
    return B;
  if (!B.Reachable)
    return A;
  OwnState R;
  if (A.Null == Nullness::Null) {
    R = B;
    R.Null = B.Null == Nullness::Null ? Nullness::Null : Nullness::Maybe;
    return R;
  }
  if (B.Null == Nullness::Null) {
    R = A;
    R.Null = Nullness::Maybe;
    return R;
  }
  if (A.Owned != B.Owned)
    Conflict = true;
  R = A;
  R.Null = A.Null == B.Null ? A.Null : Nullness::Maybe;
  return R;
}

std::pair<OwnState, OwnState>
OwnershipRewriter::refine(const Expr *Cond, const OwnState &State) const {
  OwnState Then = State, Else = State;
  const Expr *C = Cond->IgnoreParenImpCasts();
  bool Negated = false;
  while (const auto *U = dyn_cast<UnaryOperator>(C)) {
    if (U->getOpcode() != UO_LNot)
      break;
    Negated = !Negated;
    C = U->getSubExpr()->IgnoreParenImpCasts();
  }
  if (const auto *B = dyn_cast<BinaryOperator>(C);
      B && B->getOpcode() == BO_LAnd && !Negated) {
    // Only the then-branch knows that both operands held.
    Then = refine(B->getLHS(), State).first;
    return {Then, Else};
  }
  std::optional<bool> NullWhenTrue;
  if (refVar(C) == &Var && isa<DeclRefExpr>(C->IgnoreParenImpCasts())) {
    NullWhenTrue = false;
  } else if (const auto *B = dyn_cast<BinaryOperator>(C);
             B && (B->getOpcode() == BO_EQ || B->getOpcode() == BO_NE)) {
    const Expr *L = B->getLHS()->IgnoreParenCasts();
    const Expr *R = B->getRHS()->IgnoreParenCasts();
    auto IsNull = [&](const Expr *E) {
      return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
    };
    auto IsVar = [&](const Expr *E) {
      const auto *Ref = dyn_cast<DeclRefExpr>(E);
      return Ref && Ref->getDecl() == &Var;
    };
    if ((IsVar(L) && IsNull(R)) || (IsNull(L) && IsVar(R)))
      NullWhenTrue = B->getOpcode() == BO_EQ;
  }
  if (!NullWhenTrue)
    return {Then, Else};
  bool TrueIsNull = *NullWhenTrue != Negated;
  (TrueIsNull ? Then : Else).Null = Nullness::Null;
  (TrueIsNull ? Else : Then).Null = Nullness::NonNull;
  return {Then, Else};
}

void OwnershipRewriter::exitPoint(const Stmt *Exit, const OwnState &State) {
  if (!State.needsRelease())
    return;
  std::string Release = releaseText(State);
  const Stmt *Parent = nullptr;
  auto Parents = Ctx.getParents(*Exit);
  if (!Parents.empty())
    Parent = Parents[0].get<Stmt>();
  std::optional<SourceLocation> Begin = statementBegin(*Exit, SM, LO);
  std::optional<SourceLocation> End = statementEnd(*Exit, SM, LO);
  if (!Begin || !End) {
    fail("an exit of the live range of '" + Var.getName().str() +
         "' is spelled inside a macro");
    return;
  }
  if (Parent && isa<CompoundStmt>(Parent)) {
    Hints.push_back(FixItHint::CreateInsertion(
        *Begin, Release + "\n" + indentationAt(*Begin, SM)));
    return;
  }
  Hints.push_back(FixItHint::CreateInsertion(*Begin, "{ " + Release + " "));
  Hints.push_back(FixItHint::CreateInsertion(*End, " }"));
}

void OwnershipRewriter::scanExpr(const Expr *E, OwnState &State) {
  if (!E || failed())
    return;
  llvm::SmallVector<const DeclRefExpr *, 4> Refs;
  struct Collector : RecursiveASTVisitor<Collector> {
    const VarDecl &Var;
    llvm::SmallVectorImpl<const DeclRefExpr *> &Refs;
    Collector(const VarDecl &V, llvm::SmallVectorImpl<const DeclRefExpr *> &R)
        : Var(V), Refs(R) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (Ref->getDecl() == &Var)
        Refs.push_back(Ref);
      return true;
    }
  } C(Var, Refs);
  C.TraverseStmt(const_cast<Expr *>(E));
  std::string Name = Var.getName().str();
  for (const DeclRefExpr *Ref : Refs) {
    ++RefsSeen;
    // Follow the value (or a pointer derived from it) upwards.
    const Expr *Cur = Ref;
    bool IsDerived = false;
    while (true) {
      auto Parents = Ctx.getParents(*Cur);
      if (Parents.empty())
        break;
      const Stmt *P = Parents[0].get<Stmt>();
      if (!P) {
        if (const auto *D = Parents[0].get<VarDecl>()) {
          if (State.needsRelease() || IsDerived) {
            if (!IsDerived || !D->hasLocalStorage() || D->isStaticLocal())
              return fail("'" + Name + "' is copied to '" + D->getName().str() +
                          "', which would keep a reference the fix releases");
            Derived.push_back(D);
            LateRelease = true;
          }
        }
        break;
      }
      if (isa<ParenExpr, ImplicitCastExpr, CStyleCastExpr, ConditionalOperator>(
              P)) {
        Cur = cast<Expr>(P);
        continue;
      }
      if (const auto *B = dyn_cast<BinaryOperator>(P)) {
        if (B->getOpcode() == BO_Comma && B->getRHS() == Cur) {
          Cur = B;
          continue;
        }
        if (B->isAssignmentOp()) {
          if (B->getLHS() == Cur && !IsDerived) {
            if (State.needsRelease() || B->getOpcode() != BO_Assign ||
                !AllowReassign)
              return fail("'" + Name + "' is assigned again while it holds "
                          "the new reference");
            Reassigned = B;
            break;
          }
          if (B->getRHS() != Cur)
            break;
          if (!State.needsRelease() && !IsDerived)
            break;
          const VarDecl *Target = refVar(B->getLHS());
          bool LocalTarget = Target && Target->hasLocalStorage() &&
                             !Target->isStaticLocal() &&
                             isa<DeclRefExpr>(B->getLHS()->IgnoreParenCasts());
          if (IsDerived && LocalTarget) {
            Derived.push_back(Target);
            LateRelease = true;
            break;
          }
          if (!State.needsRelease() && !IsDerived)
            break;
          return fail("'" + Name +
                      "' is stored in a struct, a global or another variable");
        }
        break;
      }
      if (const auto *U = dyn_cast<UnaryOperator>(P)) {
        if (U->getOpcode() == UO_AddrOf)
          return fail("the address of '" + Name + "' is taken");
        if (U->isIncrementDecrementOp())
          return fail("'" + Name + "' is modified after the call");
        if (U->getOpcode() == UO_Deref) {
          IsDerived = true;
          Cur = U;
          continue;
        }
        break;
      }
      if (isa<MemberExpr, ArraySubscriptExpr>(P)) {
        const auto *PE = cast<Expr>(P);
        if (const auto *M = dyn_cast<MemberExpr>(P); M && M->getBase() != Cur)
          break;
        if (const auto *A = dyn_cast<ArraySubscriptExpr>(P);
            A && A->getBase() != Cur)
          break;
        IsDerived = true;
        Cur = PE;
        continue;
      }
      if (const auto *Call = dyn_cast<CallExpr>(P)) {
        if (Call->getCallee() == Cur)
          break;
        unsigned Index = 0;
        while (Index < Call->getNumArgs() && Call->getArg(Index) != Cur)
          ++Index;
        llvm::StringRef Callee = calleeName(Call);
        if (!IsDerived && isNamed(Call, NewRefNames) &&
            State.needsRelease()) {
          // Py_NewRef(v): the fix's reference is the new one.
          std::optional<CharSourceRange> Range =
              fileRangeOf(Call->getSourceRange(), SM, LO);
          if (!Range)
            return fail("'Py_NewRef' is spelled inside a macro");
          Hints.push_back(FixItHint::CreateReplacement(*Range, Name));
          State.Owned = false;
          break;
        }
        if (!IsDerived && State.needsRelease()) {
          for (const auto &[Stealer, Arg] : StealingCalls)
            if (Stealer == Callee && Arg == Index)
              return fail("'" + Name + "' is passed to '" + Callee.str() +
                          "', which steals a reference");
          if (isNamed(Call, IncRefNames) || isNamed(Call, DecRefNames))
            return fail("the reference count of '" + Name +
                        "' is changed inside an expression");
        }
        QualType Result = Call->getType();
        if (Result->isPointerType() &&
            (!isPyObjectPointer(Result) ||
             llvm::is_contained(BorrowingCalls, Callee))) {
          IsDerived = true;
          Cur = Call;
          continue;
        }
        break;
      }
      if (isa<InitListExpr>(P) && (State.needsRelease() || IsDerived))
        return fail("'" + Name + "' is stored in an initializer list");
      if (const auto *Ret = dyn_cast<ReturnStmt>(P)) {
        (void)Ret;
        if (State.needsRelease())
          return fail("the function returns '" + Name +
                      "', which it only borrowed: its callers expect a "
                      "borrowed reference");
        break;
      }
      break;
    }
    if (failed())
      return;
  }
}

OwnState OwnershipRewriter::walkLoop(const Stmt *Loop, const Stmt *Body,
                                     const Expr *Cond, const Stmt *Inc,
                                     OwnState State) {
  OwnState Head = State;
  size_t HintsBefore = Hints.size();
  unsigned RefsBefore = RefsSeen;
  for (int Round = 0; Round < 4 && !failed(); ++Round) {
    Hints.resize(HintsBefore);
    RefsSeen = RefsBefore;
    OwnState Entry = Head;
    if (Cond && !isa<DoStmt>(Loop))
      scanExpr(Cond, Entry);
    if (Cond && !isa<DoStmt>(Loop) && Entry.Owned != Head.Owned)
      fail("the loop condition hands over '" + Var.getName().str() + "'");
    Loops.push_back({false, {}, {}});
    OwnState BodyEntry = Entry;
    if (Cond && !isa<DoStmt>(Loop))
      BodyEntry = refine(Cond, Entry).first;
    OwnState End = walk(Body, BodyEntry);
    LoopFrame Frame = std::move(Loops.back());
    Loops.pop_back();
    bool Conflict = false;
    for (const OwnState &C : Frame.Continues)
      End = merge(End, C, Conflict);
    if (Inc && End.Reachable)
      scanExpr(cast<Expr>(Inc), End);
    if (Cond && isa<DoStmt>(Loop) && End.Reachable)
      scanExpr(Cond, End);
    OwnState Next = merge(Head, End, Conflict);
    if (Conflict || (End.Reachable && End.Null != Nullness::Null &&
                     Head.Null != Nullness::Null && End.Owned != Head.Owned)) {
      fail("the ownership of '" + Var.getName().str() +
           "' changes inside a loop");
      return OwnState::unreachable();
    }
    if (Next == Head) {
      OwnState Exit = Cond ? refine(Cond, Head).second : Head;
      for (const OwnState &B : Frame.Breaks)
        Exit = merge(Exit, B, Conflict);
      if (Conflict)
        fail("the ownership of '" + Var.getName().str() +
             "' differs between the exits of a loop");
      return Exit;
    }
    Head = Next;
  }
  fail("the loop is not modelled");
  return OwnState::unreachable();
}

OwnState OwnershipRewriter::walk(const Stmt *S, OwnState State) {
  if (!S || failed() || !State.Reachable)
    return State;
  std::string Name = Var.getName().str();
  if (const auto *C = dyn_cast<CompoundStmt>(S)) {
    for (const Stmt *Child : C->body())
      State = walk(Child, State);
    return State;
  }
  if (isa<LabelStmt, CaseStmt, DefaultStmt>(S)) {
    fail("a label inside the live range of '" + Name +
         "' is control flow that is not modelled");
    return State;
  }
  if (const auto *If = dyn_cast<IfStmt>(S)) {
    if (If->getInit() || If->getConditionVariable()) {
      fail("an 'if' with a declaration is not modelled");
      return State;
    }
    scanExpr(If->getCond(), State);
    auto [Then, Else] = refine(If->getCond(), State);
    Then = walk(If->getThen(), Then);
    if (If->getElse())
      Else = walk(If->getElse(), Else);
    bool Conflict = false;
    OwnState Out = merge(Then, Else, Conflict);
    if (Conflict)
      fail("the ownership of '" + Name + "' differs between the branches of "
           "an 'if'");
    return Out;
  }
  if (const auto *While = dyn_cast<WhileStmt>(S))
    return walkLoop(S, While->getBody(), While->getCond(), nullptr, State);
  if (const auto *Do = dyn_cast<DoStmt>(S)) {
    if (releasedVar(S, SM, LO) == &Var) {
      if (State.needsRelease())
        fail("the code releases '" + Name + "', which it only borrowed");
      return State;
    }
    return walkLoop(S, Do->getBody(), Do->getCond(), nullptr, State);
  }
  if (const auto *For = dyn_cast<ForStmt>(S)) {
    State = walk(For->getInit(), State);
    return walkLoop(S, For->getBody(), For->getCond(), For->getInc(), State);
  }
  if (isa<SwitchStmt>(S)) {
    if (mentionsVariable(S, &Var) || containsA<ReturnStmt>(S) ||
        containsA<GotoStmt>(S) || containsA<ContinueStmt>(S)) {
      fail("a 'switch' in the live range of '" + Name + "' is not modelled");
      return State;
    }
    return State;
  }
  if (const auto *Ret = dyn_cast<ReturnStmt>(S)) {
    if (const Expr *Value = Ret->getRetValue())
      scanExpr(Value, State);
    if (failed())
      return State;
    if (State.needsRelease() && mentionsVariable(Ret->getRetValue(), &Var)) {
      fail("'" + Name + "' is used in the returned expression");
      return State;
    }
    for (const VarDecl *D : Derived)
      if (State.needsRelease() && mentionsVariable(Ret->getRetValue(), D)) {
        fail("'" + D->getName().str() + "' points into '" + Name +
             "' and is used in the returned expression");
        return State;
      }
    exitPoint(S, State);
    return OwnState::unreachable();
  }
  if (isa<GotoStmt>(S)) {
    exitPoint(S, State);
    return OwnState::unreachable();
  }
  if (isa<IndirectGotoStmt>(S)) {
    fail("a computed 'goto' is not modelled");
    return State;
  }
  if (isa<BreakStmt, ContinueStmt>(S)) {
    bool IsBreak = isa<BreakStmt>(S);
    // The innermost frame that the statement targets.
    for (auto It = Loops.rbegin(); It != Loops.rend(); ++It) {
      if (It->IsSwitch && !IsBreak)
        continue;
      (IsBreak ? It->Breaks : It->Continues).push_back(State);
      return OwnState::unreachable();
    }
    exitPoint(S, State);
    return OwnState::unreachable();
  }
  if (isa<NullStmt>(S))
    return State;
  if (const auto *Decl = dyn_cast<DeclStmt>(S)) {
    for (const clang::Decl *D : Decl->decls())
      if (const auto *V = dyn_cast<VarDecl>(D))
        if (const Expr *Init = V->getInit())
          scanExpr(Init, State);
    return State;
  }
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (singleArgCallOn(E, IncRefNames) == &Var) {
      ++RefsSeen;
      if (State.Null == Nullness::Null) {
        fail("'" + Name + "' is incremented where it is NULL");
        return State;
      }
      if (!State.Owned)
        return State;
      // The code takes its own reference: the fix's reference is that one.
      auto Parents = Ctx.getParents(*S);
      const Stmt *Parent = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
      std::optional<CharSourceRange> Line =
          Parent && isa<CompoundStmt>(Parent)
              ? wholeStatementLines(*S, SM, LO)
              : std::nullopt;
      if (!Line) {
        fail("the increment of '" + Name + "' cannot be removed in place");
        return State;
      }
      Hints.push_back(FixItHint::CreateRemoval(*Line));
      State.Owned = false;
      return State;
    }
    if (releasedVar(E, SM, LO) == &Var) {
      ++RefsSeen;
      if (State.needsRelease())
        fail("the code releases '" + Name + "', which it only borrowed");
      return State;
    }
    Reassigned = nullptr;
    AllowReassign = true;
    scanExpr(E, State);
    AllowReassign = false;
    if (Reassigned) {
      if (failed())
        return State;
      if (stripCasts(Reassigned) != Reassigned ||
          Reassigned != E->IgnoreParenImpCasts() ||
          State.Null != Nullness::Null) {
        // A new value the fix knows nothing about: stop tracking ownership.
        State.Owned = false;
        State.Null = Nullness::Maybe;
        return State;
      }
      const Expr *Value = stripCasts(Reassigned->getRHS());
      if (!isa<DeclRefExpr>(Value)) {
        State.Owned = false;
        State.Null = Nullness::Maybe;
        return State;
      }
      // `v = other;` where v was NULL: a borrowed copy; own it too, so that
      // every path holds a reference the same way.
      std::optional<SourceLocation> End = statementEnd(*S, SM, LO);
      std::optional<SourceLocation> Begin = statementBegin(*S, SM, LO);
      auto Parents = Ctx.getParents(*S);
      if (!End || !Begin || Parents.empty() ||
          !Parents[0].get<CompoundStmt>()) {
        fail("'" + Name + "' is assigned again in a statement that cannot "
             "take the increment");
        return State;
      }
      Hints.push_back(FixItHint::CreateInsertion(
          *End, "\n" + indentationAt(*Begin, SM) + "Py_XINCREF(" + Name +
                    ");"));
      State.Owned = true;
      State.Null = Nullness::Maybe;
      return State;
    }
    return State;
  }
  fail("a statement in the live range of '" + Name + "' is not modelled");
  return State;
}

void OwnershipRewriter::walkRegion(const CompoundStmt &Block,
                                   unsigned AfterIndex, OwnState State) {
  llvm::ArrayRef<Stmt *> Body(Block.body_begin(), Block.body_end());
  // Which statements (from the end) still mention the variable.
  std::vector<bool> UsedLater(Body.size() + 1, false);
  for (size_t I = Body.size(); I-- > AfterIndex + 1;)
    UsedLater[I] = UsedLater[I + 1] || mentionsVariable(Body[I], &Var);
  auto ReleaseAfter = [&](const Stmt *S) {
    std::optional<SourceLocation> End = statementEnd(*S, SM, LO);
    std::optional<SourceLocation> Begin = statementBegin(*S, SM, LO);
    if (!End || !Begin) {
      fail("the last use of '" + Var.getName().str() +
           "' is spelled inside a macro");
      return;
    }
    Hints.push_back(FixItHint::CreateInsertion(
        *End, "\n" + indentationAt(*Begin, SM) + releaseText(State)));
  };
  for (size_t I = AfterIndex;; ++I) {
    if (I > AfterIndex) {
      if (I >= Body.size())
        break;
      State = walk(Body[I], State);
      if (failed() || !State.Reachable)
        return;
    }
    bool Last = I + 1 >= Body.size();
    bool UsedAfter = !Last && UsedLater[I + 1];
    // With derived pointers alive, release only where the block ends.
    if (State.needsRelease() &&
        ((!UsedAfter && !LateRelease) || Last)) {
      // Derived variables must not outlive the block.
      ReleaseAfter(Body[I]);
      State.Owned = false;
    }
    // Nothing left to own and no use left: the rest of the block (a cleanup
    // label that the success path falls into) cannot affect the fix.
    if (!State.needsRelease() && !UsedAfter)
      return;
  }
}

/// Local references the function may hold when \p Target runs, found by a
/// gen/kill walk over the statements before it. Returns false when something
/// is not modelled (a resource other than a reference, a loop around it).
bool liveReferencesBefore(const Stmt *Target, const FunctionDecl &Function,
                          ASTContext &Ctx, const VarDecl *Exclude,
                          llvm::SmallPtrSetImpl<const VarDecl *> &Live,
                          std::string &Why) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  // The chain of statements from the body down to Target.
  llvm::SmallVector<const Stmt *, 8> Chain{Target};
  while (true) {
    auto Parents = Ctx.getParents(*Chain.back());
    if (Parents.empty())
      break;
    const Stmt *P = Parents[0].get<Stmt>();
    if (!P)
      break;
    if (isa<WhileStmt, ForStmt, DoStmt, SwitchStmt>(P)) {
      Why = "the lookup is inside a loop or a 'switch'";
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
  // Gen/kill over one statement that runs before Target.
  std::function<void(const Stmt *)> Effects = [&](const Stmt *S) {
    if (!S || Unmodelled)
      return;
    if (const VarDecl *V = releasedVar(S, SM, LO)) {
      Live.erase(V);
      return;
    }
    if (const auto *C = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *Child : C->body())
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
    struct Gen : RecursiveASTVisitor<Gen> {
      llvm::SmallPtrSetImpl<const VarDecl *> &Live;
      bool &Unmodelled;
      std::string &Why;
      const VarDecl *Exclude;
      Gen(llvm::SmallPtrSetImpl<const VarDecl *> &L, bool &U, std::string &W,
          const VarDecl *E)
          : Live(L), Unmodelled(U), Why(W), Exclude(E) {}
      void acquired(const Expr *Value, const Expr *Into) {
        const auto *Call = dyn_cast<CallExpr>(stripCasts(Value));
        if (!Call || !Call->getType()->isPointerType())
          return;
        if (llvm::is_contained(BorrowingCalls, calleeName(Call)) ||
            !isPointerToRecord(Call->getType()))
          return;
        const VarDecl *V = Into ? refVar(Into) : nullptr;
        if (V && V != Exclude && V->hasLocalStorage())
          Live.insert(V);
      }
      bool VisitBinaryOperator(BinaryOperator *B) {
        if (B->getOpcode() == BO_Assign)
          acquired(B->getRHS(), B->getLHS());
        return true;
      }
      bool VisitVarDecl(VarDecl *V) {
        if (V->getInit() && V->hasLocalStorage() && V != Exclude) {
          const auto *Call = dyn_cast<CallExpr>(stripCasts(V->getInit()));
          if (Call && isPointerToRecord(Call->getType()) &&
              !llvm::is_contained(BorrowingCalls, calleeName(Call)))
            Live.insert(V);
        }
        return true;
      }
      bool VisitCallExpr(CallExpr *Call) {
        llvm::StringRef Name = calleeName(Call);
        if (llvm::is_contained(ResourceCalls, Name)) {
          Unmodelled = true;
          Why = "the function holds a resource ('" + Name.str() +
                "') that the error path would have to release";
          return false;
        }
        if (Name.starts_with("PyArg_"))
          return true;
        for (const Expr *Arg : Call->arguments())
          if (const auto *U = dyn_cast<UnaryOperator>(Arg->IgnoreParenCasts());
              U && U->getOpcode() == UO_AddrOf)
            if (const VarDecl *V = refVar(U->getSubExpr());
                V && V->hasLocalStorage() && V != Exclude &&
                isPointerToRecord(V->getType()))
              Live.insert(V);
        return true;
      }
    } G(Live, Unmodelled, Why, Exclude);
    G.TraverseStmt(const_cast<Stmt *>(S));
  };
  for (size_t I = Chain.size() - 1; I > 0; --I) {
    const Stmt *Outer = Chain[I];
    const Stmt *Inner = Chain[I - 1];
    if (const auto *C = dyn_cast<CompoundStmt>(Outer)) {
      for (const Stmt *Child : C->body()) {
        if (Child == Inner)
          break;
        Effects(Child);
      }
    } else if (const auto *If = dyn_cast<IfStmt>(Outer)) {
      Effects(If->getCond());
    } else if (!isa<LabelStmt>(Outer)) {
      Why = "the lookup is nested in a statement that is not modelled";
      return false;
    }
    if (Unmodelled)
      return false;
  }
  return !Unmodelled;
}

/// `return NULL;` or `return -1;`, by the function's own convention.
std::optional<std::string> errorReturn(const FunctionDecl &Function,
                                       ASTContext &Ctx) {
  QualType Result = Function.getReturnType();
  bool Pointer = Result->isPointerType();
  bool Int = Result->isIntegerType() && !Result->isBooleanType();
  if (!Pointer && !Int)
    return std::nullopt;
  bool Seen = false;
  std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
    if (!S || Seen)
      return;
    if (const auto *Ret = dyn_cast<ReturnStmt>(S)) {
      if (const Expr *V = Ret->getRetValue()) {
        Expr::EvalResult R;
        if (Pointer && V->isNullPointerConstant(
                           Ctx, Expr::NPC_ValueDependentIsNotNull))
          Seen = true;
        else if (Int && V->EvaluateAsInt(R, Ctx) && R.Val.getInt() == -1)
          Seen = true;
      }
    }
    for (const Stmt *Child : S->children())
      Find(Child);
  };
  Find(Function.getBody());
  if (!Seen)
    return std::nullopt;
  return std::string(Pointer ? "return NULL;" : "return -1;");
}

/// Whether \p E is the error value of a function returning \p Result:
/// NULL for a pointer, -1 for an integer.
bool isErrorValue(const Expr *E, QualType Result, ASTContext &Ctx) {
  if (Result->isPointerType())
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
  Expr::EvalResult R;
  return Result->isIntegerType() && !Result->isBooleanType() &&
         E->EvaluateAsInt(R, Ctx) && R.Val.getInt() == -1;
}

/// The statements that run before \p Target on every path to it: the
/// earlier statements of each block between the function body and Target.
/// Empty when Target is not reached through blocks and 'if's only.
std::vector<const Stmt *> dominatingStatements(const Stmt *Target,
                                               const FunctionDecl &Function,
                                               ASTContext &Ctx) {
  std::vector<const Stmt *> Result;
  const Stmt *Child = Target;
  while (Child != Function.getBody()) {
    auto Parents = Ctx.getParents(*Child);
    const Stmt *P = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
    if (!P || !isa<CompoundStmt, IfStmt, LabelStmt>(P))
      return {};
    if (const auto *C = dyn_cast<CompoundStmt>(P))
      for (const Stmt *S : C->body()) {
        if (S == Child)
          break;
        Result.push_back(S);
      }
    Child = P;
  }
  return Result;
}

/// How a variable is known to stand when the lookup runs.
enum class KnownState { Unknown, Assigned, NullAndUntouched };

KnownState stateBefore(const VarDecl *V, const Stmt *Target,
                       const std::vector<const Stmt *> &Dominating,
                       const FunctionDecl &Function, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const DeclStmt *Declaration = nullptr;
  bool AssignedOnEveryPath = false;
  for (const Stmt *S : Dominating) {
    if (const auto *D = dyn_cast<DeclStmt>(S);
        D && llvm::is_contained(D->decls(), V))
      Declaration = D;
    const auto *Assign = dyn_cast<BinaryOperator>(S);
    if (Assign && Assign->getOpcode() == BO_Assign &&
        isa<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts()) &&
        refVar(Assign->getLHS()) == V)
      AssignedOnEveryPath = true;
  }
  if (!Declaration)
    return KnownState::Unknown;
  if (AssignedOnEveryPath || V->getInit()) {
    // Mentioned anywhere before the lookup other than in its declaration?
    bool Touched = AssignedOnEveryPath;
    std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
      if (!S || Touched)
        return;
      if (const auto *Ref = dyn_cast<DeclRefExpr>(S);
          Ref && Ref->getDecl() == V &&
          SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Ref->getBeginLoc()),
                                       SM.getExpansionLoc(Target->getBeginLoc())))
        Touched = true;
      for (const Stmt *Child : S->children())
        Find(Child);
    };
    Find(Function.getBody());
    if (!Touched && V->getInit() &&
        V->getInit()->isNullPointerConstant(Ctx,
                                            Expr::NPC_ValueDependentIsNotNull))
      return KnownState::NullAndUntouched;
    return KnownState::Assigned;
  }
  return KnownState::Unknown;
}

/// `goto <label>;` when the function reports errors through a label that is
/// correct to jump to from \p Target: other error paths jump there, the
/// statements from the label to its `return` only release local references
/// with Py_XDECREF or Py_CLEAR, every reference in \p Live is among them,
/// every other one is still NULL at Target, and the `return` gives NULL or
/// -1. None, with \p Why set when a label exists but cannot be used.
std::optional<std::string>
errorLabelJump(const Stmt *Target, const FunctionDecl &Function,
               ASTContext &Ctx, const VarDecl *Var,
               const llvm::SmallPtrSetImpl<const VarDecl *> &Live,
               std::string &Why) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Function.getBody());
  if (!Body)
    return std::nullopt;
  auto Before = [&](const Stmt *A, const Stmt *B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A->getBeginLoc()),
                                        SM.getExpansionLoc(B->getBeginLoc()));
  };
  // The labels and how many 'goto's jump to each.
  std::vector<const LabelStmt *> Labels;
  llvm::DenseMap<const LabelDecl *, unsigned> Jumps;
  std::function<void(const Stmt *)> Collect = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *L = dyn_cast<LabelStmt>(S))
      Labels.push_back(L);
    if (const auto *G = dyn_cast<GotoStmt>(S))
      ++Jumps[G->getLabel()];
    for (const Stmt *Child : S->children())
      Collect(Child);
  };
  Collect(Body);
  if (Jumps.empty())
    return std::nullopt;
  for (const LabelStmt *L : Labels)
    if (Before(L, Target)) {
      Why = "the function has a label before the lookup";
      return std::nullopt;
    }
  std::vector<const Stmt *> Dominating =
      dominatingStatements(Target, Function, Ctx);
  QualType Result = Function.getReturnType();
  // The most used label first.
  llvm::stable_sort(Labels, [&](const LabelStmt *A, const LabelStmt *B) {
    return Jumps.lookup(A->getDecl()) > Jumps.lookup(B->getDecl());
  });
  std::string FirstWhy;
  for (const LabelStmt *L : Labels) {
    if (!Jumps.lookup(L->getDecl()))
      continue;
    std::string Name = L->getDecl()->getName().str();
    auto Reject = [&](const std::string &Reason) {
      if (FirstWhy.empty())
        FirstWhy = "its error label '" + Name + "' cannot be used: " + Reason;
    };
    const Stmt *const *Position = llvm::find(Body->body(), L);
    if (Position == Body->body_end()) {
      Reject("it is not a statement of the function body");
      continue;
    }
    // The statements from the label to its 'return'.
    llvm::SmallVector<const VarDecl *, 4> Released;
    const ReturnStmt *Return = nullptr;
    std::string Problem;
    for (const Stmt *const *It = Position; It != Body->body_end() && !Return &&
                                           Problem.empty();
         ++It) {
      const Stmt *S = *It;
      while (const auto *Inner = dyn_cast<LabelStmt>(S))
        S = Inner->getSubStmt();
      if (isa<NullStmt>(S))
        continue;
      if (const auto *R = dyn_cast<ReturnStmt>(S)) {
        Return = R;
        break;
      }
      const VarDecl *V = singleArgCallOn(S, {"Py_XDECREF", "_Py_XDECREF"});
      if (!V)
        V = clearedVar(S, SM, LO);
      if (!V) {
        Problem = releasedVar(S, SM, LO)
                      ? "it releases with 'Py_DECREF', which needs a "
                        "non-NULL reference"
                      : "it does more than release references";
        break;
      }
      if (V == Var) {
        Problem = "it releases '" + V->getName().str() + "'";
        break;
      }
      Released.push_back(V);
    }
    if (!Problem.empty() || !Return) {
      Reject(Problem.empty() ? "it does not end in a 'return'" : Problem);
      continue;
    }
    const Expr *Value = Return->getRetValue();
    if (!Value) {
      Reject("it returns nothing");
      continue;
    }
    if (!isErrorValue(Value, Result, Ctx)) {
      const VarDecl *V = refVar(Value);
      if (!V || V == Var || Live.count(V) ||
          !isa<DeclRefExpr>(Value->IgnoreParenImpCasts()) ||
          stateBefore(V, Target, Dominating, Function, Ctx) !=
              KnownState::NullAndUntouched) {
        Reject("it does not return NULL or -1, or a variable that is still "
               "NULL when the lookup runs");
        continue;
      }
    }
    for (const VarDecl *V : Live)
      if (!llvm::is_contained(Released, V)) {
        Problem = "it does not release '" + V->getName().str() + "'";
        break;
      }
    for (const VarDecl *V : Released) {
      if (!Problem.empty())
        break;
      KnownState State = stateBefore(V, Target, Dominating, Function, Ctx);
      if (Live.count(V) ? State == KnownState::Unknown
                        : State != KnownState::NullAndUntouched)
        Problem = "'" + V->getName().str() +
                  "' may be uninitialised or hold a released reference "
                  "when the lookup runs";
    }
    if (!Problem.empty()) {
      Reject(Problem);
      continue;
    }
    return "goto " + Name + ";";
  }
  Why = FirstWhy;
  return std::nullopt;
}

/// The test `if (PyErr_Occurred()) ERROR` that follows a lookup reporting
/// errors as NULL and runs only when the lookup returned NULL. Moved into
/// `if (Ref(...) < 0) { ERROR }`, it gives the shape of CPython's own ports.
struct ErrorTest {
  const Stmt *Error = nullptr;
  /// The text that goes away: the test, or `else if (...) ERROR`.
  CharSourceRange Removal;
  /// Releases of other variables between the lookup and the test: they ran
  /// before ERROR, so the new error path runs them too.
  std::string Releases;
};

bool isErrorOccurredTest(const Expr *E, ASTContext &Ctx) {
  E = stripCasts(E);
  if (const auto *B = dyn_cast<BinaryOperator>(E);
      B && B->getOpcode() == BO_NE &&
      B->getRHS()->isNullPointerConstant(Ctx,
                                         Expr::NPC_ValueDependentIsNotNull))
    E = stripCasts(B->getLHS());
  const auto *Call = dyn_cast<CallExpr>(E);
  return Call && Call->getNumArgs() == 0 &&
         calleeName(Call) == "PyErr_Occurred";
}

/// True when \p Cond holds exactly when \p Var is NULL, false when exactly
/// when it is not; none for anything else.
std::optional<bool> testsNull(const Expr *Cond, const VarDecl &Var,
                              ASTContext &Ctx) {
  const Expr *C = Cond->IgnoreParenImpCasts();
  bool Negated = false;
  while (const auto *U = dyn_cast<UnaryOperator>(C)) {
    if (U->getOpcode() != UO_LNot)
      return std::nullopt;
    Negated = !Negated;
    C = U->getSubExpr()->IgnoreParenImpCasts();
  }
  auto IsVar = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
    return Ref && Ref->getDecl() == &Var;
  };
  if (IsVar(C))
    return Negated;
  const auto *B = dyn_cast<BinaryOperator>(C);
  if (!B || (B->getOpcode() != BO_EQ && B->getOpcode() != BO_NE))
    return std::nullopt;
  auto IsNull = [&](const Expr *E) {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
  };
  if (!((IsVar(B->getLHS()) && IsNull(B->getRHS())) ||
        (IsNull(B->getLHS()) && IsVar(B->getRHS()))))
    return std::nullopt;
  return (B->getOpcode() == BO_EQ) != Negated;
}

/// `if (PyErr_Occurred()) ERROR` with no else: its ERROR.
const Stmt *plainErrorTest(const Stmt *S, ASTContext &Ctx) {
  const auto *If = dyn_cast_or_null<IfStmt>(S);
  if (!If || If->getElse() || If->getInit() || If->getConditionVariable() ||
      !isErrorOccurredTest(If->getCond(), Ctx))
    return nullptr;
  return If->getThen();
}

std::optional<ErrorTest> findErrorTest(const CompoundStmt &Block,
                                       unsigned Index, const VarDecl &Var,
                                       ASTContext &Ctx, bool NullMeansError) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  ErrorTest Found;
  unsigned I = Index + 1;
  for (; I < Block.size(); ++I) {
    const Stmt *S = Block.body_begin()[I];
    const VarDecl *Released = releasedVar(S, SM, LO);
    if (!Released || Released == &Var)
      break;
    std::optional<CharSourceRange> R = statementRange(*S, SM, LO);
    if (!R)
      return std::nullopt;
    Found.Releases += Lexer::getSourceText(*R, SM, LO).str() + "\n";
  }
  if (I >= Block.size())
    return std::nullopt;
  const auto *If = dyn_cast<IfStmt>(Block.body_begin()[I]);
  if (!If || If->getInit() || If->getConditionVariable())
    return std::nullopt;
  const Stmt *Test = nullptr;
  const Expr *Cond = If->getCond()->IgnoreParenImpCasts();
  if (const auto *And = dyn_cast<BinaryOperator>(Cond);
      And && And->getOpcode() == BO_LAnd && !If->getElse() &&
      testsNull(And->getLHS(), Var, Ctx) == true &&
      isErrorOccurredTest(And->getRHS(), Ctx)) {
    // if (v == NULL && PyErr_Occurred()) ERROR
    Test = If;
    Found.Error = If->getThen();
  } else if (std::optional<bool> NullWhenTrue = testsNull(Cond, Var, Ctx)) {
    const auto *Then = dyn_cast<CompoundStmt>(If->getThen());
    if (*NullWhenTrue && NullMeansError) {
      // if (v == NULL) ERROR, where NULL is the error
      if (!If->getElse()) {
        Test = If;
        Found.Error = If->getThen();
      }
    } else if (*NullWhenTrue) {
      // if (v == NULL) { if (PyErr_Occurred()) ERROR ... }
      if (Then && !Then->body_empty() &&
          (Found.Error = plainErrorTest(Then->body_front(), Ctx)))
        Test = Then->body_front();
    } else if (If->getElse()) {
      // if (v != NULL) { ... } else if (PyErr_Occurred()) ERROR
      if (Then && (Found.Error = plainErrorTest(If->getElse(), Ctx))) {
        std::optional<SourceLocation> End =
            statementEnd(*If->getElse(), SM, LO);
        SourceLocation ThenEnd =
            Lexer::getLocForEndOfToken(Then->getRBracLoc(), 0, SM, LO);
        if (!End || ThenEnd.isInvalid() || ThenEnd.isMacroID())
          return std::nullopt;
        Found.Removal = CharSourceRange::getCharRange(ThenEnd, *End);
      }
    } else if (endsInExit(If->getThen()) && I + 1 < Block.size()) {
      // if (v != NULL) { ... return ...; } if (PyErr_Occurred()) ERROR
      if ((Found.Error = plainErrorTest(Block.body_begin()[I + 1], Ctx)))
        Test = Block.body_begin()[I + 1];
    }
  }
  if (!Found.Error)
    return std::nullopt;
  if (Test) {
    std::optional<CharSourceRange> Lines = wholeStatementLines(*Test, SM, LO);
    if (!Lines)
      return std::nullopt;
    Found.Removal = *Lines;
  }
  // ERROR moves: it must not use the variable, hold labels, or fall through
  // into releases that already ran.
  if (mentionsVariable(Found.Error, &Var) ||
      containsA<LabelStmt>(Found.Error) || containsA<SwitchCase>(Found.Error) ||
      (!Found.Releases.empty() && !endsInExit(Found.Error)))
    return std::nullopt;
  if (Found.Removal.getBegin().isMacroID() ||
      Found.Removal.getEnd().isMacroID() || !statementRange(*Found.Error, SM, LO))
    return std::nullopt;
  return Found;
}

/// What one level of indentation is in \p Block, whose statements start at
/// \p Indent: the difference from the line of its opening brace, else four
/// spaces.
std::string indentationStep(const CompoundStmt &Block, llvm::StringRef Indent,
                            const SourceManager &SM) {
  std::string Outer = indentationAt(Block.getLBracLoc(), SM);
  llvm::StringRef Step = Indent;
  if (Step.consume_front(Outer) && !Step.empty())
    return Step.str();
  return "    ";
}

/// The statements of \p Error re-indented to \p Indent, each line ending in
/// a newline.
std::string movedBody(const Stmt &Error, llvm::StringRef Indent,
                      const SourceManager &SM, const LangOptions &LO) {
  std::string Text;
  if (const auto *C = dyn_cast<CompoundStmt>(&Error)) {
    SourceLocation Begin =
        Lexer::getLocForEndOfToken(C->getLBracLoc(), 0, SM, LO);
    Text = Lexer::getSourceText(
               CharSourceRange::getCharRange(Begin, C->getRBracLoc()), SM, LO)
               .str();
  } else {
    Text = Lexer::getSourceText(*statementRange(Error, SM, LO), SM, LO).str();
  }
  llvm::SmallVector<llvm::StringRef, 8> Lines;
  llvm::StringRef(Text).split(Lines, '\n');
  size_t Common = std::string::npos;
  for (llvm::StringRef Line : Lines)
    if (!Line.trim().empty())
      Common = std::min(Common, Line.size() - Line.ltrim(" \t").size());
  std::string Out;
  for (llvm::StringRef Line : Lines) {
    if (Line.trim().empty())
      continue;
    Out += Indent.str() + Line.drop_front(Common).rtrim().str() + "\n";
  }
  return Out;
}

Rewrite rewriteCall(const CallExpr &Call, const FunctionDecl &Function,
                    llvm::StringRef Replacement, StrongCallForm Form,
                    ASTContext &Ctx, bool MoveErrorTest) {
  Rewrite Result;
  auto Fail = [&](llvm::StringRef Why) {
    Result.Hints.clear();
    Result.Reason = Why.str();
    return Result;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  if (Call.getBeginLoc().isMacroID() || Call.getEndLoc().isMacroID())
    return Fail("the call is spelled through a macro");
  std::optional<CharSourceRange> CallRange =
      fileRangeOf(Call.getSourceRange(), SM, LO);
  if (!CallRange)
    return Fail("the call is spelled through a macro");

  // The statement `v = CALL;` or `T *v = CALL;` directly in a block.
  const Expr *Top = &Call;
  auto ParentOf = [&](const auto &Node) -> DynTypedNode {
    auto Parents = Ctx.getParents(Node);
    return Parents.empty() ? DynTypedNode() : Parents[0];
  };
  DynTypedNode P = ParentOf(*Top);
  while (const auto *E = P.get<Expr>()) {
    if (!isa<ParenExpr, ImplicitCastExpr>(E))
      break;
    Top = E;
    P = ParentOf(*E);
  }
  std::string Args;
  for (unsigned I = 0; I < Call.getNumArgs(); ++I) {
    std::optional<std::string> Text =
        spelledText(Call.getArg(I)->getSourceRange(), SM, LO);
    if (!Text)
      return Fail("an argument is spelled through a macro");
    Args += (I ? ", " : "") + *Text;
  }

  // PyDict_SetDefault's result only tested against NULL, or dropped: the
  // new reference is not wanted.
  if (Form == StrongCallForm::SetDefault) {
    std::string Unwanted = Replacement.str() + "(" + Args + ", NULL)";
    if (const auto *Compare = P.get<BinaryOperator>();
        Compare &&
        (Compare->getOpcode() == BO_EQ || Compare->getOpcode() == BO_NE)) {
      const Expr *Other =
          Compare->getLHS() == Top ? Compare->getRHS() : Compare->getLHS();
      std::optional<CharSourceRange> Whole =
          fileRangeOf(Compare->getSourceRange(), SM, LO);
      if (Other->isNullPointerConstant(Ctx,
                                       Expr::NPC_ValueDependentIsNotNull) &&
          Whole) {
        Result.Hints.push_back(FixItHint::CreateReplacement(
            *Whole,
            Unwanted + (Compare->getOpcode() == BO_EQ ? " < 0" : " >= 0")));
        return Result;
      }
    }
    if (ParentOf(*Top).get<CompoundStmt>()) {
      Result.Hints.push_back(
          FixItHint::CreateReplacement(*CallRange, Unwanted));
      return Result;
    }
  }

  const VarDecl *Var = nullptr;
  const Stmt *Statement = nullptr;
  bool IsDecl = false;
  if (const auto *Assign = P.get<BinaryOperator>();
      Assign && Assign->getOpcode() == BO_Assign && Assign->getRHS() == Top) {
    Var = refVar(Assign->getLHS());
    if (!isa<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts()))
      Var = nullptr;
    Statement = Assign;
  } else if (const auto *D = P.get<VarDecl>()) {
    Var = D;
    DynTypedNode DP = ParentOf(*D);
    if (const auto *DS = DP.get<DeclStmt>(); DS && DS->isSingleDecl())
      Statement = DS;
    IsDecl = true;
  }
  if (!Var || !Statement)
    return Fail("the result is not stored in a local variable by a statement "
                "of its own");
  if (!Var->hasLocalStorage() || Var->isStaticLocal() || isa<ParmVarDecl>(Var))
    return Fail("the result is stored in '" + Var->getName().str() +
                "', which is not a local variable of the function");
  if (!isPyObjectPointer(Var->getType()))
    return Fail("'" + Var->getName().str() + "' is not a 'PyObject *'");
  const auto *Block = ParentOf(*Statement).get<CompoundStmt>();
  if (!Block)
    return Fail("the assignment is not a statement of its own in a block");
  if (Statement->getBeginLoc().isMacroID() || Statement->getEndLoc().isMacroID())
    return Fail("the statement is spelled through a macro");
  unsigned Index = 0;
  while (Index < Block->size() && Block->body_begin()[Index] != Statement)
    ++Index;
  if (Index == Block->size())
    return Fail("the assignment is not a statement of its own in a block");

  // Every other use of the variable must follow in the same block.
  unsigned TotalRefs = 0;
  struct Counter : RecursiveASTVisitor<Counter> {
    const VarDecl *Var;
    unsigned &N;
    Counter(const VarDecl *V, unsigned &N) : Var(V), N(N) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      N += Ref->getDecl() == Var;
      return true;
    }
  } Count(Var, TotalRefs);
  Count.TraverseStmt(Function.getBody());
  unsigned RefsInStatement = IsDecl ? 0 : 1;
  RefsInStatement += mentionsVariable(&Call, Var) ? 1 : 0;
  if (mentionsVariable(&Call, Var))
    return Fail("'" + Var->getName().str() + "' is used in its own call");

  std::string Name = Var->getName().str();
  std::string Indent = indentationAt(Statement->getBeginLoc(), SM);
  // One level deeper, in the file's own step (2 spaces, 4, a tab...).
  std::string Inner = Indent + indentationStep(*Block, Indent, SM);

  // The replacement of the statement itself.
  std::string NewCall;
  std::optional<ErrorTest> ErrorTestMoved;
  switch (Form) {
  case StrongCallForm::SameArguments:
    NewCall = Replacement.str() + "(" + Args + ")";
    break;
  case StrongCallForm::LookupReportingErrors:
  case StrongCallForm::SetDefault:
    NewCall = Replacement.str() + "(" + Args + ", &" + Name + ")";
    if (MoveErrorTest)
      ErrorTestMoved = findErrorTest(*Block, Index, *Var, Ctx,
                                     Form == StrongCallForm::SetDefault);
    if (ErrorTestMoved) {
      std::string Copies;
      llvm::SmallVector<llvm::StringRef, 4> Released;
      llvm::StringRef(ErrorTestMoved->Releases).split(Released, '\n', -1,
                                                      false);
      for (llvm::StringRef Line : Released)
        Copies += Inner + Line.str() + "\n";
      NewCall = "if (" + NewCall + " < 0) {\n" + Copies +
                movedBody(*ErrorTestMoved->Error, Inner, SM, LO) + Indent +
                "}";
    }
    break;
  case StrongCallForm::LookupSwallowingErrors: {
    llvm::SmallPtrSet<const VarDecl *, 8> Live;
    std::string Why;
    if (!liveReferencesBefore(Statement, Function, Ctx, Var, Live, Why))
      return Fail("the lookup used to swallow errors and the error path "
                  "cannot be built: " +
                  Why);
    std::string LabelWhy;
    if (std::optional<std::string> Jump =
            errorLabelJump(Statement, Function, Ctx, Var, Live, LabelWhy)) {
      // The label releases what the function holds.
      NewCall = "if (" + Replacement.str() + "(" + Args + ", &" + Name +
                ") < 0) {\n" + Inner + *Jump + "\n" + Indent + "}";
      break;
    }
    if (!LabelWhy.empty())
      LabelWhy = "; " + LabelWhy;
    std::optional<std::string> Return = errorReturn(Function, Ctx);
    if (!Return)
      return Fail("the lookup used to swallow errors, and the function has no "
                  "'return NULL' or 'return -1' convention to report them" +
                  LabelWhy);
    // Releases that follow the lookup right away run on the error path too.
    std::string Copies;
    for (unsigned I = Index + 1; I < Block->size(); ++I) {
      const Stmt *Next = Block->body_begin()[I];
      const VarDecl *Released = releasedVar(Next, SM, LO);
      if (!Released || Released == Var)
        break;
      std::optional<CharSourceRange> R = statementRange(*Next, SM, LO);
      if (!R)
        break;
      Copies += Inner + Lexer::getSourceText(*R, SM, LO).str() + "\n";
      Live.erase(Released);
    }
    if (!Live.empty()) {
      std::string Names;
      for (const VarDecl *V : Live)
        Names += (Names.empty() ? "'" : ", '") + V->getName().str() + "'";
      return Fail("the lookup used to swallow errors, and on the new error "
                  "path the function may still hold " +
                  Names + LabelWhy);
    }
    NewCall = "if (" + Replacement.str() + "(" + Args + ", &" + Name +
              ") < 0) {\n" + Copies + Inner + *Return + "\n" +
              Indent + "}";
    break;
  }
  case StrongCallForm::Weakref:
    NewCall = "if (" + Replacement.str() + "(" + Args + ", &" + Name +
              ") == 0) {\n" + Indent + "    /* The referent is dead. */\n" +
              Inner + "Py_INCREF(Py_None);\n" + Inner + Name +
              " = Py_None;\n" + Indent + "}";
    break;
  }
  bool IsStatementForm = Form != StrongCallForm::SameArguments;
  bool NeedsSemicolon = (Form == StrongCallForm::LookupReportingErrors ||
                         Form == StrongCallForm::SetDefault) &&
                        !ErrorTestMoved;
  std::vector<FixItHint> Hints;
  if (!IsStatementForm) {
    Hints.push_back(FixItHint::CreateReplacement(*CallRange, NewCall));
  } else if (IsDecl) {
    // `T *v = CALL;` -> `T *v;` and the call as a statement of its own.
    SourceLocation NameEnd =
        Lexer::getLocForEndOfToken(Var->getLocation(), 0, SM, LO);
    std::optional<CharSourceRange> Whole = statementRange(*Statement, SM, LO);
    if (!Whole || NameEnd.isInvalid() || NameEnd.isMacroID())
      return Fail("the declaration is spelled through a macro");
    std::string TypeText =
        Lexer::getSourceText(
            CharSourceRange::getCharRange(Whole->getBegin(), NameEnd), SM, LO)
            .str();
    Hints.push_back(FixItHint::CreateReplacement(
        *Whole, TypeText + ";\n" + Indent + NewCall +
                    (NeedsSemicolon ? ";" : "")));
  } else {
    std::optional<CharSourceRange> Whole = statementRange(*Statement, SM, LO);
    if (!Whole)
      return Fail("the statement is spelled through a macro");
    Hints.push_back(
        FixItHint::CreateReplacement(*Whole, NewCall + (NeedsSemicolon ? ";" : "")));
  }

  // Ownership of the new reference over the rest of the block.
  std::string Failure;
  OwnershipRewriter Owner(*Var, Ctx, Failure, Hints);
  OwnState State;
  Owner.walkRegion(*Block, Index, State);
  if (!Failure.empty())
    return Fail(Failure);
  if (ErrorTestMoved) {
    // The walk saw the test where it was; nothing of it may be inside the
    // text that goes away.
    unsigned RemovedBegin = SM.getFileOffset(ErrorTestMoved->Removal.getBegin());
    unsigned RemovedEnd = SM.getFileOffset(ErrorTestMoved->Removal.getEnd());
    for (size_t I = 1; I < Hints.size(); ++I) {
      unsigned At = SM.getFileOffset(SM.getExpansionLoc(Hints[I].RemoveRange.getBegin()));
      if (At >= RemovedBegin && At < RemovedEnd)
        return rewriteCall(Call, Function, Replacement, Form, Ctx,
                           /*MoveErrorTest=*/false);
    }
    Hints.push_back(FixItHint::CreateRemoval(ErrorTestMoved->Removal));
  }
  if (Owner.RefsSeen + RefsInStatement != TotalRefs)
    return Fail("'" + Name + "' is also used outside the statements that "
                "follow the call in its block");
  for (const VarDecl *D : Owner.Derived) {
    unsigned DerivedTotal = 0, DerivedInBlock = 0;
    Counter(D, DerivedTotal).TraverseStmt(Function.getBody());
    for (unsigned I = Index; I < Block->size(); ++I)
      Counter(D, DerivedInBlock)
          .TraverseStmt(const_cast<Stmt *>(Block->body_begin()[I]));
    if (DerivedTotal != DerivedInBlock)
      return Fail("'" + D->getName().str() + "' points into '" + Name +
                  "' and is also used outside the block");
  }
  // Insertions at one place are one edit, in the order they were made.
  for (FixItHint &Hint : Hints) {
    if (!Hint.RemoveRange.getBegin().isValid() ||
        Hint.RemoveRange.getBegin() != Hint.RemoveRange.getEnd() ||
        Hint.CodeToInsert.empty())
      continue;
    bool Merged = false;
    for (FixItHint &Earlier : Result.Hints)
      if (Earlier.RemoveRange.getBegin() == Hint.RemoveRange.getBegin() &&
          Earlier.RemoveRange.getBegin() == Earlier.RemoveRange.getEnd()) {
        Earlier.CodeToInsert += Hint.CodeToInsert;
        Merged = true;
        break;
      }
    if (!Merged)
      Result.Hints.push_back(Hint);
    Hint.CodeToInsert.clear();
  }
  for (FixItHint &Hint : Hints)
    if (!(Hint.RemoveRange.getBegin() == Hint.RemoveRange.getEnd() &&
          Hint.CodeToInsert.empty()))
      Result.Hints.push_back(std::move(Hint));
  return Result;
}

} // namespace

Rewrite rewriteBorrowedCall(const CallExpr &Call, const FunctionDecl &Function,
                            llvm::StringRef Replacement, StrongCallForm Form,
                            ASTContext &Ctx) {
  return rewriteCall(Call, Function, Replacement, Form, Ctx,
                     /*MoveErrorTest=*/true);
}

} // namespace gilport
