//===--- InitOnlyFields.cpp -----------------------------------------------===//

#include "analysis/InitOnlyFields.h"

#include "analysis/AstQueries.h"
#include "analysis/ContainerApis.h"
#include "analysis/MacroLocations.h"
#include "analysis/ModuleInit.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/Path.h"

namespace gilport {

using namespace clang;

namespace {

/// Macros that replace the object in their argument with one that is not
/// an assignment here.
constexpr llvm::StringRef ReplacingMacros[] = {"Py_SETREF", "Py_XSETREF"};

/// The definition of the function a module table entry names.
const FunctionDecl *functionNamedBy(const Expr *E) {
  const FunctionDecl *Function = namedFunction(E);
  return Function ? Function->getDefinition() : nullptr;
}

/// Sorts every use of a pointer field of a struct this file owns into reads
/// in place, changes and hand-outs, and finds the module's lifecycle
/// functions.
class FieldUseCollector : public RecursiveASTVisitor<FieldUseCollector> {
public:
  FieldUseCollector(
      ASTContext &Ctx,
      llvm::DenseMap<const FieldDecl *, InitOnlyFields::FieldFacts> &Fields)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Fields(Fields) {}

  llvm::SmallVector<const FunctionDecl *, 32> Definitions;
  llvm::SmallVector<const FunctionDecl *, 8> Roots;

  bool TraverseFunctionDecl(FunctionDecl *Function) {
    const FunctionDecl *Outer = Current;
    if (Function->doesThisDeclarationHaveABody()) {
      Current = Function;
      Definitions.push_back(Function);
      if (Function->getName().starts_with("PyInit_"))
        Roots.push_back(Function);
    }
    bool Continue =
        RecursiveASTVisitor<FieldUseCollector>::TraverseFunctionDecl(Function);
    Current = Outer;
    return Continue;
  }

  // The exec slots and the clear and free functions of module definitions.
  bool VisitVarDecl(VarDecl *Var) {
    const RecordDecl *Record = Var->getType()->getAsRecordDecl();
    // The declaration with the initializer, once (not a tentative one).
    if (!Record || Record->getName() != "PyModuleDef" || !Var->getInit())
      return true;
    std::optional<ModuleDefInfo> Def =
        ModuleInitAnalyzer::analyzeModuleDef(Var, Ctx);
    if (!Def)
      return true;
    for (const Expr *Teardown : {Def->ClearExpr, Def->FreeExpr})
      if (const FunctionDecl *Function = functionNamedBy(Teardown))
        Roots.push_back(Function);
    if (Def->Slots)
      for (const ModuleSlot &Slot : Def->Slots->Slots)
        if (Slot.ID && *Slot.ID == ModuleSlotExec)
          if (const FunctionDecl *Function = functionNamedBy(Slot.ValueExpr))
            Roots.push_back(Function);
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || !Callee->getIdentifier())
      return true;
    llvm::StringRef Name = Callee->getName();
    for (unsigned I = 0, N = Call->getNumArgs(); I < N; ++I) {
      if (isReadOnlyArgument(Name, I))
        sort(Call->getArg(I), /*Changes=*/false);
      else if (isNonEscapingArgument(Name, I))
        sort(Call->getArg(I), /*Changes=*/true);
    }
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (Op->isAssignmentOp()) {
      written(Op->getLHS());
      if (const FieldDecl *Field = sort(Op->getLHS(), /*Changes=*/true)) {
        InitOnlyFields::FieldFacts &Facts = Fields[Field];
        if (Op->getOpcode() == BO_Assign)
          Facts.Stores.push_back(
              {Op->getRHS(), Current, SM.getFileLoc(Op->getOperatorLoc())});
        else
          Facts.HandedOut = true;
      }
    } else if (Op->isComparisonOp() || Op->isLogicalOp()) {
      sort(Op->getLHS(), /*Changes=*/false);
      sort(Op->getRHS(), /*Changes=*/false);
    }
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (Op->getOpcode() == UO_LNot)
      sort(Op->getSubExpr(), /*Changes=*/false);
    if (Op->getOpcode() == UO_AddrOf || Op->isIncrementDecrementOp())
      written(Op->getSubExpr());
    return true;
  }

