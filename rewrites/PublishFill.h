//===--- PublishFill.h - First-use fills published under a PyMutex -*- C++
//-*-===//
//
// The fix for function-static objects filled on first use by code that may
// run Python code (analysis/PublishedFills.h): the static becomes
// `<name>_cache`, a local takes the old name, so the fill and every later
// use stay as written, and the value made is published under a new static
// PyMutex, the first value winning.
//
// A file-scope pointer filled at several places (analysis/PublishedGlobals.h)
// gets one accessor that does the same.
//
// PyMutex is Python 3.13's; gilport_compat.h defines a lock that does
// nothing for older versions, whose GIL already serialises the code.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_PUBLISHFILL_H
#define GILPORT_REWRITES_PUBLISHFILL_H

#include "analysis/PublishedFills.h"
#include "analysis/PublishedGlobals.h"
#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that publish \p Fill, the first-use fill of \p Var.
Rewrite publishFill(const PublishableFill &Fill, const clang::VarDecl &Var,
                    clang::ASTContext &Ctx);

/// The edits that publish \p Fill's value, the first-use fills of \p Var, a
/// file-scope object pointer: one accessor, `get_<name>()`, made before the
/// first function that fills it, which every read while the module is in
/// use calls, and the fills removed:
///
///   static PyMutex error_exception_lock;
///
///   static PyObject *
///   get_error_exception(void)
///   {
///       PyObject *value;
///
///       PyMutex_Lock(&error_exception_lock);
///       value = error_exception;
///       PyMutex_Unlock(&error_exception_lock);
///       if (value == NULL) {
///           value = get_object("regex._regex_core", "error");
///           ... published as by publishFill ...
///       }
///       return value;
///   }
Rewrite publishGlobalFill(const PublishableGlobal &Fill,
                          const clang::VarDecl &Var, clang::ASTContext &Ctx);

} // namespace gilport

#endif
