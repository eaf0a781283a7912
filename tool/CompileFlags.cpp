//===--- CompileFlags.cpp -------------------------------------------------===//

#include "tool/CompileFlags.h"

#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace gilport {

using clang::tooling::CompilationDatabase;
using clang::tooling::CompileCommand;

std::string projectRootOf(llvm::StringRef File) {
  llvm::StringRef Dir = llvm::sys::path::parent_path(File);
  for (llvm::StringRef Current = Dir; !Current.empty();
       Current = llvm::sys::path::parent_path(Current)) {
    for (const char *Marker : {".git", "pyproject.toml", "setup.py",
                               "setup.cfg", ".gilport.yaml"}) {
      llvm::SmallString<256> Candidate(Current);
      llvm::sys::path::append(Candidate, Marker);
      if (llvm::sys::fs::exists(Candidate))
        return Current.str();
    }
  }
  return Dir.str();
}

GilportCompilationDatabase::GilportCompilationDatabase(FlagSettings Settings)
    : Settings(std::move(Settings)) {}

bool GilportCompilationDatabase::loadExplicitDatabase(std::string &Error) {
  if (Settings.BuildDir.empty())
    return true;
  llvm::SmallString<256> Location(Settings.BuildDir);
  llvm::sys::path::append(Location, "compile_commands.json");
  std::string LoadError;
  // loadFromFile, not loadFromDirectory: the latter guesses commands for
  // files the build does not compile, where gilport infers its own flags.
  Explicit = clang::tooling::JSONCompilationDatabase::loadFromFile(
      Location, LoadError, clang::tooling::JSONCommandLineSyntax::AutoDetect);
  if (!Explicit) {
    Error = "cannot read a compilation database from '" + Settings.BuildDir +
            "': " + LoadError;
    return false;
  }
  ExplicitLocation = std::string(Location);
  return true;
}

const CompilationDatabase *
GilportCompilationDatabase::databaseFor(llvm::StringRef FilePath,
                                        std::string *Location) const {
  if (Explicit) {
    if (Location)
      *Location = ExplicitLocation;
    return Explicit.get();
  }
  std::lock_guard<std::mutex> Lock(CacheMutex);
  llvm::SmallVector<std::string, 8> Visited;
  const CompilationDatabase *Found = nullptr;
  std::string FoundAt;
  for (llvm::StringRef Dir = llvm::sys::path::parent_path(FilePath);
       !Dir.empty(); Dir = llvm::sys::path::parent_path(Dir)) {
    auto Cached = ByDirectory.find(Dir);
    if (Cached != ByDirectory.end()) {
      Found = Cached->second.first.get();
      FoundAt = Cached->second.second;
      break;
    }
    Visited.push_back(Dir.str());
    for (const char *Sub : {"", "build"}) {
      llvm::SmallString<256> Candidate(Dir);
      llvm::sys::path::append(Candidate, Sub, "compile_commands.json");
      if (!llvm::sys::fs::exists(Candidate))
        continue;
      std::string LoadError;
      std::shared_ptr<CompilationDatabase> Loaded =
          clang::tooling::JSONCompilationDatabase::loadFromFile(
              Candidate, LoadError,
              clang::tooling::JSONCommandLineSyntax::AutoDetect);
      if (!Loaded)
        continue;
      ByDirectory[Dir] = {Loaded, std::string(Candidate)};
      Found = Loaded.get();
      FoundAt = std::string(Candidate);
      break;
    }
    if (Found)
      break;
  }
  for (const std::string &Dir : Visited)
    if (!ByDirectory.count(Dir))
      ByDirectory[Dir] = {nullptr, ""};
  if (Location)
    *Location = FoundAt;
  // The cache owns the database, so the raw pointer stays valid.
  return Found;
}

