//===--- ModuleStateConversion.h - Globals to module state ------*- C++ -*-===//
//
// Moves process-global variables of an extension module into its module
// state (PEP 489/PEP 573):
//
//   static PyObject *cache;             typedef struct {
//   static long calls;                      PyObject *cache;
//                                            long calls;
//   static PyObject *                   } x_state;
//   f(PyObject *self, PyObject *a) {    static inline x_state *
//     calls++;                  =>      get_x_state(PyObject *module) {...}
//     return cache;                     /* x_state_traverse/_clear/_free */
//   }                                   static PyObject *
//                                       f(PyObject *self, PyObject *a) {
//                                         get_x_state(self)->calls++;
//                                         return get_x_state(self)->cache;
//                                       }
//
// and sets `m_size = sizeof(x_state)`, `m_traverse`, `m_clear` and `m_free`
// (the last three when an object pointer moves). A variable moves only when
// every function that reads or writes it can reach the module: the
// functions of the module's method table (their first parameter is the
// module) and the exec function. A variable reached from anywhere else
// (a helper without the module, a type's slot, a callback) stays where it
// is, and the plan names the place; slots and methods of converted static
// types reach the module through the type (PyType_GetModuleByDef, a
// METH_METHOD method through its defining class), and tp_dealloc updates a
// counter through get_x_state_of_type(), only while the module is there.
// Integer counters that stay, or are declared process-wide, can become C11
// atomics instead (StateCandidate::AtomicFallback, ProcessWide). A
// single-phase module is converted to
// multi-phase init on the way (rewrites/MultiPhaseConversion.h), since only
// multi-phase modules have per-module state.
//
// When every variable moves, the slots array declares
// `Py_MOD_PER_INTERPRETER_GIL_SUPPORTED` and `Py_mod_gil`; otherwise a
// converted single-phase module declares
// `Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED`.
//
// The planner behind planModuleState() is in rewrites/modulestate/; its
// header, Planner.h, says which file does what.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_MODULESTATECONVERSION_H
#define GILPORT_REWRITES_MODULESTATECONVERSION_H

#include "analysis/ModuleInit.h"
#include "rewrites/GilDeclarationFix.h"
#include "rewrites/modulestate/ModuleStatePlan.h"

#include "clang/Basic/SourceLocation.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// Plans moving \p Candidates into the state of the module initialised by
/// \p Init.
ModuleStatePlan planModuleState(const ModuleInitInfo &Init,
                                const std::vector<StateCandidate> &Candidates,
                                DeclaredSlots Declared, clang::ASTContext &Ctx);

/// For a file without a module whose state could hold \p Candidates (\p Why
/// says why not): only the counters that become C11 atomics where they are
/// (StateCandidate::AtomicFallback, ProcessWide). Every outcome's Reason
/// starts with \p Why; Moved and Atomic are set for the atomics.
ModuleStatePlan
planAtomicCounters(const std::vector<StateCandidate> &Candidates,
                   const std::string &Why, clang::ASTContext &Ctx);

} // namespace gilport

#endif