  bool VisitIfStmt(IfStmt *If) {
    sort(If->getCond(), /*Changes=*/false);
    return true;
  }
  bool VisitWhileStmt(WhileStmt *While) {
    sort(While->getCond(), /*Changes=*/false);
    return true;
  }
  bool VisitConditionalOperator(ConditionalOperator *Op) {
    sort(Op->getCond(), /*Changes=*/false);
    return true;
  }

  // A member table (`offsetof(state, field)`) hands the field to Python.
  bool VisitOffsetOfExpr(OffsetOfExpr *OffsetOf) {
    for (unsigned I = 0, N = OffsetOf->getNumComponents(); I < N; ++I) {
      const OffsetOfNode &Component = OffsetOf->getComponent(I);
      if (Component.getKind() == OffsetOfNode::Field)
        if (FieldDecl *Field = Component.getField(); Field && owned(*Field))
          Fields[Field].HandedOut = true;
    }
    return true;
  }

  bool VisitMemberExpr(MemberExpr *Member) {
    SourceLocation Loc = Member->getMemberLoc();
    const LangOptions &LO = Ctx.getLangOpts();
    // Reading an object's header, or an item through PyList_GET_ITEM /
    // PyTuple_GET_ITEM, neither changes nor hands out the object; other
    // accesses through it may write (3.11's PyList_SET_ITEM macro).
    if (const auto *Named = Member->getMemberDecl()) {
      llvm::StringRef Name = Named->getName();
      if (Name == "ob_type" || Name == "ob_size" ||
          (Name == "ob_item" &&
           (isWithinExpansionOf(Loc, "PyList_GET_ITEM", SM, LO) ||
            isWithinExpansionOf(Loc, "PyTuple_GET_ITEM", SM, LO))))
        sort(Member->getBase(), /*Changes=*/false);
    }
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field || Sorted.count(Member) || !owned(*Field))
      return true;
    if (isWithinExpansionOf(Loc, "Py_CLEAR", SM, LO)) {
      Fields[Field].Changes.push_back({SM.getFileLoc(Loc), Current});
      return true;
    }
    if (llvm::any_of(ReplacingMacros, [&](llvm::StringRef Macro) {
          return isWithinExpansionOf(Loc, Macro, SM, LO);
        })) {
      Fields[Field].HandedOut = true;
      return true;
    }
    if (isWithinExpansionOf(Loc, "Py_VISIT", SM, LO))
      return true;
    Fields[Field].HandedOut = true;
    return true;
  }

  /// Every assignment to a field, or its address taken (Py_CLEAR and
  /// Py_SETREF take it), with the function it is in: any field, whatever
  /// its type.
  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<const FunctionDecl *, 2>>
      Writes;

private:
  void written(const Expr *E) {
    const auto *Member = dyn_cast<MemberExpr>(E->IgnoreParenCasts());
    if (const auto *Field =
            Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr)
      Writes[Field].push_back(Current);
  }

  /// Whether this file owns \p Field's struct: it is defined in the main
  /// file or in the header named after it.
  bool owned(const FieldDecl &Field) {
    if (!Field.getType()->isPointerType())
      return false;
    const RecordDecl *Record = Field.getParent();
    auto [It, Inserted] = OwnedRecords.try_emplace(Record, false);
    if (Inserted)
      It->second = isOwnedByMainFile(*Record, SM);
    return It->second;
  }

  /// Records a use of a field in \p E, if it is one, and returns the field.
  const FieldDecl *sort(const Expr *E, bool Changes) {
    const auto *Member = dyn_cast_or_null<MemberExpr>(stripCasts(E));
    if (!Member || !Sorted.insert(Member).second)
      return nullptr;
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field || !owned(*Field))
      return nullptr;
    InitOnlyFields::FieldFacts &Facts = Fields[Field];
    if (Changes)
      Facts.Changes.push_back({SM.getFileLoc(Member->getMemberLoc()), Current});
    return Field;
  }

  ASTContext &Ctx;
  const SourceManager &SM;
  llvm::DenseMap<const FieldDecl *, InitOnlyFields::FieldFacts> &Fields;
  llvm::DenseMap<const RecordDecl *, bool> OwnedRecords;
  llvm::SmallPtrSet<const MemberExpr *, 32> Sorted;
  const FunctionDecl *Current = nullptr;
};

} // namespace

