//===--- Driver.cpp - gilport's entry point -------------------------------===//

#include "tool/Baseline.h"
#include "tool/BuildDb.h"
#include "tool/ChangedLines.h"
#include "tool/CommandLine.h"
#include "tool/CompileFlags.h"
#include "tool/HeaderSets.h"
#include "tool/HeapTuning.h"
#include "tool/InstallLayout.h"
#include "tool/Output.h"
#include "tool/Pytest.h"
#include "tool/PythonInfo.h"
#include "tool/Runner.h"
#include "tool/Stress.h"

#include "apply/FixApplication.h"
#include "apply/UnifiedDiff.h"
#include "rewrites/CompatHeader.h"

#include "checks/CheckRegistry.h"
#include "checks/Suppressions.h"
#include "config/EffectiveConfig.h"

#include "clang/Basic/Version.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <set>
#include <thread>

using namespace gilport;

namespace {

constexpr int ExitClean = 0;
constexpr int ExitFindings = 1;
constexpr int ExitError = 2;

int usageError(llvm::StringRef Message) {
  llvm::errs() << "gilport: error: " << Message << "\n"
               << "Run 'gilport --help' for usage.\n";
  return ExitError;
}

struct FixSummary {
  unsigned FixedFindings = 0;
  unsigned FilesWritten = 0;
  unsigned FilesFailed = 0;
  /// Each file the fix rewrote, as it was before.
  llvm::StringMap<std::string> ContentsBefore;
};

/// Where a report goes: standard output, a regular file (written in full or
/// removed), or a device or pipe the user named (written, never removed:
/// `-o /dev/stdout` must survive an interrupt or a full disk).
class ReportOutput {
public:
  /// Opens \p Path; empty means standard output.
  bool open(llvm::StringRef Path, std::string &Error) {
    this->Path = Path.str();
    if (Path.empty())
      return true;
    std::error_code EC;
    if (llvm::sys::fs::exists(Path) && !llvm::sys::fs::is_regular_file(Path))
      Device = std::make_unique<llvm::raw_fd_ostream>(Path, EC,
                                                      llvm::sys::fs::OF_Text);
    else
      File = std::make_unique<llvm::ToolOutputFile>(Path, EC,
                                                    llvm::sys::fs::OF_Text);
    if (EC)
      Error = "cannot write '" + this->Path + "': " + EC.message();
    return !EC;
  }
  llvm::raw_fd_ostream &os() {
    return File ? File->os() : Device ? *Device : llvm::outs();
  }
  /// Flushes the report. A write error (a full disk) is returned as
  /// \p Error, not left for LLVM to abort on, and a half-written file goes.
  bool close(std::string &Error) {
    llvm::raw_fd_ostream &OS = os();
    OS.flush();
    if (OS.has_error()) {
      Error =
          "cannot write the report to " +
          (Path.empty() ? std::string("standard output") : "'" + Path + "'") +
          ": " + OS.error().message();
      OS.clear_error();
      return false;
    }
    if (File)
      File->keep();
    return true;
  }

private:
  std::string Path;
  std::unique_ptr<llvm::ToolOutputFile> File;
  std::unique_ptr<llvm::raw_fd_ostream> Device;
};

/// The part of `--diff` that writes gilport_compat.h, for each file whose
/// edits include it, when the header there is missing or out of date: the
/// sources' diff does not build without it.
std::string compatHeaderDiff(const FixPlan &Plan, llvm::StringRef Requested) {
  std::string Include = ("#include \"" + CompatHeaderName + "\"").str();
  std::set<std::string> Headers;
  for (const auto &[Path, Edits] : Plan.EditsByFile)
    if (llvm::any_of(Edits, [&](const clang::tooling::Replacement &R) {
          return R.getReplacementText().contains(Include);
        }))
      Headers.insert(compatHeaderPath(Path, Requested));
  std::string Out;
  for (const std::string &Header : Headers) {
    auto Existing = llvm::MemoryBuffer::getFile(Header);
    llvm::StringRef Before = Existing ? (*Existing)->getBuffer() : "";
    if (Before == compatHeaderText())
      continue;
    if (Existing && !isOwnCompatHeader(Before)) {
      // `fix` would not overwrite it, nor write the files that include it.
      llvm::errs() << "gilport: warning: '" << displayPath(Header)
                   << "' was not written by gilport; the diff leaves it as "
                      "it is\n";
      continue;
    }
    clang::tooling::Replacements Whole(clang::tooling::Replacement(
        Header, 0, Before.size(), compatHeaderText()));
    std::string Shown = displayPath(Header);
    std::string Diff = unifiedDiff(Shown, Before, Whole);
    // A new file: `--- /dev/null`, as git and patch expect.
    if (!Existing)
      Diff.replace(4, Shown.size(), "/dev/null");
    Out += Diff;
  }
  return Out;
}

/// Plans the fixes, then exports, prints or applies them. Findings whose fix
/// was applied leave \p Result; the rest stay, with the reason they have no
/// fix.
bool handleFixes(const CommandLine &Cmd, RunResult &Result,
                 FixSummary &Summary) {
  matchLineEndings(Result.Findings);
  FixPlan Plan = planFixes(Result.Findings);
  if (!Cmd.ExportFixes.empty()) {
    ReportOutput Export;
    std::string Error;
    if (!Export.open(Cmd.ExportFixes, Error)) {
      usageError(Error);
      return false;
    }
    std::string MainFile =
        Result.Findings.empty() ? "" : Result.Findings.front().File;
    writeExportedFixes(Export.os(), Result.Findings, MainFile);
    if (!Export.close(Error)) {
      llvm::errs() << "gilport: error: " << Error << "\n";
      return false;
    }
  }
  if (Cmd.Diff) {
    // Paths under the current folder are relative, so that `patch -p0` and
    // `git apply` take the diff.
    for (const auto &[Path, Edits] : Plan.EditsByFile)
      if (auto Buffer = llvm::MemoryBuffer::getFile(Path))
        llvm::outs() << unifiedDiff(displayPath(Path), (*Buffer)->getBuffer(),
                                    Edits);
    llvm::outs() << compatHeaderDiff(Plan, Cmd.CompatHeader);
    // What `fix` would do, on standard error: the diff stays a patch.
    for (const Finding &F : Result.Findings)
      Summary.FixedFindings += !F.Fixes.empty();
    if (!Cmd.Quiet)
      llvm::errs() << "gilport: the diff fixes " << Summary.FixedFindings
                   << (Summary.FixedFindings == 1 ? " finding" : " findings")
                   << " in " << Plan.EditsByFile.size()
                   << (Plan.EditsByFile.size() == 1 ? " file" : " files")
                   << "; " << Result.Findings.size() - Summary.FixedFindings
                   << " left for a human\n";
    return true;
  }
  if (!Cmd.Fix)
    return true;
  std::set<std::string> Unwritten;
  for (FileOutcome &Outcome :
       applyPlan(Plan, Result.ContentHashes, Cmd.CompatHeader)) {
    if (Outcome.Written) {
      ++Summary.FilesWritten;
      Summary.ContentsBefore[Outcome.Path] = std::move(Outcome.Before);
      continue;
    }
    ++Summary.FilesFailed;
    Unwritten.insert(Outcome.Path);
    llvm::errs() << "gilport: error: '" << displayPath(Outcome.Path)
                 << "' was not fixed: " << Outcome.Problem << "\n";
  }
  // A finding is fixed when every file its edits touch was written.
  std::vector<Finding> Remaining;
  for (Finding &F : Result.Findings) {
    bool Applied = !F.Fixes.empty() &&
                   llvm::none_of(F.Fixes, [&](const auto &R) {
                     return Unwritten.count(R.getFilePath().str());
                   });
    if (Applied) {
      ++Summary.FixedFindings;
      continue;
    }
    if (!F.Fixes.empty() && F.NoFixReason.empty())
      F.NoFixReason = "its fix was not written (see the error above)";
    Remaining.push_back(std::move(F));
  }
  Result.Findings = std::move(Remaining);
  return true;
}

/// The parts of the command line that take part in the configuration.
ConfigRequest configRequest(const CommandLine &Cmd) {
  ConfigRequest Request;
  Request.ConfigFile = Cmd.ConfigFile;
  if (!Cmd.Paths.empty())
    Request.SearchFrom = Cmd.Paths.front();
  Request.Checks = Cmd.Checks;
  Request.WarningsAsErrors = Cmd.WarningsAsErrors;
  Request.Python = Cmd.Python;
  Request.TargetPython = Cmd.TargetPython;
  Request.ExtraArgs = Cmd.ExtraArgs;
  Request.CheckOptions = Cmd.CheckOptions;
  Request.Targets = Cmd.Targets;
  Request.CheckGenerated = Cmd.CheckGenerated;
  return Request;
}

/// The per-file time limit: --file-timeout, else GILPORT_FILE_TIMEOUT, else
/// five minutes (a large generated file takes about one).
bool fileTimeout(const CommandLine &Cmd, std::chrono::seconds &Limit,
                 std::string &Error) {
  unsigned Seconds = 300;
  if (Cmd.FileTimeout) {
    Seconds = *Cmd.FileTimeout;
  } else if (std::optional<std::string> Env =
                 llvm::sys::Process::GetEnv("GILPORT_FILE_TIMEOUT")) {
    if (llvm::StringRef(*Env).getAsInteger(10, Seconds)) {
      Error =
          "GILPORT_FILE_TIMEOUT needs a number of seconds, not '" + *Env + "'";
      return false;
    }
  }
  Limit = std::chrono::seconds(Seconds);
  return true;
}

/// Whether \p A and \p B name one file: the same file, or, for a file
/// not written yet, the same absolute path.
bool samePath(llvm::StringRef A, llvm::StringRef B) {
  if (A.empty() || B.empty())
    return false;
  bool Same = false;
  if (!llvm::sys::fs::equivalent(A, B, Same))
    return Same;
  auto Absolute = [](llvm::StringRef Path) {
    llvm::SmallString<256> Result(Path);
    llvm::sys::fs::make_absolute(Result);
    llvm::sys::path::remove_dots(Result, /*remove_dot_dot=*/true);
    return std::string(Result);
  };
  return Absolute(A) == Absolute(B);
}

/// --write-baseline and --baseline: records the findings of \p Result, and
/// removes those the baseline in effect holds. Writing makes every current
/// finding known, and drops the entries of findings that are gone. A run in
/// which some file could not be analysed writes nothing: the findings of
/// that file would be lost (\p Failed says so).
ReportSettings::BaselineCounts
filterBaseline(const CommandLine &Cmd, const std::optional<Baseline> &Known,
               RunResult &Result, unsigned FilesFailed, bool &Failed) {
  ReportSettings::BaselineCounts Counts;
  std::vector<Finding> Current;
  if (!Cmd.WriteBaseline.empty())
    Current = Result.Findings;
  if (Known) {
    FindingIdentities Identities(Known->directory().str());
    Counts.Matched =
        Known->removeKnown(Result.Findings, Identities, Counts.Stale);
  }
  if (Cmd.WriteBaseline.empty())
    return Counts;
  if (FilesFailed) {
    llvm::errs() << "gilport: error: the baseline '" << Cmd.WriteBaseline
                 << "' was not written: " << FilesFailed
                 << (FilesFailed == 1 ? " file" : " files")
                 << " could not be analysed, and the baseline would lose "
                    "their findings\n";
    Failed = true;
    return Counts;
  }
  FindingIdentities Identities(baselineDirectory(Cmd.WriteBaseline));
  std::string Error;
  if (!writeBaseline(Cmd.WriteBaseline, Current, Identities, Error)) {
    llvm::errs() << "gilport: error: " << Error << "\n";
    Failed = true;
    return Counts;
  }
  if (!Cmd.Quiet) {
    llvm::errs() << "gilport: wrote " << Current.size()
                 << (Current.size() == 1 ? " finding" : " findings")
                 << " to the baseline '" << Cmd.WriteBaseline << "'";
    if (Known)
      llvm::errs() << " (" << Counts.Stale
                   << (Counts.Stale == 1 ? " stale entry" : " stale entries")
                   << " pruned)";
    llvm::errs() << "\n";
  }
  // What was just recorded is known, and the new baseline has no stale entry.
  Counts.Matched = Current.size();
  Counts.Stale = 0;
  Result.Findings.clear();
  return Counts;
}

int runCheck(const CommandLine &Cmd) {
  EffectiveConfig Config;
  ConfigError Problem;
  if (!buildConfig(configRequest(Cmd), Config, Problem)) {
    if (Problem.OnCommandLine)
      return usageError(Problem.Message);
    llvm::errs() << "gilport: error: " << Problem.Message << "\n";
    return ExitError;
  }
  if (Cmd.DumpConfig) {
    dumpConfig(Config, defaultPython(), llvm::outs());
    return ExitClean;
  }
  std::vector<std::string> Checks = enabledChecks(Config);
  if (Checks.empty())
    return usageError("no checks are enabled (Checks: '" + Config.Checks +
                      "')");

  std::string Error;
  std::chrono::seconds FileTimeout;
  if (!fileTimeout(Cmd, FileTimeout, Error))
    return usageError(Error);
  std::vector<std::string> Paths = Cmd.Paths;
  if (Paths.empty())
    Paths.push_back(".");
  SourceOptions Discovery;
  Discovery.CheckGenerated = Config.CheckGenerated;
  Discovery.IsExcluded = [&](llvm::StringRef File) {
    return isExcluded(Config, File);
  };
  SourceList Sources = collectSources(Paths, Discovery);
  // A report written over a source would destroy the user's code.
  for (const std::string *Target :
       {&Cmd.OutputFile, &Cmd.ExportFixes, &Cmd.WriteBaseline}) {
    if (Target->empty() || !llvm::sys::fs::exists(*Target))
      continue;
    for (const std::string &File : Sources.Files) {
      bool Same = false;
      if (!llvm::sys::fs::equivalent(*Target, File, Same) && Same)
        return usageError(
            std::string("refusing to write the ") +
            (Target == &Cmd.WriteBaseline ? "baseline" : "report") + " to '" +
            *Target + "': it is one of the sources being analysed");
    }
  }

  // The report written over a baseline (read or written) would lose it.
  if (!Cmd.OutputFile.empty())
    for (const std::string *Baseline : {&Cmd.Baseline, &Cmd.WriteBaseline})
      if (samePath(Cmd.OutputFile, *Baseline))
        return usageError("refusing to write the report to '" + Cmd.OutputFile +
                          "': it is the baseline");

  // Read before the analysis: a bad baseline or diff should not cost a run.
  std::optional<Baseline> Known;
  if (!Cmd.Baseline.empty() && !(Known = Baseline::load(Cmd.Baseline, Error))) {
    llvm::errs() << "gilport: error: " << Error << "\n";
    return ExitError;
  }
  std::optional<ChangedLines> Changed;
  if (!Cmd.ChangedLines.empty() &&
      !Changed.emplace().read(Cmd.ChangedLines, Error)) {
    llvm::errs() << "gilport: error: " << Error << "\n";
    return ExitError;
  }

  FlagSettings Flags;
  Flags.BuildDir = Cmd.BuildDir;
  Flags.ExtraArgs = Config.ExtraArgs;
  Flags.ExtraArgsBefore = Cmd.ExtraArgsBefore;
  Flags.ResourceDir = GILPORT_CLANG_RESOURCE_DIR;
  GilportCompilationDatabase Database(Flags);
  if (!Database.loadExplicitDatabase(Error))
    return usageError(Error);

  // A walked directory whose build the database describes: files the build
  // does not compile (other platforms, fragments included by other files)
  // are skipped. Naming a file analyses it with inferred flags.
  std::map<std::string, bool> CoveredDirs;
  std::map<std::string, unsigned> SkippedPerDir;
  bool NeedsInferredFlags = false;
  std::vector<std::string> Kept;
  for (const std::string &File : Sources.Files) {
    if (Database.hasDatabaseEntry(File)) {
      Kept.push_back(File);
      continue;
    }
    auto Walked = Sources.WalkedFrom.find(File);
    if (Walked != Sources.WalkedFrom.end()) {
      auto [It, Inserted] = CoveredDirs.try_emplace(Walked->second, false);
      if (Inserted)
        It->second = Database.databaseCoversDirectory(Walked->second);
      if (It->second) {
        ++SkippedPerDir[Walked->second];
        continue;
      }
    }
    NeedsInferredFlags = true;
    Kept.push_back(File);
  }
  Sources.Files = std::move(Kept);
  for (const auto &[Dir, Count] : SkippedPerDir)
    Sources.Remarks.push_back(llvm::formatv(
        "{0} source{1} in '{2}' {3} no compile command and {4} skipped; name "
        "a file to analyse it with inferred flags",
        Count, Count == 1 ? "" : "s", displayPath(Dir),
        Count == 1 ? "has" : "have", Count == 1 ? "was" : "were"));
  if (!Cmd.Quiet)
    for (const std::string &Remark : Sources.Remarks)
      llvm::errs() << "gilport: note: " << Remark << "\n";
  for (const std::string &Warning : Database.takeWarnings())
    llvm::errs() << "gilport: warning: " << Warning << "\n";

  // Python is asked for its headers only when some file needs them; asking
  // costs an interpreter start-up.
  if (!Config.TargetPython.empty() && Config.TargetPython != "3.13") {
    // A header set, not an interpreter: 3.14 and 3.15 cannot be built here.
    std::optional<HeaderSet> Set = findHeaderSet(Config.TargetPython);
    if (!Set) {
      llvm::errs() << "gilport: error: no headers of Python "
                   << Config.TargetPython << " in '" << cacheDir()
                   << "/headers'; fetch them with "
                      "`scripts/fetch-python-headers.sh "
                   << Config.TargetPython << "`\n";
      return ExitError;
    }
    std::vector<std::string> Args = headerSetArgs(*Set, Error);
    if (Args.empty()) {
      llvm::errs() << "gilport: error: " << Error << "\n";
      return ExitError;
    }
    if (Cmd.Verbose)
      llvm::errs() << "gilport: Python " << Set->Version
                   << " (free-threaded view) from the headers in "
                   << Set->IncludeDir << "\n";
    Database.setPythonArgs(std::move(Args));
  } else if (NeedsInferredFlags || Cmd.Verbose) {
    std::string Interpreter =
        Config.Python.empty() ? defaultPython() : Config.Python;
    if (Config.TargetPython == "3.13") {
      std::optional<std::string> Runtime = freeThreadedPython();
      if (!Runtime) {
        llvm::errs() << "gilport: error: --target-python=3.13 analyses "
                        "against the reference free-threaded runtime, which "
                        "is not built; run `scripts/dev.sh setup`\n";
        return ExitError;
      }
      Interpreter = *Runtime;
    }
    std::optional<PythonInfo> Python = queryPython(Interpreter, Error);
    if (!Python) {
      llvm::errs() << "gilport: error: " << Error << "\n";
      return ExitError;
    }
    if (Cmd.Verbose)
      llvm::errs() << "gilport: Python " << Python->Version
                   << (Python->FreeThreaded ? " (free-threaded)"
                                            : " (GIL build)")
                   << " from " << Python->Executable << ", headers in "
                   << Python->IncludeDir << "\n";
    Database.setPythonIncludeDir(Python->IncludeDir);
  }
  if (Cmd.Verbose)
    for (const std::string &File : Sources.Files) {
      std::vector<clang::tooling::CompileCommand> Commands =
          Database.getCompileCommands(File);
      llvm::errs() << "gilport: " << displayPath(File) << ": "
                   << Database.describeSource(File) << ": "
                   << llvm::join(Commands.front().CommandLine, " ") << "\n";
      std::vector<std::string> Dropped = Database.droppedFlags(File);
      if (!Dropped.empty())
        llvm::errs() << "gilport: note: " << displayPath(File)
                     << ": left out flags clang does not know: "
                     << llvm::join(Dropped, " ") << "\n";
    }

  AnalysisOptions Options;
  Options.CheckOptions = Config.CheckOptions;
  Options.MinimumPython = Config.MinimumPython;
  Options.Targets = Config.Targets;
  unsigned Jobs = Cmd.Jobs ? Cmd.Jobs : std::max(1u, std::thread::hardware_concurrency());
  bool ShowProgress = !Cmd.Quiet && llvm::sys::Process::StandardErrIsDisplayed() &&
                      Sources.Files.size() > 1;
  RunResult Result = analyzeAll(
      Database, Sources.Files, Options, Checks, Jobs, Cmd.DeclareAnyway,
      FileTimeout, [&](unsigned Done, unsigned Total, llvm::StringRef File) {
        if (!ShowProgress)
          return;
        std::string Line = llvm::formatv("[{0}/{1}] {2}", Done, Total,
                                         displayPath(File));
        if (Line.size() > 78)
          Line = Line.substr(0, 75) + "...";
        llvm::errs() << "\r" << Line << "\x1b[K";
        if (Done == Total)
          llvm::errs() << "\r\x1b[K";
      });
  for (std::vector<Finding> *List : {&Result.Findings, &Result.Suppressed}) {
    for (Finding &F : *List)
      if (!Config.WarningsAsErrors.empty() &&
          matchesGlobList(Config.WarningsAsErrors, F.Check))
        F.Level = Severity::Error;
    List->erase(std::remove_if(List->begin(), List->end(),
                               [&](const Finding &F) {
                                 return isExcluded(Config, F.File);
                               }),
                List->end());
  }
  unsigned Failed = Result.Errors.size();
  Result.Errors.insert(Result.Errors.begin(), Sources.Errors.begin(),
                       Sources.Errors.end());
  for (const InputError &Problem : Result.Errors)
    llvm::errs() << "gilport: error: cannot analyse '"
                 << displayPath(Problem.File) << "': " << Problem.Message
                 << "\n";

  std::optional<ReportSettings::BaselineCounts> BaselineCounts;
  bool BaselineFailed = false;
  if (!Cmd.WriteBaseline.empty() || Known)
    BaselineCounts = filterBaseline(
        Cmd, Known, Result, Failed + Sources.Errors.size(), BaselineFailed);
  if (Changed) {
    Changed->keepChanged(Result.Findings);
    Changed->keepChanged(Result.Suppressed);
  }

  FixSummary Fixes;
  if (Cmd.Fix || Cmd.Diff || !Cmd.ExportFixes.empty()) {
    if (!handleFixes(Cmd, Result, Fixes))
      return ExitError;
  }

  ReportOutput Output;
  std::string OutputError;
  if (!Output.open(Cmd.OutputFile, OutputError))
    return usageError(OutputError);
  llvm::raw_fd_ostream &OS = Output.os();
  ReportSettings Report;
  Report.Summary = !Cmd.Quiet;
  Report.FilesFailed = Failed + Sources.Errors.size();
  Report.Color = Cmd.OutputFile.empty() &&
                 (Cmd.Color == ColorMode::Always ||
                  (Cmd.Color == ColorMode::Auto &&
                   llvm::sys::Process::StandardOutIsDisplayed()));
  if (std::optional<std::string> DocsUrl =
          llvm::sys::Process::GetEnv("GILPORT_DOCS_URL"))
    Report.DocsBaseUrl = *DocsUrl;
  else
    Report.DocsBaseUrl = "file://" + checkDocsDir();
  Report.FixMode = Cmd.Fix;
  Report.FixedFindings = Fixes.FixedFindings;
  Report.FilesWritten = Fixes.FilesWritten;
  Report.ContentsBeforeFix = std::move(Fixes.ContentsBefore);
  Report.Baseline = BaselineCounts;
  switch (Cmd.Format) {
  case OutputFormat::Text:
    if (!Cmd.Diff)
      writeTextReport(OS, Result, Report);
    break;
  case OutputFormat::Json:
    writeJsonReport(OS, Result, Report);
    break;
  case OutputFormat::Sarif:
    writeSarifReport(OS, Result, Report);
    break;
  }
  // A report that could not be written (a full disk, /dev/full) is an
  // error, not "findings": a CI gate must not read it as a verdict. The
  // diff of --diff went to standard output even with -o.
  ReportOutput StandardOutput;
  if (!Output.close(OutputError) ||
      (!Cmd.OutputFile.empty() && !StandardOutput.close(OutputError))) {
    llvm::errs() << "gilport: error: " << OutputError << "\n";
    return ExitError;
  }
  if (!Result.Errors.empty() || Fixes.FilesFailed || BaselineFailed)
    return ExitError;
  return Result.Findings.empty() ? ExitClean : ExitFindings;
}

int runListChecks() {
  std::string Defaults = EffectiveConfig().Checks;
  for (const CheckInfo &Info : allChecks())
    llvm::outs() << Info.Name
                 << (matchesGlobList(Defaults, Info.Name)
                         ? ""
                         : " (off by default: --checks=" + Info.Name.str() +
                               " turns it on)")
                 << "\n    " << Info.Summary << "\n";
  return ExitClean;
}

int runExplain(const CommandLine &Cmd) {
  if (Cmd.Paths.size() != 1)
    return usageError("'explain' takes exactly one check name");
  const CheckInfo *Info = findCheck(Cmd.Paths.front());
  if (!Info)
    return usageError("unknown check '" + Cmd.Paths.front() +
                      "' (see 'gilport list-checks')");
  llvm::outs() << (Info->Documentation.empty() ? Info->Summary
                                               : Info->Documentation);
  if (!Info->Documentation.ends_with("\n"))
    llvm::outs() << "\n";
  return ExitClean;
}

int runDoctor(const CommandLine &Cmd) {
  std::string ResourceDir = GILPORT_CLANG_RESOURCE_DIR;
  bool ResourceDirOk = llvm::sys::fs::is_directory(ResourceDir + "/include");
  std::optional<std::string> FreeThreaded = freeThreadedPython();
  std::vector<std::string> Candidates;
  if (!Cmd.Python.empty())
    Candidates.push_back(Cmd.Python);
  if (FreeThreaded)
    Candidates.push_back(*FreeThreaded);
  for (const char *Name : {"python3", "python3.13t", "python3.13", "python3.12",
                           "python3.11"})
    Candidates.push_back(Name);
  llvm::json::Array Pythons;
  std::vector<std::string> Seen;
  std::string TextPythons;
  for (const std::string &Candidate : Candidates) {
    std::string Error;
    std::optional<PythonInfo> Info = queryPython(Candidate, Error);
    if (!Info || llvm::is_contained(Seen, Info->Executable))
      continue;
    Seen.push_back(Info->Executable);
    Pythons.push_back(llvm::json::Object{{"interpreter", Info->Executable},
                                         {"version", Info->Version},
                                         {"include_dir", Info->IncludeDir},
                                         {"free_threaded", Info->FreeThreaded}});
    TextPythons += llvm::formatv("  {0} {1}{2}: {3}\n", Info->Executable,
                                 Info->Version,
                                 Info->FreeThreaded ? " (free-threaded)" : "",
                                 Info->IncludeDir);
  }
  // The header sets --target-python can use (scripts/fetch-python-headers.sh).
  llvm::json::Array Sets;
  std::string TextSets;
  for (const HeaderSet &Set : headerSets()) {
    Sets.push_back(llvm::json::Object{{"version", Set.Version},
                                      {"include_dir", Set.IncludeDir},
                                      {"package", Set.Package}});
    TextSets += llvm::formatv("  {0}: {1} ({2})\n", Set.Version, Set.IncludeDir,
                              Set.Package);
  }
  if (Cmd.Format == OutputFormat::Json) {
    llvm::json::Object Root{
        {"gilport_version", GILPORT_VERSION},
        {"clang_version", clang::getClangFullVersion()},
        {"resource_dir", ResourceDir},
        {"resource_dir_ok", ResourceDirOk},
        {"cache_dir", cacheDir()},
        {"stress_harness", stressHarnessPath()},
        {"runtime_shim", runtimeShimPath()},
        {"check_docs", checkDocsDir()},
        {"free_threaded_python", FreeThreaded ? llvm::json::Value(*FreeThreaded)
                                              : llvm::json::Value(nullptr)},
        {"default_python", defaultPython()},
        {"pythons", std::move(Pythons)},
        {"header_sets", std::move(Sets)}};
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root)))
                 << "\n";
  } else {
    llvm::outs() << "gilport " << GILPORT_VERSION << "\n"
                 << "clang: " << clang::getClangFullVersion() << "\n"
                 << "resource dir: " << ResourceDir
                 << (ResourceDirOk ? "" : " (MISSING)") << "\n"
                 << "cache dir: " << cacheDir() << "\n"
                 << "stress harness: " << stressHarnessPath() << "\n"
                 << "runtime shim: " << runtimeShimPath()
                 << (llvm::sys::fs::exists(runtimeShimPath()) ? ""
                                                              : " (MISSING)")
                 << "\n"
                 << "check docs: " << checkDocsDir() << "\n"
                 << "free-threaded python: "
                 << (FreeThreaded ? *FreeThreaded
                                  : "not built (run scripts/dev.sh setup)")
                 << "\n"
                 << "default python: " << defaultPython() << "\n"
                 << "python include dirs:\n"
                 << (TextPythons.empty() ? "  none found\n" : TextPythons)
                 << "header sets for --target-python:\n"
                 << (TextSets.empty()
                         ? "  none (scripts/fetch-python-headers.sh "
                           "fetches 3.14 and 3.15)\n"
                         : TextSets);
  }
  return FreeThreaded && ResourceDirOk ? ExitClean : ExitFindings;
}

} // namespace

