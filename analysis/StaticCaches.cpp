//===--- StaticCaches.cpp -------------------------------------------------===//

#include "analysis/StaticCaches.h"

#include "analysis/AstQueries.h"
#include "analysis/MutexGuards.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/FoldingSet.h"
#include "llvm/ADT/MapVector.h"

namespace gilport {

using namespace clang;

namespace {

/// Per-call tables beyond this many bytes would make every call's stack
/// frame large; such fills are left to the reader.
constexpr uint64_t MaxPerCallBytes = 4096;

std::string quoted(const NamedDecl *D) {
  return "'" + D->getName().str() + "'";
}

/// Every statement, reference and jump of a body.
class BodyIndex : public RecursiveASTVisitor<BodyIndex> {
public:
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl()))
      if (V->isStaticLocal())
        Refs[V->getCanonicalDecl()].push_back(Ref);
    return true;
  }
  bool VisitGotoStmt(GotoStmt *Goto) {
    Gotos.push_back(Goto);
    return true;
  }
  bool VisitIndirectGotoStmt(IndirectGotoStmt *) {
    IndirectJump = true;
    return true;
  }
  llvm::MapVector<const VarDecl *, std::vector<const DeclRefExpr *>> Refs;
  std::vector<const GotoStmt *> Gotos;
  bool IndirectJump = false;
};

bool isMemoryFill(const FunctionDecl *Callee) {
  unsigned Id = Callee->getBuiltinID();
  return Id == Builtin::BImemset || Id == Builtin::BImemcpy ||
         Id == Builtin::BImemmove || Id == Builtin::BI__builtin_memset ||
         Id == Builtin::BI__builtin_memcpy ||
         Id == Builtin::BI__builtin_memmove;
}

/// Why the code of \p S may touch global state or run Python code: it
/// uses a global that is not constant, or calls a function other than
/// memset/memcpy, a compiler builtin, one that never returns (an abort),
/// or one of this file that passes the same test. Empty when it cannot.
class PurityCheck : public RecursiveASTVisitor<PurityCheck> {
public:
  PurityCheck(ASTContext &Ctx, llvm::DenseSet<const FunctionDecl *> &Seen,
              unsigned Depth)
      : Ctx(Ctx), Seen(Seen), Depth(Depth) {}

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
    if (V && V->hasGlobalStorage() && !V->isStaticLocal() &&
        !V->getType().isConstant(Ctx)) {
      Problem = "it uses the global " + quoted(V);
      return false;
    }
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee) {
      Problem = "it calls through a function pointer";
      return false;
    }
    if (isMemoryFill(Callee) || Callee->isNoReturn() ||
        Callee->getName().starts_with("__builtin_"))
      return true;
    const FunctionDecl *Definition = Callee->getDefinition();
    if (!Definition || !Definition->hasBody()) {
      Problem = "it calls " + quoted(Callee) + ", which may run Python code";
      return false;
    }
    if (!Seen.insert(Definition).second)
      return true;
    if (Depth == 0) {
      Problem = "it calls functions too deeply to follow";
      return false;
    }
    PurityCheck Inner(Ctx, Seen, Depth - 1);
    Inner.TraverseStmt(Definition->getBody());
    if (!Inner.Problem.empty()) {
      Problem = "it calls " + quoted(Callee) + ", and " + Inner.Problem;
      return false;
    }
    return true;
  }

  std::string Problem;

private:
  ASTContext &Ctx;
  llvm::DenseSet<const FunctionDecl *> &Seen;
  unsigned Depth;
};

std::string purityProblem(const Stmt *S, ASTContext &Ctx) {
  llvm::DenseSet<const FunctionDecl *> Seen;
  PurityCheck Check(Ctx, Seen, 4);
  Check.TraverseStmt(const_cast<Stmt *>(S));
  return Check.Problem;
}

