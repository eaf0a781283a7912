//===--- MissingGilDeclCheck.cpp - gilport-missing-gil-decl ---------------===//

#include "checks/MissingGilDeclCheck.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

namespace gilport {

using namespace clang;

namespace {

std::string missingDeclaration(const FunctionDecl *Init) {
  return "module init function '" + Init->getName().str() +
         "' does not declare whether the module can run without the GIL, so "
         "importing it enables the GIL on free-threaded Python; ";
}

} // namespace

void MissingGilDeclCheck::registerPPCallbacks(const SourceManager &SM,
                                              Preprocessor *PP) {
  Analyzer.registerPPCallbacks(SM, PP);
}

void MissingGilDeclCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  for (const ModuleInitInfo &Init : Analyzer.findModuleInits(Ctx)) {
    if (!context().isReportedLocation(Init.Function->getLocation()))
      continue;
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
  if (!DeclaresInterpreters)
    Finding.note(
        Slots ? Slots->Array->getLocation() : Def.Def->getLocation(),
        "the module does not declare 'Py_mod_multiple_interpreters' either, "
        "so it cannot be imported in subinterpreters that have their own GIL "
        "(PEP 684); add '{Py_mod_multiple_interpreters, "
        "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}' (Python 3.12) once its state "
        "is per module");
}

void MissingGilDeclCheck::checkSinglePhase(const ModuleInitInfo &Init,
                                           ASTContext &Ctx) {
  if (Analyzer.declaresGilBySetGil(Init, Ctx))
    return;
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
}

} // namespace gilport
