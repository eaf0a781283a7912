//===--- BorrowedToStrong.h - Borrowed -> strong reference fixes -*- C++ -*-===//
//
// Rewrites a borrowed-reference call stored in a local variable to its
// strong replacement and makes the variable own its reference: the new
// reference is released on every path that leaves the variable's live range
// (`return`, `goto`, `break`/`continue` out of the block, the end of the
// block), or handed over where the code already took a reference of its own
// (`Py_INCREF(v)` is dropped, `Py_NewRef(v)` becomes `v`).
//
// Only shapes whose ownership can be established are rewritten; for the
// others the result carries a reason. Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWEDTOSTRONG_H
#define GILPORT_REWRITES_BORROWEDTOSTRONG_H

#include "rewrites/Rewrite.h"

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace gilport {

class InitOnlyFields;

/// How the strong replacement is called.
enum class StrongCallForm {
  /// `R(args...)` returns a new reference or NULL with an exception
  /// (PyImport_AddModule -> PyImport_AddModuleRef).
  SameArguments,
  /// `int R(args..., &v)`; the borrowed API reported errors as NULL with an
  /// exception (PyDict_GetItemWithError -> PyDict_GetItemRef).
  LookupReportingErrors,
  /// `int R(args..., &v)`; the borrowed API swallowed errors (PyDict_GetItem,
  /// PyDict_GetItemString), so the fix adds an error path.
  LookupSwallowingErrors,
  /// `int PyWeakref_GetRef(ref, &v)`; a dead referent keeps meaning Py_None.
  Weakref,
  /// `int PyDict_SetDefaultRef(d, key, default, &v)`; v is NULL only on
  /// error, as PyDict_SetDefault's result was. A result that was only tested
  /// against NULL, or dropped, becomes a NULL out-parameter.
  SetDefault,
};

/// Rewrites \p Call, a call of a borrowed API in \p Function, to
/// \p Replacement. \p Converted: the variables that the run's other
/// rewrites in the function make hold a new reference (an error path must
/// not leave them held); the variable the call is stored in is ignored
/// there, so the result depends only on the others. On success, \p Holder
/// is that variable, which now holds one, if any. \p Lifecycle: the unit's
/// module init and teardown facts (a fallback from a field only they set is a
/// borrowed value).
Rewrite rewriteBorrowedCall(
    const clang::CallExpr &Call, const clang::FunctionDecl &Function,
    llvm::StringRef Replacement, StrongCallForm Form, clang::ASTContext &Ctx,
    InitOnlyFields &Lifecycle,
    const llvm::SmallPtrSetImpl<const clang::VarDecl *> *Converted = nullptr,
    const clang::VarDecl **Holder = nullptr);

} // namespace gilport

#endif
