//===--- StackStructs.h - Containers a call's own struct holds --*- C++ -*-===//
//
// Extensions often keep the state of one operation in a struct on the stack
// (`StructMetaInfo info = {...};` in msgspec's class creation) and hand its
// address to static helpers. A list or dict that only such a struct holds,
// created by the code that fills it and never handed out, is private to the
// thread that runs the call.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_STACKSTRUCTS_H
#define GILPORT_ANALYSIS_STACKSTRUCTS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace clang {
class ASTContext;
class CallExpr;
class FieldDecl;
class RecordDecl;
} // namespace clang

namespace gilport {

class StackStructs {
public:
  /// One call that creates the container \p Field holds, when:
  /// - its struct is defined in the main file (C only), every variable of it
  ///   is a function's local, no other struct, global or function result
  ///   holds it or a pointer to it, and pointers to it are never converted
  ///   or passed to code outside this file (so each instance stays on the
  ///   stack of the call that made it);
  /// - every value stored in \p Field is NULL or a container just created
  ///   (`PyDict_New()`, `PyList_New(0)`, `PyDict_Copy(d)`);
  /// - every read of \p Field is a use that keeps nothing (a container API's
  ///   container argument, a NULL test, `Py_CLEAR`, `Py_XDECREF`).
  /// Null otherwise. Walks the user's code once, on the first question.
  const clang::CallExpr *privateContainerCreator(const clang::FieldDecl &Field,
                                                 clang::ASTContext &Ctx);

private:
  void build(clang::ASTContext &Ctx);

  bool Built = false;
  /// Structs an instance of which may be reachable from another thread.
  llvm::DenseSet<const clang::RecordDecl *> Shared;
  /// The first creating call stored in each field.
  llvm::DenseMap<const clang::FieldDecl *, const clang::CallExpr *> Creators;
  /// Fields given another value, or read where the value may escape.
  llvm::DenseSet<const clang::FieldDecl *> Escaping;
};

} // namespace gilport

#endif
