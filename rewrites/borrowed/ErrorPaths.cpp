//===--- ErrorPaths.cpp ---------------------------------------------------===//

#include "rewrites/borrowed/ErrorPaths.h"
#include "analysis/AstQueries.h"
#include "analysis/NewReferences.h"
#include "analysis/SourceRanges.h"
#include "rewrites/borrowed/Liveness.h"
#include "rewrites/borrowed/OwnershipWalk.h"
#include "rewrites/borrowed/SameStateExit.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <optional>
#include <vector>

namespace gilport {
namespace borrowed {

using namespace clang;

namespace {

std::optional<bool> testsNull(const Expr *Cond, const VarDecl &Var,
                              ASTContext &Ctx);

/// The constant that the function's own error exits return, spelled as they
/// spell it: `if (v == NULL) return 0;` (or a block ending so) where `v` is
/// set by a call that returns NULL with an exception set. None when there
/// is no such exit, or when two return different values.
std::optional<std::string> authorsErrorValue(const FunctionDecl &Function,
                                             ASTContext &Ctx) {
  llvm::SmallPtrSet<const VarDecl *, 8> Results;
  std::vector<const IfStmt *> Tests;
  std::function<void(const Stmt *)> Collect = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *Assign = dyn_cast<BinaryOperator>(S);
        Assign && Assign->getOpcode() == BO_Assign)
      if (const auto *Ref =
              dyn_cast<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts()))
        if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
            V && makesNewReference(Assign->getRHS(), Ctx))
          Results.insert(V);
    if (const auto *Decls = dyn_cast<DeclStmt>(S))
      for (const Decl *D : Decls->decls())
        if (const auto *V = dyn_cast<VarDecl>(D);
            V && V->getInit() && makesNewReference(V->getInit(), Ctx))
          Results.insert(V);
    if (const auto *If = dyn_cast<IfStmt>(S))
      Tests.push_back(If);
    for (const Stmt *Child : S->children())
      Collect(Child);
  };
  Collect(Function.getBody());
  std::optional<llvm::APSInt> Value;
  std::string Spelling;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const IfStmt *If : Tests) {
    if (!If->getCond() || llvm::none_of(Results, [&](const VarDecl *V) {
          return testsNull(If->getCond(), *V, Ctx) == true;
        }))
      continue;
    const Stmt *Exit = If->getThen();
    if (const auto *Block = dyn_cast<CompoundStmt>(Exit))
      Exit = Block->body_empty() ? nullptr : Block->body_back();
    const auto *Ret = dyn_cast_or_null<ReturnStmt>(Exit);
    Expr::EvalResult R;
    if (!Ret || !Ret->getRetValue() ||
        !Ret->getRetValue()->EvaluateAsInt(R, Ctx))
      continue;
    if (Value && *Value != R.Val.getInt())
      return std::nullopt;
    if (!Value) {
      Value = R.Val.getInt();
      std::optional<std::string> Text = spelledText(
          Ret->getRetValue()->getSourceRange(), SM, Ctx.getLangOpts());
      // A named constant (`return FAILURE;`) keeps its name; a return
      // spelled by a macro gives only its value.
      Spelling = Text && Ret->getBeginLoc().isFileID()
                     ? *Text
                     : std::to_string(Value->getExtValue());
    }
  }
  if (!Value)
    return std::nullopt;
  return Spelling;
}

