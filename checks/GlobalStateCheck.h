//===--- GlobalStateCheck.h - gilport-global-state --------------*- C++ -*-===//

#ifndef GILPORT_CHECKS_GLOBALSTATECHECK_H
#define GILPORT_CHECKS_GLOBALSTATECHECK_H

#include "checks/GilportCheck.h"

namespace gilport {

class GlobalStateScan;

/// Finds file-scope and function-static state shared by every interpreter
/// and raced on by every thread.
///
/// Python object pointers, static objects and static types are reported
/// wherever they are defined; other mutable C data only when a function
/// writes it (assigns, increments, or passes its address as a pointer to
/// non-const data). The analysis is GlobalStateScan's, shared with
/// gilport-missing-gil-decl.
///
/// With the option ConvertToModuleState, the fix moves the variables into
/// the module state (rewrites/ModuleStateConversion.h); AtomicCounters and
/// ProcessWideCounters make integer counters C11 atomics.
class GlobalStateCheck : public GilportCheck {
public:
  explicit GlobalStateCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  GlobalStateScan &Scan;
};

} // namespace gilport

#endif
