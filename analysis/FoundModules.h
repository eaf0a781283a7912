//===--- FoundModules.h - What PyState_FindModule borrows -*- C++ -*-===//
//
// `PyState_FindModule(&def)` borrows the module from the interpreter's list
// of single-phase modules. The entry only changes when the extension removes
// it (`PyState_RemoveModule`), adds another one (`PyState_AddModule` outside
// its init function), or when a re-import runs the init function again and
// it creates a new module: `del sys.modules[name]; import name` replaces the
// entry and drops the old module, which another thread may still use.
//
// An init function that first returns the module the interpreter already has
// (`m = PyState_FindModule(&def); if (m) return Py_NewRef(m);`) makes a
// re-import hand back the same module, so its entry is never replaced and the
// borrowed module lives as long as the interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_FOUNDMODULES_H
#define GILPORT_ANALYSIS_FOUNDMODULES_H

#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

class FoundModules {
public:
  /// Reads the init functions of the translation unit and its calls that
  /// change the interpreter's module list.
  static FoundModules analyze(clang::ASTContext &Ctx);

  /// Whether the module `PyState_FindModule(&Def)` finds stays in the
  /// interpreter's list for the interpreter's life.
  bool keptForInterpreterLife(const clang::VarDecl *Def) const;

private:
  /// The definitions whose init function returns the module already found.
  llvm::SmallPtrSet<const clang::VarDecl *, 2> Reused;
  /// A call of PyState_RemoveModule, or PyState_AddModule outside an init
  /// function.
  bool ChangesModuleList = false;
};

} // namespace gilport

#endif
