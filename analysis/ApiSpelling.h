//===--- ApiSpelling.h - Where the user wrote a C-API name ------*- C++ -*-===//
//
// A C-API call can reach the AST through the user's own macros and through
// the C API's macros. Findings point at the name the user wrote.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_APISPELLING_H
#define GILPORT_ANALYSIS_APISPELLING_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace gilport {

class UnitFacts;

/// A C-API name as the user wrote it.
struct ApiSpelling {
  llvm::StringRef Name;
  /// The name token: report here (the context maps it to the outermost
  /// expansion in the user's file).
  clang::SourceLocation NameLoc;
};

/// Finds the API occurrence the user wrote for a node of the AST.
/// \p CalleeName / \p CalleeLoc describe the node when it is a call (empty /
/// invalid otherwise); \p NodeLoc is a location produced by the node's
/// expansion. The first name accepted by \p IsApi whose token is spelled in
/// reported code (not in the Python headers) wins, innermost first, so an API
/// macro used inside another API macro is attributed to the outer one.
std::optional<ApiSpelling>
findApiSpelling(llvm::StringRef CalleeName, clang::SourceLocation CalleeLoc,
                clang::SourceLocation NodeLoc,
                llvm::function_ref<bool(llvm::StringRef)> IsApi,
                UnitFacts &Facts);

} // namespace gilport

#endif
