//===--- LockHeldSplit.h - Run a function under its object's lock -*- C++
//-*-===//
//
// CPython's idiom for a method that must hold its object's critical section
// for its whole run, early exits included: the body moves, unchanged, into
// `name_lock_held`, and `name` becomes a wrapper with the same signature
// that calls it between the section's macros:
//
//   static PyObject *
//   Stack_push(StackObject *self, PyObject *item)
//   {
//       PyObject *return_value;
//
//       Py_BEGIN_CRITICAL_SECTION(self);
//       return_value = Stack_push_lock_held(self, item);
//       Py_END_CRITICAL_SECTION();
//
//       return return_value;
//   }
//
// Method tables, slots and prototypes keep naming `name`, now the wrapper.
// Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_LOCKHELDSPLIT_H
#define GILPORT_REWRITES_LOCKHELDSPLIT_H

#include "rewrites/Rewrite.h"

#include "llvm/ADT/ArrayRef.h"

namespace clang {
class ASTContext;
class FunctionDecl;
class ParmVarDecl;
} // namespace clang

namespace gilport {

/// The edits that make \p Function run with the critical section of
/// \p Objects (one or two of its parameters) held, or why they cannot be
/// made.
Rewrite splitLockHeld(const clang::FunctionDecl &Function,
                      llvm::ArrayRef<const clang::ParmVarDecl *> Objects,
                      clang::ASTContext &Ctx);

} // namespace gilport

#endif
