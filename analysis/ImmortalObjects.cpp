//===--- ImmortalObjects.cpp ----------------------------------------------===//
//
// Sources: CPython 3.13 Include/object.h (PyObject_HEAD_INIT gives every
// statically allocated object the immortal reference count),
// Include/internal/pycore_object.h (_PyObject_HEAD_INIT), and the
// `_kwtuple` blocks Tools/clinic writes for Py_BUILD_CORE builds.
//
//===----------------------------------------------------------------------===//

#include "analysis/ImmortalObjects.h"

#include "analysis/GlobalStateTypes.h"
#include "analysis/MacroLocations.h"
#include "analysis/UnitFacts.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

using namespace clang;

namespace {

/// How the headers spell the immortal reference count: 3.12 and 3.13
/// (`_Py_IMMORTAL_REFCNT`, and `_Py_IMMORTAL_REFCNT_LOCAL` on free-threaded
/// builds), 3.14 (`_Py_STATIC_IMMORTAL_INITIAL_REFCNT`, ...).
constexpr llvm::StringLiteral ImmortalMacros[] = {
    "_Py_IMMORTAL_REFCNT", "_Py_IMMORTAL_REFCNT_LOCAL",
    "_Py_IMMORTAL_INITIAL_REFCNT", "_Py_STATIC_IMMORTAL_INITIAL_REFCNT"};

/// The field of \p Init's record that \p Field names, looking into the
/// anonymous unions and structs the object header uses (`ob_refcnt` is in
/// one since 3.12).
const Expr *fieldInit(const InitListExpr *Init, llvm::StringRef Field) {
  if (!Init)
    return nullptr;
  const RecordDecl *Record = Init->getType()->getAsRecordDecl();
  if (!Record)
    return nullptr;
  if (Record->isUnion()) {
    const FieldDecl *Active = Init->getInitializedFieldInUnion();
    if (!Active || Init->getNumInits() != 1)
      return nullptr;
    if (Active->getName() == Field)
      return Init->getInit(0);
    if (Active->isAnonymousStructOrUnion())
      return fieldInit(dyn_cast<InitListExpr>(Init->getInit(0)), Field);
    return nullptr;
  }
  unsigned Index = 0;
  for (const FieldDecl *Member : Record->fields()) {
    if (Index >= Init->getNumInits())
      return nullptr;
    const Expr *Value = Init->getInit(Index++);
    if (Member->getName() == Field)
      return Value;
    if (Member->isAnonymousStructOrUnion())
      if (const Expr *Nested = fieldInit(dyn_cast<InitListExpr>(Value), Field))
        return Nested;
  }
  return nullptr;
}

const InitListExpr *asInitList(const Expr *E) {
  return E ? dyn_cast<InitListExpr>(E->IgnoreImplicit()) : nullptr;
}

/// The initializer of the `struct _object` at the start of an object
/// initialized by \p Init: the first member of each nested object struct.
const InitListExpr *objectHeaderInit(const InitListExpr *Init) {
  for (unsigned Depth = 0; Init && Depth < 8; ++Depth) {
    const RecordDecl *Record = Init->getType()->getAsRecordDecl();
    if (!Record || Record->isUnion() || Init->getNumInits() == 0)
      return nullptr;
    if (Record->getName() == "_object")
      return Init;
    Init = asInitList(Init->getInit(0));
  }
  return nullptr;
}

bool isImmortalCount(const Expr *Count, const SourceManager &SM,
                     const LangOptions &LangOpts) {
  if (!Count)
    return false;
  SourceLocation Loc = Count->IgnoreImpCasts()->getBeginLoc();
  return llvm::any_of(ImmortalMacros, [&](llvm::StringRef Name) {
    return isWithinExpansionOf(Loc, Name, SM, LangOpts);
  });
}

bool isAddressOfTupleType(const Expr *Type) {
  if (!Type)
    return false;
  const auto *AddrOf = dyn_cast<UnaryOperator>(Type->IgnoreParenCasts());
  if (!AddrOf || AddrOf->getOpcode() != UO_AddrOf)
    return false;
  const auto *Ref =
      dyn_cast<DeclRefExpr>(AddrOf->getSubExpr()->IgnoreParenImpCasts());
  return Ref && Ref->getDecl()->getName() == "PyTuple_Type";
}

/// The variable whose storage \p E designates: `x`, `x.f`, `x.a.b`.
const VarDecl *storageVariable(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(Ref->getDecl());
    const auto *Member = dyn_cast<MemberExpr>(E);
    if (!Member || Member->isArrow())
      return nullptr;
    E = Member->getBase();
  }
  return nullptr;
}

