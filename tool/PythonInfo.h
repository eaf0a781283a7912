//===--- PythonInfo.h - Ask an interpreter where its headers are -*- C++ -*-===//

#ifndef GILPORT_TOOL_PYTHONINFO_H
#define GILPORT_TOOL_PYTHONINFO_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace gilport {

struct PythonInfo {
  std::string Interpreter;
  std::string Executable;
  std::string Version;
  std::string IncludeDir;
  bool FreeThreaded = false;
};

/// The cache root: $GILPORT_CACHE_DIR, or $XDG_CACHE_HOME/gilport, or
/// ~/.cache/gilport.
std::string cacheDir();

/// The reference free-threaded runtime if set-up built it.
std::optional<std::string> freeThreadedPython();

/// The interpreter used when none is configured.
std::string defaultPython();

/// Runs \p Interpreter to learn its version and include directory; the
/// answer is kept in the cache (python-info/), keyed by the interpreter
/// file's identity, size and modification time.
std::optional<PythonInfo> queryPython(llvm::StringRef Interpreter,
                                      std::string &Error);

} // namespace gilport

#endif
