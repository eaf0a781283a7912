//===--- FreshObjects.cpp -------------------------------------------------===//

#include "analysis/FreshObjects.h"

#include "analysis/AstQueries.h"
#include "analysis/CallSites.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

/// How many functions the search goes through, up to callers and down to
/// constructors.
constexpr unsigned MaxDepth = 4;

/// The C-API calls that return a new object of their own.
bool isAllocator(llvm::StringRef Name) {
  return llvm::is_contained(
      {"_PyObject_New", "_PyObject_NewVar", "PyObject_New", "PyObject_NewVar",
       "_PyObject_GC_New", "_PyObject_GC_NewVar", "PyObject_GC_New",
       "PyObject_GC_NewVar", "PyType_GenericAlloc", "PyType_GenericNew"},
      Name);
}

/// The calls that call their first argument; called on a type, they make
/// an instance of it.
bool isCallOfFirstArgument(llvm::StringRef Name) {
  return llvm::is_contained(
      {"PyObject_Call", "PyObject_CallObject", "PyObject_CallFunction",
       "_PyObject_CallFunction_SizeT", "PyObject_CallNoArgs",
       "PyObject_CallOneArg", "PyObject_Vectorcall", "PyObject_VectorcallDict",
       "PyObject_CallFunctionObjArgs"},
      Name);
}

bool isTypeObjectPointer(const Expr *E) {
  QualType Type = E->IgnoreParenCasts()->getType();
  if (!Type->isPointerType())
    return false;
  const RecordDecl *Record = Type->getPointeeType()->getAsRecordDecl();
  return Record && recordName(Record) == "_typeobject";
}

const VarDecl *referencedVar(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

/// What a function body does with one local variable.
class LocalUses : public RecursiveASTVisitor<LocalUses> {
public:
  explicit LocalUses(const VarDecl &Var) : Var(Var) {}

  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (referencedVar(Op->getLHS()) == &Var) {
      if (Op->getOpcode() == BO_Assign)
        Values.push_back(Op->getRHS());
      else if (Op->isAssignmentOp())
        Escapes = true;
    } else if (Op->isAssignmentOp() && referencedVar(Op->getRHS()) == &Var) {
      // Stored: into a field, a global, through a pointer. Another local
      // holding it is a copy this walk does not follow.
      Escapes = true;
    }
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (referencedVar(Op->getSubExpr()) == &Var &&
        (Op->getOpcode() == UO_AddrOf || Op->isIncrementDecrementOp()))
      Escapes = true;
    return true;
  }

  bool VisitInitListExpr(InitListExpr *List) {
    for (const Expr *Init : List->inits())
      if (referencedVar(Init) == &Var)
        Escapes = true;
    return true;
  }

  bool VisitVarDecl(VarDecl *Other) {
    if (Other != &Var && Other->getInit() &&
        referencedVar(Other->getInit()) == &Var)
      Escapes = true;
    return true;
  }

  const VarDecl &Var;
  std::vector<const Expr *> Values;
  bool Escapes = false;
};

class Returns : public RecursiveASTVisitor<Returns> {
public:
  bool VisitReturnStmt(ReturnStmt *Return) {
    Values.push_back(Return->getRetValue());
    return true;
  }
  std::vector<const Expr *> Values;
};

} // namespace

bool FreshObjects::alwaysGivenFresh(const ParmVarDecl &Param) {
  return paramFresh(Param, 0);
}

bool FreshObjects::paramFresh(const ParmVarDecl &Param, unsigned Depth) {
  if (Depth > MaxDepth)
    return false;
  State &Known = Memo[&Param];
  if (Known != State::Unknown)
    return Known == State::Fresh;
  Known = State::InProgress;
  const auto *Function = dyn_cast<FunctionDecl>(Param.getDeclContext());
  const auto *Sites = Function ? Callers.knownCallers(*Function) : nullptr;
  unsigned Index = Param.getFunctionScopeIndex();
  bool Fresh = Sites && llvm::all_of(*Sites, [&](const CallSiteIndex::Site &S) {
                 return Index < S.Call->getNumArgs() &&
                        freshValue(S.Call->getArg(Index), *S.Caller, Depth + 1);
               });
  Memo[&Param] = Fresh ? State::Fresh : State::Shared;
  return Fresh;
}

