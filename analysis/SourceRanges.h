//===--- SourceRanges.h - Source positions for statement edits -*- C++ -*-===//

#ifndef GILPORT_ANALYSIS_SOURCERANGES_H
#define GILPORT_ANALYSIS_SOURCERANGES_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class LangOptions;
class SourceManager;
class Stmt;
} // namespace clang

namespace gilport {

/// Whether both ends of \p Range are file locations, not macro ones.
inline bool isFileRange(clang::SourceRange Range) {
  return Range.getBegin().isFileID() && Range.getEnd().isFileID();
}

/// The file range of the tokens in \p Range, or none when it only partly
/// covers a macro expansion.
std::optional<clang::CharSourceRange>
fileRangeOf(clang::SourceRange Range, const clang::SourceManager &SM,
            const clang::LangOptions &LO);

/// Where statement \p S starts in the file (the start of the macro
/// expansion that begins with it), or none.
std::optional<clang::SourceLocation>
statementBegin(const clang::Stmt &S, const clang::SourceManager &SM,
               const clang::LangOptions &LO);

/// Just after statement \p S, including its terminating semicolon.
std::optional<clang::SourceLocation>
statementEnd(const clang::Stmt &S, const clang::SourceManager &SM,
             const clang::LangOptions &LO);

/// The text of the tokens of \p Range as spelled in the file, or none when
/// it only partly covers a macro expansion.
std::optional<std::string> spelledText(clang::SourceRange Range,
                                       const clang::SourceManager &SM,
                                       const clang::LangOptions &LO);

/// [statementBegin, statementEnd).
std::optional<clang::CharSourceRange>
statementRange(const clang::Stmt &S, const clang::SourceManager &SM,
               const clang::LangOptions &LO);

/// The lines of \p S including the newline when nothing else is on them,
/// else statementRange.
std::optional<clang::CharSourceRange>
wholeStatementLines(const clang::Stmt &S, const clang::SourceManager &SM,
                    const clang::LangOptions &LO);

/// The offset of \p Loc in its file; for a location inside a macro
/// expansion, that of the expansion.
unsigned expansionOffset(clang::SourceLocation Loc,
                         const clang::SourceManager &SM);

/// The leading whitespace of the line holding \p Loc.
std::string indentationAt(clang::SourceLocation Loc,
                          const clang::SourceManager &SM);

/// The end of the line holding \p Loc when the rest of it is blank or a
/// comment (a new line can go there without moving the comment); none
/// otherwise.
std::optional<clang::SourceLocation>
endOfLineAfter(clang::SourceLocation Loc, const clang::SourceManager &SM);

/// Moves \p Offset up over the comment lines directly above it, so that text
/// inserted there does not separate a function from its comment.
unsigned aboveAttachedComments(llvm::StringRef Buffer, unsigned Offset);

} // namespace gilport

#endif
