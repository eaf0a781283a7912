//===--- PublishedFills.h - First-use fills that may run Python code -*- C++
//-*-===//
//
// Many extensions import something on first use and keep it in a
// function-static pointer:
//
//   static PyObject *reconstructor = NULL;
//   if (reconstructor == NULL) {
//       reconstructor = module_attr("_reconstructor");
//       if (reconstructor == NULL)
//           return NULL;
//   }
//   ... reconstructor ...
//
// Without the GIL two threads can both find it NULL, and one reads the
// pointer while the other writes it. A lock held around the fill could
// deadlock: the import runs Python code, which may wait for another thread
// or call back into the function. So each thread makes its value without
// the lock, into a local of the old name, and publishes it under a PyMutex;
// the first value published wins and the others are released:
//
//   static PyObject *reconstructor_cache = NULL;
//   static PyMutex reconstructor_lock;
//   PyObject *reconstructor;
//   PyMutex_Lock(&reconstructor_lock);
//   reconstructor = reconstructor_cache;
//   PyMutex_Unlock(&reconstructor_lock);
//   if (reconstructor == NULL) {
//       ... the fill, unchanged, now of the local ...
//       PyMutex_Lock(&reconstructor_lock);
//       if (reconstructor_cache == NULL) {
//           reconstructor_cache = reconstructor;
//           reconstructor = NULL;
//       }
//       PyMutex_Unlock(&reconstructor_lock);
//       Py_XDECREF(reconstructor);
//       reconstructor = reconstructor_cache;
//   }
//
// The cache goes from NULL to its value once and never changes again, so
// the last read, after a locked read or write that saw it filled, races
// with no write.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_PUBLISHEDFILLS_H
#define GILPORT_ANALYSIS_PUBLISHEDFILLS_H

#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace clang {
class ASTContext;
class BinaryOperator;
class CompoundStmt;
class DeclRefExpr;
class DeclStmt;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// A first-use fill of a function-static object pointer that may run
/// Python code.
struct PublishableFill {
  /// The `if (v == NULL) {...}` that fills it; null when the variable does
  /// not have that shape (Reason says why).
  const clang::IfStmt *Fill = nullptr;
  /// The variable's declaration, a statement of the function's body.
  const clang::DeclStmt *Declaration = nullptr;
  /// The assignment of the value made, a statement of Fill's branch.
  const clang::BinaryOperator *Store = nullptr;
  std::string Reason;
};

/// How \p Var, a function-static object pointer, is filled on first use.
/// The fill's branch must end by falling through; every exit from it after
/// the store is taken only when the value made is NULL; the value is a new
/// reference; and every other use of the variable reads it after the fill,
/// in the same block, with no way in that skips the fill.
PublishableFill findPublishableFill(const clang::VarDecl &Var,
                                    clang::ASTContext &Ctx);

/// Whether \p Var is the cache of a fill published as above (a fix of an
/// earlier run): every use of it is a statement between the lock and the
/// unlock of one static PyMutex, or the last read after them; it is
/// written only by `cache = local;` under `if (cache == NULL)`.
bool isPublishedCache(const clang::VarDecl &Var, clang::ASTContext &Ctx);

/// Whether \p Refs, the uses of \p Var, are those of a published cache as
/// above (the test behind isPublishedCache, for any pointer variable).
bool usedAsPublishedCache(const clang::VarDecl &Var,
                          llvm::ArrayRef<const clang::DeclRefExpr *> Refs,
                          clang::ASTContext &Ctx);

/// Whether \p Ref only reads the variable's value.
bool onlyReads(const clang::DeclRefExpr &Ref, clang::ASTContext &Ctx);

/// Whether \p Var has no initial value, or NULL.
bool startsNull(const clang::VarDecl &Var, clang::ASTContext &Ctx);

} // namespace gilport

#endif
