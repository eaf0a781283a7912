//===--- WriteCompatHeader.cpp - gilport_compat.h as a file ---------------===//
//
// Run by the build: writes gilport_compat.h, the text `gilport fix` writes
// beside the files it fixes, so that the installed tree ships it too.
//
//   gilport-write-compat-header OUT.h
//
//===----------------------------------------------------------------------===//

#include "rewrites/CompatHeader.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: gilport-write-compat-header OUT.h\n";
    return 2;
  }
  std::error_code EC;
  llvm::raw_fd_ostream Out(argv[1], EC, llvm::sys::fs::OF_Text);
  if (EC) {
    llvm::errs() << argv[1] << ": " << EC.message() << "\n";
    return 1;
  }
  Out << gilport::compatHeaderText();
  return 0;
}
