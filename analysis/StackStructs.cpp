//===--- StackStructs.cpp -------------------------------------------------===//

#include "analysis/StackStructs.h"

#include "analysis/AstQueries.h"
#include "analysis/ContainerApis.h"
#include "analysis/KeptOperands.h"
#include "analysis/MacroLocations.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gilport {

using namespace clang;

namespace {

const RecordDecl *definitionOf(const RecordDecl *Record) {
  if (!Record)
    return nullptr;
  const RecordDecl *Definition = Record->getDefinition();
  return Definition ? Definition : Record;
}

/// The struct \p Type is, points to or holds an array of, through typedefs
/// and qualifiers; null for anything else.
const RecordDecl *structBehind(QualType Type) {
  Type = Type.getCanonicalType();
  while (true) {
    if (const auto *Pointer = Type->getAs<PointerType>())
      Type = Pointer->getPointeeType().getCanonicalType();
    else if (const ArrayType *Array = Type->getAsArrayTypeUnsafe())
      Type = Array->getElementType().getCanonicalType();
    else
      break;
  }
  const RecordDecl *Record = Type->getAsRecordDecl();
  return Record && Record->isStruct() ? definitionOf(Record) : nullptr;
}

/// Finds the structs that may leave the stack, and for every pointer field
/// the values stored in it and the reads that may let its value out. A read
/// escapes unless its context is known to keep nothing (sound by default).
class Walker : public RecursiveASTVisitor<Walker> {
public:
  Walker(ASTContext &Ctx, llvm::DenseSet<const RecordDecl *> &Shared,
         llvm::DenseMap<const FieldDecl *, const CallExpr *> &Creators,
         llvm::DenseSet<const FieldDecl *> &Escaping)
      : Ctx(Ctx), Shared(Shared), Creators(Creators), Escaping(Escaping) {}

  // Operands of sizeof and typeof (Py_CLEAR's `__typeof__(op)`) are not
  // evaluated.
  bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *) {
    return true;
  }
  bool TraverseTypeOfExprTypeLoc(TypeOfExprTypeLoc) { return true; }

  bool VisitVarDecl(VarDecl *Var) {
    if (!Var->hasLocalStorage())
      share(Var->getType());
    return true;
  }
  bool VisitFieldDecl(FieldDecl *Field) {
    share(Field->getType());
    return true;
  }
  bool VisitFunctionDecl(FunctionDecl *Function) {
    share(Function->getReturnType());
    return true;
  }

  bool VisitCastExpr(CastExpr *Cast) {
    const RecordDecl *From = structBehind(Cast->getSubExpr()->getType());
    const RecordDecl *To = structBehind(Cast->getType());
    if (From != To) {
      share(From);
      share(To);
    }
    return true;
  }

  // Parents are walked before their operands: a read's context has spoken
  // by the time the read itself is visited.
  bool dataTraverseStmtPre(Stmt *S) {
    forEachKeptOperand(
        *S, Ctx, [](const FunctionDecl &, unsigned) { return false; },
        [&](const Expr *E) { keep(E); });
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    const FunctionDecl *Definition = Callee ? Callee->getDefinition() : nullptr;
    // Only this file's functions may be handed a struct's address.
    for (unsigned I = 0, N = Call->getNumArgs(); I < N; ++I)
      if (!Definition || !Definition->hasBody() ||
          I >= Definition->getNumParams())
        share(Call->getArg(I)->getType());
    return true;
  }

  bool VisitInitListExpr(InitListExpr *Init) {
    if (!Init->isSemanticForm())
      return true;
    const RecordDecl *Record = structBehind(Init->getType());
    if (!Record || Init->getType()->isPointerType() ||
        Init->getType()->isArrayType())
      return true;
    unsigned I = 0;
    for (const FieldDecl *Field : Record->fields()) {
      if (I >= Init->getNumInits())
        break;
      store(Field, Init->getInit(I++));
    }
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (Op->getOpcode() != BO_Assign)
      return true;
    const auto *Member = dyn_cast<MemberExpr>(Op->getLHS()->IgnoreParens());
    const auto *Field =
        Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    if (Field) {
      Kept.insert(Member);
      store(Field, Op->getRHS());
    }
    return true;
  }

  bool VisitMemberExpr(MemberExpr *Member) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field || !Field->getType()->isPointerType() || Kept.count(Member))
      return true;
    // Before 3.12, Py_CLEAR reads the field into a temporary to release it.
    if (!isWithinExpansionOf(Member->getExprLoc(), "Py_CLEAR",
                             Ctx.getSourceManager(), Ctx.getLangOpts()))
      Escaping.insert(Field);
    return true;
  }

private:
  void share(const RecordDecl *Record) {
    if (Record)
      Shared.insert(Record);
  }
  void share(QualType Type) { share(structBehind(Type)); }

  void keep(const Expr *E) {
    if (const auto *Member = dyn_cast_or_null<MemberExpr>(stripCasts(E)))
      Kept.insert(Member);
  }

  void store(const FieldDecl *Field, const Expr *Value) {
    if (!Field->getType()->isPointerType())
      return;
    const Expr *Stored = stripCasts(Value);
    if (isa<ImplicitValueInitExpr>(Stored) ||
        Stored->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
      return;
    const auto *Call = dyn_cast<CallExpr>(Stored);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    if (!Callee || !Callee->getIdentifier() ||
        !createdContainerKind(Callee->getName())) {
      Escaping.insert(Field);
      return;
    }
    Creators.try_emplace(Field, Call);
  }

  ASTContext &Ctx;
  llvm::DenseSet<const RecordDecl *> &Shared;
  llvm::DenseMap<const FieldDecl *, const CallExpr *> &Creators;
  llvm::DenseSet<const FieldDecl *> &Escaping;
  /// Field reads whose context keeps the value (or that are written).
  llvm::SmallPtrSet<const MemberExpr *, 32> Kept;
};

} // namespace

void StackStructs::build(ASTContext &Ctx) {
  Built = true;
  Walker Walk(Ctx, Shared, Creators, Escaping);
  // The traversal scope is the user's declarations (Analysis.cpp).
  Walk.TraverseDecl(Ctx.getTranslationUnitDecl());
}

const CallExpr *StackStructs::privateContainerCreator(const FieldDecl &Field,
                                                      ASTContext &Ctx) {
  const RecordDecl *Record = definitionOf(Field.getParent());
  const SourceManager &SM = Ctx.getSourceManager();
  if (Ctx.getLangOpts().CPlusPlus || !Record->isStruct() ||
      !Field.getType()->isPointerType() ||
      !SM.isInMainFile(SM.getExpansionLoc(Record->getLocation())))
    return nullptr;
  if (!Built)
    build(Ctx);
  auto Creator = Creators.find(&Field);
  if (Shared.count(Record) || Escaping.count(&Field) ||
      Creator == Creators.end())
    return nullptr;
  return Creator->second;
}

} // namespace gilport
