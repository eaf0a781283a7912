//===--- WholeFile.h - Write a file whole or not at all ---------*- C++ -*-===//

#ifndef GILPORT_TOOL_WHOLEFILE_H
#define GILPORT_TOOL_WHOLEFILE_H

#include "llvm/ADT/StringRef.h"

#include <system_error>

namespace gilport {

/// Writes \p Content to \p Target whole or not at all: into a temporary file
/// beside it (removed on failure, and on SIGINT or SIGTERM meanwhile), then
/// renamed over it. Returns why it failed, or success.
std::error_code writeWholeFile(llvm::StringRef Target, llvm::StringRef Content);

} // namespace gilport

#endif
