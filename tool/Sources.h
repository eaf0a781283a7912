//===--- Sources.h - The sources a run analyses -----------------*- C++ -*-===//
//
// Expands the paths of the command line into the C and C++ sources to
// analyse: walks directories, leaves out what cannot be read as a source (a
// FIFO, a device) without ever opening it, reports directories it cannot
// read.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_SOURCES_H
#define GILPORT_TOOL_SOURCES_H

#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gilport {

struct InputError {
  std::string File;
  std::string Message;
};

struct SourceList {
  /// Absolute paths, sorted, without duplicates.
  std::vector<std::string> Files;
  std::vector<InputError> Errors;
  /// Notes for stderr (an empty directory, a header given as a path, a FIFO
  /// skipped, ...).
  std::vector<std::string> Remarks;
  /// For files found by walking a directory (and not named themselves):
  /// the directory that was walked.
  std::map<std::string, std::string> WalkedFrom;
};

struct SourceOptions {
  /// Leaves a file out (ExcludePaths); given the absolute path.
  std::function<bool(llvm::StringRef)> IsExcluded;
};

/// Expands \p Paths into C and C++ sources; directories are walked
/// recursively, skipping hidden directories.
SourceList collectSources(const std::vector<std::string> &Paths,
                          const SourceOptions &Options);

} // namespace gilport

#endif
