//===--- MacroLocations.h - Where an API was spelled ------------*- C++ -*-===//
//
// C-API macros such as PyList_GET_ITEM leave no call in the AST: the checks
// find the expression the macro produced and walk its expansion chain back to
// the macro name the user wrote, possibly inside the user's own macro.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_UTILS_MACROLOCATIONS_H
#define GILPORT_CHECKS_UTILS_MACROLOCATIONS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/STLFunctionalExtras.h"
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

class CheckContext;
class FindingBuilder;

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
                CheckContext &Context);

/// Adds "expanded from macro 'X'" notes for each user macro that wraps the
/// token at \p Loc, pointing into the macro definitions.
void addMacroExpansionNotes(FindingBuilder &Builder, clang::SourceLocation Loc,
                            const clang::SourceManager &SM,
                            const clang::LangOptions &LangOpts);

/// The user's text of \p E with whitespace collapsed, or an empty string
/// when it cannot be read as one piece of one file.
std::string spelledText(const clang::Expr &E, const clang::SourceManager &SM,
                        const clang::LangOptions &LangOpts);

} // namespace gilport

#endif