/// Why control can leave \p Branch other than at its end; empty when it
/// cannot.
class ExitCheck : public RecursiveASTVisitor<ExitCheck> {
public:
  ExitCheck(const Stmt *Branch, ASTContext &Ctx) : Branch(Branch), Ctx(Ctx) {}
  bool VisitReturnStmt(ReturnStmt *) { return fail("returns"); }
  bool VisitGotoStmt(GotoStmt *) { return fail("has a 'goto'"); }
  bool VisitIndirectGotoStmt(IndirectGotoStmt *) {
    return fail("has a 'goto'");
  }
  bool VisitLabelStmt(LabelStmt *) { return fail("has a label"); }
  bool VisitBreakStmt(BreakStmt *Break) {
    return insideLoop(Break, /*OrSwitch=*/true) ? true : fail("breaks out");
  }
  bool VisitContinueStmt(ContinueStmt *Continue) {
    return insideLoop(Continue, /*OrSwitch=*/false) ? true
                                                    : fail("continues a loop");
  }
  std::string Problem;

private:
  bool fail(llvm::StringRef Why) {
    Problem = Why.str();
    return false;
  }
  bool insideLoop(const Stmt *S, bool OrSwitch) {
    for (const Stmt *P = parentStmt(*S, Ctx); P && P != Branch;
         P = parentStmt(*P, Ctx))
      if (isa<ForStmt, WhileStmt, DoStmt>(P) ||
          (OrSwitch && isa<SwitchStmt>(P)))
        return true;
    return false;
  }
  const Stmt *Branch;
  ASTContext &Ctx;
};

/// \p E, or the variable it names, without parentheses and casts.
const ValueDecl *named(const Expr *E) {
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
    return Ref->getDecl();
  return nullptr;
}

bool sameExpression(const Expr *A, const Expr *B, ASTContext &Ctx) {
  llvm::FoldingSetNodeID IdA, IdB;
  A->IgnoreParenImpCasts()->Profile(IdA, Ctx, /*Canonical=*/true);
  B->IgnoreParenImpCasts()->Profile(IdB, Ctx, /*Canonical=*/true);
  return IdA == IdB;
}

std::optional<llvm::APSInt> constantOf(const Expr *E, ASTContext &Ctx) {
  if (E->isValueDependent())
    return std::nullopt;
  return E->getIntegerConstantExpr(Ctx);
}

/// Whether \p Loop is `for (k = 0; k < N; k++)` whose body always assigns
/// `Array[k]`, with N the number of elements of \p Array.
bool writesEveryElement(const ForStmt *Loop, const ValueDecl *Array,
                        uint64_t Elements, ASTContext &Ctx) {
  const ValueDecl *Index = nullptr;
  if (const auto *Init = dyn_cast_or_null<BinaryOperator>(Loop->getInit())) {
    std::optional<llvm::APSInt> Start = constantOf(Init->getRHS(), Ctx);
    if (Init->getOpcode() == BO_Assign && Start && *Start == 0)
      Index = named(Init->getLHS());
  } else if (const auto *Decl = dyn_cast_or_null<DeclStmt>(Loop->getInit())) {
    const auto *V = Decl->isSingleDecl()
                        ? dyn_cast<VarDecl>(Decl->getSingleDecl())
                        : nullptr;
    std::optional<llvm::APSInt> Start =
        V && V->getInit() ? constantOf(V->getInit(), Ctx) : std::nullopt;
    if (Start && *Start == 0)
      Index = V;
  }
  const auto *Cond = dyn_cast_or_null<BinaryOperator>(Loop->getCond());
  if (!Index || !Cond || Cond->getOpcode() != BO_LT ||
      named(Cond->getLHS()) != Index)
    return false;
  std::optional<llvm::APSInt> End = constantOf(Cond->getRHS(), Ctx);
  if (!End || End->getExtValue() < 0 ||
      static_cast<uint64_t>(End->getExtValue()) != Elements)
    return false;
  const Expr *Step = dyn_cast_or_null<Expr>(Loop->getInc());
  const auto *Increment =
      Step ? dyn_cast<UnaryOperator>(Step->IgnoreParens()) : nullptr;
  if (!Increment || !Increment->isIncrementOp() ||
      named(Increment->getSubExpr()) != Index)
    return false;
  // The body runs to its end on every iteration and assigns Array[Index].
  ExitCheck Exits(Loop->getBody(), Ctx);
  Exits.TraverseStmt(const_cast<Stmt *>(Loop->getBody()));
  if (!Exits.Problem.empty())
    return false;
  auto AssignsElement = [&](const Stmt *S) {
    const auto *Assign = dyn_cast<BinaryOperator>(S);
    if (!Assign || Assign->getOpcode() != BO_Assign)
      return false;
    const auto *Element =
        dyn_cast<ArraySubscriptExpr>(Assign->getLHS()->IgnoreParens());
    return Element && named(Element->getBase()) == Array &&
           named(Element->getIdx()) == Index;
  };
  if (const auto *Block = dyn_cast<CompoundStmt>(Loop->getBody()))
    return llvm::any_of(Block->body(), AssignsElement);
  return AssignsElement(Loop->getBody());
}

