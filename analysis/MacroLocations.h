//===--- MacroLocations.h - Where an API was spelled ------------*- C++ -*-===//
//
// C-API macros such as PyList_GET_ITEM leave no call in the AST: the checks
// find the expression the macro produced and walk its expansion chain back to
// the macro name the user wrote, possibly inside the user's own macro.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_MACROLOCATIONS_H
#define GILPORT_ANALYSIS_MACROLOCATIONS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class Expr;
class LangOptions;
class SourceManager;
} // namespace clang

namespace gilport {

/// One macro expansion that produced a token.
struct MacroFrame {
  llvm::StringRef Name;
  /// The macro name token of the expansion; a macro location itself when the
  /// invocation was written inside another macro.
  clang::SourceLocation NameLoc;
};

/// The expansions whose macro bodies produced \p Loc, innermost first.
/// Macro arguments are followed to where they were written, the way
/// SourceManager::getFileLoc does.
llvm::SmallVector<MacroFrame, 4>
enclosingMacroExpansions(clang::SourceLocation Loc,
                         const clang::SourceManager &SM,
                         const clang::LangOptions &LangOpts);

/// Whether \p Loc is part of an invocation of the macro \p Name, in its body
/// or in one of its arguments.
bool isWithinExpansionOf(clang::SourceLocation Loc, llvm::StringRef Name,
                         const clang::SourceManager &SM,
                         const clang::LangOptions &LangOpts);

/// The user's text of \p E with whitespace collapsed, or an empty string
/// when it cannot be read as one piece of one file.
std::string displayText(const clang::Expr &E, const clang::SourceManager &SM,
                        const clang::LangOptions &LangOpts);

} // namespace gilport

#endif
