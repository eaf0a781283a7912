//===--- ObjectAllocations.cpp --------------------------------------------===//

#include "analysis/ObjectAllocations.h"

#include "analysis/AstQueries.h"
#include "analysis/GlobalStateTypes.h"
#include "analysis/Parents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSwitch.h"

namespace gilport {

using namespace clang;

llvm::StringRef memDomainCounterpart(llvm::StringRef Name) {
  return llvm::StringSwitch<llvm::StringRef>(Name)
      .Case("PyObject_Malloc", "PyMem_Malloc")
      .Case("PyObject_Calloc", "PyMem_Calloc")
      .Case("PyObject_Realloc", "PyMem_Realloc")
      .Case("PyObject_Free", "PyMem_Free")
      .Default("");
}

namespace {

bool isObjectDomainAllocation(llvm::StringRef Name) {
  return Name == "PyObject_Malloc" || Name == "PyObject_Calloc" ||
         Name == "PyObject_Realloc";
}

/// The argument of \p Call that holds the size of the memory.
const Expr *sizeArgument(const CallExpr &Call) {
  unsigned Index = calleeName(&Call) == "PyObject_Malloc" ? 0 : 1;
  return Index < Call.getNumArgs() ? Call.getArg(Index) : nullptr;
}

/// The type of a `sizeof(T)` term of \p Size (`sizeof(T)`, `n * sizeof(T)`,
/// `sizeof(T) + extra`), or null.
QualType sizeofType(const Expr *Size) {
  if (!Size)
    return QualType();
  Size = Size->IgnoreParenCasts();
  if (const auto *SizeOf = dyn_cast<UnaryExprOrTypeTraitExpr>(Size))
    return SizeOf->getKind() == UETT_SizeOf ? SizeOf->getTypeOfArgument()
                                            : QualType();
  if (const auto *Op = dyn_cast<BinaryOperator>(Size)) {
    if (Op->getOpcode() != BO_Mul && Op->getOpcode() != BO_Add)
      return QualType();
    QualType Left = sizeofType(Op->getLHS());
    return Left.isNull() ? sizeofType(Op->getRHS()) : Left;
  }
  return QualType();
}

/// Whether \p Function uses \p Local as a Python object: casts it, or an
/// offset into it, to an object pointer, or initialises it with
/// PyObject_Init.
bool usedAsObject(const VarDecl &Local, const FunctionDecl &Function,
                  ASTContext &Ctx, GlobalStateTypes &Types) {
  for (const DeclRefExpr *Ref : referencesTo(Local, Function.getBody())) {
    // Also past an offset and other casts: `(PyObject *)(mem + presize)`
    // after a header, 3.11's `FROM_GC(g)`.
    const Stmt *P = parentStmt(*Ref, Ctx);
    for (; P; P = parentStmt(*P, Ctx)) {
      if (const auto *Cast = dyn_cast<ExplicitCastExpr>(P)) {
        if (Types.isObjectPointer(Cast->getType()))
          return true;
        continue;
      }
      const auto *Offset = dyn_cast<BinaryOperator>(P);
      if (!isa<ParenExpr, ImplicitCastExpr>(P) &&
          !(Offset && Offset->isAdditiveOp()))
        break;
    }
    if (const auto *Call = dyn_cast_or_null<CallExpr>(P);
        Call && llvm::is_contained({"PyObject_Init", "PyObject_InitVar",
                                    "_PyObject_Init", "_PyObject_InitVar"},
                                   calleeName(Call)))
      return true;
  }
  return false;
}

/// Whether \p Callee is declared by the system's or Python's headers, whose
/// functions do not release memory they are lent.
bool isLibraryFunction(const FunctionDecl &Callee, const SourceManager &SM) {
  SourceLocation Loc = SM.getExpansionLoc(Callee.getLocation());
  if (SM.isInSystemHeader(Loc))
    return true;
  llvm::StringRef Name = Callee.getName();
  return (Name.starts_with("Py") || Name.starts_with("_Py")) &&
         !SM.isWrittenInMainFile(Loc) && memDomainCounterpart(Name).empty();
}

} // namespace

AllocationUse allocationUse(const CallExpr &Call, const FunctionDecl &Function,
                            ASTContext &Ctx, GlobalStateTypes &Types) {
  AllocationUse Use;
  QualType Target;
  const Stmt *Child = &Call;
  DynTypedNode Current = DynTypedNode::create(Call);
  for (unsigned Depth = 0; Depth < 16; ++Depth) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.size() != 1)
      break;
    Current = Parents[0];
    if (const auto *Var = Current.get<VarDecl>()) {
      if (Target.isNull())
        Target = Var->getType();
      if (Var->hasLocalStorage() && !isa<ParmVarDecl>(Var))
        Use.Local = Var;
      break;
    }
    const auto *P = Current.get<Stmt>();
    if (!P)
      break;
    if (isa<ParenExpr, ImplicitCastExpr>(P)) {
      Child = P;
      continue;
    }
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(P)) {
      // The cast says what the memory is; the store after it says where.
      if (Target.isNull())
        Target = Cast->getType();
      Child = P;
      continue;
    }
    if (const auto *Assign = dyn_cast<BinaryOperator>(P)) {
      if (Assign->getOpcode() != BO_Assign || Assign->getRHS() != Child)
        break;
      if (Target.isNull())
        Target = Assign->getLHS()->getType();
      const Expr *Stored = Assign->getLHS()->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Stored)) {
        const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        if (Var && Var->hasLocalStorage() && !isa<ParmVarDecl>(Var))
          Use.Local = Var;
      } else if (const auto *Member = dyn_cast<MemberExpr>(Stored)) {
        Use.Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      }
      break;
    }
    if (isa<ReturnStmt>(P)) {
      if (Target.isNull())
        Target = Function.getReturnType();
      break;
    }
    if (const auto *Outer = dyn_cast<CallExpr>(P)) {
      const FunctionDecl *Callee = Outer->getDirectCallee();
      for (unsigned I = 0;
           Callee && I < Outer->getNumArgs() && I < Callee->getNumParams(); ++I)
        if (Outer->getArg(I) == Child && Target.isNull())
          Target = Callee->getParamDecl(I)->getType();
    }
    break;
  }

  const PrintingPolicy &Policy = Ctx.getPrintingPolicy();
  if (!Target.isNull() && Target->isPointerType() &&
      !Target->getPointeeType()->isVoidType()) {
    Use.Type = Target.getAsString(Policy);
    Use.What = Types.isObjectPointer(Target) ? AllocationUse::Object
                                             : AllocationUse::NotObject;
  } else if (QualType Sized = sizeofType(sizeArgument(Call)); !Sized.isNull()) {
    Use.Type = Sized.getAsString(Policy);
    const RecordDecl *Record = Sized->getAsRecordDecl();
    Use.What = Record && Types.recordKind(Record) !=
                             GlobalStateTypes::RecordKind::Plain
                   ? AllocationUse::Object
                   : AllocationUse::NotObject;
  }
  if (Use.What == AllocationUse::NotObject && Use.Local &&
      usedAsObject(*Use.Local, Function, Ctx, Types))
    Use.What = AllocationUse::Object;
  return Use;
}