/// Whether statement \p S, a statement of the fill's branch, writes every
/// element of \p Table: memset/memcpy over `sizeof` the table, a loop over
/// every element, or a call to a function of this file that runs such a
/// loop over the parameter the table is passed to.
bool writesWhole(const Stmt *S, const VarDecl *Table, ASTContext &Ctx) {
  const auto *Array = Ctx.getAsConstantArrayType(Table->getType());
  uint64_t Bytes = Ctx.getTypeSizeInChars(Table->getType()).getQuantity();
  if (const auto *Loop = dyn_cast<ForStmt>(S))
    return Array && writesEveryElement(Loop, Table,
                                       Array->getSize().getZExtValue(), Ctx);
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee)
    return false;
  if (isMemoryFill(Callee) && Call->getNumArgs() == 3 &&
      named(Call->getArg(0)) == Table) {
    Expr::EvalResult Size;
    return Call->getArg(2)->EvaluateAsInt(Size, Ctx) &&
           Size.Val.getInt() == Bytes;
  }
  const FunctionDecl *Definition = Callee->getDefinition();
  if (!Array || !Definition || !Definition->hasBody())
    return false;
  for (unsigned I = 0; I < Call->getNumArgs() && I < Definition->getNumParams();
       ++I) {
    if (named(Call->getArg(I)) != Table)
      continue;
    const auto *Body = dyn_cast<CompoundStmt>(Definition->getBody());
    for (const Stmt *Top : Body ? Body->body() : llvm::ArrayRef<Stmt *>())
      if (const auto *Loop = dyn_cast<ForStmt>(Top))
        if (writesEveryElement(Loop, Definition->getParamDecl(I),
                               Array->getSize().getZExtValue(), Ctx))
          return true;
  }
  return false;
}

/// Whether \p Ref, a table named in the fill, is used only as an array to
/// index, an argument, or the operand of sizeof.
bool usedInPlace(const DeclRefExpr *Ref, ASTContext &Ctx) {
  const Stmt *Child = Ref;
  const Stmt *Parent = parentStmt(*Ref, Ctx);
  while (Parent && isa<ParenExpr>(Parent)) {
    Child = Parent;
    Parent = parentStmt(*Parent, Ctx);
  }
  if (!Parent)
    return false;
  if (isa<UnaryExprOrTypeTraitExpr>(Parent))
    return true;
  const auto *Decay = dyn_cast<ImplicitCastExpr>(Parent);
  if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay)
    return false;
  const Stmt *Use = parentStmt(*Decay, Ctx);
  if (const auto *Element = dyn_cast_or_null<ArraySubscriptExpr>(Use))
    return Element->getBase() == Decay;
  // An argument, maybe converted to `void *` (memset).
  const Stmt *Argument = Decay;
  while (Use && isa<ImplicitCastExpr>(Use)) {
    Argument = Use;
    Use = parentStmt(*Use, Ctx);
  }
  if (const auto *Call = dyn_cast_or_null<CallExpr>(Use))
    return Call->getCallee() != Argument;
  return false;
}

/// Whether \p Ref, a table named after the fill, is only read: indexed
/// (possibly more than once) and loaded, or the operand of sizeof.
bool onlyRead(const DeclRefExpr *Ref, ASTContext &Ctx) {
  const Stmt *E = Ref;
  for (const Stmt *Parent = parentStmt(*E, Ctx); Parent;
       E = Parent, Parent = parentStmt(*E, Ctx)) {
    if (isa<ParenExpr>(Parent))
      continue;
    if (isa<UnaryExprOrTypeTraitExpr>(Parent))
      return true;
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent)) {
      if (Cast->getCastKind() == CK_LValueToRValue)
        return true;
      if (Cast->getCastKind() == CK_ArrayToPointerDecay)
        continue;
      return false;
    }
    if (const auto *Element = dyn_cast<ArraySubscriptExpr>(Parent)) {
      if (Element->getBase() != E)
        return false;
      continue;
    }
    return false;
  }
  return false;
}

