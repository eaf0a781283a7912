//===--- AstQueries.cpp ---------------------------------------------------===//

#include "analysis/AstQueries.h"

#include "analysis/Parents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

const VarDecl *referencedLocal(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  if (!Ref)
    return nullptr;
  const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
  return Var && Var->hasLocalStorage() ? Var : nullptr;
}

const VarDecl *storedInLocal(const CallExpr *Call, ASTContext &Ctx) {
  DynTypedNode Current = DynTypedNode::create(*Call);
  const void *Child = Call;
  for (unsigned Depth = 0; Depth < 8; ++Depth) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.size() != 1)
      return nullptr;
    Current = Parents[0];
    if (const auto *Var = Current.get<VarDecl>())
      return Var->hasLocalStorage() && Var->getInit() &&
                     Var->getInit()->IgnoreParenCasts() == Call
                 ? Var
                 : nullptr;
    const auto *Parent = Current.get<Stmt>();
    if (isa_and_nonnull<CastExpr, ParenExpr>(Parent)) {
      Child = Parent;
      continue;
    }
    const auto *Assign = dyn_cast_or_null<BinaryOperator>(Parent);
    if (!Assign || Assign->getOpcode() != BO_Assign ||
        Assign->getRHS() != Child)
      return nullptr;
    return referencedLocal(Assign->getLHS());
  }
  return nullptr;
}

bool testsForNull(const Expr *Cond, const VarDecl *Var, ASTContext &Ctx) {
  auto IsNull = [&](const Expr *E) {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
           Expr::NPCK_NotNull;
  };
  auto IsVar = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
    return Ref && Var && Ref->getDecl() == Var;
  };
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond))
    return Not->getOpcode() == UO_LNot && IsVar(Not->getSubExpr());
  const auto *Compare = dyn_cast<BinaryOperator>(Cond);
  if (!Compare || Compare->getOpcode() != BO_EQ)
    return false;
  return (IsVar(Compare->getLHS()) && IsNull(Compare->getRHS())) ||
         (IsVar(Compare->getRHS()) && IsNull(Compare->getLHS()));
}

llvm::StringRef recordName(const RecordDecl *Record) {
  if (Record->getIdentifier())
    return Record->getName();
  if (const TypedefNameDecl *Typedef = Record->getTypedefNameForAnonDecl())
    return Typedef->getName();
  return {};
}

llvm::StringRef calleeName(const CallExpr *Call) {
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  return Callee && Callee->getIdentifier() ? Callee->getName() : "";
}

const Stmt *parentStmt(const Stmt &S, ASTContext &Ctx) {
  auto Parents = parentsOf(S, Ctx);
  return Parents.empty() ? nullptr : Parents[0].get<Stmt>();
}

const Stmt *parentPastParensAndCasts(const Stmt &S, ASTContext &Ctx,
                                     const Stmt *&Child) {
  Child = &S;
  const Stmt *P = parentStmt(S, Ctx);
  while (isa_and_nonnull<ParenExpr, ImplicitCastExpr>(P)) {
    Child = P;
    P = parentStmt(*P, Ctx);
  }
  return P;
}

const FunctionDecl *enclosingFunction(const Stmt *S, ASTContext &Ctx) {
  DynTypedNode Current = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 512; ++Depth) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.empty())
      return nullptr;
    Current = Parents[0];
    if (const auto *Function = Current.get<FunctionDecl>())
      return Function;
  }
  return nullptr;
}

