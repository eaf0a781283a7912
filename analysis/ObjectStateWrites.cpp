//===--- ObjectStateWrites.cpp --------------------------------------------===//

#include "analysis/ObjectStateWrites.h"

#include "analysis/AstQueries.h"
#include "analysis/CallSites.h"
#include "analysis/FreshObjects.h"
#include "analysis/ObjectLayout.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gilport {

using namespace clang;

namespace {

/// The type slots that run on an object no other thread has yet (or any
/// more), or only visit it.
bool isLifecycleSlot(llvm::StringRef Name) {
  Name.consume_front("Py_");
  return llvm::is_contained({"tp_new", "tp_init", "tp_alloc", "tp_dealloc",
                             "tp_finalize", "tp_del", "tp_free", "tp_clear",
                             "tp_traverse"},
                            Name);
}

/// Whether \p Type is the struct named \p Name, or a typedef of that name
/// for an unnamed struct (`typedef struct {...} PyType_Slot;`).
bool isRecordNamed(QualType Type, llvm::StringRef Name) {
  const auto *Record = Type->getAsRecordDecl();
  return Record && recordName(Record) == Name;
}
class Collector : public RecursiveASTVisitor<Collector> {
public:
  Collector(ASTContext &Ctx, CallSiteIndex &Callers)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Callers(Callers) {}

  bool TraverseFunctionDecl(FunctionDecl *F) {
    const FunctionDecl *Saved = Current;
    Current = F->doesThisDeclarationHaveABody() ? F : Saved;
    if (F->doesThisDeclarationHaveABody() &&
        SM.isInMainFile(SM.getExpansionLoc(F->getLocation())))
      Definitions.push_back(F);
    bool Result = RecursiveASTVisitor::TraverseFunctionDecl(F);
    Current = Saved;
    return Result;
  }

  bool VisitVarDecl(VarDecl *Var) {
    const Expr *Init = Var->getInit();
    if (!Init || !Var->isFileVarDecl())
      return true;
    if (isRecordNamed(Var->getType(), "_typeobject"))
      lifecycleFromTypeInit(Init);
    if (const auto *Array = Ctx.getAsConstantArrayType(Var->getType());
        Array && isRecordNamed(Array->getElementType(), "PyType_Slot"))
      lifecycleFromSlots(Init);
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *Op) {
    // `FooType.tp_dealloc = foo_dealloc;` at run time.
    if (Op->getOpcode() == BO_Assign)
      if (const auto *Member =
              dyn_cast<MemberExpr>(Op->getLHS()->IgnoreParenImpCasts()))
        if (const FunctionDecl *F = namedFunction(Op->getRHS());
            F && isLifecycleSlot(Member->getMemberDecl()->getName()))
          Lifecycle.insert(F->getCanonicalDecl());
    if (Op->isAssignmentOp())
      recordWrite(Op, Op->getLHS());
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (Op->isIncrementDecrementOp())
      recordWrite(Op, Op->getSubExpr());
    // Py_SETREF, Py_XSETREF and Py_CLEAR write through the field's address.
    if (Op->getOpcode() == UO_AddrOf && Op->getOperatorLoc().isMacroID() &&
        llvm::is_contained({"Py_SETREF", "Py_XSETREF", "Py_CLEAR"},
                           Lexer::getImmediateMacroName(Op->getOperatorLoc(),
                                                        SM, Ctx.getLangOpts())))
      recordWrite(Op, Op->getSubExpr());
    return true;
  }

  /// The writes, without those of lifecycle functions and those to objects
  /// every caller has just made, and the functions.
  ObjectStateScan finish() {
    closeLifecycle();
    ObjectStateScan Result;
    FreshObjects Fresh(Callers);
    for (const ObjectStateWrite &W : Writes)
      if (!Lifecycle.count(W.Function->getCanonicalDecl()) &&
          !givenFresh(W, Fresh))
        Result.Writes.push_back(W);
    Result.Definitions = std::move(Definitions);
    Result.Lifecycle = std::move(Lifecycle);
    return Result;
  }

private:
  void lifecycleFromTypeInit(const Expr *Init) {
    const auto *List = dyn_cast<InitListExpr>(Init->IgnoreImplicit());
    const RecordDecl *Record =
        List ? List->getType()->getAsRecordDecl() : nullptr;
    if (!Record)
      return;
    unsigned I = 0;
    for (const FieldDecl *Field : Record->fields()) {
      if (I >= List->getNumInits())
        break;
      const Expr *Value = List->getInit(I++);
      if (isLifecycleSlot(Field->getName()))
        if (const FunctionDecl *F = namedFunction(Value))
          Lifecycle.insert(F->getCanonicalDecl());
    }
  }

  void lifecycleFromSlots(const Expr *Init) {
    const auto *List = dyn_cast<InitListExpr>(Init->IgnoreImplicit());
    if (!List)
      return;
    for (const Expr *Element : List->inits()) {
      const auto *Slot = dyn_cast<InitListExpr>(Element->IgnoreImplicit());
      if (!Slot || Slot->getNumInits() < 2)
        continue;
      SourceLocation Id = Slot->getInit(0)->getBeginLoc();
      if (!Id.isMacroID())
        continue;
      llvm::StringRef Name =
          Lexer::getImmediateMacroName(Id, SM, Ctx.getLangOpts());
      if (isLifecycleSlot(Name))
        if (const FunctionDecl *F = namedFunction(Slot->getInit(1)))
          Lifecycle.insert(F->getCanonicalDecl());
    }
  }

