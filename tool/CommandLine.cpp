//===--- CommandLine.cpp --------------------------------------------------===//
//
// A small hand-written parser: gilport has subcommands and wants precise
// error messages, which llvm::cl's global registry does not give cheaply.
//
//===----------------------------------------------------------------------===//

#include "tool/CommandLine.h"

#include "llvm/ADT/StringSwitch.h"

namespace gilport {

const char *usageText() {
  return R"(usage: gilport <command> [options]

commands:
  check [PATH...]     find code that is unsafe without the GIL or in subinterpreters
  fix [PATH...]       the same as 'check --fix'
  list-checks         list the checks
  explain CHECK       print a check's documentation
  doctor              show the toolchain and Python installations gilport uses
  --version           print the version

check options:
  -p BUILD_DIR             read compile_commands.json from BUILD_DIR
  --checks=GLOBS           enable/disable checks (e.g. '-*,gilport-borrowed-ref')
  --config=FILE            use FILE instead of the nearest .gilport.yaml
  --dump-config            print the configuration in effect and exit
  --format=text|json|sarif output format (default text)
  -o FILE                  write the report to FILE
  -j N                     analyse N files in parallel (default: all cores)
  --python=INTERPRETER     take Python's headers from INTERPRETER
                           (default: the free-threaded runtime set-up built)
  --warnings-as-errors     report every finding as an error
  --fix                    apply the fixes (files are replaced atomically)
  --diff                   print the fixes as a unified diff; write nothing
  --export-fixes=FILE      write the fixes as clang-apply-replacements YAML
  --declare-anyway         add GIL declarations even while findings remain
  --compat-header=PATH     where to write gilport_compat.h (default: next to
                           each fixed file that needs it)
  --check-option=CHECK.OPTION=VALUE
                           set a check option (repeatable)
  --extra-arg=ARG          append ARG to every compile command
  --extra-arg-before=ARG   prepend ARG to every compile command
  --color=auto|always|never
  --file-timeout=SECONDS   the longest one file may take before it is
                           reported as an error (default 300, or
                           GILPORT_FILE_TIMEOUT; 0: no limit)
  --quiet                  no summary line and no progress
  --verbose                say which compile flags each file used

exit status: 0 no findings, 1 findings, 2 usage error or a file could not be
analysed.
)";
}

namespace {

class ArgReader {
public:
  ArgReader(llvm::ArrayRef<const char *> Args) : Args(Args) {}

  bool done() const { return Index >= Args.size(); }
  llvm::StringRef next() { return Args[Index++]; }

  /// Matches `--name=value`, `--name value`, and for short names `-pVALUE`.
  bool value(llvm::StringRef Arg, llvm::StringRef Name, std::string &Out,
             std::string &Error) {
    if (Arg == Name) {
      if (done()) {
        Error = "option '" + Name.str() + "' needs a value";
        return true;
      }
      Out = next().str();
      return true;
    }
    bool Short = Name.size() == 2;
    if (Short && Arg.starts_with(Name) && Arg.size() > 2) {
      Out = Arg.drop_front(2).str();
      return true;
    }
    if (!Short && Arg.starts_with(Name.str() + "=")) {
      Out = Arg.drop_front(Name.size() + 1).str();
      return true;
    }
    return false;
  }

private:
  llvm::ArrayRef<const char *> Args;
  size_t Index = 0;
};

} // namespace