ControlTransfers controlTransfersIn(const Stmt *S) {
  struct Walker : RecursiveASTVisitor<Walker> {
    ControlTransfers Found;
    bool VisitReturnStmt(ReturnStmt *R) { return exit(R); }
    bool VisitGotoStmt(GotoStmt *G) { return exit(G); }
    bool VisitIndirectGotoStmt(IndirectGotoStmt *G) { return exit(G); }
    bool VisitBreakStmt(BreakStmt *) { return Found.Jump = true; }
    bool VisitContinueStmt(ContinueStmt *) { return Found.Jump = true; }
    bool VisitLabelStmt(LabelStmt *) { return Found.Entry = true; }
    bool VisitCaseStmt(CaseStmt *) { return Found.Entry = true; }
    bool VisitDefaultStmt(DefaultStmt *) { return Found.Entry = true; }
    bool exit(const Stmt *Exit) {
      Found.Exits.push_back(Exit);
      return true;
    }
  } Walk;
  Walk.TraverseStmt(const_cast<Stmt *>(S));
  return std::move(Walk.Found);
}

std::string collectExits(const Stmt *S, std::vector<const Stmt *> &Exits,
                         unsigned Loops, unsigned Switches) {
  if (!S)
    return "";
  if (isa<LabelStmt>(S))
    return "the code to guard has a label";
  if (isa<IndirectGotoStmt>(S))
    return "the code to guard has a computed 'goto'";
  // A 'switch' outside the section would jump into it.
  if (isa<SwitchCase>(S) && !Switches)
    return "the code to guard has a 'case' label of a 'switch' around it";
  if (isa<ReturnStmt, GotoStmt>(S) ||
      (isa<BreakStmt>(S) && !Loops && !Switches) ||
      (isa<ContinueStmt>(S) && !Loops)) {
    Exits.push_back(S);
    return "";
  }
  bool IsLoop = isa<ForStmt, WhileStmt, DoStmt>(S);
  bool IsSwitch = isa<SwitchStmt>(S);
  for (const Stmt *Child : S->children()) {
    std::string Why =
        collectExits(Child, Exits, Loops + IsLoop, Switches + IsSwitch);
    if (!Why.empty())
      return Why;
  }
  return "";
}

namespace {
void collectLabelsAndGotos(const Stmt *S, LabelsAndGotos &Found) {
  if (!S)
    return;
  if (const auto *Label = dyn_cast<LabelStmt>(S))
    Found.Labels.push_back(Label);
  else if (const auto *Goto = dyn_cast<GotoStmt>(S))
    Found.Gotos.push_back(Goto);
  for (const Stmt *Child : S->children())
    collectLabelsAndGotos(Child, Found);
}
} // namespace

LabelsAndGotos labelsAndGotosIn(const Stmt *S) {
  // A plain walk of the statements (a declaration's initializer is a child
  // of its DeclStmt): labels are statements, and the rewrites ask this once
  // or twice per lookup, where a RecursiveASTVisitor, with its TypeLocs,
  // cost several times as much.
  LabelsAndGotos Found;
  collectLabelsAndGotos(S, Found);
  return Found;
}

std::vector<const DeclRefExpr *> referencesTo(const VarDecl &Var,
                                              const Stmt *Scope) {
  struct Collector : RecursiveASTVisitor<Collector> {
    const VarDecl &Var;
    std::vector<const DeclRefExpr *> Refs;
    explicit Collector(const VarDecl &Var) : Var(Var) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (Ref->getDecl() == &Var)
        Refs.push_back(Ref);
      return true;
    }
  } Found(Var);
  Found.TraverseStmt(const_cast<Stmt *>(Scope));
  return std::move(Found.Refs);
}

std::vector<const DeclRefExpr *> referencesInUnit(const VarDecl &Var,
                                                  ASTContext &Ctx) {
  struct Collector : RecursiveASTVisitor<Collector> {
    const Decl *Var;
    std::vector<const DeclRefExpr *> Refs;
    explicit Collector(const VarDecl &Var) : Var(Var.getCanonicalDecl()) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (Ref->getDecl()->getCanonicalDecl() == Var)
        Refs.push_back(Ref);
      return true;
    }
  } Found(Var);
  Found.TraverseAST(Ctx);
  return std::move(Found.Refs);
}

bool mentionsVariable(const Stmt *S, const VarDecl *V) {
  if (!S)
    return false;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
    return Ref->getDecl() == V;
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return mentionsVariable(Child, V);
  });
}

