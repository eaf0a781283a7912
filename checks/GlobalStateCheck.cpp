//===--- GlobalStateCheck.cpp - gilport-global-state ----------------------===//

#include "checks/GlobalStateCheck.h"

#include "checks/GlobalStateScan.h"

namespace gilport {

namespace {

const CheckOptionInfo Options[] = {
    {"IgnoreVariables", "",
     "A regular expression; variables whose whole name matches it are not "
     "reported (empty: report all)."},
    {"ConvertToModuleState", "false",
     "Fix by moving the variables into the module state (converting a "
     "single-phase module to multi-phase init), where every function using "
     "them can reach the module."},
    {"ProcessWideCounters", "",
     "A regular expression; with ConvertToModuleState, integer variables "
     "whose whole name matches it count something for the whole process: "
     "they stay where they are and become C11 atomics."},
    {"AtomicCounters", "false",
     "With ConvertToModuleState, an integer variable that cannot move to the "
     "module state (a function using it cannot reach the module) becomes a "
     "C11 atomic where it is, when every use has an atomic form; one that "
     "moves becomes an _Atomic field when each use is one atomic "
     "operation."},
};

} // namespace

GlobalStateCheck::GlobalStateCheck(CheckContext &Context)
    : GilportCheck(GlobalStateScan::CheckName, Context),
      Scan(Context.shared<GlobalStateScan>()) {}

llvm::ArrayRef<CheckOptionInfo> GlobalStateCheck::options() { return Options; }

void GlobalStateCheck::registerMatchers(
    clang::ast_matchers::MatchFinder *Finder) {
  Scan.registerMatchers(Finder);
}

void GlobalStateCheck::registerPPCallbacks(const clang::SourceManager &SM,
                                           clang::Preprocessor *PP) {
  Scan.registerPPCallbacks(SM, PP);
}

void GlobalStateCheck::onEndOfTranslationUnit(clang::ASTContext &Ctx) {
  for (const GlobalStateScan::Found &Found : Scan.finish(Ctx).Findings)
    context().report(Found.Loc, Found.Result);
}

} // namespace gilport
