//===--- PublishedGlobals.h - File-scope objects made on first use -*- C++
//-*-===//
//
// The file-scope cousin of analysis/PublishedFills.h: a static object
// pointer that the functions which need it fill on first use, often at
// several places, with an import that runs Python code:
//
//   static PyObject *error_exception;
//   ...
//   case RE_ERROR_INVALID_GROUP_REF:
//       if (!error_exception)
//           error_exception = get_object("regex._regex_core", "error");
//       PyErr_SetString(error_exception, "invalid group reference");
//       break;
//
// Without the GIL two threads can both find it NULL, and one reads the
// pointer while the other writes it. The fix (rewrites/PublishFill.h) makes
// one accessor that publishes the first value made under a PyMutex, and
// every read while the module is in use calls it. That keeps the code's
// meaning when every such read comes after a fill in the same block, with
// no way in between, so the value was made there anyway.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_PUBLISHEDGLOBALS_H
#define GILPORT_ANALYSIS_PUBLISHEDGLOBALS_H

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class DeclRefExpr;
class Expr;
class FunctionDecl;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

class InitOnlyFields;

/// The first-use fills of a file-scope object pointer, and its reads.
struct PublishableGlobal {
  /// The `if (v == NULL) v = make(...);` statements, in source order; empty
  /// when the variable does not have that shape (Reason says why).
  std::vector<const clang::IfStmt *> Fills;
  /// The value made, spelled the same at every fill.
  const clang::Expr *Value = nullptr;
  /// The function holding the first fill.
  const clang::FunctionDecl *FirstFunction = nullptr;
  /// The reads while the module is in use, outside the fills.
  std::vector<const clang::DeclRefExpr *> Reads;
  /// Whether a fill was found, even if something else rules the shape out.
  bool FillSeen = false;
  /// Whether the variable is already published by the fix: the one function
  /// that uses it while the module is in use does so as the cache of a
  /// published fill (analysis/PublishedFills.h's usedAsPublishedCache). Then
  /// Fills is empty and Reason too.
  bool Published = false;
  std::string Reason;
};

/// How \p Var, a static file-scope object pointer, is filled on first use,
/// or whether it is published already. Module init and teardown
/// (\p Lifecycle) may use it in any way.
PublishableGlobal findPublishableGlobal(const clang::VarDecl &Var,
                                        clang::ASTContext &Ctx,
                                        InitOnlyFields &Lifecycle);

} // namespace gilport

#endif
