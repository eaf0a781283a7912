//===--- ObjectLocking.cpp ------------------------------------------------===//

#include "analysis/ObjectLocking.h"

#include "analysis/CallSites.h"
#include "analysis/ExistingSections.h"
#include "analysis/FreshObjects.h"
#include "analysis/ObjectStateWrites.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <map>
#include <set>

namespace gilport {

using namespace clang;

namespace {

/// The parameter of \p F that \p E names (ObjectStateWrites.h).
const ParmVarDecl *parameterNamed(const Expr *E, const FunctionDecl &F) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return Var ? objectParameter(*Var, F) : nullptr;
}

/// An object handed to a function of the file.
struct Pass {
  const CallExpr *Call;
  const FunctionDecl *Callee;
  unsigned Index;
};

/// What one function does with racy fields, outside critical sections.
struct Uses {
  /// The parameters whose racy fields it reads or changes.
  std::set<const ParmVarDecl *> Touched;
  std::vector<Pass> Passes;
};

class UseFinder : public RecursiveASTVisitor<UseFinder> {
public:
  UseFinder(const FunctionDecl &F, const RacyFieldMap &Racy,
            const ExistingSections &Sections, const SourceManager &SM,
            Uses &Result)
      : F(F), Racy(Racy), Sections(Sections), SM(SM), Result(Result) {}

  bool VisitMemberExpr(MemberExpr *Member) {
    if (!Member->isArrow() || inSection(Member->getBeginLoc()))
      return true;
    QualType Pointee = Member->getBase()->getType()->getPointeeType();
    const RecordDecl *Record =
        Pointee.isNull() ? nullptr : Pointee->getAsRecordDecl();
    auto Fields = Record ? Racy.find(Record) : Racy.end();
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (Fields == Racy.end() || !Field || !Fields->second.count(Field))
      return true;
    if (const ParmVarDecl *Param = parameterNamed(Member->getBase(), F))
      Result.Touched.insert(Param);
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    const FunctionDecl *Definition = Callee ? Callee->getDefinition() : nullptr;
    if (!Definition || inSection(Call->getBeginLoc()))
      return true;
    for (unsigned I = 0;
         I < Call->getNumArgs() && I < Definition->getNumParams(); ++I)
      Result.Passes.push_back({Call, Definition, I});
    return true;
  }

private:
  bool inSection(SourceLocation Loc) const {
    return Sections.contains(SM.getFileLoc(Loc), SM);
  }

  const FunctionDecl &F;
  const RacyFieldMap &Racy;
  const ExistingSections &Sections;
  const SourceManager &SM;
  Uses &Result;
};

} // namespace

ObjectLockPlan planObjectLocks(
    llvm::ArrayRef<const FunctionDecl *> Definitions, const RacyFieldMap &Racy,
    const llvm::SmallPtrSetImpl<const FunctionDecl *> &Exempt,
    const ExistingSections &Sections, CallSiteIndex &Callers, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  auto IsExempt = [&](const FunctionDecl *F) {
    return Exempt.count(F->getCanonicalDecl()) != 0;
  };
  std::map<const FunctionDecl *, Uses> ByFunction;
  for (const FunctionDecl *F : Definitions)
    if (!IsExempt(F))
      UseFinder(*F, Racy, Sections, SM, ByFunction[F])
          .TraverseStmt(F->getBody());

  // A parameter given to a helper that uses it is used by the caller too.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &[F, Found] : ByFunction)
      for (const Pass &P : Found.Passes) {
        auto Callee = ByFunction.find(P.Callee);
        const ParmVarDecl *From = parameterNamed(P.Call->getArg(P.Index), *F);
        if (!From || Callee == ByFunction.end())
          continue;
        if (Callee->second.Touched.count(P.Callee->getParamDecl(P.Index)) &&
            Found.Touched.insert(From).second)
          Changed = true;
      }
  }

  ObjectLockPlan Plan;
  FreshObjects Fresh(Callers);
  std::vector<std::string> Failures;
  auto Fail = [&](std::string Why) { Failures.push_back(std::move(Why)); };
  for (const FunctionDecl *F : Definitions) {
    auto It = ByFunction.find(F);
    if (It == ByFunction.end() || It->second.Touched.empty())
      continue;
    const std::set<const ParmVarDecl *> &Touched = It->second.Touched;
    const auto *Sites = Callers.knownCallers(*F);
    bool AddressTaken = Callers.addressUses(*F) > 0;
    if (!AddressTaken && !Sites && F->isStatic() &&
        Callers.directCalls(*F).empty())
      continue; // Never runs.
    if (AddressTaken || !Sites) {
      std::vector<const ParmVarDecl *> Objects(Touched.begin(), Touched.end());
      llvm::sort(Objects, [](const ParmVarDecl *A, const ParmVarDecl *B) {
        return A->getFunctionScopeIndex() < B->getFunctionScopeIndex();
      });
      if (Objects.size() > 2) {
        Fail("'" + F->getName().str() +
             "' uses the fields of more than two objects, and a "
             "critical section locks at most two");
        continue;
      }
      Plan.Entries.push_back({F, std::move(Objects)});
      continue;
    }
    // A helper: each caller must lock what it passes, or run locked.
    for (const CallSiteIndex::Site &Site : *Sites) {
      const FunctionDecl *Caller = Site.Caller;
      if (IsExempt(Caller) ||
          Sections.contains(SM.getFileLoc(Site.Call->getBeginLoc()), SM))
        continue;
      for (const ParmVarDecl *Param : Touched) {
        unsigned Index = Param->getFunctionScopeIndex();
        if (Index >= Site.Call->getNumArgs())
          continue;
        const Expr *Arg = Site.Call->getArg(Index);
        if (!parameterNamed(Arg, *Caller) && !Fresh.isFresh(*Arg, *Caller))
          Fail("'" + Caller->getName().str() + "' gives '" +
               F->getName().str() +
               "' an object that is not one of its own parameters, "
               "so locking '" +
               Caller->getName().str() + "' would not lock it");
      }
    }
  }
  if (!Failures.empty()) {
    Plan.Entries.clear();
    Plan.Reason = Failures.front();
    if (Failures.size() > 1)
      Plan.Reason += " (and " + std::to_string(Failures.size() - 1) +
                     " more such place" + (Failures.size() > 2 ? "s" : "") +
                     ")";
  }
  return Plan;
}

} // namespace gilport
