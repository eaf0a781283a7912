//===--- RewriteUtils.h - Source positions for statement edits --*- C++ -*-===//

#ifndef GILPORT_REWRITES_REWRITEUTILS_H
#define GILPORT_REWRITES_REWRITEUTILS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class CallExpr;
class Expr;
class FunctionDecl;
class LangOptions;
class SourceManager;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

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

/// The name of the function \p Call calls directly; empty for an indirect
/// call, an unnamed callee or a null \p Call.
llvm::StringRef calleeName(const clang::CallExpr *Call);

/// Whether \p S (or anything in it) refers to \p V.
bool mentionsVariable(const clang::Stmt *S, const clang::VarDecl *V);

/// The variable \p E names: `&x`, `x`, or an array decaying; null for
/// anything else or a null \p E.
const clang::VarDecl *namedVariable(const clang::Expr *E);

/// The function \p E names through parentheses and casts (a slot's
/// `(void *)exec_module`), or null for anything else or a null \p E.
const clang::FunctionDecl *namedFunction(const clang::Expr *E);

/// \p E without parentheses, casts, and the left operands of commas (the
/// assertion in 3.13's `(assert(...), (T *)(op))` casts).
const clang::Expr *stripParensCastsAndCommas(const clang::Expr *E);

/// The local variable \p E names, through parentheses and casts, or null.
const clang::VarDecl *referencedLocal(const clang::Expr *E);

/// Whether \p Cond tests local \p Var for NULL: `m == NULL`, `NULL == m`,
/// `!m`.
bool testsForNull(const clang::Expr *Cond, const clang::VarDecl *Var,
                  clang::ASTContext &Ctx);

/// The leading whitespace of the line holding \p Loc.
std::string indentationAt(clang::SourceLocation Loc,
                          const clang::SourceManager &SM);

} // namespace gilport

#endif
