//===--- HeapTypeUses.cpp -------------------------------------------------===//
//
// Static types that become heap types kept in the state
// (rewrites/HeapTypeConversion.h does each type): which convert, the
// functions that reach the module through them, how a use of a type is
// rewritten, and what their tp_traverse and tp_dealloc get: a visit of the
// heap type, its release, and counter updates guarded by the state.
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"
#include "rewrites/GilDeclarationFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <initializer_list>

namespace gilport {
namespace modulestate {

using namespace clang;

bool ModuleStatePlanner::isTypeTable(const VarDecl *Var) {
  // The type itself, or its method and getset arrays.
  for (const auto &[Type, HeapType] : HeapTypes)
    if (HeapType.Reason.empty() &&
        (Var == Type || llvm::is_contained(HeapType.Tables, Var)))
      return true;
  return false;
}

void ModuleStatePlanner::planHeapTypes() {
  SourceLocation FileStart = SM.getLocForStartOfFile(
      SM.getFileID(SM.getExpansionLoc(Init.Def->Def->getLocation())));
  std::string Unit = text::indentUnit(FileStart, SM);
  // Every type is planned, so that the functions of those that stay static
  // are known too.
  llvm::DenseMap<const VarDecl *, HeapTypePlan> Static;
  for (const StateCandidate &C : Candidates) {
    if (!C.IsType)
      continue;
    HeapTypePlan Planned = planHeapType(C.Var, Unit, Ctx, Exec);
    if (Inactive.contains(C.Var))
      Static[C.Var] = std::move(Planned);
    else
      HeapTypes[C.Var] = std::move(Planned);
  }
  // A type derived from a type of this file that stays static stays too.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &[Type, HeapType] : HeapTypes) {
      const VarDecl *Base = HeapType.BaseType;
      if (!HeapType.Reason.empty() || !Base)
        continue;
      auto BasePlan = HeapTypes.find(Base);
      if (BasePlan == HeapTypes.end() || !BasePlan->second.Reason.empty()) {
        HeapType.Reason =
            "its base type '" + Base->getName().str() + "' is not converted";
        Changed = true;
      } else if (!BasePlan->second.RuntimeBase.empty()) {
        HeapType.Reason = "its base type '" + Base->getName().str() +
                          "' is created late in exec, from a base known "
                          "only then";
        Changed = true;
      }
    }
  }
  llvm::DenseMap<const FunctionDecl *, const VarDecl *> Owner;
  TypeFunctions.clear();
  Finalizing.clear();
  Deallocs.clear();
  DeallocUses.clear();
  for (auto &[Type, HeapType] : HeapTypes) {
    if (!HeapType.Reason.empty())
      continue;
    for (const TypeFunction &F : HeapType.Functions) {
      const FunctionDecl *Key = F.Function->getCanonicalDecl();
      // Types of one module may share a function: it reaches the module
      // from any of them, given the same kind of first argument.
      auto Known = TypeFunctions.find(Key);
      if (Known != TypeFunctions.end() &&
          (Known->second.ReceivesType != F.ReceivesType ||
           Known->second.Operands != F.Operands))
        HeapType.Reason = "'" + F.Function->getName().str() +
                          "' is used by another type with other arguments";
      Owner.try_emplace(Key, Type);
      if (F.Finalizing) {
        Finalizing.insert(Key);
      } else {
        bool DefiningClass = F.DefiningClass;
        if (Known != TypeFunctions.end())
          DefiningClass &= Known->second.DefiningClass;
        TypeFunctions[Key] = {Type, F.ReceivesType, F.Operands, DefiningClass};
      }
    }
  }
  // A function also used by a type that stays static reaches no module
  // through its argument; a tp_dealloc or tp_traverse shared with such a
  // type cannot release or visit the heap type.
  llvm::DenseSet<const FunctionDecl *> Blocked;
  for (const auto *Plans : {&HeapTypes, &Static})
    for (const auto &[Type, HeapType] : *Plans)
      if (Plans == &Static || !HeapType.Reason.empty())
        for (const TypeFunction &F : HeapType.Functions)
          Blocked.insert(F.Function->getCanonicalDecl());
  for (auto &[Type, HeapType] : HeapTypes) {
    if (!HeapType.Reason.empty())
      continue;
    for (const FunctionDecl *F : {HeapType.Dealloc, HeapType.Traverse})
      if (F && Blocked.contains(F->getCanonicalDecl()))
        HeapType.Reason = "'" + F->getName().str() +
                          "' is shared with a type that stays static";
  }
  for (auto &[Type, HeapType] : HeapTypes)
    if (!HeapType.Reason.empty())
      for (const TypeFunction &F : HeapType.Functions)
        Blocked.insert(F.Function->getCanonicalDecl());
  for (const FunctionDecl *F : Blocked)
    TypeFunctions.erase(F);
  for (auto &[Type, HeapType] : HeapTypes)
    if (HeapType.Reason.empty() && HeapType.Dealloc)
      Deallocs.insert(HeapType.Dealloc->getCanonicalDecl());
}

