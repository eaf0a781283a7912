//===--- DeclarationSafety.h - When a module may promise no GIL -*- C++ -*-===//
//
// Declaring Py_MOD_GIL_NOT_USED is a promise. Its fix is kept only when no
// borrowed-reference, unlocked-container or global-state finding of the same
// translation unit is left without a fix. A finding that offers the same
// edits without the declaration (Finding::FixesWithoutGilDeclaration: the
// single-phase to multi-phase conversion) keeps those instead, with a note.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_DECLARATIONSAFETY_H
#define GILPORT_REWRITES_DECLARATIONSAFETY_H

#include "checks/Finding.h"

#include <vector>

namespace gilport {

/// Applies the rule to the findings of one translation unit.
void applyDeclarationSafetyRule(std::vector<Finding> &UnitFindings);

} // namespace gilport

#endif