const DeclStmt *declarationOf(const VarDecl &Var, ASTContext &Ctx) {
  DynTypedNodeList Parents = parentsOf(Var, Ctx);
  return Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
}

const VarDecl *namedVariable(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenCasts();
  if (const auto *AddrOf = dyn_cast<UnaryOperator>(E);
      AddrOf && AddrOf->getOpcode() == UO_AddrOf)
    E = AddrOf->getSubExpr()->IgnoreParenCasts();
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

const FunctionDecl *namedFunction(const Expr *E) {
  if (!E)
    return nullptr;
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  return Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
}

const Expr *stripCasts(const Expr *E) {
  if (!E)
    return nullptr;
  while (true) {
    E = E->IgnoreParenCasts();
    const auto *Comma = dyn_cast<BinaryOperator>(E);
    if (!Comma || Comma->getOpcode() != BO_Comma)
      return E;
    E = Comma->getRHS();
  }
}

const VarDecl *containerRoot(const Expr *Container) {
  const Expr *E = stripCasts(Container);
  for (unsigned Depth = 0; E && Depth < 8; ++Depth) {
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      E = stripCasts(Member->getBase());
      continue;
    }
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var)
      return nullptr;
    if (Var->hasLocalStorage() && !isa<ParmVarDecl>(Var) && Var->getInit() &&
        isa<MemberExpr>(stripCasts(Var->getInit()))) {
      E = stripCasts(Var->getInit());
      continue;
    }
    return Var;
  }
  return nullptr;
}

const VarDecl *assignedInNullTest(const Expr *Cond, const CallExpr *Call,
                                  ASTContext &Ctx) {
  Cond = Cond->IgnoreParenImpCasts();
  const Expr *Tested = nullptr;
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond)) {
    if (Not->getOpcode() == UO_LNot)
      Tested = Not->getSubExpr();
  } else if (const auto *Compare = dyn_cast<BinaryOperator>(Cond)) {
    if (Compare->getOpcode() == BO_EQ)
      for (const Expr *Side : {Compare->getLHS(), Compare->getRHS()})
        if (isa<BinaryOperator>(Side->IgnoreParenImpCasts()))
          Tested = Side;
  }
  const auto *Assign =
      Tested ? dyn_cast<BinaryOperator>(Tested->IgnoreParenImpCasts())
             : nullptr;
  if (!Assign || Assign->getOpcode() != BO_Assign ||
      Assign->getRHS()->IgnoreParenCasts() != Call)
    return nullptr;
  if (const auto *Compare = dyn_cast<BinaryOperator>(Cond)) {
    const Expr *Other = Compare->getLHS()->IgnoreParenImpCasts() == Assign
                            ? Compare->getRHS()
                            : Compare->getLHS();
    if (Other->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) ==
        Expr::NPCK_NotNull)
      return nullptr;
  }
  return referencedLocal(Assign->getLHS());
}

namespace {

class NameFinder : public RecursiveASTVisitor<NameFinder> {
public:
  explicit NameFinder(llvm::StringRef Name) : Name(Name) {}
  bool VisitNamedDecl(NamedDecl *D) {
    Found |= D->getIdentifier() && D->getName() == Name;
    return !Found;
  }
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    Found |=
        Ref->getDecl()->getIdentifier() && Ref->getDecl()->getName() == Name;
    return !Found;
  }
  llvm::StringRef Name;
  bool Found = false;
};

} // namespace

bool declaresOrUsesName(const Decl *Scope, llvm::StringRef Name) {
  NameFinder Finder(Name);
  Finder.TraverseDecl(const_cast<Decl *>(Scope));
  return Finder.Found;
}

llvm::StringRef firstUnusedName(const Decl *Scope,
                                llvm::ArrayRef<llvm::StringRef> Candidates) {
  for (llvm::StringRef Candidate : Candidates)
    if (!declaresOrUsesName(Scope, Candidate))
      return Candidate;
  return {};
}

} // namespace gilport