std::optional<ModuleStatePlanner::TypeUseEdit>
ModuleStatePlanner::typeUseEdit(const DeclRefExpr *Ref) {
  DynTypedNodeList Parents = parentsOf(*Ref, Ctx);
  if (Parents.empty())
    return std::nullopt;
  if (const auto *AddressOf = Parents[0].get<UnaryOperator>()) {
    if (AddressOf->getOpcode() != UO_AddrOf)
      return std::nullopt;
    std::optional<CharSourceRange> Range =
        fileRangeOf(AddressOf->getSourceRange(), SM, LO);
    if (!Range)
      return std::nullopt;
    return TypeUseEdit{*Range, false};
  }
  // A member read: `T.tp_init`.
  const auto *Member = Parents[0].get<MemberExpr>();
  if (!Member || Member->isArrow())
    return std::nullopt;
  DynTypedNodeList Above = parentsOf(*Member, Ctx);
  const auto *Read = Above.empty() ? nullptr : Above[0].get<ImplicitCastExpr>();
  if (!Read || Read->getCastKind() != CK_LValueToRValue)
    return std::nullopt;
  std::optional<CharSourceRange> Range = fileRangeOf(
      SourceRange(Ref->getBeginLoc(), Member->getOperatorLoc()), SM, LO);
  if (!Range)
    return std::nullopt;
  return TypeUseEdit{*Range, true};
}

std::string ModuleStatePlanner::adjustTypeFunctions(
    const HeapTypePlan &HeapType, Rewrite &Result,
    llvm::DenseSet<const FunctionDecl *> &Adjusted) {
  auto BodyOf = [&](const FunctionDecl *F) -> const CompoundStmt * {
    const auto *Body = dyn_cast_or_null<CompoundStmt>(F->getBody());
    return Body && Body->getLBracLoc().isFileID() ? Body : nullptr;
  };
  // Types may share them: each is adjusted once.
  const FunctionDecl *Traverse =
      HeapType.Traverse &&
              Adjusted.insert(HeapType.Traverse->getCanonicalDecl()).second
          ? HeapType.Traverse
          : nullptr;
  const FunctionDecl *Dealloc =
      HeapType.Dealloc &&
              Adjusted.insert(HeapType.Dealloc->getCanonicalDecl()).second
          ? HeapType.Dealloc
          : nullptr;
  if (Traverse) {
    const CompoundStmt *Body = BodyOf(Traverse);
    if (!Body)
      return "the tp_traverse body is spelled in a macro";
    std::string Indent = text::lineIndent(Body->getLBracLoc(), SM) +
                         text::indentUnit(Body->getLBracLoc(), SM);
    Result.Hints.push_back(FixItHint::CreateInsertion(
        Body->getLBracLoc().getLocWithOffset(1),
        "\n" + Indent + "Py_VISIT(Py_TYPE(" +
            Traverse->getParamDecl(0)->getName().str() + "));"));
  }
  if (Dealloc) {
    const CompoundStmt *Body = BodyOf(Dealloc);
    if (!Body)
      return "the tp_dealloc body is spelled in a macro";
    // The one statement that frees the object, at the top of the body:
    // through tp_free, the base type's tp_dealloc, or the GC or object
    // allocator.
    const Stmt *Free = nullptr;
    for (const Stmt *S : Body->body()) {
      std::optional<CharSourceRange> Range = statementRange(*S, SM, LO);
      llvm::StringRef Spelled =
          Range ? Lexer::getSourceText(*Range, SM, LO) : "";
      if (llvm::any_of(
              std::initializer_list<llvm::StringRef>{
                  "tp_free", "tp_dealloc", "PyObject_GC_Del", "PyObject_Del",
                  "PyObject_Free"},
              [&](llvm::StringRef F) { return Spelled.contains(F); })) {
        if (Free)
          return "the tp_dealloc frees the object twice";
        Free = S;
      }
    }
    std::optional<CharSourceRange> FreeRange =
        Free ? statementRange(*Free, SM, LO) : std::nullopt;
    if (!FreeRange || !isa<Expr>(Free))
      return "the tp_dealloc does not call tp_free in a statement of its own";
    std::string Indent = text::lineIndent(Body->getLBracLoc(), SM) +
                         text::indentUnit(Body->getLBracLoc(), SM);
    auto [Tp, State] = deallocLocals(Dealloc);
    std::string Locals = "\n" + Indent + "PyTypeObject *" + Tp + " = Py_TYPE(" +
                         Dealloc->getParamDecl(0)->getName().str() + ");";
    // Counters it updates: the state while the module is there.
    if (updatesState(Dealloc))
      Locals += "\n" + Indent + StateName + " *" + State + " = " +
                TypeAccessor + "(" + Tp + ");";
    Result.Hints.push_back(FixItHint::CreateInsertion(
        Body->getLBracLoc().getLocWithOffset(1), Locals));
    Result.Hints.push_back(FixItHint::CreateInsertion(
        FreeRange->getEnd(), "\n" + Indent + "Py_DECREF(" + Tp + ");"));
  }
  return {};
}