  /// Static functions only ever called directly by lifecycle functions are
  /// lifecycle functions too.
  void closeLifecycle() {
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (const FunctionDecl *F : Definitions) {
        const auto *Sites = Callers.knownCallers(*F);
        if (Lifecycle.count(F->getCanonicalDecl()) || !Sites ||
            !llvm::all_of(*Sites, [&](const CallSiteIndex::Site &Site) {
              return Lifecycle.count(Site.Caller->getCanonicalDecl()) != 0;
            }))
          continue;
        Lifecycle.insert(F->getCanonicalDecl());
        Changed = true;
      }
    }
  }

  /// Whether the object \p W writes to is a parameter (or a local cast from
  /// one) that every call gives an object its caller has just made.
  static bool givenFresh(const ObjectStateWrite &W, FreshObjects &Fresh) {
    const ParmVarDecl *Param = objectParameter(*W.Object, *W.Function);
    return Param && Fresh.alwaysGivenFresh(*Param);
  }

  /// The variable naming the object Current was given, when \p Base (the
  /// object pointer of a `->`) is one.
  const VarDecl *objectVariable(const Expr *Base) {
    const auto *Ref = dyn_cast<DeclRefExpr>(Base->IgnoreParenCasts());
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Var && Current && objectParameter(*Var, *Current) ? Var : nullptr;
  }

  void recordWrite(const Expr *Write, const Expr *Target) {
    if (!Current ||
        !SM.isInMainFile(SM.getExpansionLoc(Current->getLocation())))
      return;
    // Down to the field: through an element of a buffer it holds
    // (`self->items[i]`, `*self->cursor`) and a member of a struct in it
    // (`self->state.count`).
    const Expr *E = Target->IgnoreParenImpCasts();
    while (true) {
      if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
        E = Subscript->getBase()->IgnoreParenImpCasts();
      else if (const auto *Deref = dyn_cast<UnaryOperator>(E);
               Deref && Deref->getOpcode() == UO_Deref)
        E = Deref->getSubExpr()->IgnoreParenImpCasts();
      else if (const auto *Member = dyn_cast<MemberExpr>(E);
               Member && !Member->isArrow())
        E = Member->getBase()->IgnoreParenImpCasts();
      else
        break;
    }
    const auto *Member = dyn_cast<MemberExpr>(E);
    if (!Member || !Member->isArrow())
      return;
    QualType Pointee = Member->getBase()->getType()->getPointeeType();
    const RecordDecl *Record =
        Pointee.isNull() ? nullptr : Pointee->getAsRecordDecl();
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Record || !Field || !isExtensionObjectStruct(*Record) ||
        Field->getType()->isAtomicType() || Target->getType()->isAtomicType())
      return;
    const VarDecl *Object = objectVariable(Member->getBase());
    if (!Object)
      return;
    Writes.push_back({Current, Object, Record, Field, Write});
  }

  ASTContext &Ctx;
  const SourceManager &SM;
  CallSiteIndex &Callers;
  const FunctionDecl *Current = nullptr;
  llvm::SmallPtrSet<const FunctionDecl *, 16> Lifecycle;
  std::vector<const FunctionDecl *> Definitions;
  std::vector<ObjectStateWrite> Writes;
};

} // namespace

const ParmVarDecl *objectParameter(const VarDecl &Var, const FunctionDecl &F) {
  if (const auto *Param = dyn_cast<ParmVarDecl>(&Var))
    return Param->getDeclContext() == &F ? Param : nullptr;
  // `Foo *self = (Foo *)op;`
  if (!Var.hasLocalStorage() || !Var.getInit())
    return nullptr;
  const auto *From = dyn_cast<DeclRefExpr>(Var.getInit()->IgnoreParenCasts());
  const auto *Param = From ? dyn_cast<ParmVarDecl>(From->getDecl()) : nullptr;
  return Param && Param->getDeclContext() == &F ? Param : nullptr;
}

bool isExtensionObjectStruct(const RecordDecl &Record) {
  // Python's own object structs (PyVarObject, PyTypeObject, ...) are not the
  // extension's.
  llvm::StringRef Name = recordName(&Record);
  if (Name.starts_with("Py") || Name.starts_with("_Py") || Name == "_object" ||
      Name == "_typeobject" || Name == "_heaptypeobject")
    return false;
  for (const RecordDecl *R = &Record; R;) {
    auto First = R->field_begin();
    if (First == R->field_end())
      return false;
    if (isObjectHeaderType(First->getType()))
      return true;
    // A subtype's struct starts with its base type's.
    R = First->getType()->getAsRecordDecl();
  }
  return false;
}

ObjectStateScan findObjectStateWrites(ASTContext &Ctx, CallSiteIndex &Callers) {
  Collector Collect(Ctx, Callers);
  Collect.TraverseDecl(Ctx.getTranslationUnitDecl());
  return Collect.finish();
}

} // namespace gilport
