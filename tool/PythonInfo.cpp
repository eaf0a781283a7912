//===--- PythonInfo.cpp ---------------------------------------------------===//

#include "tool/PythonInfo.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

namespace gilport {

std::string cacheDir() {
  if (std::optional<std::string> Dir = llvm::sys::Process::GetEnv("GILPORT_CACHE_DIR"))
    if (!Dir->empty())
      return *Dir;
  llvm::SmallString<256> Path;
  if (std::optional<std::string> Xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
      Xdg && !Xdg->empty()) {
    Path = *Xdg;
  } else {
    std::optional<std::string> Home = llvm::sys::Process::GetEnv("HOME");
    Path = Home ? *Home : "/";
    llvm::sys::path::append(Path, ".cache");
  }
  llvm::sys::path::append(Path, "gilport");
  return std::string(Path);
}

std::optional<std::string> freeThreadedPython() {
  llvm::SmallString<256> Path(cacheDir());
  llvm::sys::path::append(Path, "python3.13t", "bin", "python3.13t");
  if (llvm::sys::fs::can_execute(Path))
    return std::string(Path);
  return std::nullopt;
}

std::string defaultPython() {
  if (std::optional<std::string> FreeThreaded = freeThreadedPython())
    return *FreeThreaded;
  return "python3";
}

std::optional<PythonInfo> queryPython(llvm::StringRef Interpreter,
                                      std::string &Error) {
  std::string Program = Interpreter.str();
  if (!Interpreter.contains('/')) {
    llvm::ErrorOr<std::string> Found = llvm::sys::findProgramByName(Interpreter);
    if (!Found) {
      Error = "Python interpreter '" + Program + "' was not found on PATH";
      return std::nullopt;
    }
    Program = *Found;
  }
  llvm::SmallString<128> OutputPath;
  if (llvm::sys::fs::createTemporaryFile("gilport-python", "txt", OutputPath)) {
    Error = "cannot create a temporary file";
    return std::nullopt;
  }
  const char *Script =
      "import sys, sysconfig\n"
      "print(sys.executable)\n"
      "print('%d.%d.%d' % sys.version_info[:3])\n"
      "print(sysconfig.get_paths()['include'])\n"
      "print(1 if sysconfig.get_config_var('Py_GIL_DISABLED') else 0)\n";
  llvm::StringRef Argv[] = {Program, "-I", "-c", Script};
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt,
                                                llvm::StringRef(OutputPath),
                                                llvm::StringRef("")};
  std::string ExecError;
  int Status = llvm::sys::ExecuteAndWait(Program, Argv, std::nullopt,
                                         Redirects, 30, 0, &ExecError);
  auto Buffer = llvm::MemoryBuffer::getFile(OutputPath);
  llvm::sys::fs::remove(OutputPath);
  if (Status != 0 || !Buffer) {
    Error = "cannot run Python interpreter '" + Program + "'" +
            (ExecError.empty() ? "" : ": " + ExecError);
    return std::nullopt;
  }
  llvm::SmallVector<llvm::StringRef, 4> Lines;
  (*Buffer)->getBuffer().split(Lines, '\n', -1, false);
  if (Lines.size() < 4) {
    Error = "unexpected answer from Python interpreter '" + Program + "'";
    return std::nullopt;
  }
  PythonInfo Info;
  Info.Interpreter = Interpreter.str();
  Info.Executable = Lines[0].trim().str();
  Info.Version = Lines[1].trim().str();
  Info.IncludeDir = Lines[2].trim().str();
  Info.FreeThreaded = Lines[3].trim() == "1";
  llvm::SmallString<256> PythonH(Info.IncludeDir);
  llvm::sys::path::append(PythonH, "Python.h");
  if (!llvm::sys::fs::exists(PythonH)) {
    Error = "Python interpreter '" + Program + "' has no C headers (" +
            std::string(PythonH) + " is missing; install its -dev package)";
    return std::nullopt;
  }
  return Info;
}

} // namespace gilport
