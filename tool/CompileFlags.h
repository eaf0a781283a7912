//===--- CompileFlags.h - Where each file's compile flags come from -*- C++
//-*-===//
//
// Flags come from a compile_commands.json (-p, else the nearest parent
// directory, or its build/, builddir/ or newest build/*/, that has one: the
// places CMake, meson, meson-python and scikit-build-core write it). A file
// with no entry gets inferred
// flags: the Python include directory, the file's own directory and include/
// at the project root.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_COMPILEFLAGS_H
#define GILPORT_TOOL_COMPILEFLAGS_H

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gilport {

struct FlagSettings {
  /// Explicit -p directory; empty to search parents.
  std::string BuildDir;
  /// Include directory of the configured Python.
  std::string PythonIncludeDir;
  /// Instead of it: the arguments of a header set (--target-python).
  std::vector<std::string> PythonArgs;
  std::vector<std::string> ExtraArgs;
  std::vector<std::string> ExtraArgsBefore;
  std::string ResourceDir;
};

class GilportCompilationDatabase : public clang::tooling::CompilationDatabase {
public:
  explicit GilportCompilationDatabase(FlagSettings Settings);

  /// Loads the -p database if one was given. Returns false with \p Error
  /// when it cannot be read.
  bool loadExplicitDatabase(std::string &Error);

  std::vector<clang::tooling::CompileCommand>
  getCompileCommands(llvm::StringRef FilePath) const override;

  /// Where the flags for \p FilePath come from, for --verbose.
  std::string describeSource(llvm::StringRef FilePath) const;

  /// The flags of \p FilePath's database command that clang does not know
  /// and that are left out of the analysis, for --verbose.
  std::vector<std::string> droppedFlags(llvm::StringRef FilePath) const;
  /// Whether the compilation database has a command for \p FilePath.
  bool hasDatabaseEntry(llvm::StringRef FilePath) const;

  /// Whether the database that applies to files under \p Dir compiles any
  /// of them: then it describes the build of that tree, and a file there
  /// without an entry is not part of the build.
  bool databaseCoversDirectory(llvm::StringRef Dir) const;

  /// Problems met while looking for databases (one that cannot be read),
  /// each once; the caller reports them.
  std::vector<std::string> takeWarnings() {
    std::lock_guard<std::mutex> Lock(CacheMutex);
    return std::move(Warnings);
  }
  /// Sets the Python include directory used for inferred flags.
  void setPythonIncludeDir(std::string Dir) {
    Settings.PythonIncludeDir = std::move(Dir);
  }
  /// Sets the arguments that give inferred flags a header set's view
  /// (HeaderSets.h) instead of an interpreter's include directory.
  void setPythonArgs(std::vector<std::string> Args) {
    Settings.PythonArgs = std::move(Args);
  }

private:
  const clang::tooling::CompilationDatabase *
  databaseFor(llvm::StringRef FilePath, std::string *Location) const;
  /// The database in \p Dir, \p Dir/build, \p Dir/builddir or the newest
  /// \p Dir/build/*/, and where it is; none if none has a readable one.
  std::optional<std::pair<std::shared_ptr<clang::tooling::CompilationDatabase>,
                          std::string>>
  loadDatabaseIn(llvm::StringRef Dir) const;
  clang::tooling::CompileCommand inferredCommand(llvm::StringRef FilePath) const;
  /// Makes \p Command fit for analysis; flags left out go to \p Dropped.
  void adjust(clang::tooling::CompileCommand &Command,
              std::vector<std::string> *Dropped) const;

  FlagSettings Settings;
  std::unique_ptr<clang::tooling::CompilationDatabase> Explicit;
  std::string ExplicitLocation;
  mutable std::mutex CacheMutex;
  /// Directory -> database found for it (null: none), and where it was.
  mutable llvm::StringMap<
      std::pair<std::shared_ptr<clang::tooling::CompilationDatabase>, std::string>>
      ByDirectory;
  mutable std::vector<std::string> Warnings;
};

/// The project root of \p File: the nearest parent with .git, pyproject.toml,
/// setup.py, setup.cfg or .gilport.yaml; else the file's directory.
std::string projectRootOf(llvm::StringRef File);

/// The nearest parent of \p File with one of the markers above, if any.
std::optional<std::string> markedProjectRootOf(llvm::StringRef File);

} // namespace gilport

#endif
