//===--- PythonInfo.cpp ---------------------------------------------------===//

#include "tool/PythonInfo.h"
#include "tool/WholeFile.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/xxhash.h"

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

namespace {

/// What identifies the interpreter's answer: the name it was run by, the
/// file that runs, and that file's identity, size and modification time. A
/// reinstalled or upgraded interpreter is a new file, so a new key.
std::optional<std::string> answerKey(llvm::StringRef Program) {
  llvm::SmallString<256> Real;
  llvm::sys::fs::file_status Status;
  if (llvm::sys::fs::real_path(Program, Real) ||
      llvm::sys::fs::status(Real, Status))
    return std::nullopt;
  llvm::sys::fs::UniqueID ID = Status.getUniqueID();
  return (Program + "\t" + Real + "\t" + llvm::Twine(ID.getDevice()) + ":" +
          llvm::Twine(ID.getFile()) + "\t" + llvm::Twine(Status.getSize()) +
          "\t" +
          llvm::Twine(
              Status.getLastModificationTime().time_since_epoch().count()))
      .str();
}

/// Where the answer for \p Key is kept: starting Python to ask costs more
/// than a small file's parse, on every run.
std::string answerPath(llvm::StringRef Key) {
  llvm::SmallString<256> Path(cacheDir());
  llvm::sys::path::append(Path, "python-info",
                          llvm::utohexstr(llvm::xxh3_64bits(Key)) + ".txt");
  return std::string(Path);
}

/// The kept answer for \p Key: its lines after the key line, or none.
std::optional<std::string> keptAnswer(llvm::StringRef Key) {
  auto Buffer = llvm::MemoryBuffer::getFile(answerPath(Key), /*IsText=*/true);
  if (!Buffer)
    return std::nullopt;
  auto [First, Rest] = (*Buffer)->getBuffer().split('\n');
  if (First != Key)
    return std::nullopt;
  return Rest.str();
}

/// Keeps \p Answer for \p Key, written whole or not at all (runs in
/// parallel may race: the last rename wins, with the same content).
/// Failures only mean the next run asks again.
void keepAnswer(llvm::StringRef Key, llvm::StringRef Answer) {
  std::string Path = answerPath(Key);
  if (!llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)))
    (void)writeWholeFile(Path, (Key + "\n" + Answer).str());
}

/// Runs \p Program to learn what PythonInfo holds, as lines.
std::optional<std::string> askPython(const std::string &Program,
                                     std::string &Error) {
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
  return (*Buffer)->getBuffer().str();
}

} // namespace

std::optional<PythonInfo> queryPython(llvm::StringRef Interpreter,
                                      std::string &Error) {
  std::string Program = Interpreter.str();
  if (!Interpreter.contains('/')) {
    llvm::ErrorOr<std::string> Found =
        llvm::sys::findProgramByName(Interpreter);
    if (!Found) {
      Error = "Python interpreter '" + Program + "' was not found on PATH";
      return std::nullopt;
    }
    Program = *Found;
  }
  std::optional<std::string> Key = answerKey(Program);
  std::optional<std::string> Answer = Key ? keptAnswer(*Key) : std::nullopt;
  bool Asked = !Answer;
  if (Asked) {
    Answer = askPython(Program, Error);
    if (!Answer)
      return std::nullopt;
  }
  llvm::SmallVector<llvm::StringRef, 4> Lines;
  llvm::StringRef(*Answer).split(Lines, '\n', -1, false);
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
  // Only a complete answer, for an interpreter with its headers, is kept.
  if (Asked && Key)
    keepAnswer(*Key, *Answer);
  return Info;
}

} // namespace gilport
