//===--- CompileFlags.cpp -------------------------------------------------===//

#include "tool/CompileFlags.h"
#include "tool/Sources.h"

#include "clang/Driver/Options.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/OptTable.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace gilport {

using clang::tooling::CompilationDatabase;
using clang::tooling::CompileCommand;

std::optional<std::string> markedProjectRootOf(llvm::StringRef File) {
  for (llvm::StringRef Current = llvm::sys::path::parent_path(File);
       !Current.empty(); Current = llvm::sys::path::parent_path(Current)) {
    for (const char *Marker : {".git", "pyproject.toml", "setup.py",
                               "setup.cfg", ".gilport.yaml"}) {
      llvm::SmallString<256> Candidate(Current);
      llvm::sys::path::append(Candidate, Marker);
      if (llvm::sys::fs::exists(Candidate))
        return Current.str();
    }
  }
  return std::nullopt;
}

std::string projectRootOf(llvm::StringRef File) {
  if (std::optional<std::string> Root = markedProjectRootOf(File))
    return *Root;
  return llvm::sys::path::parent_path(File).str();
}

GilportCompilationDatabase::GilportCompilationDatabase(FlagSettings Settings)
    : Settings(std::move(Settings)) {}

bool GilportCompilationDatabase::loadExplicitDatabase(std::string &Error) {
  if (Settings.BuildDir.empty())
    return true;
  llvm::SmallString<256> Location(Settings.BuildDir);
  llvm::sys::path::append(Location, "compile_commands.json");
  if (std::string Kind = irregularFileKind(Location); !Kind.empty()) {
    Error = "cannot read a compilation database from '" + Settings.BuildDir +
            "': '" + std::string(Location) + "' is " + Kind +
            ", not a regular file";
    return false;
  }
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

namespace {

/// The newest `build/*/compile_commands.json` under \p Dir: the build
/// folders of scikit-build-core (`build/{wheel_tag}`) and meson-python's
/// editable installs (`build/cp313`), one per interpreter or tag; the most
/// recently written is the build the user ran last.
std::optional<std::string> newestBuildSubdirDatabase(llvm::StringRef Dir) {
  llvm::SmallString<256> Build(Dir);
  llvm::sys::path::append(Build, "build");
  std::error_code EC;
  std::optional<std::string> Newest;
  llvm::sys::TimePoint<> NewestTime;
  std::vector<std::string> Subdirs;
  for (llvm::sys::fs::directory_iterator It(Build, EC), End; It != End && !EC;
       It.increment(EC))
    Subdirs.push_back(It->path());
  llvm::sort(Subdirs); // equal times: the first name wins, on any file system
  for (const std::string &Sub : Subdirs) {
    llvm::SmallString<256> Candidate(Sub);
    llvm::sys::path::append(Candidate, "compile_commands.json");
    llvm::sys::fs::file_status Status;
    if (llvm::sys::fs::status(Candidate, Status) ||
        !llvm::sys::fs::exists(Status))
      continue;
    if (!Newest || Status.getLastModificationTime() > NewestTime) {
      Newest = std::string(Candidate);
      NewestTime = Status.getLastModificationTime();
    }
  }
  return Newest;
}

} // namespace

std::optional<std::pair<std::shared_ptr<CompilationDatabase>, std::string>>
GilportCompilationDatabase::loadDatabaseIn(llvm::StringRef Dir) const {
  std::vector<std::string> Candidates;
  for (const char *Sub : {"", "build", "builddir"}) {
    llvm::SmallString<256> Candidate(Dir);
    llvm::sys::path::append(Candidate, Sub, "compile_commands.json");
    Candidates.push_back(std::string(Candidate));
  }
  if (std::optional<std::string> Newest = newestBuildSubdirDatabase(Dir))
    Candidates.push_back(*Newest);
  for (const std::string &Candidate : Candidates) {
    if (!llvm::sys::fs::exists(Candidate))
      continue;
    if (std::string Kind = irregularFileKind(Candidate); !Kind.empty()) {
      Warnings.push_back("ignoring '" + std::string(Candidate) + "': it is " +
                         Kind + ", not a regular file");
      continue;
    }
    std::string LoadError;
    std::shared_ptr<CompilationDatabase> Loaded =
        clang::tooling::JSONCompilationDatabase::loadFromFile(
            Candidate, LoadError,
            clang::tooling::JSONCommandLineSyntax::AutoDetect);
    if (Loaded)
      return std::make_pair(std::move(Loaded), std::string(Candidate));
    // A database the user's build wrote but that cannot be read would
    // otherwise silently give every file inferred flags.
    Warnings.push_back("ignoring '" + std::string(Candidate) +
                       "': " + LoadError);
  }
  return std::nullopt;
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
  // Every directory walked through on the way up shares the answer of the
  // first one that has (or inherits) a database, so each is cached with that
  // answer: a "none" cached below a database would hide it from later files.
  llvm::SmallVector<std::string, 8> Visited;
  std::pair<std::shared_ptr<CompilationDatabase>, std::string> Answer;
  for (llvm::StringRef Dir = llvm::sys::path::parent_path(FilePath);
       !Dir.empty(); Dir = llvm::sys::path::parent_path(Dir)) {
    auto Cached = ByDirectory.find(Dir);
    if (Cached != ByDirectory.end()) {
      Answer = Cached->second;
      break;
    }
    Visited.push_back(Dir.str());
    if (std::optional<
            std::pair<std::shared_ptr<CompilationDatabase>, std::string>>
            Loaded = loadDatabaseIn(Dir)) {
      Answer = std::move(*Loaded);
      break;
    }
  }
  for (const std::string &Dir : Visited)
    ByDirectory[Dir] = Answer;
  if (Location)
    *Location = Answer.second;
  // The cache owns the database, so the raw pointer stays valid.
  return Answer.first.get();
}

CompileCommand
GilportCompilationDatabase::inferredCommand(llvm::StringRef FilePath) const {
  llvm::StringRef Extension = llvm::sys::path::extension(FilePath);
  bool IsC = Extension == ".c";
  std::vector<std::string> Args = {IsC ? "clang" : "clang++"};
  // The Python headers are system headers: not the user's code, and their
  // own warnings are not the user's problem.
  if (!Settings.PythonArgs.empty())
    Args.insert(Args.end(), Settings.PythonArgs.begin(),
                Settings.PythonArgs.end());
  else if (!Settings.PythonIncludeDir.empty())
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

namespace {

/// \p Args with each @file replaced by the arguments it holds.
std::vector<std::string>
expandResponseFiles(const std::vector<std::string> &Args,
                    llvm::StringRef Directory, std::string &Error) {
  if (std::none_of(Args.begin(), Args.end(), [](const std::string &Arg) {
        return llvm::StringRef(Arg).starts_with("@");
      }))
    return Args;
  llvm::BumpPtrAllocator Alloc;
  llvm::SmallVector<const char *, 64> Argv;
  for (const std::string &Arg : Args)
    Argv.push_back(Arg.c_str());
  llvm::cl::ExpansionContext Expansion(Alloc, llvm::cl::TokenizeGNUCommandLine);
  // A relative @file is relative to the command's directory, as for gcc.
  Expansion.setCurrentDir(Directory);
  if (llvm::Error Failed = Expansion.expandResponseFiles(Argv))
    Error = llvm::toString(std::move(Failed));
  return std::vector<std::string>(Argv.begin(), Argv.end());
}

/// \p Args without the flags clang's driver does not know, which it would
/// reject; those left out are added to \p Dropped.
std::vector<std::string>
withoutUnknownFlags(const std::vector<std::string> &Args,
                    std::vector<std::string> *Dropped) {
  if (Args.size() < 2)
    return Args;
  llvm::SmallVector<const char *, 64> Argv;
  for (auto It = Args.begin() + 1; It != Args.end(); ++It)
    Argv.push_back(It->c_str());
  const llvm::opt::OptTable &Table = clang::driver::getDriverOptTable();
  unsigned MissingIndex = 0, MissingCount = 0;
  llvm::opt::InputArgList Parsed = Table.ParseArgs(
      Argv, MissingIndex, MissingCount,
      llvm::opt::Visibility(clang::driver::options::ClangOption));
  std::vector<bool> Drop(Args.size(), false);
  for (const llvm::opt::Arg *Unknown :
       Parsed.filtered(clang::driver::options::OPT_UNKNOWN))
    Drop[Unknown->getIndex() + 1] = true;
  for (size_t I = 1; I < Args.size(); ++I) {
    llvm::StringRef Arg = Args[I];
    // gcc's profiles mean nothing to clang, which fails on a missing one.
    if (Arg.starts_with("-fprofile-use") || Arg.starts_with("-fauto-profile"))
      Drop[I] = true;
  }
  std::vector<std::string> Kept;
  for (size_t I = 0; I < Args.size(); ++I) {
    if (!Drop[I])
      Kept.push_back(Args[I]);
    else if (Dropped)
      Dropped->push_back(Args[I]);
  }
  return Kept;
}

} // namespace

void GilportCompilationDatabase::adjust(
    CompileCommand &Command, std::vector<std::string> *Dropped) const {
  std::string ExpandError;
  std::vector<std::string> Args =
      expandResponseFiles(Command.CommandLine, Command.Directory, ExpandError);
  if (Args.empty()) {
    Command.CommandLine = std::move(Args);
    return;
  }
  // A build's database may hold gcc-only flags, which clang rejects: they do
  // not change what the code means, so they must not stop the analysis.
  Args = withoutUnknownFlags(Args, Dropped);
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
  // Compiler warnings are not gilport findings, and clang's own error
  // summary would duplicate gilport's.
  Adjusted.push_back("-w");
  Adjusted.push_back("-Qunused-arguments");
  Adjusted.push_back("-Wno-unknown-warning-option");
  Adjusted.push_back("-fno-caret-diagnostics");
  Adjusted.insert(Adjusted.end(), InputsBegin, Args.end());
  Command.CommandLine = std::move(Adjusted);
}

std::vector<std::string>
GilportCompilationDatabase::droppedFlags(llvm::StringRef FilePath) const {
  std::vector<std::string> Dropped;
  std::vector<CompileCommand> Commands;
  if (const CompilationDatabase *Database = databaseFor(FilePath, nullptr))
    Commands = Database->getCompileCommands(FilePath);
  if (!Commands.empty())
    adjust(Commands.front(), &Dropped);
  return Dropped;
}

std::vector<CompileCommand>
GilportCompilationDatabase::getCompileCommands(llvm::StringRef FilePath) const {
  std::vector<CompileCommand> Commands;
  if (const CompilationDatabase *Database = databaseFor(FilePath, nullptr))
    Commands = Database->getCompileCommands(FilePath);
  if (Commands.empty())
    Commands.push_back(inferredCommand(FilePath));
  // One analysis per file, even if the build compiles it several times; the
  // object file is then not one (it says which module the file is part of).
  if (llvm::any_of(Commands, [&](const CompileCommand &Command) {
        return Command.Output != Commands.front().Output;
      }))
    Commands.front().Output.clear();
  Commands.resize(1);
  adjust(Commands.front(), nullptr);
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
