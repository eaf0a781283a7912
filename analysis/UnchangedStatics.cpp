//===--- UnchangedStatics.cpp ---------------------------------------------===//

#include "analysis/UnchangedStatics.h"

#include "analysis/CallSites.h"
#include "analysis/StaticStorage.h"
#include "analysis/UnitFacts.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/TypeOrdering.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace gilport {

using namespace clang;

namespace {

/// Counts the references to some variables, and those that only read.
class ReadCounter : public RecursiveASTVisitor<ReadCounter> {
public:
  ReadCounter(llvm::ArrayRef<const VarDecl *> Vars, ASTContext &Ctx,
              UnitFacts &Context)
      : Ctx(Ctx), Context(Context) {
    for (const VarDecl *Var : Vars) {
      Counts[Var->getCanonicalDecl()];
      QualType Type = Var->getType();
      if (const ArrayType *Array = Ctx.getAsArrayType(Type))
        Type = Array->getElementType();
      AccessorPointees.insert(Ctx.getCanonicalType(Type.getUnqualifiedType()));
    }
  }

  bool TraverseFunctionDecl(FunctionDecl *Function) {
    const FunctionDecl *Outer = Current;
    if (Function->doesThisDeclarationHaveABody())
      Current = Function;
    bool Result = RecursiveASTVisitor::TraverseFunctionDecl(Function);
    Current = Outer;
    return Result;
  }

  /// `sizeof t / sizeof t[0]` does not evaluate `t` (visited before `t`).
  bool VisitUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *E) {
    if (!E->isArgumentType())
      markUnevaluated(E->getArgumentExpr());
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (Unevaluated.contains(Ref))
      return true;
    if (Uses *Found = usesOf(Ref))
      ++Found->All;
    else if (Uses *Alias = aliasUsesOf(Ref))
      ++Alias->All;
    return true;
  }

  bool VisitImplicitCastExpr(ImplicitCastExpr *Cast) {
    if (Cast->getCastKind() == CK_LValueToRValue) {
      countRead(storageRoot(Cast->getSubExpr()));
    } else if (Cast->getCastKind() == CK_PointerToBoolean) {
      countAliasRead(Cast->getSubExpr());
    }
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionProtoType *Prototype = calleePrototype(Call);
    if (!Prototype)
      return true;
    const FunctionDecl *Callee = Call->getDirectCallee();
    llvm::StringRef Name =
        Callee && Callee->getIdentifier() ? Callee->getName() : "";
    unsigned Count = std::min(Call->getNumArgs(), Prototype->getNumParams());
    for (unsigned Index = 0; Index < Count; ++Index) {
      QualType Param = Prototype->getParamType(Index);
      if (!Param->isPointerType())
        continue;
      const Expr *Arg = Call->getArg(Index);
      bool ReadOnly =
          !isPointerToMutable(Param) || isReadOnlyParameter(Name, Index);
      const DeclRefExpr *Passed = addressedStorage(Arg);
      if (!Passed || !usesOf(Passed)) {
        if (ReadOnly)
          countAliasRead(Arg);
        continue;
      }
      if (ReadOnly) {
        countRead(Passed);
        continue;
      }
      // A function of the file's own: it only reads if its parameter does.
      const FunctionDecl *Definition =
          Callee ? Callee->getDefinition() : nullptr;
      if (Definition && Index < Definition->getNumParams() &&
          Context.isReportedLocation(Definition->getLocation()))
        Forwarded.push_back({Passed, Definition->getParamDecl(Index)});
    }
    return true;
  }

  /// `p == NULL`, `!p`.
  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (!Op->isEqualityOp())
      return true;
    // Only for a tracked pointer: the NULL test evaluates constants.
    auto IsNull = [&](const Expr *E) {
      return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull);
    };
    if (isAlias(Op->getLHS()) && IsNull(Op->getRHS()))
      countAliasRead(Op->getLHS());
    else if (isAlias(Op->getRHS()) && IsNull(Op->getLHS()))
      countAliasRead(Op->getRHS());
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (Op->getOpcode() == UO_LNot)
      countAliasRead(Op->getSubExpr());
    return true;
  }

  bool VisitReturnStmt(ReturnStmt *Return) {
    if (!Current || !Return->getRetValue())
      return true;
    if (const DeclRefExpr *Ref = addressedStorage(Return->getRetValue()))
      if (usesOf(Ref))
        Returned.push_back({Ref, Current});
    return true;
  }

  /// A parameter that may receive a candidate's address.
  bool VisitParmVarDecl(ParmVarDecl *Param) {
    if (mayPointToCandidate(Param->getType()))
      AliasUses[Param];
    return true;
  }

  /// `T *p = accessor();`: p may hold a returned address.
  bool VisitVarDecl(VarDecl *Var) {
    if (!Var->hasLocalStorage() || isa<ParmVarDecl>(Var) || !Var->getInit())
      return true;
    const auto *Call =
        dyn_cast<CallExpr>(Var->getInit()->IgnoreParenImpCasts());
    if (!Call || !Call->getDirectCallee() ||
        !mayPointToCandidate(Call->getCallReturnType(Ctx)))
      return true;
    ResultHolders[Call->getDirectCallee()->getCanonicalDecl()].push_back(Var);
    AliasUses[Var];
    return true;
  }

  struct Uses {
    unsigned All = 0;
    /// A set: a read may be seen from more than one of its parents.
    llvm::SmallPtrSet<const DeclRefExpr *, 4> Reads;
  };

  /// Adds the reads through static accessors: `return &table;` in a
  /// function whose every call initializes a local that is only tested for
  /// NULL or passed where the callee only reads.
  void countIndirectReads(CallSiteIndex &CallSites) {
    for (const auto &[Ref, Param] : Forwarded)
      if (onlyRead(Param))
        countRead(Ref);
    for (const auto &[Ref, Accessor] : Returned) {
      const auto *Sites = CallSites.knownCallers(*Accessor);
      auto Holders = ResultHolders.find(Accessor->getCanonicalDecl());
      if (!Sites || Holders == ResultHolders.end() ||
          Holders->second.size() != Sites->size())
        continue;
      if (llvm::all_of(Holders->second,
                       [&](const VarDecl *Holder) { return onlyRead(Holder); }))
        countRead(Ref);
    }
  }

  llvm::DenseMap<const VarDecl *, Uses> Counts;

