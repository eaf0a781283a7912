//===--- CheckRegistry.h - The checks gilport knows -------------*- C++ -*-===//

#ifndef GILPORT_CHECKS_CHECKREGISTRY_H
#define GILPORT_CHECKS_CHECKREGISTRY_H

#include "checks/GilportCheck.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace gilport {

struct CheckInfo {
  llvm::StringRef Name;
  llvm::StringRef Summary;
  llvm::ArrayRef<CheckOptionInfo> Options;
  std::unique_ptr<GilportCheck> (*Create)(CheckContext &Context);
  /// The check's documentation page (Markdown), embedded at build time.
  llvm::StringRef Documentation;
};

/// Every check, sorted by name.
llvm::ArrayRef<CheckInfo> allChecks();

/// The check called \p Name, or null.
const CheckInfo *findCheck(llvm::StringRef Name);

} // namespace gilport

#endif