/// The flag \p Fill tests and sets, with the kind of test; null when it
/// has no such flag.
const VarDecl *flagOf(const IfStmt *Fill, StaticCache &Cache, ASTContext &Ctx) {
  const auto *Branch = dyn_cast<CompoundStmt>(Fill->getThen());
  if (!Branch || Branch->body_empty())
    return nullptr;
  const auto *Set = dyn_cast<BinaryOperator>(Branch->body_back());
  if (!Set || Set->getOpcode() != BO_Assign)
    return nullptr;
  const auto *Flag = dyn_cast_or_null<VarDecl>(named(Set->getLHS()));
  if (!Flag || !Flag->isStaticLocal() ||
      !isa<DeclRefExpr>(Set->getLHS()->IgnoreParens()))
    return nullptr;
  const Expr *Cond = Fill->getCond()->IgnoreParenImpCasts();
  std::optional<llvm::APSInt> SetTo = constantOf(Set->getRHS(), Ctx);
  bool Once = false;
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond)) {
    Once = Not->getOpcode() == UO_LNot && named(Not->getSubExpr()) == Flag;
  } else if (const auto *Test = dyn_cast<BinaryOperator>(Cond)) {
    const Expr *Other = named(Test->getLHS()) == Flag   ? Test->getRHS()
                        : named(Test->getRHS()) == Flag ? Test->getLHS()
                                                        : nullptr;
    if (!Other)
      return nullptr;
    std::optional<llvm::APSInt> Against = constantOf(Other, Ctx);
    if (Test->getOpcode() == BO_EQ && Against && *Against == 0) {
      Once = true;
    } else if (Test->getOpcode() == BO_NE && Against && SetTo &&
               llvm::APSInt::isSameValue(*Against, *SetTo)) {
      Once = true;
    } else if (Test->getOpcode() == BO_NE &&
               sameExpression(Other, Set->getRHS(), Ctx) &&
               !Other->HasSideEffects(Ctx)) {
      Cache.Kind = StaticCache::FlagKind::Key;
      Cache.FlagSet = Set;
      return Flag;
    }
  }
  if (!Once || !SetTo || SetTo->isZero())
    return nullptr;
  Cache.Kind = StaticCache::FlagKind::Once;
  Cache.FlagSet = Set;
  return Flag;
}

} // namespace

