//===--- Rewrite.h - Edits, or why there are none ---------------*- C++ -*-===//
//
// What every fix builder returns.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_REWRITE_H
#define GILPORT_REWRITES_REWRITE_H

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace gilport {

/// Edits, or the reason there are none.
struct Rewrite {
  std::vector<clang::FixItHint> Hints;
  /// Why no edit is offered; empty on success.
  std::string Reason;

  bool ok() const { return Reason.empty() && !Hints.empty(); }
  static Rewrite failure(llvm::StringRef Why) {
    Rewrite Result;
    Result.Reason = Why.str();
    return Result;
  }
};

} // namespace gilport

#endif
