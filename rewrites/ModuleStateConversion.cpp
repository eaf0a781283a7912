//===--- ModuleStateConversion.cpp ----------------------------------------===//
//
// planModuleState(), and the order in which the planner decides: the
// module, the uses of each candidate, which move, which become atomics,
// where the state goes, and its edits. The steps themselves are in
// rewrites/modulestate/ (Planner.h says which file has what).
//
//===----------------------------------------------------------------------===//

#include "rewrites/ModuleStateConversion.h"
#include "analysis/SourceRanges.h"

#include "rewrites/GilDeclarationFix.h"
#include "rewrites/MultiPhaseConversion.h"
#include "rewrites/modulestate/Planner.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>
#include <set>

namespace gilport {
namespace modulestate {

using namespace clang;

ModuleStatePlan ModuleStatePlanner::run() {
  if (std::string Why = checkModule(); !Why.empty())
    return runAtomicsOnly(Why);
  if (SinglePhase) {
    // The module variable becomes the exec function's parameter.
    MultiPhaseOptions Options;
    Options.ModuleVariable = &ExecModule;
    Options.ExecSource = &Exec;
    Rewrite Trial = convertToMultiPhase(Init, {}, Ctx, Options);
    if (!Trial.Reason.empty())
      return runAtomicsOnly("the module cannot be converted to multi-phase "
                            "init, which module state needs: " +
                            Trial.Reason);
  }
  findModuleFunctions();
  OperandModule =
      unusedFileScopeName(Init.ModuleName.str() + "_operands_module", Ctx);
  collectUses();

  std::vector<std::string> Reasons(Candidates.size());
  std::vector<SourceLocation> Places(Candidates.size());
  checkCandidates(Reasons, Places);
  keepDeclaredTogether(Reasons);
  std::vector<bool> Atomic = makeCountersAtomic(Reasons, Places);
  recordOutcomes(Reasons, Places, Atomic);
  if (Moved.empty() && !Atomics.empty()) {
    // Only atomics: the module itself is left as it is.
    Plan.Edits.Hints = AtomicEdits;
    Plan.EditsWithoutGil.Hints = AtomicEdits;
    return std::move(Plan);
  }
  if (Moved.empty()) {
    Plan.Reason = "no variable can move to the module state";
    return std::move(Plan);
  }
  const FunctionDecl *First = firstStateUser();
  chooseAtomicFields();
  size_t InPlace = 0;
  bool SharesObjects = false;
  for (const StateCandidate &C : Candidates)
    if (C.FixedInPlace) {
      ++InPlace;
      SharesObjects |= C.IsObject;
    }
  Plan.Complete = Moved.size() + Atomics.size() + InPlace == Candidates.size();
  Plan.Isolated = Plan.Complete && !SharesObjects;

  // Everything the state needs is declared before it.
  if (std::string Problem = checkStatePlacement(First); !Problem.empty())
    return fail(Problem);
  nameState(First);

  Plan.Edits = buildEdits(/*WithGil=*/Plan.Complete);
  if (!Plan.Edits.Reason.empty())
    return fail(Plan.Edits.Reason);
  Plan.EditsWithoutGil = buildEdits(/*WithGil=*/false);
  if (!Plan.EditsWithoutGil.Reason.empty())
    return fail(Plan.EditsWithoutGil.Reason);
  return std::move(Plan);
}

ModuleStatePlan ModuleStatePlanner::runAtomicsOnly(const std::string &Why) {
  // The counters are still made atomic (with AtomicCounters, or when
  // declared process-wide): that ends their race without the module.
  collectUses();
  std::vector<std::string> Reasons(Candidates.size(), Why);
  std::vector<SourceLocation> Places(Candidates.size());
  std::vector<bool> Atomic = makeCountersAtomic(Reasons, Places);
  for (size_t I = 0; I < Candidates.size(); ++I)
    Plan.Outcomes.push_back(
        {Candidates[I].Var, Atomic[I], Reasons[I], Places[I], Atomic[I]});
  if (Atomics.empty()) {
    Plan.Reason = Why;
    return std::move(Plan);
  }
  Plan.Edits.Hints = AtomicEdits;
  Plan.EditsWithoutGil.Hints = AtomicEdits;
  return std::move(Plan);
}

void ModuleStatePlanner::checkCandidates(std::vector<std::string> &Reasons,
                                         std::vector<SourceLocation> &Places) {
  // A type that stays static takes the way to the module from its
  // functions, so what they use is decided again without it.
  for (bool Changed = true; Changed;) {
    Changed = false;
    HeapTypes.clear();
    Accesses.clear();
    HelperParameters.clear();
    planHeapTypes();
    findHelpers();
    for (size_t I = 0; I < Candidates.size(); ++I) {
      Places[I] = SourceLocation();
      Reasons[I] = Candidates[I].ProcessWide
                       ? "it is declared process-wide (ProcessWideCounters)"
                       : checkVariable(Candidates[I], Places[I]);
      if (Candidates[I].IsType && !Reasons[I].empty() &&
          Inactive.try_emplace(Candidates[I].Var, Reasons[I]).second)
        Changed = true;
    }
  }
}

void ModuleStatePlanner::keepDeclaredTogether(
    std::vector<std::string> &Reasons) {
  // Variables declared together move together.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (size_t I = 0; I < Candidates.size(); ++I) {
      const VarDecl *Var = Candidates[I].Var;
      if (!Reasons[I].empty() || !Var->isFileVarDecl())
        continue;
      for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
        const auto *Other = dyn_cast<VarDecl>(D);
        if (!Other || Other == Var ||
            Other->getBeginLoc() != Var->getBeginLoc())
          continue;
        auto It = llvm::find_if(Candidates, [&](const StateCandidate &C) {
          return C.Var == Other;
        });
        if (It == Candidates.end() ||
            !Reasons[It - Candidates.begin()].empty()) {
          Reasons[I] = quoted(Var) + " is declared together with " +
                       quoted(Other) + ", which stays global";
          Changed = true;
          break;
        }
      }
    }
  }
}

