//===--- ErrorPaths.cpp ---------------------------------------------------===//

#include "rewrites/borrowed/ErrorPaths.h"
#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/borrowed/OwnershipWalk.h"

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
namespace borrowed {

using namespace clang;

namespace {

/// Calls that acquire something other than a reference.
constexpr llvm::StringRef ResourceCalls[] = {
    "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_RawMalloc",
    "PyMem_RawCalloc", "PyObject_Malloc", "PyObject_Calloc", "malloc",
    "calloc", "realloc", "Py_EnterRecursiveCall", "_Py_EnterRecursiveCall",
    "PyObject_GetBuffer", "PyGILState_Ensure", "PyEval_SaveThread",
    "PyThread_acquire_lock", "PyThread_acquire_lock_timed", "PyMutex_Lock",
    "PyCriticalSection_Begin", "PyCriticalSection2_Begin", "Py_ReprEnter",
    "PyEval_AcquireThread", "PyEval_RestoreThread"};

bool isPointerToRecord(QualType T) {
  if (const auto *P = T->getAs<PointerType>())
    return P->getPointeeType()->isRecordType();
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

} // namespace

std::optional<std::string> lookupWithErrorPath(
    const Stmt *Statement, const CompoundStmt *Block, unsigned Index,
    const VarDecl *Var, const FunctionDecl &Function, ASTContext &Ctx,
    llvm::StringRef Replacement, const std::string &Args,
    const std::string &Indent, const std::string &Inner, std::string &Failure) {
  auto Fail = [&](llvm::StringRef Why) -> std::optional<std::string> {
    Failure = Why.str();
    return std::nullopt;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::string Name = Var->getName().str();
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
    return "if (" + Replacement.str() + "(" + Args + ", &" + Name +
           ") < 0) {\n" + Inner + *Jump + "\n" + Indent + "}";
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
  return "if (" + Replacement.str() + "(" + Args + ", &" + Name + ") < 0) {\n" +
         Copies + Inner + *Return + "\n" + Indent + "}";
}

namespace {

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

} // namespace

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

} // namespace borrowed
} // namespace gilport
