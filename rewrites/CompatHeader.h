//===--- CompatHeader.h - gilport_compat.h for older Pythons ----*- C++ -*-===//
//
// Fixed code calls the strong-reference APIs of Python 3.13 and its critical
// section macros. When the project supports older versions (MinimumPython
// below 3.13), the fix includes "gilport_compat.h", which defines them for
// the versions that lack them and nothing for the others.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_COMPATHEADER_H
#define GILPORT_REWRITES_COMPATHEADER_H

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class SourceManager;
class FileID;
} // namespace clang

namespace gilport {

/// The file name the fixes include.
constexpr llvm::StringLiteral CompatHeaderName = "gilport_compat.h";

/// The full text of gilport_compat.h.
llvm::StringRef compatHeaderText();

/// The edit that includes gilport_compat.h on the line after the
/// `#include <Python.h>` (or "Python.h") of \p File: the same text at the
/// same place for every finding, so it is applied once. None when the file
/// has no such line, or already includes the header.
std::optional<clang::FixItHint>
compatIncludeInsertion(const clang::SourceManager &SM, clang::FileID File);

/// Whether code that must also run on \p MinimumPython ("3.9") needs
/// gilport_compat.h to call an API added in \p Major.\p Minor.
bool needsCompatHeader(llvm::StringRef MinimumPython, unsigned Major,
                       unsigned Minor);

/// Whether \p File already includes gilport_compat.h.
bool includesCompatHeader(const clang::SourceManager &SM, clang::FileID File);

/// Hands \p Hints, the edits of a fix in \p File whose code calls APIs added
/// in \p Major.\p Minor, to \p AddFix, followed by the include of
/// gilport_compat.h when \p MinimumPython needs it. When the header is
/// needed and \p File neither includes it nor has an `#include <Python.h>`
/// line to put it after, nothing is handed over and the reason is returned
/// (empty otherwise).
std::string addFixWithCompatHeader(
    llvm::ArrayRef<clang::FixItHint> Hints, const clang::SourceManager &SM,
    clang::FileID File, llvm::StringRef MinimumPython, unsigned Major,
    unsigned Minor, llvm::function_ref<void(const clang::FixItHint &)> AddFix);

} // namespace gilport

#endif
