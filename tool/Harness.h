//===--- Harness.h - Starting a Python harness of gilport's -----*- C++ -*-===//
//
// `gilport stress` and `gilport pytest` are thin launchers: their work is
// done by Python scripts (runtime-shim/harness) in the interpreter under
// test. This is what both need to start one: the interpreter, the runtime
// shim, and the run itself.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_HARNESS_H
#define GILPORT_TOOL_HARNESS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace gilport {

/// The value of the environment variable \p Name, or \p Default when it is
/// unset or empty.
std::string envOr(const char *Name, llvm::StringRef Default);

/// \p Name itself when it is the path of a program, else its place on PATH;
/// reports an interpreter that is not found.
std::optional<std::string> resolveInterpreter(const std::string &Name);

/// Appends `--shim LIB` (from $GILPORT_SHIM or the installed or built
/// shim) to \p Argv, or warns that the shim is missing.
void appendShim(std::vector<std::string> &Argv);

/// Runs \p Argv (whose first element is \p Program) and returns its exit
/// status, 2 when it could not be run or ended by a signal. \p What names
/// the harness in messages.
int runHarness(const std::string &Program, const std::vector<std::string> &Argv,
               llvm::StringRef What);

} // namespace gilport

#endif
