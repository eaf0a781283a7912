//===--- WholeFile.cpp ----------------------------------------------------===//

#include "tool/WholeFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

namespace gilport {

std::error_code writeWholeFile(llvm::StringRef Target,
                               llvm::StringRef Content) {
  llvm::SmallString<256> Model(Target);
  Model += ".gilport-%%%%%%.tmp";
  int FD = -1;
  llvm::SmallString<256> Temporary;
  if (std::error_code EC =
          llvm::sys::fs::createUniqueFile(Model, FD, Temporary))
    return EC;
  llvm::sys::RemoveFileOnSignal(Temporary);
  std::error_code Failed;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Content;
    OS.close();
    if (OS.has_error()) {
      Failed = OS.error();
      OS.clear_error();
    }
  }
  if (!Failed)
    Failed = llvm::sys::fs::rename(Temporary, Target);
  if (Failed)
    llvm::sys::fs::remove(Temporary);
  llvm::sys::DontRemoveFileOnSignal(Temporary);
  return Failed;
}

} // namespace gilport
