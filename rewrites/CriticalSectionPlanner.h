//===--- CriticalSectionFix.h - Lock container accesses ---------*- C++ -*-===//
//
// Wraps the statements that use a shared container's internals in
// `Py_BEGIN_CRITICAL_SECTION(c);` ... `Py_END_CRITICAL_SECTION();`:
// a loop over PyDict_Next, a loop reading PyList_GET_ITEM or
// PySequence_Fast_GET_ITEM, the uses of a PySequence_Fast_ITEMS array
// together with the size read they rely on.
//
// The sections of one function are planned together: sections that overlap
// become one section on two objects (Py_BEGIN_CRITICAL_SECTION2), and more
// than two objects is left alone. The macros open and close a block, so no
// path may leave a section without passing its end: a `return`, `goto`,
// `break` or `continue` out of it first jumps to the section's end and is
// taken there. Every use of a variable holding an item or the item array is
// inside the section, and no variable declared in it is used after it;
// sites where that cannot be arranged are left alone, with the reason.
// Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_CRITICALSECTIONPLANNER_H
#define GILPORT_REWRITES_CRITICALSECTIONPLANNER_H

#include "rewrites/Rewrite.h"

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// One access of a container that needs the container's critical section.
struct ContainerAccess {
  /// The container as the access uses it (casts allowed).
  const clang::Expr *Container;
  /// The PyDict_Next call, or the expression inside the access (any node of
  /// the macro's expansion; the statement holding it is what matters).
  const clang::Expr *Node;
  /// A PyDict_Next call: the loop it drives is the section.
  bool IsDictNext;
};

/// Plans the critical sections for \p Accesses, all in \p Function. Returns
/// one result per access, in the same order; accesses guarded by one section
/// carry the same edits.
std::vector<Rewrite>
planCriticalSections(llvm::ArrayRef<ContainerAccess> Accesses,
                     const clang::FunctionDecl &Function,
                     clang::ASTContext &Ctx);

} // namespace gilport

#endif
