//===--- MissingGilDeclCheck.cpp - gilport-missing-gil-decl ---------------===//

#include "checks/MissingGilDeclCheck.h"

#include "rewrites/GilDeclarationFix.h"
#include "rewrites/MultiPhaseConversion.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/Support/Path.h"

namespace gilport {

using namespace clang;

namespace {

std::string missingDeclaration(const FunctionDecl *Init) {
  return "module init function '" + Init->getName().str() +
         "' does not declare whether the module can run without the GIL, so "
         "importing it enables the GIL on free-threaded Python; ";
}

const CheckOptionInfo Options[] = {
    {"ConvertSinglePhase", "false",
     "Fix single-phase modules by converting them to multi-phase init "
     "(an exec function and a slots array) instead of adding a "
     "PyUnstable_Module_SetGIL call."},
};

} // namespace

llvm::ArrayRef<CheckOptionInfo> MissingGilDeclCheck::options() {
  return Options;
}

MissingGilDeclCheck::MissingGilDeclCheck(CheckContext &Context)
    : GilportCheck("gilport-missing-gil-decl", Context),
      Scan(Context.shared<GlobalStateScan>()) {}

void MissingGilDeclCheck::registerMatchers(
    ast_matchers::MatchFinder *Finder) {
  Scan.registerMatchers(Finder);
}

void MissingGilDeclCheck::registerPPCallbacks(const SourceManager &SM,
                                              Preprocessor *PP) {
  Analyzer.registerPPCallbacks(SM, PP);
  Scan.registerPPCallbacks(SM, PP);
}

std::string
MissingGilDeclCheck::sharedStateReason(const ModuleDefInfo &Def) const {
  if (!Def.Size)
    return "its 'm_size' is not a constant";
  if (*Def.Size == -1)
    return "its 'm_size' is -1, so its state is global";
  if (GlobalStateFindings.empty()) {
    if (UnreportedShared.empty())
      return {};
    const VarDecl *Var = UnreportedShared.front();
    std::string Reason = "the file keeps state shared by all interpreters ('" +
                         Var->getName().str() + "'";
    if (UnreportedShared.size() > 1)
      Reason += " and " + std::to_string(UnreportedShared.size() - 1) + " more";
    return Reason + ")";
  }
  const Finding &First = GlobalStateFindings.front();
  std::string Reason = "the file keeps state shared by all interpreters (" +
                       llvm::sys::path::filename(First.File).str() + ":" +
                       std::to_string(First.Line);
  if (GlobalStateFindings.size() > 1)
    Reason += " and " + std::to_string(GlobalStateFindings.size() - 1) +
              " more";
  return Reason + ", see gilport-global-state)";
}

void MissingGilDeclCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  const GlobalStateScan::Results &Scanned = Scan.finish(Ctx);
  GlobalStateFindings.clear();
  for (const GlobalStateScan::Found &Found : Scanned.Findings)
    if (context().wouldReport(Found.Loc, GlobalStateScan::CheckName))
      GlobalStateFindings.push_back(Found.Result);
  UnreportedShared.clear();
  for (const VarDecl *Var : Scanned.UnreportedShared)
    if (context().wouldReport(Var->getLocation(), GlobalStateScan::CheckName))
      UnreportedShared.push_back(Var);
  const std::optional<GlobalStateScan::ModuleStateFixes> &StateFixes =
      Scanned.StateFixes;
  for (const ModuleInitInfo &Init : Analyzer.findModuleInits(Ctx)) {
    if (!context().isReportedLocation(Init.Function->getLocation()))
      continue;
    if (StateFixes && StateFixes->Init == Init.Function) {
      reportWithModuleState(Init, *StateFixes, Ctx);
      continue;
    }
    switch (Init.Kind) {
    case ModuleInitKind::MultiPhase:
      checkMultiPhase(Init, Ctx);
      break;
    case ModuleInitKind::SinglePhase:
      checkSinglePhase(Init, Ctx);
      break;
    case ModuleInitKind::Unknown:
      // The module is created where we cannot see it; say nothing.
      break;
    }
  }
  for (const ModuleExportInfo &Export : Analyzer.findModuleExports(Ctx))
    if (context().isReportedLocation(Export.Function->getLocation()))
      checkExport(Export, Ctx);
}

