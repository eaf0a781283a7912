//===--- StaticStorage.cpp ------------------------------------------------===//

#include "analysis/StaticStorage.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/StringSwitch.h"

namespace gilport {

using namespace clang;

const DeclRefExpr *storageRoot(const Expr *E) {
  while (E) {
    E = E->IgnoreParens();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref;
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      if (Member->isArrow())
        return nullptr;
      E = Member->getBase();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      const auto *Decay =
          dyn_cast<ImplicitCastExpr>(Subscript->getBase()->IgnoreParens());
      if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay)
        return nullptr;
      E = Decay->getSubExpr();
      continue;
    }
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(E)) {
      CastKind Kind = Cast->getCastKind();
      if (Kind != CK_NoOp && Kind != CK_UncheckedDerivedToBase &&
          Kind != CK_DerivedToBase)
        return nullptr;
      E = Cast->getSubExpr();
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

const DeclRefExpr *addressedStorage(const Expr *E) {
  while (E) {
    E = E->IgnoreParens();
    if (const auto *Cast = dyn_cast<CastExpr>(E)) {
      CastKind Kind = Cast->getCastKind();
      if (Kind == CK_ArrayToPointerDecay)
        return storageRoot(Cast->getSubExpr());
      if (Kind != CK_NoOp && Kind != CK_BitCast &&
          Kind != CK_UncheckedDerivedToBase && Kind != CK_DerivedToBase)
        return nullptr;
      E = Cast->getSubExpr();
      continue;
    }
    if (const auto *AddrOf = dyn_cast<UnaryOperator>(E)) {
      if (AddrOf->getOpcode() != UO_AddrOf)
        return nullptr;
      return storageRoot(AddrOf->getSubExpr());
    }
    return nullptr;
  }
  return nullptr;
}

bool isPointerToMutable(QualType Type) {
  const auto *Pointer = Type->getAs<PointerType>();
  return Pointer && !Pointer->getPointeeType().isConstQualified();
}

bool isReadOnlyParameter(llvm::StringRef Callee, unsigned Index) {
  // The keyword list: `char *kwlist[]` is `char * const *` since 3.13.
  if (Index == 3)
    return llvm::StringSwitch<bool>(Callee)
        .Cases("PyArg_ParseTupleAndKeywords", "PyArg_VaParseTupleAndKeywords",
               "_PyArg_ParseTupleAndKeywords_SizeT",
               "_PyArg_VaParseTupleAndKeywords_SizeT", true)
        .Default(false);
  // The capsule keeps the pointer; writes through it are the user's.
  if (Index == 0)
    return Callee == "PyCapsule_New";
  return false;
}

const FunctionProtoType *calleePrototype(const CallExpr *Call) {
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    return Callee->getType()->getAs<FunctionProtoType>();
  QualType Type = Call->getCallee()->getType();
  if (const auto *Pointer = Type->getAs<PointerType>())
    Type = Pointer->getPointeeType();
  return Type->getAs<FunctionProtoType>();
}

} // namespace gilport
