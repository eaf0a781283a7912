//===--- UnchangedStatics.h - Static tables nothing changes -----*- C++ -*-===//
//
// A table of Python object pointers that is initialized with constants and
// then only read -- a template copied into the module state, a C-API struct
// of static types -- holds nothing that a thread or an interpreter could
// change. Its object pointers are NULL or the addresses of statically
// allocated objects, and those objects are reported where they are defined.
// gilport-global-state does not report the table itself.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_UNCHANGEDSTATICS_H
#define GILPORT_ANALYSIS_UNCHANGEDSTATICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

class UnitFacts;

/// Those of \p Vars that no code can change:
/// - no other translation unit can name them (internal linkage, or a
///   function-static variable);
/// - they have an initializer, and it is constant;
/// - every use in the user's code (the AST's traversal scope) reads
///   the value in place (`t[i].name`, `s.f`), is unevaluated (`sizeof`), or
///   passes the address where the callee only reads through it (a
///   pointer-to-const parameter, or a C-API parameter known to be read).
/// Walks the user's code once.
llvm::SmallPtrSet<const clang::VarDecl *, 8>
onlyReadInPlace(llvm::ArrayRef<const clang::VarDecl *> Vars,
                clang::ASTContext &Ctx, UnitFacts &Context);

} // namespace gilport

#endif