LocalBufferCalls localBufferCalls(const VarDecl &Local,
                                  const FunctionDecl &Function,
                                  ASTContext &Ctx) {
  LocalBufferCalls Result;
  auto Fail = [&](std::string Why) {
    Result.Callees.clear();
    Result.Reason = std::move(Why);
    return Result;
  };
  std::string Name = "'" + Local.getName().str() + "'";
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::SmallPtrSet<const DeclRefExpr *, 4> Seen;
  auto Record = [&](const CallExpr *Call) {
    const auto *Callee =
        dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreParenImpCasts());
    if (Callee && Seen.insert(Callee).second)
      Result.Callees.push_back(Callee);
  };
  // What a store to the local may store: an object-domain allocation, NULL,
  // or a local array (a buffer on the stack for small sizes), which no
  // correct code releases.
  auto Stores = [&](const Expr *Value) {
    const Expr *Bare = Value->IgnoreParenCasts();
    if (Bare->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
      return true;
    if (const auto *AddrOf = dyn_cast<UnaryOperator>(Bare);
        AddrOf && AddrOf->getOpcode() == UO_AddrOf)
      Bare = AddrOf->getSubExpr()->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Bare)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (Var && Var != &Local && Var->hasLocalStorage() &&
          !isa<ParmVarDecl>(Var) && Var->getType()->isArrayType())
        return true;
    }
    const auto *Call = dyn_cast<CallExpr>(stripCasts(Value));
    if (!Call || !isObjectDomainAllocation(calleeName(Call)))
      return false;
    Record(Call);
    return true;
  };
  if (const Expr *Init = Local.getInit(); Init && !Stores(Init))
    return Fail(Name + " also holds other memory");
  for (const DeclRefExpr *Ref : referencesTo(Local, Function.getBody())) {
    const Stmt *Child = nullptr;
    const Stmt *P = parentPastParensAndCasts(*Ref, Ctx, Child);
    if (const auto *Op = dyn_cast_or_null<BinaryOperator>(P)) {
      if (Op->getOpcode() == BO_Assign && Op->getLHS() == Child) {
        if (!Stores(Op->getRHS()))
          return Fail(Name + " also holds other memory");
        continue;
      }
      // Compared, or offset into and read in place.
      if (Op->isComparisonOp() || Op->isAdditiveOp() || Op->isLogicalOp())
        continue;
      return Fail(Name + " is used other than in place, so its memory may "
                         "leave the function");
    }
    if (const auto *Call = dyn_cast_or_null<CallExpr>(P)) {
      llvm::StringRef Callee = calleeName(Call);
      if (!memDomainCounterpart(Callee).empty()) {
        if (Call->getNumArgs() == 0 || Call->getArg(0) != Child)
          return Fail(Name + " is passed to '" + Callee.str() +
                      "' other than as the memory to resize or release");
        Record(Call);
        continue;
      }
      const FunctionDecl *Function = Call->getDirectCallee();
      if (Function && Call->getCallee() != Child &&
          isLibraryFunction(*Function, SM))
        continue;
      return Fail(Name + " is passed to '" +
                  (Callee.empty() ? std::string("a function") : Callee.str()) +
                  "', which may keep or release it");
    }
    if (isa_and_nonnull<ReturnStmt>(P))
      return Fail(Name + " is returned, so its memory leaves the function");
    // Indexed, dereferenced through `->`, or tested; a conditional's value
    // would flow on.
    if (isa_and_nonnull<ArraySubscriptExpr, MemberExpr, IfStmt, WhileStmt,
                        DoStmt, ForStmt>(P))
      continue;
    if (const auto *Conditional = dyn_cast_or_null<ConditionalOperator>(P);
        Conditional && Conditional->getCond() == Child)
      continue;
    if (const auto *Op = dyn_cast_or_null<UnaryOperator>(P);
        Op && (Op->getOpcode() == UO_Deref || Op->getOpcode() == UO_LNot))
      continue;
    return Fail(Name + " is used other than in place, so its memory may "
                       "leave the function");
  }
  llvm::sort(Result.Callees, [&](const DeclRefExpr *A, const DeclRefExpr *B) {
    return SM.isBeforeInTranslationUnit(A->getLocation(), B->getLocation());
  });
  return Result;
}

} // namespace gilport