const Stmt *ModuleStatePlanner::deallocUpdate(const Use &U) {
  if (!U.Function || !Deallocs.contains(U.Function->getCanonicalDecl()))
    return nullptr;
  // The variable, in parentheses or not, is what the statement updates.
  const Expr *Target = U.Ref;
  const Stmt *Update = nullptr;
  while (!Update) {
    DynTypedNodeList Parents = parentsOf(*Target, Ctx);
    if (Parents.empty())
      return nullptr;
    if (const auto *Paren = Parents[0].get<ParenExpr>()) {
      Target = Paren;
    } else if (const auto *Step = Parents[0].get<UnaryOperator>()) {
      if (!Step->isIncrementDecrementOp())
        return nullptr;
      Update = Step;
    } else if (const auto *Assign = Parents[0].get<BinaryOperator>()) {
      if (!Assign->isAssignmentOp() || Assign->getLHS() != Target ||
          Assign->getRHS()->HasSideEffects(Ctx))
        return nullptr;
      // The value reads no other global that may move.
      bool ReadsGlobal = false;
      std::function<void(const Stmt *)> Visit = [&](const Stmt *S) {
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(S))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
            ReadsGlobal |= Var->hasGlobalStorage();
        if (S)
          for (const Stmt *Child : S->children())
            Visit(Child);
      };
      Visit(Assign->getRHS());
      if (ReadsGlobal)
        return nullptr;
      Update = Assign;
    } else {
      return nullptr;
    }
  }
  // A statement of its own in a block, so that it can be guarded.
  DynTypedNodeList Parents = parentsOf(*Update, Ctx);
  if (Parents.empty() || !Parents[0].get<CompoundStmt>() ||
      !statementRange(*Update, SM, LO) ||
      !fileRangeOf(Update->getSourceRange(), SM, LO))
    return nullptr;
  return Update;
}

bool ModuleStatePlanner::updatesState(const FunctionDecl *F) {
  for (const auto &[Candidate, Field] : Moved)
    for (const Use &U : Uses->VarUses[Candidate->Var->getCanonicalDecl()])
      if (U.Function &&
          U.Function->getCanonicalDecl() == F->getCanonicalDecl() &&
          DeallocUses.count(U.Ref))
        return true;
  return false;
}

std::pair<std::string, std::string>
ModuleStatePlanner::deallocLocals(const FunctionDecl *F) {
  llvm::StringSet<> Taken;
  for (const Decl *D : F->decls())
    if (const auto *Named = dyn_cast<NamedDecl>(D))
      if (Named->getIdentifier())
        Taken.insert(Named->getName());
  auto Unused = [&](const std::string &Preferred) {
    std::string Name = Preferred;
    for (unsigned Suffix = 2; Taken.contains(Name); ++Suffix)
      Name = Preferred + std::to_string(Suffix);
    Taken.insert(Name);
    return Name;
  };
  std::string Tp = Unused("tp");
  return {Tp, Unused("state")};
}

} // namespace modulestate
} // namespace gilport
