//===--- LazyInit.h - Function-static objects filled on first use -*- C++
//-*-===//
//
// The commonest global object in third-party extensions is a string or
// number made on first use and kept in a function-static pointer:
//
//   static PyObject *name_str = NULL;
//   if (name_str == NULL)
//       name_str = PyUnicode_InternFromString("__name__");
//   ... PyObject_GetAttr(obj, name_str) ...
//
// Without the GIL two threads can both find it NULL, and one reads the
// pointer while the other writes it. Holding one static PyMutex around the
// test-and-fill makes every reader see the filled value: the fill happens
// before the writer unlocks, and every reader locks first. That holds when
// the value is only ever written there, every other use of the variable
// comes after the filling statement in the same block, and nothing jumps
// past it.
//
// The value must come from a call that cannot run Python code (making a
// string or a number): code that runs while the lock is held must not call
// back into the extension or wait on an import, or it could deadlock.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_LAZYINIT_H
#define GILPORT_ANALYSIS_LAZYINIT_H

#include <string>

namespace clang {
class ASTContext;
class CompoundStmt;
class FunctionDecl;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// How a function-static object pointer is filled.
struct LazyInit {
  /// The `if (v == NULL) v = make(...);` statement; null when the variable
  /// does not have that shape (Reason says why).
  const clang::IfStmt *Fill = nullptr;
  /// The block holding Fill.
  const clang::CompoundStmt *Block = nullptr;
  /// The static PyMutex locked by the statement right before Fill (or
  /// before the run of such fills Fill is in) and unlocked right after it;
  /// null when the fill is not guarded.
  const clang::VarDecl *Mutex = nullptr;
  /// Why the variable is not filled in this shape.
  std::string Reason;
};

/// How \p Var, a function-static pointer, is filled.
LazyInit findLazyInit(const clang::VarDecl &Var, clang::ASTContext &Ctx);

} // namespace gilport

#endif
