//===--- CallSites.cpp ----------------------------------------------------===//

#include "analysis/CallSites.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;

namespace {

class CallCollector : public RecursiveASTVisitor<CallCollector> {
public:
  CallCollector(
      llvm::DenseMap<const FunctionDecl *,
                     llvm::SmallVector<CallSiteIndex::Site, 4>> &Calls,
      llvm::DenseSet<const FunctionDecl *> &Unknown,
      llvm::DenseMap<const FunctionDecl *, unsigned> &AddressUses)
      : Calls(Calls), Unknown(Unknown), AddressUses(AddressUses) {}

  bool TraverseFunctionDecl(FunctionDecl *Function) {
    const FunctionDecl *Outer = Current;
    if (Function->doesThisDeclarationHaveABody())
      Current = Function;
    bool Continue =
        RecursiveASTVisitor<CallCollector>::TraverseFunctionDecl(Function);
    Current = Outer;
    return Continue;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return true;
    Callee = Callee->getCanonicalDecl();
    if (const auto *Ref =
            dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreParenImpCasts()))
      CalleeRefs.insert(Ref);
    if (Current)
      Calls[Callee].push_back({Call, Current});
    else
      Unknown.insert(Callee);
    return true;
  }

  // Any other mention of a function takes its address: it may be called
  // from anywhere (method tables, callbacks).
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl()))
      if (!CalleeRefs.count(Ref)) {
        Unknown.insert(Function->getCanonicalDecl());
        ++AddressUses[Function->getCanonicalDecl()];
      }
    return true;
  }

private:
  llvm::DenseMap<const FunctionDecl *,
                 llvm::SmallVector<CallSiteIndex::Site, 4>> &Calls;
  llvm::DenseSet<const FunctionDecl *> &Unknown;
  llvm::DenseMap<const FunctionDecl *, unsigned> &AddressUses;
  llvm::DenseSet<const DeclRefExpr *> CalleeRefs;
  const FunctionDecl *Current = nullptr;
};

} // namespace

void CallSiteIndex::build(ASTContext &Ctx) {
  Built = true;
  CallCollector Collector(Calls, Unknown, AddressUses);
  // The traversal scope: the user's declarations. Python's and the system's
  // headers cannot name the user's functions or structs, so no call of
  // them is left out.
  Collector.TraverseDecl(Ctx.getTranslationUnitDecl());
}

const llvm::SmallVector<CallSiteIndex::Site, 4> *
CallSiteIndex::knownCallers(const FunctionDecl &Function) {
  const FunctionDecl *Definition = Function.getDefinition();
  if (!Definition || Definition->isExternallyVisible() ||
      Definition->isVariadic())
    return nullptr;
  if (!Built)
    build(Function.getASTContext());
  const FunctionDecl *Canonical = Function.getCanonicalDecl();
  if (Unknown.count(Canonical))
    return nullptr;
  auto It = Calls.find(Canonical);
  return It == Calls.end() ? nullptr : &It->second;
}

llvm::ArrayRef<CallSiteIndex::Site>
CallSiteIndex::directCalls(const FunctionDecl &Function) {
  if (!Built)
    build(Function.getASTContext());
  auto It = Calls.find(Function.getCanonicalDecl());
  if (It == Calls.end())
    return {};
  return It->second;
}

const llvm::DenseMap<const FunctionDecl *,
                     llvm::SmallVector<CallSiteIndex::Site, 4>> &
CallSiteIndex::allDirectCalls(ASTContext &Ctx) {
  if (!Built)
    build(Ctx);
  return Calls;
}

const llvm::DenseSet<const FunctionDecl *> &
CallSiteIndex::namedOtherwise(ASTContext &Ctx) {
  if (!Built)
    build(Ctx);
  return Unknown;
}

unsigned CallSiteIndex::addressUses(const FunctionDecl &Function) {
  if (!Built)
    build(Function.getASTContext());
  return AddressUses.lookup(Function.getCanonicalDecl());
}

bool CallSiteIndex::neverRunsHere(const FunctionDecl &Function) {
  llvm::DenseSet<const FunctionDecl *> Visiting;
  return neverRunsHere(Function, Visiting);
}

bool CallSiteIndex::neverRunsHere(
    const FunctionDecl &Function,
    llvm::DenseSet<const FunctionDecl *> &Visiting) {
  const FunctionDecl *Canonical = Function.getCanonicalDecl();
  const SourceManager &SM = Function.getASTContext().getSourceManager();
  if (!Function.isInlineSpecified() ||
      Function.getStorageClass() != SC_Static ||
      SM.isInMainFile(SM.getExpansionLoc(Function.getLocation())))
    return false;
  if (!Function.isReferenced())
    return true;
  // A cycle of such functions calling each other runs only if entered.
  if (!Visiting.insert(Canonical).second)
    return true;
  if (addressUses(Function) != 0)
    return false;
  for (const Site &Call : directCalls(Function))
    if (!Call.Caller || !neverRunsHere(*Call.Caller, Visiting))
      return false;
  // Named other than in a call or an address (sizeof, a declaration only):
  // the calls found are all there are when the counts agree.
  return !directCalls(Function).empty();
}

} // namespace gilport
