//===--- UnifiedDiff.h - A unified diff of a file's edits ------*- C++ -*-===//
//
// `gilport fix --diff` prints what the edits would change as a unified diff
// that `patch -p0` or `git apply` takes. Only the lines the edits touch are
// compared, line by line, so a line an edit replaced by the same text is
// context, not a deletion and re-addition.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_UNIFIEDDIFF_H
#define GILPORT_APPLY_UNIFIEDDIFF_H

#include "clang/Tooling/Core/Replacement.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace gilport {

/// Unified diff (3 lines of context) between \p Before and \p Before with
/// \p Edits applied; just the two header lines when nothing changes.
std::string unifiedDiff(llvm::StringRef Path, llvm::StringRef Before,
                        const clang::tooling::Replacements &Edits);

} // namespace gilport

#endif
