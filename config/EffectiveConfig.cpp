//===--- EffectiveConfig.cpp - The configuration a run uses ---------------===//

#include "config/EffectiveConfig.h"
#include "config/ConfigFile.h"

#include "checks/CheckRegistry.h"
#include "checks/Suppressions.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

namespace gilport {
namespace {

/// The hazards `Targets` can name.
bool isTarget(llvm::StringRef Name) {
  return Name == "free-threading" || Name == "subinterpreters";
}

std::string targetError(llvm::StringRef Name) {
  return "'Targets' takes 'free-threading' and 'subinterpreters', not '" +
         Name.str() + "'";
}

/// The Pythons whose free-threaded headers `TargetPython` can name: 3.13
/// (the reference runtime's), and the header sets of 3.14 and 3.15.
bool isTargetPython(llvm::StringRef Version) {
  return Version == "3.13" || Version == "3.14" || Version == "3.15";
}

std::string targetPythonError(llvm::StringRef Version) {
  return "takes 3.13, 3.14 or 3.15, not '" + Version.str() + "'";
}

/// Validates `check.Option` against the registry; returns an error or "".
std::string checkOptionError(llvm::StringRef Key, llvm::StringRef Value) {
  auto [CheckName, OptionName] = Key.rsplit('.');
  const CheckInfo *Info = findCheck(CheckName);
  if (!Info)
    return "unknown check '" + CheckName.str() + "' in option '" + Key.str() +
           "'";
  for (const CheckOptionInfo &Option : Info->Options) {
    if (OptionName != Option.Name)
      continue;
    llvm::StringRef Default = Option.Default;
    bool IsBool = Default == "true" || Default == "false";
    if (IsBool && !llvm::is_contained(
                      {"true", "false", "1", "0", "yes", "no", "on", "off"},
                      Value.lower()))
      return "option '" + Key.str() + "' takes true or false, not '" +
             Value.str() + "'";
    return "";
  }
  std::string Known;
  for (const CheckOptionInfo &Option : Info->Options)
    Known += (Known.empty() ? "" : ", ") + std::string(Option.Name);
  return "unknown option '" + OptionName.str() + "' for check '" +
         CheckName.str() + "' (" +
         (Known.empty() ? "it has no options" : "its options: " + Known) + ")";
}

bool validGlobList(llvm::StringRef Globs, std::string &Error) {
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Globs.split(Parts, ',', -1, false);
  for (llvm::StringRef Part : Parts) {
    Part = Part.trim();
    Part.consume_front("-");
    if (Part.trim().empty())
      continue;
    if (auto Pattern = llvm::GlobPattern::create(Part.trim()); !Pattern) {
      Error = "bad glob '" + Part.str() + "': " + toString(Pattern.takeError());
      return false;
    }
  }
  return true;
}

/// Like validGlobList, and each glob must match some check: a misspelt name
/// would otherwise enable or disable nothing, silently.
bool checkGlobList(llvm::StringRef Globs, std::string &Error) {
  if (!validGlobList(Globs, Error))
    return false;
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Globs.split(Parts, ',', -1, false);
  for (llvm::StringRef Part : Parts) {
    Part = Part.trim();
    Part.consume_front("-");
    Part = Part.trim();
    if (Part.empty())
      continue;
    llvm::GlobPattern Pattern = cantFail(llvm::GlobPattern::create(Part));
    if (llvm::any_of(allChecks(), [&](const CheckInfo &Info) {
          return Pattern.match(Info.Name);
        }))
      continue;
    Error = "'" + Part.str() + "' matches no check";
    const CheckInfo *Nearest = nullptr;
    unsigned Best = 0;
    for (const CheckInfo &Info : allChecks()) {
      unsigned Distance = Part.edit_distance(Info.Name);
      if (!Nearest || Distance < Best) {
        Nearest = &Info;
        Best = Distance;
      }
    }
    if (Nearest && Best <= 3)
      Error += " (did you mean '" + Nearest->Name.str() + "'?)";
    else
      Error += " (see 'gilport list-checks')";
    return false;
  }
  return true;
}

/// Whether something is at \p Path, a dangling symbolic link included (so
/// that it is reported instead of passed over).
bool entryExists(const llvm::Twine &Path) {
  llvm::sys::fs::file_status Status;
  return !llvm::sys::fs::status(Path, Status, /*Follow=*/false) &&
         llvm::sys::fs::exists(Status);
}

std::string yamlQuote(llvm::StringRef Value) {
  std::string Quoted = "'";
  for (char C : Value)
    Quoted += C == '\'' ? std::string("''") : std::string(1, C);
  return Quoted + "'";
}

} // namespace

std::optional<std::string> findConfigFile(llvm::StringRef SearchFrom) {
  llvm::SmallString<256> Start;
  if (!SearchFrom.empty())
    Start = SearchFrom;
  else
    llvm::sys::fs::current_path(Start);
  llvm::sys::fs::make_absolute(Start);
  if (!llvm::sys::fs::is_directory(Start))
    Start = llvm::sys::path::parent_path(Start);
  for (llvm::StringRef Dir = Start; !Dir.empty();
       Dir = llvm::sys::path::parent_path(Dir)) {
    llvm::SmallString<256> Candidate(Dir);
    llvm::sys::path::append(Candidate, ".gilport.yaml");
    // Whatever it is: one that is a directory, a FIFO or a dangling link is
    // an error of the reader, not a reason to look further up.
    if (entryExists(Candidate))
      return std::string(Candidate);
  }
  return std::nullopt;
}

bool buildConfig(const ConfigRequest &Request, EffectiveConfig &Config,
                 ConfigError &Problem) {
  for (const CheckInfo &Info : allChecks())
    for (const CheckOptionInfo &Option : Info.Options)
      Config.CheckOptions[(Info.Name + "." + Option.Name).str()] =
          Option.Default;

  std::optional<std::string> Path;
  if (!Request.ConfigFile.empty()) {
    if (!entryExists(Request.ConfigFile)) {
      Problem = {"configuration file '" + Request.ConfigFile +
                     "' does not exist",
                 false};
      return false;
    }
    Path = Request.ConfigFile;
  } else {
    Path = findConfigFile(Request.SearchFrom);
  }
  if (Path) {
    FileConfig File;
    std::string Error;
    if (!readConfigFile(*Path, File, Error)) {
      Problem = {Error, false};
      return false;
    }
    Config.ConfigPath = *Path;
    llvm::SmallString<256> Base(*Path);
    llvm::sys::fs::make_absolute(Base);
    Config.ExcludeBase = llvm::sys::path::parent_path(Base).str();
    auto Fail = [&](const ConfigValue &Value, const std::string &Message) {
      Problem = {*Path + ":" + std::to_string(Value.Line) + ": " + Message,
                 false};
      return false;
    };
    if (File.Checks) {
      if (!checkGlobList(File.Checks->Value, Error))
        return Fail(*File.Checks, "in 'Checks': " + Error);
      Config.Checks += "," + File.Checks->Value;
    }
    if (File.WarningsAsErrors) {
      llvm::StringRef Value = File.WarningsAsErrors->Value;
      if (Value != "true" && Value != "false" && !checkGlobList(Value, Error))
        return Fail(*File.WarningsAsErrors,
                    "in 'WarningsAsErrors': " + Error +
                        "; expected true, false or a list of check globs");
      Config.WarningsAsErrors = Value == "true"    ? "*"
                                : Value == "false" ? ""
                                                   : Value.str();
    }
    for (const ConfigValue &Exclude : File.ExcludePaths) {
      if (!validGlobList(Exclude.Value, Error))
        return Fail(Exclude, "in 'ExcludePaths': " + Error);
      Config.ExcludePaths.push_back(Exclude.Value);
    }
    if (File.Python) {
      Config.Python = File.Python->Value;
      if (llvm::StringRef(Config.Python).contains('/') &&
          !llvm::sys::path::is_absolute(Config.Python)) {
        llvm::SmallString<256> Resolved(Config.ExcludeBase);
        llvm::sys::path::append(Resolved, Config.Python);
        Config.Python = std::string(Resolved);
      }
    }
    for (const ConfigValue &Arg : File.ExtraArgs)
      Config.ExtraArgs.push_back(Arg.Value);
    if (File.MinimumPython) {
      if (!llvm::Regex("^3\\.[0-9]+$").match(File.MinimumPython->Value))
        return Fail(*File.MinimumPython,
                    "'MinimumPython' must look like 3.9, not '" +
                        File.MinimumPython->Value + "'");
      Config.MinimumPython = File.MinimumPython->Value;
    }
    if (File.TargetPython) {
      if (File.Python)
        return Fail(*File.TargetPython,
                    "'TargetPython' and 'Python' name two sets of headers; "
                    "give one");
      if (!isTargetPython(File.TargetPython->Value))
        return Fail(*File.TargetPython,
                    "'TargetPython' " +
                        targetPythonError(File.TargetPython->Value));
      Config.TargetPython = File.TargetPython->Value;
    }
    if (File.Targets) {
      Config.Targets.clear();
      for (const ConfigValue &Target : *File.Targets) {
        if (!isTarget(Target.Value))
          return Fail(Target, targetError(Target.Value));
        if (!llvm::is_contained(Config.Targets, Target.Value))
          Config.Targets.push_back(Target.Value);
      }
    }
    if (File.CheckGenerated) {
      llvm::StringRef Value = File.CheckGenerated->Value;
      if (Value != "true" && Value != "false")
        return Fail(*File.CheckGenerated,
                    "'CheckGenerated' takes true or false, not '" +
                        Value.str() + "'");
      Config.CheckGenerated = Value == "true";
    }
    for (const auto &[Key, Value] : File.CheckOptions) {
      std::string OptionError = checkOptionError(Key, Value.Value);
      if (!OptionError.empty())
        return Fail(Value, "in 'CheckOptions': " + OptionError);
      Config.CheckOptions[Key] = Value.Value;
    }
  }

  std::string Error;
  if (!Request.Checks.empty()) {
    if (!checkGlobList(Request.Checks, Error)) {
      Problem = {"in '--checks': " + Error, true};
      return false;
    }
    Config.Checks += "," + Request.Checks;
  }
  if (Request.WarningsAsErrors)
    Config.WarningsAsErrors = "*";
  if (Request.CheckGenerated)
    Config.CheckGenerated = true;
  if (!Request.Python.empty() && !Request.TargetPython.empty()) {
    Problem = {"--python and --target-python name two sets of headers; give "
               "one",
               true};
    return false;
  }
  // Either, given on the command line, replaces the file's choice of both.
  if (!Request.Python.empty()) {
    Config.Python = Request.Python;
    Config.TargetPython.clear();
  }
  if (!Request.TargetPython.empty()) {
    Config.Python.clear();
    if (!isTargetPython(Request.TargetPython)) {
      Problem = {"in '--target-python': " +
                     targetPythonError(Request.TargetPython),
                 true};
      return false;
    }
    Config.TargetPython = Request.TargetPython;
  }
  Config.ExtraArgs.insert(Config.ExtraArgs.end(), Request.ExtraArgs.begin(),
                          Request.ExtraArgs.end());
  if (!Request.Targets.empty()) {
    Config.Targets.clear();
    llvm::SmallVector<llvm::StringRef, 2> Targets;
    llvm::StringRef(Request.Targets).split(Targets, ',');
    for (llvm::StringRef Target : Targets) {
      Target = Target.trim();
      if (!isTarget(Target)) {
        Problem = {"in '--targets': " + targetError(Target), true};
        return false;
      }
      if (!llvm::is_contained(Config.Targets, Target))
        Config.Targets.push_back(Target.str());
    }
  }
  for (const auto &[Key, Value] : Request.CheckOptions) {
    std::string OptionError = checkOptionError(Key, Value);
    if (!OptionError.empty()) {
      Problem = {"in '--check-option': " + OptionError, true};
      return false;
    }
    Config.CheckOptions[Key] = Value;
  }
  return true;
}

std::vector<std::string> enabledChecks(const EffectiveConfig &Config) {
  std::vector<std::string> Names;
  for (const CheckInfo &Info : allChecks())
    if (matchesGlobList(Config.Checks, Info.Name))
      Names.push_back(Info.Name.str());
  return Names;
}

void dumpConfig(const EffectiveConfig &Config, llvm::StringRef DefaultPython,
                llvm::raw_ostream &OS) {
  if (!Config.ConfigPath.empty())
    OS << "# from " << Config.ConfigPath << "\n";
  OS << "Checks: " << yamlQuote(Config.Checks) << "\n";
  OS << "WarningsAsErrors: " << yamlQuote(Config.WarningsAsErrors) << "\n";
  OS << "ExcludePaths: [";
  llvm::interleaveComma(Config.ExcludePaths, OS,
                        [&](const std::string &P) { OS << yamlQuote(P); });
  OS << "]\n";
  OS << "Python: "
     << yamlQuote(Config.Python.empty() ? DefaultPython
                                        : llvm::StringRef(Config.Python))
     << "\n";
  OS << "ExtraArgs: [";
  llvm::interleaveComma(Config.ExtraArgs, OS,
                        [&](const std::string &A) { OS << yamlQuote(A); });
  OS << "]\n";
  OS << "MinimumPython: " << yamlQuote(Config.MinimumPython) << "\n";
  if (!Config.TargetPython.empty())
    OS << "TargetPython: " << yamlQuote(Config.TargetPython) << "\n";
  if (Config.Targets.empty()) {
    OS << "# Targets: what each module declares\n";
  } else {
    OS << "Targets: [";
    llvm::interleaveComma(Config.Targets, OS,
                          [&](const std::string &T) { OS << yamlQuote(T); });
    OS << "]\n";
  }
  OS << "CheckGenerated: " << (Config.CheckGenerated ? "true" : "false")
     << "\n";
  OS << "CheckOptions:\n";
  for (const auto &[Key, Value] : Config.CheckOptions)
    OS << "  " << Key << ": " << yamlQuote(Value) << "\n";
}

bool isExcluded(const EffectiveConfig &Config, llvm::StringRef File) {
  if (Config.ExcludePaths.empty())
    return false;
  llvm::StringRef Relative = File;
  if (!Config.ExcludeBase.empty() && File.starts_with(Config.ExcludeBase + "/"))
    Relative = File.drop_front(Config.ExcludeBase.size() + 1);
  for (const std::string &Globs : Config.ExcludePaths)
    if (matchesGlobList(Globs, Relative) || matchesGlobList(Globs, File))
      return true;
  return false;
}

} // namespace gilport
