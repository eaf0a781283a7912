//===--- Pytest.cpp - `gilport pytest` ------------------------------------===//
//
// A thin launcher, like `gilport stress`: runtime-shim/harness/
// gilport_pytest.py runs the user's pytest suite with every test in several
// threads at once. This finds the harness, the free-threaded interpreter and
// the runtime shim, and hands over the ThreadUnsafeTests of the nearest
// .gilport.yaml (from the current directory up) as --thread-unsafe.
//
//===----------------------------------------------------------------------===//

#include "tool/Pytest.h"
#include "config/ConfigFile.h"
#include "config/EffectiveConfig.h"
#include "tool/Harness.h"
#include "tool/InstallLayout.h"
#include "tool/PythonInfo.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace gilport {

int runPytest(llvm::ArrayRef<const char *> Args) {
  std::string Harness =
      envOr("GILPORT_PYTEST_HARNESS", harnessScriptPath("gilport_pytest.py"));
  if (!llvm::sys::fs::exists(Harness)) {
    llvm::errs() << "gilport: error: the pytest harness was not found at '"
                 << Harness << "' (set GILPORT_PYTEST_HARNESS)\n";
    return 2;
  }

  // Only gilport's own options come before `--`; pytest's follow it.
  std::optional<std::string> Python;
  bool HasShim = false, Help = false;
  size_t PytestArgs = Args.size();
  for (size_t I = 0; I < Args.size(); ++I) {
    llvm::StringRef Arg = Args[I];
    if (Arg == "--") {
      PytestArgs = I;
      break;
    }
    if (Arg == "--python" && I + 1 < Args.size())
      Python = Args[I + 1];
    else if (Arg.consume_front("--python="))
      Python = Arg.str();
    else if (Arg == "--shim" || Arg.starts_with("--shim=") ||
             Arg == "--no-shim")
      HasShim = true;
    else if (Arg == "-h" || Arg == "--help")
      Help = true;
  }
  bool PythonGiven = Python.has_value();
  if (!Python)
    Python = freeThreadedPython().value_or("python3");
  std::optional<std::string> Program = resolveInterpreter(*Python);
  if (!Program)
    return 2;

  std::vector<std::string> Argv = {*Program, "-I", Harness};
  for (size_t I = 0; I < PytestArgs; ++I)
    Argv.push_back(Args[I]);
  if (!PythonGiven) {
    Argv.push_back("--python");
    Argv.push_back(*Program);
  }
  if (!HasShim && !Help)
    appendShim(Argv);
  if (std::optional<std::string> ConfigPath = findConfigFile("")) {
    FileConfig File;
    std::string Error;
    if (!readConfigFile(*ConfigPath, File, Error)) {
      llvm::errs() << "gilport: error: " << Error << "\n";
      return 2;
    }
    for (const ConfigValue &Pattern : File.ThreadUnsafeTests)
      Argv.push_back("--thread-unsafe=" + Pattern.Value);
  }
  for (size_t I = PytestArgs; I < Args.size(); ++I)
    Argv.push_back(Args[I]);
  return runHarness(*Program, Argv, "pytest harness");
}

} // namespace gilport
