//===--- MissingGilDeclCheck.h - gilport-missing-gil-decl -------*- C++ -*-===//

#ifndef GILPORT_CHECKS_MISSINGGILDECLCHECK_H
#define GILPORT_CHECKS_MISSINGGILDECLCHECK_H

#include "checks/CheckRegistry.h"
#include "checks/GilportCheck.h"
#include "checks/utils/ModuleInit.h"

namespace gilport {

/// Finds module init functions that do not declare whether the module needs
/// the GIL.
///
/// Multi-phase init needs a `Py_mod_gil` slot, single-phase init a
/// `PyUnstable_Module_SetGIL` call. Declarations in preprocessor branches that
/// are inactive for the headers used (`#ifdef Py_mod_gil` with 3.11 headers)
/// count.
class MissingGilDeclCheck : public GilportCheck {
public:
  explicit MissingGilDeclCheck(CheckContext &Context)
      : GilportCheck("gilport-missing-gil-decl", Context) {}
  static llvm::ArrayRef<CheckOptionInfo> options() { return {}; }

  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  void checkMultiPhase(const ModuleInitInfo &Init, clang::ASTContext &Ctx);
  void checkSinglePhase(const ModuleInitInfo &Init, clang::ASTContext &Ctx);

  ModuleInitAnalyzer Analyzer;
};

} // namespace gilport

#endif
