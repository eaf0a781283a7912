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

#include "analysis/CompatDefinitions.h"

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
/// `#include <Python.h>` (or "Python.h") of \p File, or else at offset
/// \p Fallback: the same text at the same place for every finding, so it is
/// applied once; never before offset \p NotBefore. None when there is no
/// such place, or the file already includes the header. \p Project
/// remembers each file's include lines for the unit.
std::optional<clang::FixItHint>
compatIncludeInsertion(const clang::SourceManager &SM, clang::FileID File,
                       const CompatDefinitions &Project,
                       std::optional<unsigned> Fallback = std::nullopt,
                       std::optional<unsigned> NotBefore = std::nullopt);

/// The include guard of pythoncapi_compat.h. gilport_compat.h defines no
/// function or macro of pythoncapi_compat.h when the guard is defined.
constexpr llvm::StringLiteral VendoredCompatGuard = "PYTHONCAPI_COMPAT";

/// The functions and macros gilport_compat.h defines, and
/// VendoredCompatGuard.
llvm::ArrayRef<llvm::StringRef> compatHeaderNames();

/// What a fix needs of the compat header.
struct CompatNeed {
  /// The oldest Python the project supports ("3.9").
  llvm::StringRef MinimumPython;
  /// The version that added the APIs the fix's code calls.
  unsigned Major, Minor;
  /// Those APIs, by name.
  llvm::ArrayRef<llvm::StringRef> Apis;
  /// What the project defines itself.
  const CompatDefinitions &Project;
};

/// Whether code that must also run on \p MinimumPython ("3.9") needs
/// gilport_compat.h to call an API added in \p Major.\p Minor.
bool needsCompatHeader(llvm::StringRef MinimumPython, unsigned Major,
                       unsigned Minor);

/// Hands \p Hints, the edits of a fix in \p File, to \p AddFix, followed
/// by the include of gilport_compat.h when the fix's APIs are newer than the
/// project's MinimumPython and the project does not define them itself.
/// When the header is needed but cannot be included (no place for it, or
/// the project defines some of its names, which it would define twice),
/// nothing is handed over and the reason is returned (empty otherwise).
std::string addFixWithCompatHeader(
    llvm::ArrayRef<clang::FixItHint> Hints, const clang::SourceManager &SM,
    clang::FileID File, const CompatNeed &Need,
    llvm::function_ref<void(const clang::FixItHint &)> AddFix);

} // namespace gilport

#endif
