//===--- OwnershipWalk.cpp ------------------------------------------------===//

#include "rewrites/borrowed/OwnershipWalk.h"
#include "analysis/AstQueries.h"
#include "analysis/InitOnlyFields.h"
#include "analysis/NewReferences.h"
#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>
#include <optional>

namespace gilport {
namespace borrowed {

using namespace clang;

namespace {

constexpr llvm::StringRef DecRefNames[] = {"Py_DECREF", "_Py_DECREF",
                                           "Py_XDECREF", "_Py_XDECREF"};
constexpr llvm::StringRef RefcountNames[] = {
    "Py_REFCNT", "_Py_REFCNT", "Py_SET_REFCNT", "_Py_SET_REFCNT",
    "PyUnstable_Object_IsUniquelyReferenced"};
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

bool isNamed(const CallExpr *Call, llvm::ArrayRef<llvm::StringRef> Names) {
  return llvm::is_contained(Names, calleeName(Call));
}

} // namespace

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

bool isPyObjectPointer(QualType T) {
  if (const auto *P = T->getAs<PointerType>())
    if (const auto *R = P->getPointeeType()->getAs<RecordType>())
      return R->getDecl()->getName() == "_object";
  return false;
}

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
  ReleasedInRange = true;
  const Stmt *Parent = nullptr;
  auto Parents = parentsOf(*Exit, Ctx);
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
  // `if (c)` with the exit on the next line: braces around the two lines,
  // as the file would have written them.
  if (const auto *If = dyn_cast_or_null<IfStmt>(Parent);
      If && If->getThen() == Exit && If->getRParenLoc().isFileID() &&
      SM.getSpellingLineNumber(If->getRParenLoc()) <
          SM.getSpellingLineNumber(*Begin)) {
    Hints.push_back(FixItHint::CreateInsertion(
        If->getRParenLoc().getLocWithOffset(1), " {"));
    Hints.push_back(FixItHint::CreateInsertion(
        *Begin, Release + "\n" + indentationAt(*Begin, SM)));
    Hints.push_back(FixItHint::CreateInsertion(
        *End, "\n" + indentationAt(If->getBeginLoc(), SM) + "}"));
    return;
  }
  Hints.push_back(FixItHint::CreateInsertion(*Begin, "{ " + Release + " "));
  Hints.push_back(FixItHint::CreateInsertion(*End, " }"));
}

bool OwnershipRewriter::returnThroughResult(const ReturnStmt &Return,
                                            const OwnState &State) {
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  const Expr *Value = Return.getRetValue();
  if (!Function || !Value)
    return false;
  QualType Type = Function->getReturnType();
  // A number is computed before the release; an object only when the
  // expression makes a new one (not the variable, nor a pointer into it).
  bool Safe = Type->isArithmeticType() ||
              (isPyObjectPointer(Type) && refVar(Value) != &Var &&
               makesNewReference(Value, Ctx));
  if (!Safe)
    return false;
  llvm::StringRef Result =
      firstUnusedName(Function, {"result", "res", "return_value"});
  std::optional<SourceLocation> Begin = statementBegin(Return, SM, LO);
  std::optional<SourceLocation> End = statementEnd(Return, SM, LO);
  std::optional<std::string> Text =
      spelledText(Value->getSourceRange(), SM, LO);
  if (Result.empty() || !Begin || !End || !Text)
    return false;
  std::string Declared = Type.getAsString(Ctx.getPrintingPolicy());
  if (!llvm::StringRef(Declared).ends_with("*"))
    Declared += " ";
  ReleasedInRange = true;
  std::string Statements[] = {Declared + Result.str() + " = " + *Text + ";",
                              releaseText(State),
                              "return " + Result.str() + ";"};
  auto Parents = parentsOf(Return, Ctx);
  bool InBlock = !Parents.empty() && Parents[0].get<CompoundStmt>();
  std::string Replacement;
  if (InBlock) {
    std::string Indent = indentationAt(*Begin, SM);
    Replacement = Statements[0] + "\n" + Indent + Statements[1] + "\n" +
                  Indent + Statements[2];
  } else {
    Replacement =
        "{ " + Statements[0] + " " + Statements[1] + " " + Statements[2] + " }";
  }
  Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(*Begin, *End), Replacement));
  return true;
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
  // The new reference adds one to what the code reads.
  const std::string RefcountRead = "the code reads the reference count of '" +
                                   Name +
                                   "', which the new reference would change";
  for (const DeclRefExpr *Ref : Refs) {
    ++RefsSeen;
    // Follow the value (or a pointer derived from it) upwards.
    const Expr *Cur = Ref;
    bool IsDerived = false;
    while (true) {
      auto Parents = parentsOf(*Cur, Ctx);
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
            // The walk decides whether a new value may replace the fix's
            // reference (Py_SETREF).
            if (B->getOpcode() != BO_Assign || !AllowReassign)
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
        if (const auto *M = dyn_cast<MemberExpr>(P);
            M && !IsDerived && State.needsRelease() &&
            M->getMemberDecl()->getName().starts_with("ob_ref"))
          return fail(RefcountRead);
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
        if (!IsDerived && State.needsRelease() && isNamed(Call, RefcountNames))
          return fail(RefcountRead);
        if (!IsDerived && isNamed(Call, NewRefFunctions) &&
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
          if (isNamed(Call, IncRefFunctions) || isNamed(Call, DecRefNames))
            return fail("the reference count of '" + Name +
                        "' is changed inside an expression");
        }
        // A borrowing call lends what its first argument holds (a dict's
        // value, a tuple's item), not what its other arguments are (a key).
        QualType Result = Call->getType();
        if (Result->isPointerType() &&
            (!isPyObjectPointer(Result) ||
             (llvm::is_contained(BorrowingCalls, Callee) && Index == 0))) {
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

bool OwnershipRewriter::incrementsVariable() const {
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  bool Found = false;
  std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
    if (!S || Found)
      return;
    if (singleArgCallOn(S, IncRefFunctions) == &Var)
      Found = true;
    for (const Stmt *Child : S->children())
      Find(Child);
  };
  Find(Function ? Function->getBody() : nullptr);
  return Found;
}

std::optional<Nullness>
OwnershipRewriter::borrowedValue(const BinaryOperator &Assign) const {
  const Expr *Value = stripCasts(Assign.getRHS());
  // `&_Py_NoneStruct` (Py_None, Py_True...), `&Some_Type`: a static object.
  if (const auto *U = dyn_cast<UnaryOperator>(Value);
      U && U->getOpcode() == UO_AddrOf) {
    const auto *Ref = dyn_cast<DeclRefExpr>(U->getSubExpr()->IgnoreParens());
    const auto *G = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (G && G->hasGlobalStorage() && !G->isStaticLocal())
      return Nullness::NonNull;
    return std::nullopt;
  }
  // `st->typing_any`: a field that only the module's init and teardown
  // set holds its reference as long as the module lives.
  if (const auto *Member = dyn_cast<MemberExpr>(Value)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field || !isPyObjectPointer(Field->getType()))
      return std::nullopt;
    if (Lifecycle.setOnlyByLifecycle(*Field, Ctx))
      return Nullness::Maybe;
    return std::nullopt;
  }
  const VarDecl *Other = refVar(Value);
  if (!Other || Other == &Var || !isa<DeclRefExpr>(Value) ||
      !Other->hasLocalStorage() || !isPyObjectPointer(Other->getType()))
    return std::nullopt;
  // A parameter, or a local that only PyArg_* fills: the caller's reference.
  if (Other->getInit() && !Other->getInit()->isNullPointerConstant(
                              Ctx, Expr::NPC_ValueDependentIsNotNull))
    return std::nullopt;
  const auto *Function = dyn_cast<FunctionDecl>(Other->getDeclContext());
  if (!Function || !Function->getBody())
    return std::nullopt;
  // Its only writes: `&d` passed to PyArg_*.
  struct Writes : RecursiveASTVisitor<Writes> {
    const VarDecl *Other;
    bool OnlyParsed = true;
    const CallExpr *Parsing = nullptr;
    explicit Writes(const VarDecl *O) : Other(O) {}
    bool TraverseCallExpr(CallExpr *Call) {
      const CallExpr *Outer = Parsing;
      Parsing = calleeName(Call).starts_with("PyArg_") ? Call : nullptr;
      bool Result = RecursiveASTVisitor::TraverseCallExpr(Call);
      Parsing = Outer;
      return Result;
    }
    bool VisitBinaryOperator(BinaryOperator *B) {
      if (B->isAssignmentOp() && refVar(B->getLHS()) == Other)
        OnlyParsed = false;
      return true;
    }
    bool VisitCallExpr(CallExpr *Call) {
      if (singleArgCallOn(Call, DecRefNames) == Other)
        OnlyParsed = false;
      return true;
    }
    bool VisitUnaryOperator(UnaryOperator *U) {
      if (refVar(U->getSubExpr()) == Other &&
          (U->isIncrementDecrementOp() ||
           (U->getOpcode() == UO_AddrOf && !Parsing)))
        OnlyParsed = false;
      return true;
    }
  } W(Other);
  W.TraverseStmt(Function->getBody());
  bool OnlyParsed = W.OnlyParsed;
  if (!OnlyParsed)
    return std::nullopt;
  // Assigned where an 'if' tested it: `if (d) v = d;`.
  const Stmt *Child = &Assign;
  for (int Up = 0; Up < 2; ++Up) {
    auto Parents = parentsOf(*Child, Ctx);
    const Stmt *P = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
    if (const auto *If = dyn_cast_or_null<IfStmt>(P)) {
      const Expr *Cond = If->getCond()->IgnoreParenImpCasts();
      if (const auto *B = dyn_cast<BinaryOperator>(Cond);
          B && B->getOpcode() == BO_NE &&
          B->getRHS()->isNullPointerConstant(Ctx,
                                             Expr::NPC_ValueDependentIsNotNull))
        Cond = B->getLHS()->IgnoreParenImpCasts();
      if (If->getThen() == Child && refVar(Cond) == Other &&
          isa<DeclRefExpr>(Cond))
        return Nullness::NonNull;
      break;
    }
    if (!isa_and_nonnull<CompoundStmt>(P))
      break;
    Child = P;
  }
  return Nullness::Maybe;
}

OwnState OwnershipRewriter::walk(const Stmt *S, OwnState State) {
  if (!S || failed())
    return State;
  std::string Name = Var.getName().str();
  if (const auto *Label = dyn_cast<LabelStmt>(S);
      Label && RegionLabels.count(Label->getDecl())) {
    // Every way in: falling through, the jumps the walk saw, and jumps
    // from before the lookup, where the fix holds nothing yet.
    OwnState In = State;
    bool Conflict = false;
    for (const OwnState &Jump : Arrivals.lookup(Label->getDecl()))
      In = merge(In, Jump, Conflict);
    Arrivals.erase(Label->getDecl());
    if (RegionLabels.lookup(Label->getDecl()).FromBefore) {
      OwnState Before;
      Before.Owned = false;
      In = merge(In, Before, Conflict);
    }
    if (Conflict) {
      fail("the ownership of '" + Name + "' differs between the ways into '" +
           Label->getName() + "'");
      return State;
    }
    return walk(Label->getSubStmt(), In);
  }
  if (!State.Reachable && !(isa<CompoundStmt>(S) && !Arrivals.empty()))
    return State;
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
      // Py_CLEAR(v): the references inside the macro are this use.
      struct Counter : RecursiveASTVisitor<Counter> {
        const VarDecl &Var;
        unsigned N = 0;
        explicit Counter(const VarDecl &V) : Var(V) {}
        bool VisitDeclRefExpr(DeclRefExpr *Ref) {
          N += Ref->getDecl() == &Var;
          return true;
        }
      } Count(Var);
      Count.TraverseStmt(const_cast<Stmt *>(S));
      RefsSeen += Count.N;
      if (State.needsRelease() && incrementsVariable())
        fail("the code releases '" + Name +
             "', which it only borrowed, "
             "and also increments it");
      // As for Py_DECREF below: the release is now the new reference's.
      State.Owned = false;
      State.Null = Nullness::Null;
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
    for (const VarDecl *D : Derived)
      if (State.needsRelease() && mentionsVariable(Ret->getRetValue(), D)) {
        fail("'" + D->getName().str() + "' points into '" + Name +
             "' and is used in the returned expression");
        return State;
      }
    if (State.needsRelease() && mentionsVariable(Ret->getRetValue(), &Var)) {
      if (!returnThroughResult(*Ret, State))
        fail("'" + Name + "' is used in the returned expression");
      return failed() ? State : OwnState::unreachable();
    }
    exitPoint(S, State);
    return OwnState::unreachable();
  }
  if (const auto *Goto = dyn_cast<GotoStmt>(S)) {
    if (auto Label = RegionLabels.find(Goto->getLabel());
        Label != RegionLabels.end()) {
      // Past a label that no longer reads the variable, the jump leaves
      // the live range: release before it, as for any other exit.
      if (!Label->second.ReadsVar) {
        exitPoint(S, State);
        State.Owned = false;
      }
      Arrivals[Goto->getLabel()].push_back(State);
      return OwnState::unreachable();
    }
    if (State.needsRelease() && ReleasingLabels.count(Goto->getLabel())) {
      fail("'" + Name + "' would be released twice: the jump to '" +
           Goto->getLabel()->getName().str() +
           "', which releases it, leaves while it holds the new reference");
      return State;
    }
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
    if (singleArgCallOn(E, IncRefFunctions) == &Var) {
      ++RefsSeen;
      if (State.Null == Nullness::Null) {
        fail("'" + Name + "' is incremented where it is NULL");
        return State;
      }
      if (!State.Owned)
        return State;
      // The code takes its own reference: the fix's reference is that one.
      auto Parents = parentsOf(*S, Ctx);
      const Stmt *Parent = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
      std::optional<CharSourceRange> Line =
          Parent && isa<CompoundStmt>(Parent)
              ? wholeStatementLines(*S, SM, LO)
              : std::nullopt;
      if (!Line) {
        fail("the increment of '" + Name + "' cannot be removed in place");
        return State;
      }
      // A branch left empty goes too: `if (v != NULL) { Py_INCREF(v); }`,
      // `} else { Py_INCREF(v); }`.
      if (const auto *Only = dyn_cast<CompoundStmt>(Parent);
          Only->size() == 1) {
        auto Up = parentsOf(*Only, Ctx);
        const auto *If = Up.empty() ? nullptr : Up[0].get<IfStmt>();
        const auto *Then = If ? dyn_cast<CompoundStmt>(If->getThen()) : nullptr;
        if (If && Then == Only && !If->getElse() &&
            !If->getCond()->HasSideEffects(Ctx)) {
          if (std::optional<CharSourceRange> Whole =
                  wholeStatementLines(*If, SM, LO))
            Line = Whole;
        } else if (If && Then && If->getElse() == Only &&
                   !Then->getRBracLoc().isMacroID() &&
                   !Only->getRBracLoc().isMacroID()) {
          Line = CharSourceRange::getCharRange(
              Lexer::getLocForEndOfToken(Then->getRBracLoc(), 0, SM, LO),
              Lexer::getLocForEndOfToken(Only->getRBracLoc(), 0, SM, LO));
        }
      }
      Hints.push_back(FixItHint::CreateRemoval(*Line));
      State.Owned = false;
      return State;
    }
    if (releasedVar(E, SM, LO) == &Var) {
      ++RefsSeen;
      if (State.needsRelease()) {
        // The code released what it only borrowed (left over from an API
        // that returned a new reference): with the strong call the release
        // is right, and it is the fix's. Unless the function also takes
        // references of it, which could be what the release balances.
        if (incrementsVariable())
          fail("the code releases '" + Name +
               "', which it only borrowed, "
               "and also increments it");
        State.Owned = false;
        ReleasedInRange = true;
      }
      return State;
    }
    Reassigned = nullptr;
    AllowReassign = true;
    scanExpr(E, State);
    AllowReassign = false;
    if (Reassigned) {
      if (failed())
        return State;
      if (State.needsRelease()) {
        // `v = Py_None;` while v holds the fix's reference:
        // `Py_SETREF(v, Py_NewRef(Py_None));`.
        std::optional<Nullness> Borrowed = borrowedValue(*Reassigned);
        std::optional<CharSourceRange> Range =
            fileRangeOf(Reassigned->getSourceRange(), SM, LO);
        std::optional<std::string> Value =
            spelledText(Reassigned->getRHS()->getSourceRange(), SM, LO);
        if (!Borrowed || Reassigned != E->IgnoreParenImpCasts() || !Range ||
            !Value || Reassigned->getOperatorLoc().isMacroID()) {
          fail("'" + Name +
               "' is assigned again while it holds the new "
               "reference");
          return State;
        }
        Hints.push_back(FixItHint::CreateReplacement(
            *Range,
            std::string(State.Null == Nullness::NonNull ? "Py_SETREF("
                                                        : "Py_XSETREF(") +
                Name + ", " +
                (*Borrowed == Nullness::NonNull ? "Py_NewRef("
                                                : "Py_XNewRef(") +
                *Value + "))"));
        State.Null = *Borrowed;
        return State;
      }
      if (stripCasts(Reassigned) != Reassigned ||
          Reassigned != E->IgnoreParenImpCasts() ||
          State.Null != Nullness::Null) {
        // A new value the fix knows nothing about: stop tracking ownership.
        State.Owned = false;
        State.Null = Nullness::Maybe;
        return State;
      }
      const Expr *Value = stripCasts(Reassigned->getRHS());
      std::optional<Nullness> Borrowed = borrowedValue(*Reassigned);
      if (!isa<DeclRefExpr>(Value) && !Borrowed) {
        State.Owned = false;
        State.Null = Nullness::Maybe;
        return State;
      }
      // `v = other;` where v was NULL: a borrowed copy; own it too, so that
      // every path holds a reference the same way.
      std::optional<SourceLocation> End = statementEnd(*S, SM, LO);
      std::optional<SourceLocation> Begin = statementBegin(*S, SM, LO);
      auto Parents = parentsOf(*S, Ctx);
      bool InBlock = !Parents.empty() && Parents[0].get<CompoundStmt>();
      if (Borrowed && (!InBlock || !isa<DeclRefExpr>(Value))) {
        // `if (d) v = d; else v = Py_None;`: the value takes its own
        // reference, as CPython's ports write it.
        const Expr *RHS = Reassigned->getRHS();
        std::optional<CharSourceRange> Range =
            fileRangeOf(RHS->getSourceRange(), SM, LO);
        std::optional<std::string> Text =
            spelledText(RHS->getSourceRange(), SM, LO);
        if (!Range || !Text || Reassigned->getOperatorLoc().isMacroID()) {
          fail("the value assigned to '" + Name +
               "' is spelled inside a macro");
          return State;
        }
        Hints.push_back(FixItHint::CreateReplacement(
            *Range,
            (*Borrowed == Nullness::NonNull ? "Py_NewRef(" : "Py_XNewRef(") +
                *Text + ")"));
        State.Owned = true;
        State.Null = *Borrowed;
        return State;
      }
      if (!End || !Begin || !InBlock) {
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
  RegionLabels = labelsAfter(Block, AfterIndex, Var, Ctx);
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
    ReleasedInRange = true;
  };
  for (size_t I = AfterIndex;; ++I) {
    if (I > AfterIndex) {
      if (I >= Body.size())
        break;
      State = walk(Body[I], State);
      // Jumps the walk saw still lead to a label ahead.
      if (failed() || (!State.Reachable && Arrivals.empty()))
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
    if (!State.needsRelease() && !UsedAfter && Arrivals.empty())
      return;
  }
  // A jump whose label the walk never reached (one nested where an
  // unreachable statement hides it): its path is not accounted for.
  if (!Arrivals.empty())
    fail("a jump inside the live range of '" + Var.getName().str() +
         "' reaches a label that is not modelled");
}

} // namespace borrowed
} // namespace gilport