/// Counts the references to some variables, and those that only take their
/// address inside the initializer of a static definition table.
class UseCounter : public RecursiveASTVisitor<UseCounter> {
public:
  UseCounter(llvm::ArrayRef<const VarDecl *> Vars, GlobalStateTypes &Types)
      : Types(Types) {
    for (const VarDecl *Var : Vars)
      Counts[Var->getCanonicalDecl()];
  }

  bool TraverseVarDecl(VarDecl *Var) {
    bool Table = Var->hasGlobalStorage() && Var->hasInit() &&
                 Types.isDefinitionTable(Var->getType());
    InTable += Table;
    bool Result = RecursiveASTVisitor::TraverseVarDecl(Var);
    InTable -= Table;
    return Result;
  }

  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (Op->getOpcode() != UO_AddrOf || InTable == 0)
      return true;
    if (const VarDecl *Var = storageVariable(Op->getSubExpr())) {
      auto It = Counts.find(Var->getCanonicalDecl());
      if (It != Counts.end())
        ++It->second.AddressInTable;
    }
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
      auto It = Counts.find(Var->getCanonicalDecl());
      if (It != Counts.end())
        ++It->second.All;
    }
    return true;
  }

  struct Uses {
    unsigned All = 0;
    unsigned AddressInTable = 0;
  };
  llvm::DenseMap<const VarDecl *, Uses> Counts;

private:
  GlobalStateTypes &Types;
  unsigned InTable = 0;
};

} // namespace

bool isImmortalStaticTuple(const VarDecl &Var, GlobalStateTypes &Types,
                           ASTContext &Ctx, UnitFacts &Context) {
  const Expr *Init = Var.getInit();
  if (!Init || Var.getType()->isArrayType() ||
      !Init->isConstantInitializer(Ctx, /*ForRef=*/false))
    return false;
  const InitListExpr *Object = asInitList(Init);
  const RecordDecl *Record = Var.getType()->getAsRecordDecl();
  if (!Object || !Record || Record->isUnion())
    return false;
  // Argument Clinic puts a `PyGC_Head` before the object header, as the
  // allocator does for GC objects.
  if (Types.recordKind(Record) == GlobalStateTypes::RecordKind::Plain) {
    auto Fields = Record->fields();
    auto First = Fields.begin();
    if (First == Fields.end() || Object->getNumInits() < 2)
      return false;
    const auto *Typedef = First->getType()->getAs<TypedefType>();
    if (!Typedef || Typedef->getDecl()->getName() != "PyGC_Head")
      return false;
    auto Second = std::next(First);
    const RecordDecl *Header =
        Second == Fields.end() ? nullptr : Second->getType()->getAsRecordDecl();
    if (!Header ||
        Types.recordKind(Header) != GlobalStateTypes::RecordKind::Object)
      return false;
    Object = asInitList(Object->getInit(1));
  }
  const InitListExpr *Header = objectHeaderInit(Object);
  if (!Header)
    return false;
  const Expr *Count = fieldInit(Header, "ob_ref_local");
  if (!Count)
    Count = fieldInit(Header, "ob_refcnt");
  return isImmortalCount(Count, Context.getSourceManager(),
                         Context.getLangOpts()) &&
         isAddressOfTupleType(fieldInit(Header, "ob_type"));
}

llvm::SmallPtrSet<const VarDecl *, 8>
onlyAddressedByTables(llvm::ArrayRef<const VarDecl *> Vars,
                      GlobalStateTypes &Types, ASTContext &Ctx) {
  llvm::SmallPtrSet<const VarDecl *, 8> Result;
  if (Vars.empty())
    return Result;
  UseCounter Counter(Vars, Types);
  // The traversal scope is the user's declarations (Analysis.cpp).
  Counter.TraverseDecl(Ctx.getTranslationUnitDecl());
  for (const VarDecl *Var : Vars) {
    const UseCounter::Uses &Uses = Counter.Counts[Var->getCanonicalDecl()];
    if (Uses.All == Uses.AddressInTable)
      Result.insert(Var);
  }
  return Result;
}

} // namespace gilport