void ModuleStatePlanner::recordOutcomes(
    const std::vector<std::string> &Reasons,
    const std::vector<SourceLocation> &Places,
    const std::vector<bool> &Atomic) {
  std::set<std::string> FieldNames;
  for (size_t I = 0; I < Candidates.size(); ++I) {
    Plan.Outcomes.push_back({Candidates[I].Var, Reasons[I].empty(), Reasons[I],
                             Places[I], Atomic[I]});
    if (!Reasons[I].empty() || Atomic[I])
      continue;
    const VarDecl *Var = Candidates[I].Var;
    std::string Field = Var->getName().str();
    if (Var->isStaticLocal() && FieldNames.count(Field))
      Field = cast<FunctionDecl>(Var->getParentFunctionOrMethod())
                  ->getName()
                  .str() +
              "_" + Field;
    FieldNames.insert(Field);
    Moved.emplace_back(&Candidates[I], Field);
  }
}

const FunctionDecl *ModuleStatePlanner::firstStateUser() {
  // The state and its helpers go before the first function that uses it.
  std::optional<unsigned> InsertOffset;
  const FunctionDecl *First = nullptr;
  auto Consider = [&](const FunctionDecl *F) {
    const FunctionDecl *Definition = F->getDefinition();
    if (!Definition)
      return;
    SourceLocation Begin = SM.getExpansionLoc(Definition->getBeginLoc());
    unsigned Offset = SM.getFileOffset(Begin);
    if (!InsertOffset || Offset < *InsertOffset) {
      InsertOffset = Offset;
      First = Definition;
    }
  };
  for (const auto &[Candidate, Field] : Moved) {
    const VarDecl *Var = Candidate->Var;
    for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()])
      if (U.Function)
        Consider(U.Function);
    for (const HiddenUse &H : HiddenUses[Var])
      Consider(H.Function);
    if (Var->isStaticLocal())
      Consider(cast<FunctionDecl>(Var->getParentFunctionOrMethod()));
  }
  Consider(Exec);
  return First;
}

std::string ModuleStatePlanner::checkStatePlacement(const FunctionDecl *First) {
  if (!SM.isInMainFile(SM.getExpansionLoc(First->getBeginLoc())))
    return "the functions using the state are not in the main file";
  SourceLocation FirstBegin = SM.getExpansionLoc(First->getBeginLoc());
  for (const auto &[Candidate, Field] : Moved) {
    const VarDecl *Var = Candidate->Var;
    // A type's definition becomes its spec, which stays where it is.
    if (Var->isFileVarDecl() && !Candidate->IsType &&
        !SM.isBeforeInTranslationUnit(Var->getBeginLoc(), FirstBegin))
      return quoted(Var) + " is declared after " + quoted(First) +
             ", which uses the module state";
    if (const Decl *Type = namedTypeDecl(Var->getType(), Ctx))
      if (SM.isInMainFile(SM.getExpansionLoc(Type->getLocation())) &&
          !SM.isBeforeInTranslationUnit(Type->getLocation(), FirstBegin))
        return "the type of " + quoted(Var) + " is declared after " +
               quoted(First) + ", where the module state goes";
  }
  if (!SM.isBeforeInTranslationUnit(FirstBegin, Init.Def->Def->getBeginLoc()))
    return "the module definition comes before " + quoted(First) +
           ", which uses the module state";
  return {};
}

void ModuleStatePlanner::nameState(const FunctionDecl *First) {
  SourceLocation FirstBegin = SM.getExpansionLoc(First->getBeginLoc());
  std::string Prefix = Init.ModuleName.str();
  StateName = unusedFileScopeName(Prefix + "_state", Ctx);
  Accessor = unusedFileScopeName("get_" + Prefix + "_state", Ctx);
  Traverse = unusedFileScopeName(Prefix + "_state_traverse", Ctx);
  Clear = unusedFileScopeName(Prefix + "_state_clear", Ctx);
  Free = unusedFileScopeName(Prefix + "_state_free", Ctx);
  TypeAccessor = unusedFileScopeName("get_" + Prefix + "_state_of_type", Ctx);
  InsertAt =
      aboveAttachedComments(SM.getBufferData(SM.getFileID(FirstBegin)),
                            SM.getFileOffset(text::lineStart(FirstBegin, SM)));
}

ModuleStatePlan ModuleStatePlanner::fail(const std::string &Why) {
  Plan.Reason = Why;
  for (StateVariableOutcome &O : Plan.Outcomes)
    if (O.Moved) {
      O.Moved = false;
      O.Reason = Why;
    }
  Plan.Complete = false;
  Plan.Isolated = false;
  return std::move(Plan);
}

} // namespace modulestate

ModuleStatePlan planModuleState(const ModuleInitInfo &Init,
                                const std::vector<StateCandidate> &Candidates,
                                DeclaredSlots Declared,
                                clang::ASTContext &Ctx) {
  return modulestate::ModuleStatePlanner(Init, Candidates, Declared, Ctx).run();
}

ModuleStatePlan
planAtomicCounters(const std::vector<StateCandidate> &Candidates,
                   const std::string &Why, clang::ASTContext &Ctx) {
  static const ModuleInitInfo NoModule;
  return modulestate::ModuleStatePlanner(NoModule, Candidates, {}, Ctx)
      .runAtomicsOnly(Why);
}

} // namespace gilport
