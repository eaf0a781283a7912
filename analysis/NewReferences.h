//===--- NewReferences.h - Expressions that make a new reference -*- C++
//-*-===//
//
// Which calls return a new reference (Doc/data/refcounts.dat), for fixes
// that must release a value: the C-API's own, and functions of the project
// whose every return gives one.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_NEWREFERENCES_H
#define GILPORT_ANALYSIS_NEWREFERENCES_H

#include "llvm/ADT/StringRef.h"

namespace clang {
class ASTContext;
class Expr;
} // namespace clang

namespace gilport {

/// `Py_NewRef` and `Py_XNewRef`, and the inline functions the headers define
/// them with: each returns its argument with one more reference.
inline constexpr llvm::StringRef NewRefFunctions[] = {
    "Py_NewRef", "_Py_NewRef", "Py_XNewRef", "_Py_XNewRef"};

/// `Py_INCREF` and `Py_XINCREF`, and the inline functions the headers define
/// them with: each gives its argument one more reference.
inline constexpr llvm::StringRef IncRefFunctions[] = {
    "Py_INCREF", "_Py_INCREF", "Py_XINCREF", "_Py_XINCREF"};

/// Whether \p E is a call that returns a new reference, or NULL with an
/// exception set: a C-API function that does, or a function of the
/// project's own (two calls deep) whose every `return` gives NULL, such a
/// call, or a local only assigned such calls and otherwise only tested and
/// returned.
bool makesNewReference(const clang::Expr *E, clang::ASTContext &Ctx);

} // namespace gilport

#endif
