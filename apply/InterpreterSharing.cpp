//===--- InterpreterSharing.cpp -------------------------------------------===//

#include "apply/InterpreterSharing.h"

#include "llvm/ADT/STLExtras.h"

#include <map>
#include <set>

namespace gilport {

void dropUnsharedStateAcrossUnits(llvm::ArrayRef<RunUnit> Units,
                                  bool SomeUnitFailed) {
  if (SomeUnitFailed)
    return;
  // Per build target ("" for the whole run): whether it has a module, and
  // whether one of them may be loaded by several interpreters.
  struct Modules {
    bool Known = false;
    bool Shared = false;
  };
  std::map<std::string, Modules> ByTarget;
  std::set<std::string> ModuleTargets;
  for (const RunUnit &Unit : Units) {
    if (!Unit.DefinesModule)
      continue;
    for (const std::string &Target : {Unit.Target, std::string()}) {
      Modules &Entry = ByTarget[Target];
      Entry.Known = true;
      Entry.Shared |= Unit.LoadableByInterpreters;
    }
    if (!Unit.Target.empty())
      ModuleTargets.insert(Unit.Target);
  }
  // A function some unit calls while the module is in use, or hands out,
  // runs then; one called only from init functions runs only at init.
  std::set<std::string> AtInit, AtRunTime;
  for (const RunUnit &Unit : Units) {
    AtInit.insert(Unit.CalledAtInit.begin(), Unit.CalledAtInit.end());
    AtRunTime.insert(Unit.CalledAtRunTime.begin(), Unit.CalledAtRunTime.end());
  }
  auto notAtRunTime = [&](const std::string &Function) {
    return !AtRunTime.count(Function);
  };
  // One that no unit calls or hands out never runs: what only it writes is
  // never written, by any interpreter.
  auto neverRuns = [&](const std::string &Function) {
    return !AtInit.count(Function) && !AtRunTime.count(Function);
  };
  for (const RunUnit &Unit : Units) {
    if (Unit.DefinesModule)
      continue;
    const Modules &Its =
        ByTarget[ModuleTargets.count(Unit.Target) ? Unit.Target : ""];
    if (!Its.Known)
      continue;
    llvm::erase_if(*Unit.Findings, [&](const Finding &F) {
      if (!F.SharedIfModuleAllows)
        return false;
      if (!F.WrittenOnlyBy.empty() && llvm::all_of(F.WrittenOnlyBy, neverRuns))
        return true;
      return !Its.Shared && llvm::all_of(F.WrittenOnlyBy, notAtRunTime);
    });
  }
}

} // namespace gilport
