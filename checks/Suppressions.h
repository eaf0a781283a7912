//===--- Suppressions.h - NOLINT comments -----------------------*- C++ -*-===//
//
// Understands clang-tidy's spellings: `// NOLINT`, `// NOLINT(check,glob*)`,
// `// NOLINTNEXTLINE(...)` and `// NOLINTBEGIN(...)` ... `// NOLINTEND(...)`.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_SUPPRESSIONS_H
#define GILPORT_CHECKS_SUPPRESSIONS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace gilport {

/// Whether \p CheckName matches the comma-separated glob list \p Globs.
/// A leading `-` on a glob removes matches; later globs win.
bool matchesGlobList(llvm::StringRef Globs, llvm::StringRef CheckName);

/// The suppressions written in one file's text.
class Suppressions {
public:
  Suppressions() = default;
  explicit Suppressions(llvm::StringRef Buffer);

  /// Whether \p Check is suppressed on 1-based \p Line.
  bool isSuppressed(unsigned Line, llvm::StringRef Check) const;

private:
  struct Range {
    unsigned FirstLine;
    unsigned LastLine;
    /// Empty: every check.
    std::string Checks;
  };
  std::vector<Range> Ranges;
};

} // namespace gilport

#endif
