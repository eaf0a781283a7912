//===--- PhaseCalls.cpp ---------------------------------------------------===//

#include "analysis/PhaseCalls.h"

#include "analysis/CallSites.h"
#include "analysis/InitOnlyFields.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseSet.h"

namespace gilport {

using namespace clang;

PhaseCalls callsByPhase(ASTContext &Ctx, InitOnlyFields &Lifecycle,
                        CallSiteIndex &Calls) {
  // From the unit's call sites, which InitOnlyFields has built already: a
  // walk of its own cost as much again.
  llvm::DenseSet<const FunctionDecl *> AtInit, AtRunTime;
  auto Named = [](const FunctionDecl *Function) {
    return Function->isExternallyVisible() && Function->getIdentifier();
  };
  for (const auto &[Callee, Sites] : Calls.allDirectCalls(Ctx)) {
    if (!Named(Callee))
      continue;
    for (const CallSiteIndex::Site &Site : Sites)
      (Site.Caller && Lifecycle.isLifecycle(*Site.Caller, Ctx) ? AtInit
                                                               : AtRunTime)
          .insert(Callee);
  }
  for (const FunctionDecl *Function : Calls.namedOtherwise(Ctx))
    if (Named(Function))
      AtRunTime.insert(Function);
  PhaseCalls Result;
  for (const FunctionDecl *Called : AtRunTime)
    Result.AtRunTime.insert(Called->getName().str());
  for (const FunctionDecl *Called : AtInit)
    if (std::string Name = Called->getName().str();
        !Result.AtRunTime.count(Name))
      Result.AtInit.insert(std::move(Name));
  return Result;
}

} // namespace gilport
