//===--- SameStateExit.cpp ------------------------------------------------===//

#include "rewrites/borrowed/SameStateExit.h"
#include "analysis/AstQueries.h"
#include "rewrites/borrowed/Liveness.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <vector>

namespace gilport {
namespace borrowed {

using namespace clang;

bool isErrorValue(const Expr *E, QualType Result, ASTContext &Ctx) {
  if (Result->isPointerType())
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
  Expr::EvalResult R;
  return Result->isIntegerType() && !Result->isBooleanType() &&
         E->EvaluateAsInt(R, Ctx) && R.Val.getInt() == -1;
}

namespace {

/// Calls that give up something the exit may release: a reference (the
/// stealing setters too), memory, a lock, a recursion level.
constexpr llvm::StringRef ReleasingCalls[] = {"Py_DECREF",
                                              "_Py_DECREF",
                                              "Py_XDECREF",
                                              "_Py_XDECREF",
                                              "Py_DecRef",
                                              "Py_XDecRef",
                                              "_Py_Dealloc",
                                              "PyList_SET_ITEM",
                                              "PyList_SetItem",
                                              "PyTuple_SET_ITEM",
                                              "PyTuple_SetItem",
                                              "PyModule_AddObject",
                                              "PyMem_Free",
                                              "PyMem_RawFree",
                                              "PyObject_Free",
                                              "PyObject_GC_Del",
                                              "free",
                                              "PyBuffer_Release",
                                              "PyErr_Restore",
                                              "PyErr_Fetch",
                                              "Py_LeaveRecursiveCall",
                                              "_Py_LeaveRecursiveCall",
                                              "PyGILState_Release",
                                              "PyThread_release_lock",
                                              "PyMutex_Unlock",
                                              "PyCriticalSection_End",
                                              "PyCriticalSection2_End",
                                              "Py_ReprLeave",
                                              "PyObject_GC_Track",
                                              "PyObject_GC_UnTrack"};

/// The `goto` or `return` that \p Then, the branch of an error test, ends
/// in, when all it does before is set the exception.
const Stmt *exitOf(const Stmt *Then) {
  const auto *Block = dyn_cast<CompoundStmt>(Then);
  if (!Block)
    return isa<GotoStmt, ReturnStmt>(Then) ? Then : nullptr;
  if (Block->body_empty() || !isa<GotoStmt, ReturnStmt>(Block->body_back()))
    return nullptr;
  for (const Stmt *S : llvm::drop_end(Block->body())) {
    const auto *Call = dyn_cast<CallExpr>(S);
    llvm::StringRef Name = calleeName(Call);
    if (!Name.starts_with("PyErr_Set") && !Name.starts_with("PyErr_Format") &&
        Name != "PyErr_NoMemory" && Name != "PyErr_BadArgument" &&
        Name != "PyErr_BadInternalCall")
      return nullptr;
  }
  return Block->body_back();
}

/// An `if` with no else whose branch is an error exit.
const Stmt *errorTestExit(const Stmt *S) {
  const auto *If = dyn_cast<IfStmt>(S);
  if (!If || If->getElse() || If->getInit() || If->getConditionVariable())
    return nullptr;
  return exitOf(If->getThen());
}

/// What runs from the lookup to the exit: whole statements, and the
/// conditions of the `if`s entered on the way.
struct PathToExit {
  std::vector<const Stmt *> Ran;
  const IfStmt *Test = nullptr;
  const Stmt *Exit = nullptr;
};

/// Follows the statements of \p Block from \p From to the first error test;
/// false at anything else that can leave or enter the straight line.
bool findExit(const CompoundStmt &Block, unsigned From, PathToExit &Path) {
  for (unsigned I = From; I < Block.size(); ++I) {
    const Stmt *S = Block.body_begin()[I];
    if (const Stmt *Exit = errorTestExit(S)) {
      Path.Test = cast<IfStmt>(S);
      Path.Exit = Exit;
      return true;
    }
    ControlTransfers Transfers = controlTransfersIn(S);
    if (Transfers.Entry)
      return false;
    if (Transfers.Exits.empty() && !Transfers.Jump) {
      Path.Ran.push_back(S);
      continue;
    }
    // `if (v != NULL) { ... if (f(v) < 0) goto error; ... }`: the error
    // test is in the branch the code enters.
    const auto *If = dyn_cast<IfStmt>(S);
    const auto *Then = If ? dyn_cast<CompoundStmt>(If->getThen()) : nullptr;
    if (!Then || If->getInit() || If->getConditionVariable() ||
        (If->getElse() && !controlTransfersIn(If->getElse()).Exits.empty()))
      return false;
    Path.Ran.push_back(If->getCond());
    return findExit(*Then, 0, Path);
  }
  return false;
}

/// The variables that \p S refers to.
void collectVariables(const Stmt *S,
                      llvm::SmallPtrSetImpl<const VarDecl *> &Vars) {
  struct Collector : RecursiveASTVisitor<Collector> {
    llvm::SmallPtrSetImpl<const VarDecl *> &Vars;
    explicit Collector(llvm::SmallPtrSetImpl<const VarDecl *> &Vars)
        : Vars(Vars) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl()))
        Vars.insert(V);
      return true;
    }
  } Collect(Vars);
  Collect.TraverseStmt(const_cast<Stmt *>(S));
}

