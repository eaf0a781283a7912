//===--- InterpreterSharing.h - State shared with interpreters -*- C++ -*-===//
//
// gilport-global-state reports state that every interpreter shares only
// where the module can be loaded by several: a multi-phase module that does
// not declare Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED, or a run that
// targets subinterpreters. A source that defines no module init function
// does not know its module, so it reports such state whatever the module
// declares (Finding::SharedIfModuleAllows). Across a run the modules are
// known, and so are the phases in which other sources call the functions
// that write the state (analysis/PhaseCalls.h): those findings are dropped
// when none of the modules the source may be compiled into can be loaded by
// several interpreters, or when no source calls those functions at all.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_INTERPRETERSHARING_H
#define GILPORT_APPLY_INTERPRETERSHARING_H

#include "apply/DeclarationSafety.h"

#include "llvm/ADT/ArrayRef.h"

namespace gilport {

/// Drops the findings of \p Units marked SharedIfModuleAllows whose unit's
/// modules are all known to be loaded by one interpreter only: the modules
/// of its build target when that names one (as in
/// applyDeclarationSafetyAcrossUnits), else every module of the run. A
/// finding whose state is written by functions other sources call
/// (Finding::WrittenOnlyBy) is dropped only when the run's units call none
/// of them while the module is in use (RunUnit::CalledAtInit); whatever the
/// modules, when the run's units never call or hand out any of them. Nothing
/// is dropped when no module is known, or when \p SomeUnitFailed (a unit
/// that could not be analysed may be a module that several interpreters
/// load).
void dropUnsharedStateAcrossUnits(llvm::ArrayRef<RunUnit> Units,
                                  bool SomeUnitFailed);

} // namespace gilport

#endif
