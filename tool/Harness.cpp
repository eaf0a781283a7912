//===--- Harness.cpp - Starting a Python harness of gilport's -------------===//

#include "tool/Harness.h"
#include "tool/InstallLayout.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace gilport {

std::string envOr(const char *Name, llvm::StringRef Default) {
  if (std::optional<std::string> Value = llvm::sys::Process::GetEnv(Name))
    if (!Value->empty())
      return *Value;
  return Default.str();
}

std::optional<std::string> resolveInterpreter(const std::string &Name) {
  if (llvm::StringRef(Name).contains('/')) {
    if (llvm::sys::fs::can_execute(Name))
      return Name;
    llvm::errs() << "gilport: error: Python interpreter '" << Name
                 << "' does not exist or cannot be run\n";
    return std::nullopt;
  }
  llvm::ErrorOr<std::string> Found = llvm::sys::findProgramByName(Name);
  if (!Found) {
    llvm::errs() << "gilport: error: Python interpreter '" << Name
                 << "' was not found on PATH\n";
    return std::nullopt;
  }
  return *Found;
}

void appendShim(std::vector<std::string> &Argv) {
  std::string Shim = envOr("GILPORT_SHIM", runtimeShimPath());
  if (llvm::sys::fs::exists(Shim)) {
    Argv.push_back("--shim");
    Argv.push_back(Shim);
    return;
  }
  llvm::errs() << "gilport: warning: the runtime shim was not found at '"
               << Shim << "'; borrowed-reference calls are not traced\n";
}

int runHarness(const std::string &Program, const std::vector<std::string> &Argv,
               llvm::StringRef What) {
  std::vector<llvm::StringRef> Refs(Argv.begin(), Argv.end());
  std::string Error;
  int Status = llvm::sys::ExecuteAndWait(Program, Refs, std::nullopt, {},
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &Error);
  if (Status < 0) {
    llvm::errs() << "gilport: error: cannot run the " << What << " with '"
                 << Program << "': " << Error << "\n";
    return 2;
  }
  return Status <= 2 ? Status : 2;
}

} // namespace gilport
