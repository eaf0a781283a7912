//===--- Stress.cpp - `gilport stress` ------------------------------------===//

#include "tool/Stress.h"

#include "llvm/Support/raw_ostream.h"

namespace gilport {

int runStress(llvm::ArrayRef<const char *>) {
  llvm::errs() << "gilport: error: 'stress' is not available in this build\n";
  return 2;
}

} // namespace gilport