int main(int argc, const char **argv) {
  llvm::sys::PrintStackTraceOnErrorSignal(argv[0]);
  // `stress` has its own options and runs the Python harness.
  if (argc > 1 && llvm::StringRef(argv[1]) == "stress")
    return runStress(llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  // `pytest` runs the user's suite through the Python harness.
  if (argc > 1 && llvm::StringRef(argv[1]) == "pytest")
    return runPytest(llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  // `build-db` passes everything after `--` to the build.
  if (argc > 1 && llvm::StringRef(argv[1]) == "build-db")
    return runBuildDb(llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  std::string Error;
  std::optional<CommandLine> Cmd = parseCommandLine(
      llvm::ArrayRef<const char *>(argv + 1, argv + argc), Error);
  if (!Cmd)
    return usageError(Error);
  if (Cmd->Command == "help") {
    llvm::outs() << usageText();
    return ExitClean;
  }
  if (Cmd->Command == "version") {
    llvm::outs() << "gilport " << GILPORT_VERSION << " ("
                 << clang::getClangFullVersion() << ")\n";
    return ExitClean;
  }
  if (Cmd->Command == "list-checks")
    return runListChecks();
  if (Cmd->Command == "explain")
    return runExplain(*Cmd);
  if (Cmd->Command == "doctor")
    return runDoctor(*Cmd);
  if (!std::getenv("GILPORT_DEFAULT_HEAP"))
    tuneHeapForAnalysis();
  return runCheck(*Cmd); // check and fix
}
