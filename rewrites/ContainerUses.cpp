//===--- ContainerUses.cpp ------------------------------------------------===//

#include "rewrites/ContainerUses.h"
#include "analysis/AstQueries.h"
#include "analysis/NewReferences.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

/// Reads of a container's size (the bound a loop over its items relies on).
constexpr llvm::StringRef SizeCalls[] = {
    "PyList_GET_SIZE",   "PyList_Size",   "PyTuple_GET_SIZE", "PyTuple_Size",
    "Py_SIZE",           "PyObject_Size", "PyObject_Length",  "PySequence_Size",
    "PySequence_Length", "PyDict_Size",   "PyDict_GET_SIZE"};
/// Accessors of a list's item array that are functions in some versions.
constexpr llvm::StringRef ItemCalls[] = {"PyList_GET_ITEM", "PyList_SET_ITEM",
                                         "PySequence_Fast_GET_ITEM"};

} // namespace

bool holdsItemArray(const VarDecl &V) {
  QualType Pointee = V.getType()->getPointeeType();
  return !Pointee.isNull() && Pointee->isPointerType();
}

std::string containerKey(const Expr *E) {
  E = stripCasts(E);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl()))
      return "#" + std::to_string(reinterpret_cast<uintptr_t>(V));
    return "";
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    std::string Base = containerKey(Member->getBase());
    if (Base.empty())
      return "";
    return Base + (Member->isArrow() ? "->" : ".") +
           Member->getMemberDecl()->getNameAsString();
  }
  return "";
}

const VarDecl *keyRoot(const Expr *E) {
  E = stripCasts(E);
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return keyRoot(Member->getBase());
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

const VarDecl *localVar(const Expr *E) {
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
    if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
        V && V->hasLocalStorage())
      return V;
  return nullptr;
}

void collectUses(const Stmt *S, llvm::StringRef Key, Uses &Found) {
  if (!S)
    return;
  if (const auto *Member = dyn_cast<MemberExpr>(S)) {
    llvm::StringRef Field = Member->getMemberDecl()->getName();
    if ((Field == "ob_item" || Field == "ob_size") &&
        containerKey(Member->getBase()) == Key) {
      (Field == "ob_item" ? Found.Item : Found.Size) = true;
      return;
    }
  }
  if (const auto *Call = dyn_cast<CallExpr>(S);
      Call && Call->getNumArgs() && containerKey(Call->getArg(0)) == Key) {
    llvm::StringRef Name = calleeName(Call);
    Found.Item |= llvm::is_contained(ItemCalls, Name);
    Found.Size |= llvm::is_contained(SizeCalls, Name);
  }
  for (const Stmt *Child : S->children())
    collectUses(Child, Key, Found);
}

Use useOf(const Stmt *S, llvm::StringRef Key) {
  Uses Found;
  collectUses(S, Key, Found);
  return Found.Item ? Use::Item : Found.Size ? Use::Size : Use::None;
}

bool assignsContainer(const Stmt *S, llvm::StringRef Key) {
  if (!S)
    return false;
  if (const auto *Assign = dyn_cast<BinaryOperator>(S);
      Assign && Assign->isAssignmentOp()) {
    std::string Target = containerKey(Assign->getLHS());
    if (!Target.empty() && (Key == Target || Key.starts_with(Target + "-") ||
                            Key.starts_with(Target + ".")))
      return true;
  }
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return assignsContainer(Child, Key);
  });
}

bool releasesContainer(const Stmt *S, llvm::StringRef Key) {
  if (!S)
    return false;
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    static constexpr llvm::StringRef Releases[] = {
        "Py_DECREF", "_Py_DECREF", "Py_XDECREF", "_Py_XDECREF",
        "Py_DecRef", "Py_XDecRef", "_Py_Dealloc"};
    if (Call->getNumArgs() && llvm::is_contained(Releases, calleeName(Call)) &&
        containerKey(Call->getArg(0)) == Key)
      return true;
  }
  if (const auto *U = dyn_cast<UnaryOperator>(S);
      U && U->getOpcode() == UO_AddrOf && containerKey(U->getSubExpr()) == Key)
    return true;
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return releasesContainer(Child, Key);
  });
}

const BinaryOperator *storesItemAway(const Stmt *S, llvm::StringRef Key,
                                     std::set<const VarDecl *> &ItemVars) {
  if (!S)
    return nullptr;
  auto HoldsItem = [&](const Expr *Value) {
    const Expr *E = stripCasts(Value);
    if (const auto *Call = dyn_cast<CallExpr>(E);
        Call && llvm::is_contained(NewRefFunctions, calleeName(Call)))
      return false;
    if (const VarDecl *V = localVar(E); V && ItemVars.count(V))
      return true;
    return useOf(E, Key) == Use::Item && Value->getType()->isPointerType();
  };
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls())
      if (const auto *V = dyn_cast<VarDecl>(D);
          V && V->hasLocalStorage() && V->getInit() && HoldsItem(V->getInit()))
        ItemVars.insert(V);
  } else if (const auto *Assign = dyn_cast<BinaryOperator>(S);
             Assign && Assign->getOpcode() == BO_Assign &&
             HoldsItem(Assign->getRHS())) {
    if (const VarDecl *V = localVar(Assign->getLHS()))
      ItemVars.insert(V);
    else if (useOf(Assign->getLHS(), Key) != Use::Item)
      return Assign;
  }
  for (const Stmt *Child : S->children())
    if (const BinaryOperator *Found = storesItemAway(Child, Key, ItemVars))
      return Found;
  return nullptr;
}

} // namespace gilport