bool FreshObjects::freshValue(const Expr *E, const FunctionDecl &In,
                              unsigned Depth) {
  if (!E || Depth > MaxDepth)
    return false;
  E = E->IgnoreParenCasts();
  // `(res = make()) == NULL` hands on the assigned value.
  if (const auto *Assign = dyn_cast<BinaryOperator>(E);
      Assign && Assign->getOpcode() == BO_Assign)
    return freshValue(Assign->getRHS(), In, Depth);
  if (const auto *Call = dyn_cast<CallExpr>(E))
    return makesNewObject(*Call, Depth);
  const VarDecl *Var = referencedVar(E);
  if (!Var)
    return false;
  if (const auto *Param = dyn_cast<ParmVarDecl>(Var))
    return Param->getDeclContext() == &In && paramFresh(*Param, Depth);
  return Var->hasLocalStorage() && freshLocal(*Var, In, Depth);
}

bool FreshObjects::freshLocal(const VarDecl &Var, const FunctionDecl &In,
                              unsigned Depth) {
  State &Known = Memo[&Var];
  if (Known != State::Unknown)
    return Known == State::Fresh;
  Known = State::InProgress;
  LocalUses Uses(Var);
  Uses.TraverseStmt(In.getBody());
  if (Var.getInit())
    Uses.Values.push_back(Var.getInit());
  bool Fresh = !Uses.Escapes && !Uses.Values.empty();
  bool AnObject = false;
  for (const Expr *Value : Uses.Values) {
    if (!Fresh)
      break;
    // NULL before the object is made, or after it is released.
    if (Value->isNullPointerConstant(In.getASTContext(),
                                     Expr::NPC_ValueDependentIsNull))
      continue;
    AnObject = true;
    Fresh = freshValue(Value, In, Depth);
  }
  Fresh = Fresh && AnObject;
  Memo[&Var] = Fresh ? State::Fresh : State::Shared;
  return Fresh;
}

bool FreshObjects::makesNewObject(const CallExpr &Call, unsigned Depth) {
  // `type->tp_alloc(type, 0)`, `type->tp_new(type, args, kwds)`.
  if (const auto *Member =
          dyn_cast<MemberExpr>(Call.getCallee()->IgnoreParenImpCasts()))
    return llvm::is_contained({"tp_alloc", "tp_new"},
                              Member->getMemberDecl()->getName());
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || !Callee->getIdentifier())
    return false;
  llvm::StringRef Name = Callee->getName();
  if (isAllocator(Name))
    return true;
  if (isCallOfFirstArgument(Name))
    return Call.getNumArgs() > 0 && isTypeObjectPointer(Call.getArg(0));
  const FunctionDecl *Definition = Callee->getDefinition();
  return Definition && returnsFresh(*Definition, Depth + 1);
}

bool FreshObjects::returnsFresh(const FunctionDecl &Function, unsigned Depth) {
  if (Depth > MaxDepth)
    return false;
  State &Known = Memo[&Function];
  if (Known != State::Unknown)
    return Known == State::Fresh;
  Known = State::InProgress;
  Returns Found;
  Found.TraverseStmt(Function.getBody());
  bool Fresh = false;
  for (const Expr *Value : Found.Values) {
    if (Value && Value->IgnoreParenCasts()->isNullPointerConstant(
                     Function.getASTContext(), Expr::NPC_ValueDependentIsNull))
      continue;
    Fresh = freshValue(Value, Function, Depth);
    if (!Fresh)
      break;
  }
  Memo[&Function] = Fresh ? State::Fresh : State::Shared;
  return Fresh;
}

} // namespace gilport