void MissingGilDeclCheck::checkExport(const ModuleExportInfo &Export,
                                      ASTContext &Ctx) {
  // An array we cannot read may well declare it.
  if (!Export.Slots ||
      Analyzer.declaresSlot(*Export.Slots, ModuleSlotGil, "Py_mod_gil", Ctx))
    return;
  const ModuleSlotsInfo &Slots = *Export.Slots;
  FindingBuilder Finding =
      diag(Export.Function->getLocation(),
           "module export function '" + Export.Function->getName().str() +
               "' does not declare whether the module can run without the "
               "GIL, so importing it enables the GIL on free-threaded "
               "Python; once the module is thread-safe, add "
               "'PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED)' to its slots "
               "(Python 3.15, PEP 793)");
  SlotDeclarations Add;
  Add.Gil = true;
  Add.PySlotEntries = true;
  if (!Analyzer.declaresSlot(Slots, ModuleSlotMultipleInterpreters,
                             "Py_mod_multiple_interpreters", Ctx)) {
    Finding.note(Slots.Array->getLocation(),
                 "the module does not declare 'Py_mod_multiple_interpreters' "
                 "either, so it cannot be imported in subinterpreters that "
                 "have their own GIL (PEP 684); add "
                 "'PySlot_DATA(Py_mod_multiple_interpreters, "
                 "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED)' once its state is "
                 "per module");
    // Module state or not: the array does not say m_size, so only the
    // file's own globals can tell.
    ModuleDefInfo Unknown;
    Unknown.Size = 0;
    std::string SharedState = sharedStateReason(Unknown);
    if (SharedState.empty())
      Add.PerInterpreterGil = true;
    else
      Finding.note(Slots.Array->getLocation(),
                   "the fix does not add 'Py_mod_multiple_interpreters': " +
                       SharedState);
  }
  const ModuleSlot *Sentinel = Slots.sentinel();
  if (!Sentinel) {
    Finding.noFix("'" + Slots.Array->getName().str() +
                  "' has no 'PySlot_END' terminator to add the slot before");
    return;
  }
  Finding.fix(insertSlotsBeforeSentinel(Add, Sentinel->Entry, Ctx));
}

void MissingGilDeclCheck::reportWithModuleState(
    const ModuleInitInfo &Init,
    const GlobalStateScan::ModuleStateFixes &StateFixes, ASTContext &Ctx) {
  bool SinglePhase = Init.Kind == ModuleInitKind::SinglePhase;
  if (SinglePhase ? Analyzer.declaresGilBySetGil(Init, Ctx)
                  : Init.Def && Init.Def->Slots &&
                        Analyzer.declaresSlot(*Init.Def->Slots, ModuleSlotGil,
                                              "Py_mod_gil", Ctx))
    return;
  SourceLocation Loc = Init.Function->getLocation();
  Finding Draft;
  Draft.Check = name().str();
  Draft.Message =
      missingDeclaration(Init.Function) +
      "once the module is thread-safe, declare it with a '{Py_mod_gil, "
      "Py_MOD_GIL_NOT_USED}' slot (Python 3.13)";
  FindingBuilder Builder(context(), Loc, std::move(Draft));
  Builder.note(Loc,
               std::string("the fix is gilport-global-state's module-state "
                           "conversion") +
                   (SinglePhase ? ", which converts the module to "
                                  "multi-phase init"
                                : "") +
                   (StateFixes.Complete
                        ? "; every global moves or is fixed where it is"
                        : "; some globals stay global, so the slot waits "
                          "until they are fixed by hand"));
  Finding Result = Builder.take();
  if (StateFixes.Complete) {
    Result.Fixes = StateFixes.Fixes;
    Result.FixesWithoutGilDeclaration = StateFixes.FixesWithoutGil;
  } else {
    // Without the slot the edits are gilport-global-state's own fix.
    Result.NoFixReason = "globals that race or are shared by all "
                         "interpreters remain (see gilport-global-state)";
  }
  context().report(Loc, std::move(Result));
}

void MissingGilDeclCheck::checkMultiPhase(const ModuleInitInfo &Init,
                                          ASTContext &Ctx) {
  // A definition or slots array we cannot read may well declare it.
  if (!Init.Def || !Init.Def->slotsKnown())
    return;
  const ModuleDefInfo &Def = *Init.Def;
  const std::optional<ModuleSlotsInfo> &Slots = Def.Slots;
  if (Slots && Analyzer.declaresSlot(*Slots, ModuleSlotGil, "Py_mod_gil", Ctx))
    return;

  FindingBuilder Finding =
      diag(Init.Function->getLocation(),
           missingDeclaration(Init.Function) +
               "once the module is thread-safe, add a '{Py_mod_gil, "
               "Py_MOD_GIL_NOT_USED}' slot (Python 3.13)");
  if (Slots) {
    const ModuleSlot *Sentinel = Slots->sentinel();
    SourceLocation Where =
        Sentinel ? Sentinel->Entry->getBeginLoc() : Slots->Array->getLocation();
    Finding.note(Where, "add the slot to '" + Slots->Array->getName().str() +
                            "' before its terminator, under '#ifdef "
                            "Py_mod_gil' while Python 3.12 and older are "
                            "supported");
  } else {
    Finding.note(Def.Def->getLocation(),
                 "'" + Def.Def->getName().str() +
                     "' has no slots array ('m_slots' is NULL); give it one "
                     "ending in '{0, NULL}'");
  }
  bool DeclaresInterpreters =
      Slots && Analyzer.declaresSlot(*Slots, ModuleSlotMultipleInterpreters,
                                     "Py_mod_multiple_interpreters", Ctx);
  SourceLocation InterpretersLoc =
      Slots ? Slots->Array->getLocation() : Def.Def->getLocation();
  if (!DeclaresInterpreters)
    Finding.note(
        InterpretersLoc,
        "the module does not declare 'Py_mod_multiple_interpreters' either, "
        "so it cannot be imported in subinterpreters that have their own GIL "
        "(PEP 684); add '{Py_mod_multiple_interpreters, "
        "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}' (Python 3.12) once its state "
        "is per module");

  SlotDeclarations Add;
  Add.Gil = true;
  if (!DeclaresInterpreters) {
    std::string SharedState = sharedStateReason(Def);
    if (SharedState.empty())
      Add.PerInterpreterGil = true;
    else
      Finding.note(InterpretersLoc,
                   "the fix does not add 'Py_mod_multiple_interpreters': " +
                       SharedState);
  }
  if (!Slots) {
    std::string Name =
        unusedFileScopeName((Init.ModuleName + "_slots").str(), Ctx);
    Finding.fix(addSlotsArray(Add, Def.Def, Def.SlotsExpr, Name, Ctx));
    return;
  }
  const ModuleSlot *Sentinel = Slots->sentinel();
  if (!Sentinel) {
    Finding.noFix("'" + Slots->Array->getName().str() +
                  "' has no '{0, NULL}' terminator to add the slot before");
    return;
  }
  Finding.fix(insertSlotsBeforeSentinel(Add, Sentinel->Entry, Ctx));
}