std::optional<CommandLine> parseCommandLine(llvm::ArrayRef<const char *> Args,
                                            std::string &Error) {
  CommandLine Result;
  ArgReader Reader(Args);
  if (Reader.done()) {
    Error = "no command given";
    return std::nullopt;
  }
  llvm::StringRef Command = Reader.next();
  if (Command == "--version" || Command == "version")
    Result.Command = "version";
  else if (Command == "--help" || Command == "-h" || Command == "help")
    Result.Command = "help";
  else if (Command == "check" || Command == "fix" || Command == "list-checks" ||
           Command == "explain" || Command == "doctor")
    Result.Command = Command.str();
  else {
    Error = "unknown command '" + Command.str() + "'";
    return std::nullopt;
  }

  while (!Reader.done() && Error.empty()) {
    llvm::StringRef Arg = Reader.next();
    std::string Value;
    if (Arg == "--help" || Arg == "-h") {
      Result.Command = "help";
    } else if (Reader.value(Arg, "-p", Result.BuildDir, Error) ||
               Reader.value(Arg, "--checks", Result.Checks, Error) ||
               Reader.value(Arg, "--config", Result.ConfigFile, Error) ||
               Reader.value(Arg, "-o", Result.OutputFile, Error) ||
               Reader.value(Arg, "--output", Result.OutputFile, Error) ||
               Reader.value(Arg, "--python", Result.Python, Error) ||
               Reader.value(Arg, "--export-fixes", Result.ExportFixes, Error) ||
               Reader.value(Arg, "--compat-header", Result.CompatHeader, Error)) {
    } else if (Reader.value(Arg, "--format", Value, Error)) {
      auto Format = llvm::StringSwitch<std::optional<OutputFormat>>(Value)
                        .Case("text", OutputFormat::Text)
                        .Case("json", OutputFormat::Json)
                        .Case("sarif", OutputFormat::Sarif)
                        .Default(std::nullopt);
      if (!Format && Error.empty())
        Error = "unknown format '" + Value + "' (expected text, json or sarif)";
      else if (Format)
        Result.Format = *Format;
    } else if (Reader.value(Arg, "--color", Value, Error)) {
      auto Mode = llvm::StringSwitch<std::optional<ColorMode>>(Value)
                      .Case("auto", ColorMode::Auto)
                      .Case("always", ColorMode::Always)
                      .Case("never", ColorMode::Never)
                      .Default(std::nullopt);
      if (!Mode && Error.empty())
        Error = "unknown colour mode '" + Value +
                "' (expected auto, always or never)";
      else if (Mode)
        Result.Color = *Mode;
    } else if (Reader.value(Arg, "-j", Value, Error) ||
               Reader.value(Arg, "--jobs", Value, Error)) {
      unsigned Jobs = 0;
      if (Error.empty() &&
          (llvm::StringRef(Value).getAsInteger(10, Jobs) || Jobs == 0))
        Error = "'-j' needs a positive number, not '" + Value + "'";
      Result.Jobs = Jobs;
    } else if (Reader.value(Arg, "--file-timeout", Value, Error)) {
      unsigned Seconds = 0;
      if (Error.empty() && llvm::StringRef(Value).getAsInteger(10, Seconds))
        Error =
            "'--file-timeout' needs a number of seconds, not '" + Value + "'";
      Result.FileTimeout = Seconds;
    } else if (Reader.value(Arg, "--extra-arg", Value, Error)) {
      Result.ExtraArgs.push_back(Value);
    } else if (Reader.value(Arg, "--extra-arg-before", Value, Error)) {
      Result.ExtraArgsBefore.push_back(Value);
    } else if (Reader.value(Arg, "--check-option", Value, Error)) {
      auto [Key, OptionValue] = llvm::StringRef(Value).split('=');
      if (Error.empty() &&
          (Key.empty() || !Key.contains('.') || !llvm::StringRef(Value).contains('=')))
        Error = "'--check-option' takes CHECK.OPTION=VALUE, not '" + Value +
                "'";
      Result.CheckOptions.emplace_back(Key.str(), OptionValue.str());
    } else if (Arg == "--warnings-as-errors") {
      Result.WarningsAsErrors = true;
    } else if (Arg == "--quiet" || Arg == "-q") {
      Result.Quiet = true;
    } else if (Arg == "--verbose" || Arg == "-v") {
      Result.Verbose = true;
    } else if (Arg == "--fix") {
      Result.Fix = true;
    } else if (Arg == "--declare-anyway") {
      Result.DeclareAnyway = true;
    } else if (Arg == "--diff") {
      Result.Diff = true;
    } else if (Arg == "--dump-config") {
      Result.DumpConfig = true;
    } else if (Arg == "--") {
      while (!Reader.done())
        Result.Paths.push_back(Reader.next().str());
    } else if (Arg.starts_with("-") && Arg != "-") {
      Error = "unknown option '" + Arg.str() + "'";
    } else {
      Result.Paths.push_back(Arg.str());
    }
  }
  if (Result.Command == "fix")
    Result.Fix = true;
  if (!Error.empty())
    return std::nullopt;
  return Result;
}

} // namespace gilport
