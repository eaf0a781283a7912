//===--- Stress.cpp - `gilport stress` ------------------------------------===//
//
// A thin launcher: the stress harness is Python (runtime-shim/harness) and
// runs inside the interpreter under test.  This finds the harness, the
// interpreter and the LD_AUDIT shim (tool/InstallLayout.h), and
// runs the harness with the user's arguments.  With --tsan the interpreter
// under test is the ThreadSanitizer build (<cache>/python3.13t-tsan), and
// the harness itself runs on an uninstrumented Python. A YAML --spec is read
// here (StressSpec) and handed to the harness as JSON.
//
//===----------------------------------------------------------------------===//

#include "tool/Stress.h"
#include "tool/Harness.h"
#include "tool/InstallLayout.h"
#include "tool/PythonInfo.h"
#include "tool/Sources.h"
#include "tool/StressSpec.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace gilport {

/// The ThreadSanitizer build of the reference runtime that
/// `scripts/build-python-ft.sh --tsan` makes.
static std::string tsanPythonPath() {
  llvm::SmallString<256> Path(cacheDir());
  llvm::sys::path::append(Path, "python3.13t-tsan", "bin", "python3.13t");
  return std::string(Path);
}

namespace {

/// A file in the system's temporary directory (unique name, readable by its
/// owner only), removed when this goes out of scope or when a signal ends
/// the process first.
class TemporaryFile {
public:
  TemporaryFile() = default;
  TemporaryFile(const TemporaryFile &) = delete;
  TemporaryFile &operator=(const TemporaryFile &) = delete;
  ~TemporaryFile() {
    if (Path.empty())
      return;
    llvm::sys::fs::remove(Path);
    llvm::sys::DontRemoveFileOnSignal(Path);
  }

  /// Creates the file and opens it for writing as \p FD.
  std::error_code create(llvm::StringRef Prefix, llvm::StringRef Suffix,
                         int &FD) {
    llvm::SmallString<128> Model;
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, Model);
    llvm::sys::path::append(Model, Prefix + "-%%%%%%%%." + Suffix);
    llvm::SmallString<128> Created;
    if (std::error_code EC = llvm::sys::fs::createUniqueFile(
            Model, FD, Created, llvm::sys::fs::OF_None,
            llvm::sys::fs::owner_read | llvm::sys::fs::owner_write))
      return EC;
    Path = std::string(Created);
    llvm::sys::RemoveFileOnSignal(Path);
    return {};
  }

  const std::string &path() const { return Path; }

private:
  std::string Path;
};

} // namespace

int runStress(llvm::ArrayRef<const char *> Args) {
  std::string Harness = envOr("GILPORT_STRESS_HARNESS", stressHarnessPath());
  if (!llvm::sys::fs::exists(Harness)) {
    llvm::errs() << "gilport: error: the stress harness was not found at '"
                 << Harness << "' (set GILPORT_STRESS_HARNESS)\n";
    return 2;
  }

  // The interpreter under test runs the harness too (not under --tsan).
  std::optional<std::string> Python;
  bool HasShim = false;
  bool Tsan = false;
  std::optional<std::string> Spec;
  for (size_t I = 0; I < Args.size(); ++I) {
    llvm::StringRef Arg = Args[I];
    if (Arg == "--python" && I + 1 < Args.size())
      Python = Args[I + 1];
    else if (Arg.consume_front("--python="))
      Python = Arg.str();
    else if (Arg == "--shim" || Arg.starts_with("--shim=") || Arg == "--no-shim")
      HasShim = true;
    else if (Arg == "--tsan")
      Tsan = true;
    else if (Arg == "--spec" && I + 1 < Args.size())
      Spec = Args[I + 1];
    else if (Arg.consume_front("--spec="))
      Spec = Arg.str();
  }
  bool PythonGiven = Python.has_value();
  if (!Python && Tsan) {
    Python = tsanPythonPath();
    if (!llvm::sys::fs::can_execute(*Python)) {
      llvm::errs() << "gilport: error: --tsan needs the ThreadSanitizer build "
                      "of CPython at '"
                   << *Python
                   << "', which does not exist; build it with "
                      "`scripts/build-python-ft.sh --tsan` (a full CPython "
                      "build), or name one with --python\n";
      return 2;
    }
  }
  if (!Python)
    Python = freeThreadedPython().value_or("python3");
  std::optional<std::string> UnderTest = resolveInterpreter(*Python);
  if (!UnderTest)
    return 2;
  // Under --tsan the harness would be instrumented too: 5-15x slower, and
  // TSAN's exit status for its own reports would mix with the harness's.
  std::optional<std::string> Program =
      Tsan ? resolveInterpreter(freeThreadedPython().value_or("python3"))
           : UnderTest;
  if (!Program)
    return 2;

  std::vector<std::string> Argv = {*Program, "-I", Harness};
  for (const char *Arg : Args)
    Argv.push_back(Arg);
  if (!PythonGiven) {
    Argv.push_back("--python");
    Argv.push_back(*UnderTest);
  }
  if (!HasShim)
    appendShim(Argv);

  // A YAML spec is parsed here and handed over as JSON; the harness reads a
  // JSON spec itself, and reports a spec file it cannot find.
  TemporaryFile SpecJson;
  if (Spec) {
    if (std::string Kind = irregularFileKind(*Spec); !Kind.empty()) {
      llvm::errs() << "gilport: error: cannot read the spec '" << *Spec
                   << "': it is " << Kind << ", not a regular file\n";
      return 2;
    }
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text =
        llvm::MemoryBuffer::getFile(*Spec);
    std::string SpecText = Text ? (*Text)->getBuffer().str() : "";
    if (Text && !isJsonSpec(SpecText)) {
      llvm::SmallString<256> Absolute(*Spec);
      llvm::sys::fs::make_absolute(Absolute);
      int FD;
      if (std::error_code EC = SpecJson.create("gilport-spec", "json", FD)) {
        llvm::errs() << "gilport: error: cannot write the parsed spec: "
                     << EC.message() << "\n";
        return 2;
      }
      llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
      OS << stressSpecJson(SpecText, std::string(Absolute));
      OS.close();
      if (OS.has_error()) {
        llvm::errs() << "gilport: error: cannot write the parsed spec: "
                     << OS.error().message() << "\n";
        OS.clear_error();
        return 2;
      }
      Argv.push_back("--spec-json");
      Argv.push_back(SpecJson.path());
    }
  }

  return runHarness(*Program, Argv, "stress harness");
}

} // namespace gilport
