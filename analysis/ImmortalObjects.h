//===--- ImmortalObjects.h - Static objects no one can change ---*- C++ -*-===//
//
// CPython's Argument Clinic gives each keyword-taking function of a core
// module a statically allocated tuple of its keyword names (`_kwtuple`),
// initialized with the immortal reference count. Such an object is shared by
// every interpreter, but nothing ever writes it: its reference count is never
// changed (immortal), a tuple's items cannot be replaced through the C API
// once other code can see it, and its only use is its address in the
// `_PyArg_Parser` that the argument parser reads. gilport-global-state does
// not report it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_IMMORTALOBJECTS_H
#define GILPORT_ANALYSIS_IMMORTALOBJECTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

class UnitFacts;
class GlobalStateTypes;

/// Whether the definition of \p Var statically allocates a tuple whose
/// object header (possibly after a `PyGC_Head`, as Argument Clinic lays it
/// out) sets the reference count with the headers' immortal constant
/// (`_Py_IMMORTAL_REFCNT`, `_Py_IMMORTAL_REFCNT_LOCAL`, ...) and the type to
/// `&PyTuple_Type`, and whose initializer is a constant.
bool isImmortalStaticTuple(const clang::VarDecl &Var, GlobalStateTypes &Types,
                           clang::ASTContext &Ctx, UnitFacts &Context);

/// Those of \p Vars that the user's code (the AST's traversal scope) only
/// uses by taking their address in the initializer of a static
/// definition table (`_PyArg_Parser`, `PyMethodDef`, ...), which the runtime
/// only reads: no function can write them. Walks the user's code once.
llvm::SmallPtrSet<const clang::VarDecl *, 8>
onlyAddressedByTables(llvm::ArrayRef<const clang::VarDecl *> Vars,
                      GlobalStateTypes &Types, clang::ASTContext &Ctx);

} // namespace gilport

#endif