private:
  Uses *usesOf(const DeclRefExpr *Ref) {
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var)
      return nullptr;
    auto It = Counts.find(Var->getCanonicalDecl());
    return It == Counts.end() ? nullptr : &It->second;
  }

  Uses *aliasUsesOf(const DeclRefExpr *Ref) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (!Var)
      return nullptr;
    auto It = AliasUses.find(Var);
    return It == AliasUses.end() ? nullptr : &It->second;
  }

  bool mayPointToCandidate(QualType Type) const {
    const auto *Pointer = Type->getAs<PointerType>();
    return Pointer && AccessorPointees.contains(Ctx.getCanonicalType(
                          Pointer->getPointeeType().getUnqualifiedType()));
  }

  void markUnevaluated(const Stmt *S) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      Unevaluated.insert(Ref);
    for (const Stmt *Child : S->children())
      if (Child)
        markUnevaluated(Child);
  }

  /// Whether every use of a tracked pointer only reads. One that was not
  /// tracked (its type cannot point to a candidate) is not known to.
  bool onlyRead(const VarDecl *Alias) const {
    auto It = AliasUses.find(Alias);
    return It != AliasUses.end() && It->second.All == It->second.Reads.size();
  }

  bool countRead(const DeclRefExpr *Ref) {
    Uses *Found = usesOf(Ref);
    if (Found)
      Found->Reads.insert(Ref);
    return Found;
  }

  bool isAlias(const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return Ref && aliasUsesOf(Ref);
  }

  void countAliasRead(const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    if (Uses *Alias = Ref ? aliasUsesOf(Ref) : nullptr)
      Alias->Reads.insert(Ref);
  }

  ASTContext &Ctx;
  UnitFacts &Context;
  const FunctionDecl *Current = nullptr;
  /// A candidate's address passed to a parameter of a function defined here.
  struct ForwardedAddress {
    const DeclRefExpr *Ref;
    const ParmVarDecl *Param;
  };
  std::vector<ForwardedAddress> Forwarded;
  struct ReturnedAddress {
    const DeclRefExpr *Ref;
    const FunctionDecl *Accessor;
  };
  std::vector<ReturnedAddress> Returned;
  /// The locals initialized by a call, by callee.
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const VarDecl *, 2>>
      ResultHolders;
  llvm::DenseMap<const VarDecl *, Uses> AliasUses;
  llvm::DenseSet<const DeclRefExpr *> Unevaluated;
  /// What an accessor of a candidate returns a pointer to.
  llvm::DenseSet<QualType> AccessorPointees;
};

/// Whether every address in \p Init is of a function, a literal, or a
/// variable defined in this translation unit (an object reported at its own
/// definition) or in a system header (the runtime's own objects, such as
/// `Py_None`). The address of another file's object keeps the table
/// reported: here is where that sharing shows.
bool pointsOnlyToKnownStorage(const Expr *Init, const SourceManager &SM) {
  Init = Init->IgnoreImplicit();
  if (const auto *List = dyn_cast<InitListExpr>(Init))
    return llvm::all_of(List->inits(), [&](const Expr *Item) {
      return !Item || pointsOnlyToKnownStorage(Item, SM);
    });
  const DeclRefExpr *Target = addressedStorage(Init);
  const auto *Var = Target ? dyn_cast<VarDecl>(Target->getDecl()) : nullptr;
  if (!Var)
    return true;
  return Var->getDefinition() || SM.isInSystemHeader(Var->getLocation());
}

bool hasConstantContents(const VarDecl &Var, ASTContext &Ctx) {
  if (Var.hasExternalFormalLinkage())
    return false;
  // Without an initializer it is all NULL: state whose writes are still to
  // come, not a table.
  const Expr *Init = Var.getInit();
  return Init && Init->isConstantInitializer(Ctx, /*ForRef=*/false) &&
         pointsOnlyToKnownStorage(Init, Ctx.getSourceManager());
}

} // namespace

llvm::SmallPtrSet<const VarDecl *, 8>
onlyReadInPlace(llvm::ArrayRef<const VarDecl *> Vars, ASTContext &Ctx,
                UnitFacts &Context) {
  llvm::SmallPtrSet<const VarDecl *, 8> Result;
  llvm::SmallVector<const VarDecl *, 8> Constant;
  for (const VarDecl *Var : Vars)
    if (hasConstantContents(*Var, Ctx))
      Constant.push_back(Var);
  if (Constant.empty())
    return Result;
  ReadCounter Counter(Constant, Ctx, Context);
  // The traversal scope is the user's declarations (Analysis.cpp).
  Counter.TraverseDecl(Ctx.getTranslationUnitDecl());
  Counter.countIndirectReads(Context.callSites());
  for (const VarDecl *Var : Constant) {
    const ReadCounter::Uses &Uses = Counter.Counts[Var->getCanonicalDecl()];
    if (Uses.All == Uses.Reads.size())
      Result.insert(Var);
  }
  return Result;
}

} // namespace gilport
