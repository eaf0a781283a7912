//===--- Stress.h - `gilport stress` ----------------------------*- C++ -*-===//

#ifndef GILPORT_TOOL_STRESS_H
#define GILPORT_TOOL_STRESS_H

#include "llvm/ADT/ArrayRef.h"

namespace gilport {

/// Runs `gilport stress` with the arguments after the command name.
/// Returns 0 clean, 1 problems found, 2 harness or usage error.
int runStress(llvm::ArrayRef<const char *> Args);

} // namespace gilport

#endif
