//===--- ArgumentHoist.h - A borrowed argument made a strong one -*- C++
//-*-===//
//
// A borrowed result is often passed straight to another call and never
// stored:
//
//   for (i = 0; i < count; i++)
//       length += PyBytes_Size(PyList_GetItem(list, i));
//
// The new reference has to be released after that call, so it goes into a
// local that the statement reads and releases right after:
//
//   for (i = 0; i < count; i++) {
//       PyObject *item = PyList_GetItemRef(list, i);
//
//       length += PyBytes_Size(item);
//       Py_XDECREF(item);
//   }
//
// Only for replacements with the same contract (NULL with an exception on
// error, as before), a call of the C API that neither keeps nor returns a
// pointer into its argument, and a statement with no other call and no
// other side effect, so that nothing changes order. Private to the
// borrowed rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_ARGUMENTHOIST_H
#define GILPORT_REWRITES_BORROWED_ARGUMENTHOIST_H

#include "rewrites/Rewrite.h"

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace clang {
class ASTContext;
class CallExpr;
class FunctionDecl;
} // namespace clang

namespace gilport {
namespace borrowed {

/// The edits that pass \p NewCall's strong result, in place of \p Call, to
/// the call whose argument Call is, or none when Call is not such an
/// argument (the Rewrite's Reason says why one cannot be).
std::optional<Rewrite> hoistArgument(const clang::CallExpr &Call,
                                     const clang::FunctionDecl &Function,
                                     llvm::StringRef NewCall,
                                     clang::ASTContext &Ctx);

} // namespace borrowed
} // namespace gilport

#endif
