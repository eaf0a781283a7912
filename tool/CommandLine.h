//===--- CommandLine.h - gilport's command line -----------------*- C++ -*-===//

#ifndef GILPORT_TOOL_COMMANDLINE_H
#define GILPORT_TOOL_COMMANDLINE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gilport {

enum class OutputFormat { Text, Json, Sarif };
enum class ColorMode { Auto, Always, Never };

struct CommandLine {
  /// check, fix, list-checks, explain, doctor, version, help.
  std::string Command;
  std::vector<std::string> Paths;
  std::string BuildDir;
  std::string Checks;
  std::string ConfigFile;
  OutputFormat Format = OutputFormat::Text;
  std::string OutputFile;
  unsigned Jobs = 0;
  std::string Python;
  /// `--target-python=3.13|3.14|3.15`.
  std::string TargetPython;
  bool WarningsAsErrors = false;
  bool Quiet = false;
  bool Verbose = false;
  bool DumpConfig = false;
  /// Apply fixes (`gilport fix`, or `check --fix`).
  bool Fix = false;
  /// Print the fixes as a unified diff instead of writing them.
  bool Diff = false;
  /// Add GIL declarations even while other findings remain.
  bool DeclareAnyway = false;
  /// Where `gilport_compat.h` goes (default: next to each fixed file).
  std::string CompatHeader;
  /// Write clang-apply-replacements YAML here.
  std::string ExportFixes;
  ColorMode Color = ColorMode::Auto;
  std::vector<std::string> ExtraArgs;
  /// `--targets=free-threading,subinterpreters`.
  std::string Targets;
  std::vector<std::string> ExtraArgsBefore;
  /// Analyse generated files (Cython, SWIG, mypyc) instead of skipping them.
  bool CheckGenerated = false;
  /// `--file-timeout=SECONDS`: the longest one file may take (0: no limit);
  /// unset: GILPORT_FILE_TIMEOUT, else 300.
  std::optional<unsigned> FileTimeout;
  /// `--baseline=FILE`: report only the findings FILE does not hold.
  std::string Baseline;
  /// `--write-baseline=FILE`: record the current findings in FILE.
  std::string WriteBaseline;
  /// `--changed-lines=DIFF`: report only findings on the lines a unified
  /// diff (a file, or "-" for standard input) adds or changes.
  std::string ChangedLines;
  /// `--check-option=check.Option=value`.
  std::vector<std::pair<std::string, std::string>> CheckOptions;
};

/// Parses argv (without the program name). On error returns std::nullopt
/// and sets \p Error.
std::optional<CommandLine> parseCommandLine(llvm::ArrayRef<const char *> Args,
                                            std::string &Error);

/// The text `gilport --help` prints.
const char *usageText();

} // namespace gilport

#endif