bool isOwnedByMainFile(const RecordDecl &Record, const SourceManager &SM) {
  SourceLocation Loc = SM.getFileLoc(Record.getLocation());
  if (SM.isInMainFile(Loc))
    return true;
  OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID());
  OptionalFileEntryRef Header = SM.getFileEntryRefForID(SM.getFileID(Loc));
  if (!Main || !Header)
    return false;
  llvm::StringRef MainName = Main->getName();
  llvm::StringRef HeaderName = Header->getName();
  return llvm::sys::path::extension(HeaderName) == ".h" &&
         llvm::sys::path::parent_path(MainName) ==
             llvm::sys::path::parent_path(HeaderName) &&
         llvm::sys::path::stem(MainName) == llvm::sys::path::stem(HeaderName);
}

void InitOnlyFields::build(ASTContext &Ctx) {
  Built = true;
  FieldUseCollector Collector(Ctx, Fields);
  // The traversal scope: the user's declarations. Python's and the system's
  // headers cannot name the user's functions or structs, so no write of
  // them is left out.
  Collector.TraverseDecl(Ctx.getTranslationUnitDecl());
  Writes = std::move(Collector.Writes);
  // Exec, clear and free functions named by module definitions, and the
  // PyInit_ functions; a function whose address is also taken elsewhere (a
  // callback that may run at any time) is not one.
  llvm::DenseMap<const FunctionDecl *, unsigned> TableReferences;
  for (const FunctionDecl *Root : Collector.Roots)
    if (!Root->getName().starts_with("PyInit_"))
      ++TableReferences[Root->getCanonicalDecl()];
  llvm::SmallPtrSet<const FunctionDecl *, 16> Roots;
  for (const FunctionDecl *Root : Collector.Roots)
    if (Callers.addressUses(*Root) ==
        TableReferences.lookup(Root->getCanonicalDecl()))
      Roots.insert(Root->getCanonicalDecl());
  auto OnlyCalledFromLifecycle =
      [&](llvm::ArrayRef<CallSiteIndex::Site> Sites) {
        return llvm::all_of(Sites, [&](const CallSiteIndex::Site &Site) {
          return Lifecycle.count(Site.Caller->getCanonicalDecl()) != 0;
        });
      };
  // A root that other code also calls directly (an exec function that a
  // method runs again) is not only lifecycle: drop it and start over.
  for (bool Dropped = true; Dropped;) {
    Lifecycle = Roots;
    // Static functions that only lifecycle functions call.
    for (bool Grew = true; Grew;) {
      Grew = false;
      for (const FunctionDecl *Function : Collector.Definitions) {
        if (Lifecycle.count(Function->getCanonicalDecl()))
          continue;
        const auto *Sites = Callers.knownCallers(*Function);
        if (!Sites || !OnlyCalledFromLifecycle(*Sites))
          continue;
        Lifecycle.insert(Function->getCanonicalDecl());
        Grew = true;
      }
    }
    llvm::SmallVector<const FunctionDecl *, 4> Drop;
    for (const FunctionDecl *Root : Roots)
      if (!OnlyCalledFromLifecycle(Callers.directCalls(*Root)))
        Drop.push_back(Root);
    for (const FunctionDecl *Root : Drop)
      Roots.erase(Root);
    Dropped = !Drop.empty();
  }
}

const InitOnlyFields::FieldFacts *
InitOnlyFields::filledAtInit(const FieldDecl &Field, ASTContext &Ctx) {
  if (!Built)
    build(Ctx);
  auto It = Fields.find(&Field);
  if (It == Fields.end() || It->second.HandedOut || It->second.Stores.empty())
    return nullptr;
  for (const auto &[Loc, Function] : It->second.Changes)
    if (!Function || !Lifecycle.count(Function->getCanonicalDecl()))
      return nullptr;
  return &It->second;
}

bool InitOnlyFields::setOnlyByLifecycle(const FieldDecl &Field,
                                        ASTContext &Ctx) {
  if (!Built)
    build(Ctx);
  const RecordDecl *Record = Field.getParent();
  auto It = Writes.find(&Field);
  if (!Record || !isOwnedByMainFile(*Record, Ctx.getSourceManager()) ||
      It == Writes.end())
    return false;
  return llvm::all_of(It->second, [&](const FunctionDecl *Function) {
    return Function && Lifecycle.count(Function->getCanonicalDecl());
  });
}

bool InitOnlyFields::isLifecycle(const FunctionDecl &Function,
                                 ASTContext &Ctx) {
  if (!Built)
    build(Ctx);
  return Lifecycle.count(Function.getCanonicalDecl()) != 0;
}

} // namespace gilport
