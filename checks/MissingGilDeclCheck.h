//===--- MissingGilDeclCheck.h - gilport-missing-gil-decl -------*- C++ -*-===//

#ifndef GILPORT_CHECKS_MISSINGGILDECLCHECK_H
#define GILPORT_CHECKS_MISSINGGILDECLCHECK_H

#include "analysis/ModuleInit.h"
#include "checks/GilportCheck.h"
#include "checks/GlobalStateScan.h"

namespace gilport {

/// Finds module init functions that do not declare whether the module needs
/// the GIL.
///
/// Multi-phase init needs a `Py_mod_gil` slot, single-phase init a
/// `PyUnstable_Module_SetGIL` call. Declarations in preprocessor branches that
/// are inactive for the headers used (`#ifdef Py_mod_gil` with 3.11 headers)
/// count.
///
/// The fix adds the declaration: the guarded slot (and, when the module
/// keeps no state shared by interpreters, `Py_mod_multiple_interpreters`
/// with `Py_MOD_PER_INTERPRETER_GIL_SUPPORTED`), or the guarded
/// `PyUnstable_Module_SetGIL` call after the module is created. With the
/// option ConvertSinglePhase, single-phase modules are instead converted to
/// multi-phase init (rewrites/MultiPhaseConversion.h) with the slots; the
/// finding then also carries the conversion without `Py_mod_gil`
/// (Finding::FixesWithoutGilDeclaration) for the declaration safety rule.
class MissingGilDeclCheck : public GilportCheck {
public:
  explicit MissingGilDeclCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  /// A PEP 793 `PyModExport_*` hook and its `PySlot` array (3.15).
  void checkExport(const ModuleExportInfo &Export, clang::ASTContext &Ctx);
  void checkMultiPhase(const ModuleInitInfo &Init, clang::ASTContext &Ctx);
  void checkSinglePhase(const ModuleInitInfo &Init, clang::ASTContext &Ctx);
  void convertSinglePhase(const ModuleInitInfo &Init, clang::ASTContext &Ctx);
  /// gilport-global-state.ConvertToModuleState moves globals into the state
  /// of this module: the fix is that conversion, with the slot.
  void reportWithModuleState(
      const ModuleInitInfo &Init,
      const GlobalStateScan::ModuleStateFixes &StateFixes,
      clang::ASTContext &Ctx);
  /// Why the module may not claim a per-interpreter GIL; empty if it may.
  std::string sharedStateReason(const ModuleDefInfo &Def) const;

  ModuleInitAnalyzer Analyzer;
  /// gilport-global-state's analysis, shared with that check: a module with
  /// global state must not claim support for subinterpreters with their own
  /// GIL, whichever checks are enabled.
  GlobalStateScan &Scan;
  /// The scan's findings that gilport-global-state reports (or would).
  std::vector<Finding> GlobalStateFindings;
  /// Globals shared by interpreters that gilport-global-state does not
  /// report for this module's targets; they still rule out declaring
  /// per-interpreter support.
  std::vector<const clang::VarDecl *> UnreportedShared;
};

} // namespace gilport

#endif