/// `return NULL;` or `return -1;`, by the function's own convention; for a
/// function that returns an integer and never -1, the value its own error
/// exits return.
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
        if (Pointer &&
            V->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
          Seen = true;
        else if (Int && V->EvaluateAsInt(R, Ctx) && R.Val.getInt() == -1)
          Seen = true;
      }
    }
    for (const Stmt *Child : S->children())
      Find(Child);
  };
  Find(Function.getBody());
  if (Seen)
    return std::string(Pointer ? "return NULL;" : "return -1;");
  if (Int)
    if (std::optional<std::string> Value = authorsErrorValue(Function, Ctx))
      return "return " + *Value + ";";
  return std::nullopt;
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
    // `v = ...;`, `if ((v = f()) == NULL) ...`, `while ((v = f()))`.
    if (!isa<DeclStmt>(S) && alwaysAssigned(S).count(V))
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
          SM.isBeforeInTranslationUnit(
              SM.getExpansionLoc(Ref->getBeginLoc()),
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
std::optional<std::string> errorLabelJump(const Stmt *Target,
                                          const FunctionDecl &Function,
                                          ASTContext &Ctx, const VarDecl *Var,
                                          const HeldReferences &Held,
                                          std::string &Why) {
  const auto &Live = Held.Live;
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
  auto [Labels, Gotos] = labelsAndGotosIn(Body);
  llvm::DenseMap<const LabelDecl *, unsigned> Jumps;
  for (const GotoStmt *G : Gotos)
    ++Jumps[G->getLabel()];
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
    // Released with Py_DECREF: they must not be NULL.
    llvm::SmallVector<const VarDecl *, 4> NonNull;
    const ReturnStmt *Return = nullptr;
    std::string Problem;
    for (const Stmt *const *It = Position;
         It != Body->body_end() && !Return && Problem.empty(); ++It) {
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
      if (!V && (V = singleArgCallOn(S, {"Py_DECREF", "_Py_DECREF"})))
        NonNull.push_back(V);
      if (!V) {
        Problem = "it does more than release references";
        break;
      }
      if (V == Var) {
        // The failed lookup leaves it NULL: Py_XDECREF and Py_CLEAR do
        // nothing (the walk checks the label's other jumps).
        if (!NonNull.empty() && NonNull.back() == V) {
          Problem = "it releases '" + V->getName().str() +
                    "' with 'Py_DECREF', and the failed lookup leaves it NULL";
          break;
        }
        continue;
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
    for (const VarDecl *V : inDeclarationOrder(Live, Ctx.getSourceManager()))
      if (!llvm::is_contained(Released, V)) {
        Problem = "it does not release '" + V->getName().str() + "'";
        break;
      }
    for (const VarDecl *V : Released) {
      if (!Problem.empty())
        break;
      if (Held.Unsettled.count(V)) {
        Problem = "'" + V->getName().str() +
                  "' changes in the loop around the lookup, where it may "
                  "hold a reference that was already released";
        break;
      }
      KnownState State = stateBefore(V, Target, Dominating, Function, Ctx);
      if (Live.count(V) ? State == KnownState::Unknown
                        : State != KnownState::NullAndUntouched)
        Problem = "'" + V->getName().str() +
                  "' may be uninitialised or hold a released reference "
                  "when the lookup runs";
    }
    for (const VarDecl *V : NonNull)
      if (Problem.empty() &&
          (!Live.count(V) || !knownNonNullAt(V, Target, Function, Ctx)))
        Problem = "it releases '" + V->getName().str() +
                  "' with 'Py_DECREF', which needs a non-NULL reference, "
                  "and '" +
                  V->getName().str() + "' may be NULL when the lookup runs";
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

std::optional<std::string>
lookupWithErrorPath(const Stmt *Statement, const CompoundStmt *Block,
                    unsigned Index, const VarDecl *Var,
                    const FunctionDecl &Function, ASTContext &Ctx,
                    llvm::StringRef Replacement, const std::string &Args,
                    const std::string &Indent, const std::string &Inner,
                    llvm::StringRef OutName, std::string &Failure,
                    const llvm::SmallPtrSetImpl<const VarDecl *> *Converted) {
  auto Fail = [&](llvm::StringRef Why) -> std::optional<std::string> {
    Failure = Why.str();
    return std::nullopt;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::string Name = OutName.str();
  auto Checked = [&](llvm::StringRef Body) {
    return "if (" + Replacement.str() + "(" + Args + ", &" + Name +
           ") < 0) {\n" + Body.str() + Indent + "}";
  };
  HeldReferences Held;
  std::string Why;
  bool Modelled =
      liveReferencesBefore(Statement, Function, Ctx, Var, Held, Why, Converted);
  // The author's own error exit a few statements on, where the function
  // is in the same state; why not, for the note.
  std::string NearbyWhy;
  auto Nearby = [&]() -> std::optional<std::string> {
    if (!Held.LoopsKnown)
      return std::nullopt;
    return sameStateExit(*Block, Index, *Var, Function, Ctx, Held.Unsettled,
                         Converted, NearbyWhy);
  };
  auto NearbyNote = [&]() -> std::string {
    if (NearbyWhy.empty())
      return "";
    return "; the exit of the error test that follows cannot be reused: " +
           NearbyWhy;
  };
  if (!Modelled) {
    if (std::optional<std::string> Exit = Nearby())
      return Checked(Inner + *Exit + "\n");
    return Fail("the lookup used to swallow errors and the error path "
                "cannot be built: " +
                Why + NearbyNote());
  }
  // Releases that follow the lookup right away run on the error path too.
  std::string Copies;
  HeldReferences AfterCopies = Held;
  // So does the release that another rewrite of the run adds right after
  // the lookup: that of a variable it converts, declared in this block,
  // whose last use is the lookup.
  if (Converted)
    for (const VarDecl *V : inDeclarationOrder(Held.Live, SM)) {
      const DeclStmt *Declaration = declarationOf(*V, Ctx);
      if (!Converted->count(V) || !Declaration ||
          !llvm::is_contained(Block->body(), Declaration) ||
          llvm::any_of(
              llvm::drop_begin(Block->body(), Index + 1),
              [&](const Stmt *Next) { return mentionsVariable(Next, V); }))
        continue;
      Copies += Inner + "Py_XDECREF(" + V->getName().str() + ");\n";
      AfterCopies.Live.erase(V);
    }
  for (unsigned I = Index + 1; I < Block->size(); ++I) {
    const Stmt *Next = Block->body_begin()[I];
    const VarDecl *Released = releasedVar(Next, SM, LO);
    if (!Released || Released == Var)
      break;
    std::optional<CharSourceRange> R = statementRange(*Next, SM, LO);
    if (!R)
      break;
    Copies += Inner + Lexer::getSourceText(*R, SM, LO).str() + "\n";
    AfterCopies.Live.erase(Released);
  }
  // The label releases what the function holds; else the releases that
  // follow run first, and the label the rest.
  std::string LabelWhy;
  if (std::optional<std::string> Jump =
          errorLabelJump(Statement, Function, Ctx, Var, Held, LabelWhy))
    return Checked(Inner + *Jump + "\n");
  if (!Copies.empty()) {
    std::string AfterCopiesWhy;
    if (std::optional<std::string> Jump = errorLabelJump(
            Statement, Function, Ctx, Var, AfterCopies, AfterCopiesWhy))
      return Checked(Copies + Inner + *Jump + "\n");
    LabelWhy = AfterCopiesWhy;
  }
  if (std::optional<std::string> Exit = Nearby())
    return Checked(Inner + *Exit + "\n");
  if (!LabelWhy.empty())
    LabelWhy = "; " + LabelWhy;
  LabelWhy += NearbyNote();
  std::optional<std::string> Return = errorReturn(Function, Ctx);
  if (!Return)
    return Fail(
        "the lookup used to swallow errors, and the function has no "
        "'return NULL' or 'return -1' convention, nor error exits of its "
        "own after a failed call, to report them" +
        LabelWhy);
  if (!AfterCopies.Live.empty()) {
    std::string Names;
    for (const VarDecl *V : inDeclarationOrder(AfterCopies.Live, SM))
      Names += (Names.empty() ? "'" : ", '") + V->getName().str() + "'";
    return Fail("the lookup used to swallow errors, and on the new error "
                "path the function may still hold " +
                Names + LabelWhy);
  }
  return Checked(Copies + Inner + *Return + "\n");
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
      Found.Removal.getEnd().isMacroID() ||
      !statementRange(*Found.Error, SM, LO))
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
