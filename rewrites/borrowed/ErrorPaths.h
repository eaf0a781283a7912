//===--- ErrorPaths.h - CPython error paths for the fix ---------*- C++ -*-===//
//
// The CPython error-path side of the borrowed -> strong fix: the function's
// own error convention (`return NULL;`, `return -1;`, an error label), the
// error path that a lookup which swallowed errors now needs, and the
// `if (PyErr_Occurred())` test that moves into the strong call's error
// branch. Private to the borrowed rewrite (rewrites/BorrowedToStrong.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_ERRORPATHS_H
#define GILPORT_REWRITES_BORROWED_ERRORPATHS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class CompoundStmt;
class FunctionDecl;
class LangOptions;
class SourceManager;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {
namespace borrowed {

/// `if (R(args, &v) < 0) { ... }` for \p Statement, a lookup that swallowed
/// errors, with the error path it now needs; none, with \p Failure set, when
/// no correct error path can be built. The result goes to \p OutName.
/// \p Converted: variables that other fixes of the run make hold a new
/// reference (liveReferencesBefore).
std::optional<std::string> lookupWithErrorPath(
    const clang::Stmt *Statement, const clang::CompoundStmt *Block,
    unsigned Index, const clang::VarDecl *Var,
    const clang::FunctionDecl &Function, clang::ASTContext &Ctx,
    llvm::StringRef Replacement, const std::string &Args,
    const std::string &Indent, const std::string &Inner,
    llvm::StringRef OutName, std::string &Failure,
    const llvm::SmallPtrSetImpl<const clang::VarDecl *> *Converted = nullptr);

/// The test `if (PyErr_Occurred()) ERROR` that follows a lookup reporting
/// errors as NULL and runs only when the lookup returned NULL. Moved into
/// `if (Ref(...) < 0) { ERROR }`, it gives the shape of CPython's own ports.
struct ErrorTest {
  const clang::Stmt *Error = nullptr;
  /// The text that goes away: the test, or `else if (...) ERROR`.
  clang::CharSourceRange Removal;
  /// Releases of other variables between the lookup and the test: they ran
  /// before ERROR, so the new error path runs them too.
  std::string Releases;
};

/// The error test after the lookup `Block[Index]` into \p Var, if it can move.
std::optional<ErrorTest> findErrorTest(const clang::CompoundStmt &Block,
                                       unsigned Index,
                                       const clang::VarDecl &Var,
                                       clang::ASTContext &Ctx,
                                       bool NullMeansError);

/// The statements of \p Error re-indented to \p Indent, each line ending in
/// a newline.
std::string movedBody(const clang::Stmt &Error, llvm::StringRef Indent,
                      const clang::SourceManager &SM,
                      const clang::LangOptions &LO);

} // namespace borrowed
} // namespace gilport

#endif
