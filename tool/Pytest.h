//===--- Pytest.h - `gilport pytest` ----------------------------*- C++ -*-===//

#ifndef GILPORT_TOOL_PYTEST_H
#define GILPORT_TOOL_PYTEST_H

#include "llvm/ADT/ArrayRef.h"

namespace gilport {

/// Runs `gilport pytest` with the arguments after the command name.
/// Returns 0 clean, 1 problems found, 2 harness or usage error.
int runPytest(llvm::ArrayRef<const char *> Args);

} // namespace gilport

#endif
