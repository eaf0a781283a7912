//===--- BuildDb.h - `gilport build-db` -------------------------*- C++ -*-===//
//
// setuptools writes no compile database, so gilport would infer every
// file's flags. `gilport build-db [-o DIR] -- COMMAND...` runs the user's
// build under bear (Debian's `bear`), which records every compiler call,
// and writes DIR/compile_commands.json (DIR: the current directory), where
// `gilport check` finds it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_BUILDDB_H
#define GILPORT_TOOL_BUILDDB_H

#include "llvm/ADT/ArrayRef.h"

namespace gilport {

/// Runs `gilport build-db` with the arguments after the command name; the
/// exit status (0: written, 2: usage error, bear missing, the build failed
/// or compiled nothing).
int runBuildDb(llvm::ArrayRef<const char *> Args);

} // namespace gilport

#endif
