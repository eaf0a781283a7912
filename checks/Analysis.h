//===--- Analysis.h - Run the enabled checks on one translation unit -*- C++ -*-===//

#ifndef GILPORT_CHECKS_ANALYSIS_H
#define GILPORT_CHECKS_ANALYSIS_H

#include "checks/CheckContext.h"
#include "checks/Finding.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace gilport {

class FileCache;

struct TranslationUnitResult {
  std::vector<Finding> Findings;
  /// Findings a NOLINT comment suppresses, without their fixes: SARIF lists
  /// them as suppressed results; nothing else reports, fixes or counts them.
  std::vector<Finding> Suppressed;
  /// True when the file could not be analysed (it does not compile, or no
  /// compile command could be run).
  bool Failed = false;
  /// The first compiler error, "file:line:col: message", when Failed.
  std::string FirstError;
  /// The compile errors of a unit analysed nonetheless: each is in the
  /// initializer of a static object written for the GIL build's header
  /// (analysis/ObjectLayout.h), which gilport-free-threaded-abi reports.
  size_t RecoveredErrors = 0;
  /// xxh3 hash of each file that fixes edit, as it was parsed, so a file
  /// changed on disk since then is not overwritten.
  llvm::StringMap<uint64_t> ContentHashes;
  /// The unit defines a module init function (`PyInit_*`, `PyModExport_*`);
  /// a unit without one is linked into some module of the project.
  bool DefinesModule = false;
  /// It defines a module that several interpreters may load, or the
  /// configuration targets subinterpreters (gilport-global-state decides).
  bool LoadableByInterpreters = false;
  /// The functions with external linkage it calls only while a module
  /// initialises, and those it calls or hands out otherwise (PhaseCalls).
  std::vector<std::string> CalledAtInit;
  std::vector<std::string> CalledAtRunTime;
  /// The object file its compile command writes ("output" in the compile
  /// database; empty when unknown).
  std::string ObjectFile;
};

/// Analyses \p File with the command \p Database gives for it, running the
/// checks named in \p EnabledChecks. Findings of a file that fails to compile
/// are discarded: an incomplete AST would make them unreliable; but errors in
/// static object initializers only spoil those (RecoveredErrors). With
/// \p Cache, files are read through it: one run's units share their headers.
TranslationUnitResult
analyzeTranslationUnit(const clang::tooling::CompilationDatabase &Database,
                       llvm::StringRef File, const AnalysisOptions &Options,
                       llvm::ArrayRef<std::string> EnabledChecks,
                       FileCache *Cache = nullptr);

} // namespace gilport

#endif
