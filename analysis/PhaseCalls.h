//===--- PhaseCalls.h - Which functions a unit calls, and when --*- C++ -*-===//
//
// A source without a module init function cannot tell whether the function
// that writes its global runs while the module initialises or while it is in
// use: another source calls it. Across a run it can be told. Each unit lists
// the functions with external linkage it names: those it only calls from its
// init, exec, clear and free functions (InitOnlyFields::isLifecycle), and
// those it calls, or hands out, anywhere else.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_PHASECALLS_H
#define GILPORT_ANALYSIS_PHASECALLS_H

#include <set>
#include <string>

namespace clang {
class ASTContext;
} // namespace clang

namespace gilport {

class CallSiteIndex;
class InitOnlyFields;

struct PhaseCalls {
  /// Called directly, and only, from functions that run while a module
  /// initialises or is torn down.
  std::set<std::string> AtInit;
  /// Named anywhere else: called while the module is in use, or handed out
  /// (a method table, a callback).
  std::set<std::string> AtRunTime;
};

/// The functions with external linkage that the unit's own declarations
/// (the AST's traversal scope) name, by phase.
PhaseCalls callsByPhase(clang::ASTContext &Ctx, InitOnlyFields &Lifecycle,
                        CallSiteIndex &Calls);

} // namespace gilport

#endif
