//===--- Sources.h - The sources a run analyses -----------------*- C++ -*-===//
//
// Expands the paths of the command line into the C and C++ sources to
// analyse: walks directories, leaves out what cannot be read as a source (a
// FIFO, a device) without ever opening it, reports directories it cannot
// read, and skips generated code (Cython, SWIG, mypyc) unless asked.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_SOURCES_H
#define GILPORT_TOOL_SOURCES_H

#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <optional>
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
  /// Notes for stderr (an empty directory, a header given as a path, a
  /// generated file, ...).
  std::vector<std::string> Remarks;
  /// For files found by walking a directory (and not named themselves):
  /// the directory that was walked.
  std::map<std::string, std::string> WalkedFrom;
};

struct SourceOptions {
  /// Analyse generated files too (--check-generated, CheckGenerated).
  bool CheckGenerated = false;
  /// Leaves a file out (ExcludePaths); given the absolute path.
  std::function<bool(llvm::StringRef)> IsExcluded;
};

/// Expands \p Paths into C and C++ sources; directories are walked
/// recursively, skipping hidden directories.
SourceList collectSources(const std::vector<std::string> &Paths,
                          const SourceOptions &Options);

/// Empty when \p Path is a regular file (after symbolic links) or does not
/// exist; else what it is instead ("a FIFO"), for messages. Reading a FIFO
/// would wait for a writer forever.
std::string irregularFileKind(llvm::StringRef Path);

/// What made a generated file, from its first lines.
struct GeneratedBy {
  /// "Cython", "SWIG" or "mypyc".
  std::string Generator;
  /// The file it was generated from, when the header names it.
  std::string Source;
};

/// Whether \p Head (the start of a file) says the file is generated.
std::optional<GeneratedBy> detectGenerated(llvm::StringRef Head);

} // namespace gilport

#endif