StaticCache findStaticCache(const VarDecl &Var, ASTContext &Ctx) {
  StaticCache Cache;
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  const auto *Body =
      Function ? dyn_cast_or_null<CompoundStmt>(Function->getBody()) : nullptr;
  if (!Body) {
    Cache.Reason = "it is not a variable of a function";
    return Cache;
  }
  Cache.Body = Body;
  const VarDecl *Canonical = Var.getCanonicalDecl();

  // The fill: a statement of the body that sets a static flag last.
  for (const Stmt *S : Body->body()) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (!If)
      continue;
    StaticCache Trial;
    const VarDecl *Flag = flagOf(If, Trial, Ctx);
    if (!Flag)
      continue;
    if (Flag->getCanonicalDecl() != Canonical &&
        !mentionsVariable(If->getThen(), Canonical))
      continue;
    Cache.Kind = Trial.Kind;
    Cache.FlagSet = Trial.FlagSet;
    Cache.Flag = Flag;
    Cache.Fill = If;
    break;
  }
  auto Fail = [&](std::string Why) {
    Cache.Fill = nullptr;
    Cache.Reason = std::move(Why);
    return Cache;
  };
  if (!Cache.Fill)
    return Fail("it is not filled by an 'if' of the function's body that "
                "tests a static flag and sets it last");
  Cache.FlagFound = true;
  const IfStmt *Fill = Cache.Fill;
  const Stmt *Branch = Fill->getThen();
  if (Fill->getElse() || Fill->getInit() || Fill->getConditionVariable())
    return Fail("the 'if' that fills it has an 'else' or a declaration");
  if (Fill->getBeginLoc().isMacroID() || Fill->getEndLoc().isMacroID())
    return Fail("the 'if' that fills it is in a macro expansion");

  BodyIndex Index;
  Index.TraverseStmt(const_cast<CompoundStmt *>(Body));
  const VarDecl *Flag = Cache.Flag->getCanonicalDecl();
  QualType FlagType = Flag->getType();
  if (!FlagType->isIntegerType() || FlagType.isVolatileQualified())
    return Fail("its flag " + quoted(Flag) + " is not a plain integer");
  for (const DeclRefExpr *Ref : Index.Refs.lookup(Flag))
    if (!Fill->getCond()->getSourceRange().fullyContains(
            Ref->getSourceRange()) &&
        Ref != Cache.FlagSet->getLHS()->IgnoreParens())
      return Fail("its flag " + quoted(Flag) +
                  " is used outside the test and the assignment that sets it");

  // The branch runs to its end, and runs no Python code.
  ExitCheck Exits(Branch, Ctx);
  Exits.TraverseStmt(const_cast<Stmt *>(Branch));
  if (!Exits.Problem.empty())
    return Fail("the branch that fills it " + Exits.Problem);
  if (std::string Problem = purityProblem(Branch, Ctx); !Problem.empty())
    return Fail("the branch that fills it may run Python code or depend on "
                "other state: " +
                Problem);
  if (std::string Problem = purityProblem(Fill->getCond(), Ctx);
      !Problem.empty())
    return Fail("the test of its flag may run Python code: " + Problem);

  // Nothing jumps past the fill.
  if (Index.IndirectJump)
    return Fail("the function has a computed 'goto'");
  for (const GotoStmt *Goto : Index.Gotos)
    if (SM.isBeforeInTranslationUnit(Goto->getBeginLoc(),
                                     Fill->getBeginLoc()) &&
        SM.isBeforeInTranslationUnit(Fill->getEndLoc(),
                                     Goto->getLabel()->getLocation()))
      return Fail("a 'goto' jumps past the 'if' that fills it");

  // The tables: the other statics the branch names.
  for (const auto &[Static, Refs] : Index.Refs) {
    if (Static == Flag)
      continue;
    bool InBranch = llvm::any_of(Refs, [&](const DeclRefExpr *Ref) {
      return Branch->getSourceRange().fullyContains(Ref->getSourceRange());
    });
    if (InBranch)
      Cache.Tables.push_back(Static);
    else if (Fill->getCond()->getSourceRange().fullyContains(
                 Refs.front()->getSourceRange()))
      return Fail("the test of its flag reads " + quoted(Static));
  }
  if (Cache.Tables.empty())
    return Fail("the 'if' that fills its flag fills no other static");
  if (Canonical != Flag && !llvm::is_contained(Cache.Tables, Canonical))
    return Fail("it is not filled by the 'if' that sets its flag");

  uint64_t Bytes = 0;
  for (const VarDecl *Table : Cache.Tables) {
    QualType Type = Table->getType();
    QualType Element = Ctx.getBaseElementType(Type);
    if (!Ctx.getAsConstantArrayType(Type) || !Element->isArithmeticType() ||
        Element.isVolatileQualified() || Type.isVolatileQualified())
      return Fail(quoted(Table) + " is not an array of numbers");
    Bytes += Ctx.getTypeSizeInChars(Type).getQuantity();
    for (const DeclRefExpr *Ref : Index.Refs.lookup(Table)) {
      if (Branch->getSourceRange().fullyContains(Ref->getSourceRange())) {
        if (!usedInPlace(Ref, Ctx))
          return Fail(quoted(Table) + " is used in the fill other than by "
                                      "index, as an argument or in sizeof");
        continue;
      }
      if (!SM.isBeforeInTranslationUnit(Fill->getEndLoc(), Ref->getBeginLoc()))
        return Fail(quoted(Table) + " is used before the 'if' that fills it");
      if (!onlyRead(Ref, Ctx))
        return Fail(quoted(Table) + " is written or its address taken "
                                    "outside the 'if' that fills it");
    }
  }
  // Every static is declared by a statement of the body, before the fill.
  for (const VarDecl *Static : Cache.Tables) {
    const DeclStmt *Declaration = declarationOf(*Static, Ctx);
    if (!Declaration || parentStmt(*Declaration, Ctx) != Body ||
        !SM.isBeforeInTranslationUnit(Declaration->getEndLoc(),
                                      Fill->getBeginLoc()))
      return Fail(quoted(Static) + " is not declared in the function's body "
                                   "before the 'if' that fills it");
  }
  if (Cache.Kind == StaticCache::FlagKind::Key && Bytes > MaxPerCallBytes)
    return Fail("its flag is a key that changes, so the tables would be "
                "filled on every call, but they take " +
                std::to_string(Bytes) + " bytes of the stack");

  // Which tables the fill is not shown to write whole.
  const auto *Statements = cast<CompoundStmt>(Branch);
  for (const VarDecl *Table : Cache.Tables) {
    if (Table->hasInit())
      continue;
    bool Whole = llvm::any_of(Statements->body(), [&](const Stmt *S) {
      return writesWhole(S, Table, Ctx);
    });
    if (!Whole)
      Cache.NotWrittenWhole.push_back(Table);
  }

  // Guarded: `PyMutex_Lock(&m);` right before a fill that sets its flag once
  // and `PyMutex_Unlock(&m);` right after it (a fix of an earlier run).
  auto Position = llvm::find(Body->body(), Fill);
  if (Cache.Kind == StaticCache::FlagKind::Once &&
      Position != Body->body_begin() &&
      std::next(Position) != Body->body_end()) {
    const VarDecl *Locked = mutexOfStatement(*std::prev(Position), false);
    if (Locked && Locked == mutexOfStatement(*std::next(Position), true))
      Cache.Mutex = Locked;
  }
  return Cache;
}

} // namespace gilport