/// The variables that the code from \p Label to the end of the function
/// reads; false when the label is not a statement of the function body.
bool labelVariables(const LabelDecl &Label, const FunctionDecl &Function,
                    llvm::SmallPtrSetImpl<const VarDecl *> &Vars) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Function.getBody());
  if (!Body)
    return false;
  const auto *At = llvm::find_if(Body->body(), [&](const Stmt *S) {
    return isa<LabelStmt>(S) && cast<LabelStmt>(S)->getDecl() == &Label;
  });
  if (At == Body->body_end())
    return false;
  for (; At != Body->body_end(); ++At)
    collectVariables(*At, Vars);
  return true;
}

/// What the statements on the path change that the exit could see: a
/// variable it reads, memory through a pointer, a resource. Empty when
/// nothing.
std::string changeSeenByExit(const Stmt *S,
                             const llvm::SmallPtrSetImpl<const VarDecl *> &Read,
                             const VarDecl &Var) {
  struct Finder : RecursiveASTVisitor<Finder> {
    const llvm::SmallPtrSetImpl<const VarDecl *> &Read;
    const VarDecl &Var;
    std::string Found;
    Finder(const llvm::SmallPtrSetImpl<const VarDecl *> &Read,
           const VarDecl &Var)
        : Read(Read), Var(Var) {}
    bool written(const Expr *Target) {
      const Expr *E = Target->IgnoreParenCasts();
      const auto *Ref = dyn_cast<DeclRefExpr>(E);
      const auto *V = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
      if (!V)
        Found = "it writes through a pointer";
      else if (V != &Var && Read.count(V))
        Found = "it changes '" + V->getName().str() + "'";
      return Found.empty();
    }
    bool VisitBinaryOperator(BinaryOperator *B) {
      return !B->isAssignmentOp() || written(B->getLHS());
    }
    bool VisitUnaryOperator(UnaryOperator *U) {
      if (U->isIncrementDecrementOp())
        return written(U->getSubExpr());
      if (U->getOpcode() == UO_AddrOf)
        if (const VarDecl *V = namedVariable(U->getSubExpr());
            V && V != &Var && Read.count(V))
          Found = "it passes the address of '" + V->getName().str() + "'";
      return Found.empty();
    }
    bool VisitVarDecl(VarDecl *V) {
      if (Read.count(V))
        Found = "it declares '" + V->getName().str() + "'";
      return Found.empty();
    }
    bool VisitCallExpr(CallExpr *Call) {
      llvm::StringRef Name = calleeName(Call);
      if (isResourceCall(Name) || llvm::is_contained(ReleasingCalls, Name))
        Found = "it calls '" + Name.str() + "'";
      return Found.empty();
    }
  } Find(Read, Var);
  Find.TraverseStmt(const_cast<Stmt *>(S));
  return Find.Found;
}

/// The operand that \p Cond tests as an error result: `E == NULL`, `!E`,
/// `E < 0`, `E == -1`; or null.
const Expr *testedOperand(const Expr *Cond, ASTContext &Ctx) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(Cond);
      U && U->getOpcode() == UO_LNot)
    return U->getSubExpr()->IgnoreParenImpCasts();
  const auto *B = dyn_cast<BinaryOperator>(Cond);
  if (!B)
    return nullptr;
  const Expr *L = B->getLHS()->IgnoreParenImpCasts();
  const Expr *R = B->getRHS()->IgnoreParenImpCasts();
  auto IsNull = [&](const Expr *E) {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
  };
  auto IsInt = [&](const Expr *E, int Value) {
    Expr::EvalResult Result;
    return E->EvaluateAsInt(Result, Ctx) && Result.Val.getInt() == Value;
  };
  if (B->getOpcode() == BO_EQ && L->getType()->isPointerType())
    return IsNull(R) ? L : IsNull(L) ? R : nullptr;
  if ((B->getOpcode() == BO_LT && IsInt(R, 0)) ||
      (B->getOpcode() == BO_EQ && IsInt(R, -1)))
    return L;
  return nullptr;
}

/// Whether \p Operand is a call's result: the call, an assignment of one,
/// or a local that a statement of \p Ran last set to one.
bool isCallResult(const Expr *Operand, llvm::ArrayRef<const Stmt *> Ran) {
  Operand = stripCasts(Operand);
  if (isa<CallExpr>(Operand))
    return true;
  if (const auto *B = dyn_cast<BinaryOperator>(Operand);
      B && B->getOpcode() == BO_Assign)
    return isa<CallExpr>(stripCasts(B->getRHS()));
  const VarDecl *V = referencedLocal(Operand);
  if (!V)
    return false;
  for (const Stmt *S : llvm::reverse(Ran)) {
    if (const auto *D = dyn_cast<DeclStmt>(S);
        D && llvm::is_contained(D->decls(), V))
      return V->getInit() && isa<CallExpr>(stripCasts(V->getInit()));
    if (const auto *B = dyn_cast<BinaryOperator>(S);
        B && B->getOpcode() == BO_Assign && referencedLocal(B->getLHS()) == V)
      return isa<CallExpr>(stripCasts(B->getRHS()));
    if (mentionsVariable(S, V))
      return false;
  }
  return false;
}

