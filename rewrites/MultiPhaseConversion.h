//===--- MultiPhaseConversion.h - Single-phase to multi-phase init -*- C++ -*-//
//
// Converts a single-phase module init function (PEP 489 calls it "legacy")
// into multi-phase init:
//
//   PyMODINIT_FUNC PyInit_x(void) {      static int x_exec(PyObject *m) {
//     PyObject *m;                          ...
//     ...                                    if (f() < 0) {
//     m = PyModule_Create(&def);               return -1;
//     if (m == NULL) return NULL;            }
//     if (f() < 0) {                  =>     return 0;
//       Py_DECREF(m);                      }
//       return NULL;
//     }                                    PyMODINIT_FUNC PyInit_x(void) {
//     return m;                              return PyModuleDef_Init(&def);
//   }                                      }
//
// The init function may instead return the module a static helper creates
// (`return moduleinit();`, the Python 2/3 shape): the helper becomes the exec
// function. The creation may be returned directly (`return
// PyModule_Create(&def);`) and need not be tested for NULL.
//
// The `PyModuleDef` gets `m_slots = x_slots`, a new array holding
// `{Py_mod_exec, x_exec}` and the requested declarations, and `m_size = -1`
// becomes 0. Only init functions of a shape understood completely are
// converted; otherwise the result carries the reason.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_MULTIPHASECONVERSION_H
#define GILPORT_REWRITES_MULTIPHASECONVERSION_H

#include "analysis/ModuleInit.h"
#include "rewrites/GilDeclarationFix.h"

#include <string>

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// What the module-state conversion needs from the multi-phase conversion.
struct MultiPhaseOptions {
  /// The new `m_size` (`sizeof(x_state)` when the module gets state).
  std::string Size = "0";
  /// Receives the name of the module variable, which becomes the exec
  /// function's parameter.
  std::string *ModuleVariable = nullptr;
  /// Receives the exec function's name.
  std::string *ExecFunction = nullptr;
  /// Receives the function that becomes the exec function: the init
  /// function, or the helper it returns the module of.
  const clang::FunctionDecl **ExecSource = nullptr;
};

/// The edits converting \p Init (a single-phase init function) to
/// multi-phase init. \p Declarations says which slots to add besides
/// `Py_mod_exec` (its ExecFunction and Prelude are filled in here).
Rewrite convertToMultiPhase(const ModuleInitInfo &Init,
                            SlotDeclarations Declarations,
                            clang::ASTContext &Ctx,
                            const MultiPhaseOptions &Options = {});

/// The first file-scope static `PyTypeObject` of the translation unit (a
/// static type is shared by every interpreter), or null.
const clang::VarDecl *findStaticTypeObject(clang::ASTContext &Ctx);

} // namespace gilport

#endif