void MissingGilDeclCheck::checkSinglePhase(const ModuleInitInfo &Init,
                                           ASTContext &Ctx) {
  if (Analyzer.declaresGilBySetGil(Init, Ctx))
    return;
  if (boolOption("ConvertSinglePhase")) {
    convertSinglePhase(Init, Ctx);
    return;
  }
  FindingBuilder Finding =
      diag(Init.Function->getLocation(),
           missingDeclaration(Init.Function) +
               "once the module is thread-safe, call "
               "'PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED)' under "
               "'#ifdef Py_GIL_DISABLED'");
  Finding.note(Init.CreateCall->getBeginLoc(),
               "the module uses single-phase init, so it cannot be imported "
               "in subinterpreters that have their own GIL (PEP 684); "
               "multi-phase init ('PyModuleDef_Init') with module state "
               "supports them");
  Finding.fix(insertSetGilCall(Init.CreateCall, Init.CreateCaller, Ctx));
}

void MissingGilDeclCheck::convertSinglePhase(const ModuleInitInfo &Init,
                                             ASTContext &Ctx) {
  SourceLocation Loc = Init.Function->getLocation();
  std::string Message =
      missingDeclaration(Init.Function) +
      "once the module is thread-safe, convert it to multi-phase init with a "
      "'{Py_mod_gil, Py_MOD_GIL_NOT_USED}' slot (Python 3.13)";
  std::vector<std::pair<SourceLocation, std::string>> Notes;
  Notes.emplace_back(
      Init.CreateCall->getBeginLoc(),
      "the module uses single-phase init; the fix converts it to multi-phase "
      "init (PEP 489): the code after 'PyModule_Create' moves to an exec "
      "function, the init function returns 'PyModuleDef_Init(&def)'");

  SlotDeclarations Add;
  Add.Gil = true;
  std::string SharedState;
  if (!GlobalStateFindings.empty() || !UnreportedShared.empty()) {
    // After the conversion m_size is 0: only the file's globals count.
    ModuleDefInfo Converted;
    Converted.Size = 0;
    SharedState = sharedStateReason(Converted);
  } else if (const VarDecl *Type = findStaticTypeObject(Ctx)) {
    SharedState = "the static type '" + Type->getName().str() +
                  "' is shared by all interpreters";
  }
  if (SharedState.empty()) {
    Add.PerInterpreterGil = true;
  } else {
    Add.MultipleInterpretersNotSupported = true;
    Notes.emplace_back(
        Init.Def ? Init.Def->Def->getLocation() : Loc,
        "the fix declares 'Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED', "
        "since after the conversion subinterpreters could otherwise import "
        "the module and share its global state: " +
            SharedState);
  }

  Rewrite Full = convertToMultiPhase(Init, Add, Ctx);
  SlotDeclarations WithoutGil = Add;
  WithoutGil.Gil = false;
  Rewrite Partial = convertToMultiPhase(Init, WithoutGil, Ctx);

  // Build both fix sets (mapped to files as any finding's fixes are), then
  // report the combined finding.
  auto Build = [&](const Rewrite &Edits) {
    Finding Draft;
    Draft.Check = name().str();
    Draft.Message = Message;
    FindingBuilder Builder(context(), Loc, std::move(Draft));
    for (const auto &[NoteLoc, Text] : Notes)
      Builder.note(NoteLoc, Text);
    Builder.fix(Edits);
    return Builder.take();
  };
  Finding Result = Build(Full);
  Result.FixesWithoutGilDeclaration = Build(Partial).Fixes;
  if (Result.Fixes.empty())
    Result.FixesWithoutGilDeclaration.clear();
  context().report(Loc, std::move(Result));
}

} // namespace gilport