/// Whether some `goto` to \p Label in \p Function follows an error test of
/// a call's result: the author's own use of the label for errors.
bool isErrorLabel(const LabelDecl &Label, const FunctionDecl &Function,
                  ASTContext &Ctx) {
  struct Finder : RecursiveASTVisitor<Finder> {
    const LabelDecl &Label;
    ASTContext &Ctx;
    bool Found = false;
    Finder(const LabelDecl &Label, ASTContext &Ctx) : Label(Label), Ctx(Ctx) {}
    bool VisitCompoundStmt(CompoundStmt *Block) {
      std::vector<const Stmt *> Before;
      for (const Stmt *S : Block->body()) {
        const auto *Goto = dyn_cast_or_null<GotoStmt>(errorTestExit(S));
        const Expr *Operand =
            Goto ? testedOperand(cast<IfStmt>(S)->getCond(), Ctx) : nullptr;
        if (Operand && Goto->getLabel() == &Label &&
            isCallResult(Operand, Before))
          Found = true;
        Before.push_back(S);
      }
      return !Found;
    }
  } Find(Label, Ctx);
  Find.TraverseStmt(Function.getBody());
  return Find.Found;
}

} // namespace

std::optional<std::string>
sameStateExit(const CompoundStmt &Block, unsigned Index, const VarDecl &Var,
              const FunctionDecl &Function, ASTContext &Ctx,
              const llvm::SmallPtrSetImpl<const VarDecl *> &Unsettled,
              const llvm::SmallPtrSetImpl<const VarDecl *> *Converted,
              std::string &Why) {
  auto Fail = [&](const std::string &Reason) -> std::optional<std::string> {
    Why = Reason;
    return std::nullopt;
  };
  PathToExit Path;
  // No error test to reuse: nothing to explain.
  if (!findExit(Block, Index + 1, Path))
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  if (Path.Test->getBeginLoc().isMacroID())
    return Fail("the error test that follows is spelled through a macro");
  const Expr *Operand = testedOperand(Path.Test->getCond(), Ctx);
  llvm::SmallPtrSet<const VarDecl *, 16> Read;
  std::string Exit;
  if (const auto *Return = dyn_cast<ReturnStmt>(Path.Exit)) {
    const Expr *Value = Return->getRetValue();
    QualType Result = Function.getReturnType();
    if (!Value || !isErrorValue(Value, Result, Ctx))
      return Fail("the exit that follows does not return NULL or -1");
    Exit = Result->isPointerType() ? "return NULL;" : "return -1;";
  } else {
    const LabelDecl &Label = *cast<GotoStmt>(Path.Exit)->getLabel();
    // The test must be the author's error test: of a call's result, or of
    // the looked-up value where the label serves errors elsewhere.
    bool OfVar = Operand && referencedLocal(Operand) == &Var;
    if (!Operand || (OfVar ? !isErrorLabel(Label, Function, Ctx)
                           : !isCallResult(Operand, Path.Ran)))
      return Fail("the test that follows is not an error test");
    if (!labelVariables(Label, Function, Read))
      return Fail("its label is not a statement of the function body");
    if (Read.count(&Var))
      return Fail("its label reads '" + Var.getName().str() + "'");
    Exit = "goto " + Label.getName().str() + ";";
  }
  // The author's exit would release a dangling reference there too: not a
  // path to copy.
  for (const VarDecl *V : inDeclarationOrder(Unsettled, SM))
    if (Read.count(V))
      return Fail("its label releases '" + V->getName().str() +
                  "', which may hold a reference already released");
  Path.Ran.push_back(Path.Test->getCond());
  for (const Stmt *S : Path.Ran)
    if (std::string Change = changeSeenByExit(S, Read, Var); !Change.empty())
      return Fail("between the lookup and the error test that follows, " +
                  Change);
  // A reference that another fix makes strong is released on the paths
  // that fix knows; the new exit is not one of them.
  if (Converted) {
    SourceLocation At =
        SM.getExpansionLoc(Block.body_begin()[Index]->getBeginLoc());
    auto Before = [&](SourceLocation A, SourceLocation B) {
      return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A), B);
    };
    for (const VarDecl *C : *Converted) {
      const DeclStmt *Declaration = declarationOf(*C, Ctx);
      const Stmt *Scope = Declaration ? parentStmt(*Declaration, Ctx) : nullptr;
      if (C == &Var || !Scope || !Before(Declaration->getBeginLoc(), At) ||
          !Before(At, SM.getExpansionLoc(Scope->getEndLoc())))
        continue;
      for (const DeclRefExpr *Ref : referencesTo(*C, Scope))
        if (!Before(Ref->getBeginLoc(), At))
          return Fail("'" + C->getName().str() +
                      "', which another fix makes hold a reference, is live");
    }
  }
  return Exit;
}

} // namespace borrowed
} // namespace gilport
