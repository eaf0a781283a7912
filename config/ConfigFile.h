//===--- ConfigFile.h - .gilport.yaml reader --------------------*- C++ -*-===//
//
// Reads a .gilport.yaml file into plain values that remember their line, so
// later validation can point at the offending key. Nothing here throws.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CONFIG_CONFIGFILE_H
#define GILPORT_CONFIG_CONFIGFILE_H

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gilport {

/// A scalar from the file together with where it was written.
struct ConfigValue {
  std::string Value;
  unsigned Line = 0;
};

struct FileConfig {
  std::string Path;
  /// `Checks`, as a comma-separated glob list (a YAML list is joined).
  std::optional<ConfigValue> Checks;
  /// `CheckOptions`, keyed by `check-name.OptionName`.
  std::map<std::string, ConfigValue> CheckOptions;
  /// `WarningsAsErrors`: `true`, `false` or a glob list of checks.
  std::optional<ConfigValue> WarningsAsErrors;
  std::vector<ConfigValue> ExcludePaths;
  std::optional<ConfigValue> Python;
  std::vector<ConfigValue> ExtraArgs;
  /// `MinimumPython`, e.g. `3.9`.
  std::optional<ConfigValue> MinimumPython;
  /// `Targets`: `free-threading`, `subinterpreters`.
  std::optional<std::vector<ConfigValue>> Targets;
  /// `CheckGenerated`: analyse generated files (Cython, SWIG, mypyc) too.
  std::optional<ConfigValue> CheckGenerated;
  /// `TargetPython`: the Python whose headers to analyse against (3.13,
  /// 3.14 or 3.15), free-threaded.
  std::optional<ConfigValue> TargetPython;
  /// `ThreadUnsafeTests`: globs of pytest node ids that `gilport pytest`
  /// runs once, not in several threads at once.
  std::vector<ConfigValue> ThreadUnsafeTests;
};

/// Parses \p Text (read from \p Path, used in messages). On failure returns
/// false and sets \p Error to "path:line:col: message".
bool parseConfig(const std::string &Text, const std::string &Path,
                 FileConfig &Out, std::string &Error);

/// The largest configuration file read.
constexpr size_t MaxConfigFileSize = 1 << 20;

/// Reads and parses the file at \p Path, which must be a regular file (or a
/// link to one) of at most MaxConfigFileSize bytes: a FIFO, a device or a
/// directory is an error, never a hang.
bool readConfigFile(const std::string &Path, FileConfig &Out,
                    std::string &Error);

} // namespace gilport

#endif