CompileCommand
GilportCompilationDatabase::inferredCommand(llvm::StringRef FilePath) const {
  llvm::StringRef Extension = llvm::sys::path::extension(FilePath);
  bool IsC = Extension == ".c";
  std::vector<std::string> Args = {IsC ? "clang" : "clang++"};
  // The Python headers are system headers: not the user's code, and their
  // own warnings are not the user's problem.
  if (!Settings.PythonIncludeDir.empty())
    Args.push_back("-isystem" + Settings.PythonIncludeDir);
  std::string FileDir = llvm::sys::path::parent_path(FilePath).str();
  Args.push_back("-I" + FileDir);
  llvm::SmallString<256> RootInclude(projectRootOf(FilePath));
  llvm::sys::path::append(RootInclude, "include");
  if (llvm::sys::fs::is_directory(RootInclude) && RootInclude != FileDir)
    Args.push_back("-I" + std::string(RootInclude));
  Args.push_back(FilePath.str());
  return CompileCommand(FileDir, FilePath.str(), Args, "");
}

void GilportCompilationDatabase::adjust(CompileCommand &Command) const {
  std::vector<std::string> &Args = Command.CommandLine;
  if (Args.empty())
    return;
  // Everything after "--" is an input file, so options go before it.
  auto InputsBegin = std::find(Args.begin() + 1, Args.end(), "--");
  std::vector<std::string> Adjusted = {Args.front()};
  Adjusted.insert(Adjusted.end(), Settings.ExtraArgsBefore.begin(),
                  Settings.ExtraArgsBefore.end());
  Adjusted.insert(Adjusted.end(), Args.begin() + 1, InputsBegin);
  Adjusted.insert(Adjusted.end(), Settings.ExtraArgs.begin(),
                  Settings.ExtraArgs.end());
  if (!Settings.ResourceDir.empty())
    Adjusted.push_back("-resource-dir=" + Settings.ResourceDir);
  // Compiler warnings are not gilport findings; gcc-only flags in a
  // build's database must not stop the analysis; and clang's own error
  // summary would duplicate gilport's.
  Adjusted.push_back("-w");
  Adjusted.push_back("-Qunused-arguments");
  Adjusted.push_back("-Wno-unknown-warning-option");
  Adjusted.push_back("-fno-caret-diagnostics");
  Adjusted.insert(Adjusted.end(), InputsBegin, Args.end());
  Args = std::move(Adjusted);
}

std::vector<CompileCommand>
GilportCompilationDatabase::getCompileCommands(llvm::StringRef FilePath) const {
  std::vector<CompileCommand> Commands;
  if (const CompilationDatabase *Database = databaseFor(FilePath, nullptr))
    Commands = Database->getCompileCommands(FilePath);
  if (Commands.empty())
    Commands.push_back(inferredCommand(FilePath));
  // One analysis per file, even if the build compiles it several times.
  Commands.resize(1);
  adjust(Commands.front());
  return Commands;
}

bool GilportCompilationDatabase::hasDatabaseEntry(
    llvm::StringRef FilePath) const {
  const CompilationDatabase *Database = databaseFor(FilePath, nullptr);
  return Database && !Database->getCompileCommands(FilePath).empty();
}

bool GilportCompilationDatabase::databaseCoversDirectory(
    llvm::StringRef Dir) const {
  llvm::SmallString<256> Probe(Dir);
  llvm::sys::path::append(Probe, "gilport-probe.c");
  const CompilationDatabase *Database = databaseFor(Probe, nullptr);
  if (!Database)
    return false;
  std::string Prefix = Dir.str() + "/";
  for (const std::string &File : Database->getAllFiles())
    if (llvm::StringRef(File).starts_with(Prefix))
      return true;
  return false;
}

std::string
GilportCompilationDatabase::describeSource(llvm::StringRef FilePath) const {
  std::string Location;
  const CompilationDatabase *Database = databaseFor(FilePath, &Location);
  if (Database && !Database->getCompileCommands(FilePath).empty())
    return "flags from " + Location;
  return "inferred flags";
}

} // namespace gilport
