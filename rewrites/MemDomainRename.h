//===--- MemDomainRename.h - Object-domain calls to PyMem_* -----*- C++ -*-===//
//
// The fix of gilport-object-allocator: the object-domain functions that
// allocate, resize and release one piece of memory that is not a Python
// object are renamed to the mem domain's (analysis/ObjectAllocations.h), all
// together, since memory must be released by the domain that allocated it:
//
//   char *buf = PyObject_Malloc(n + 1);     char *buf = PyMem_Malloc(n + 1);
//   ...                                =>   ...
//   PyObject_Free(buf);                     PyMem_Free(buf);
//
// The PyMem_* functions have the same signatures and exist in every
// supported version.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_MEMDOMAINRENAME_H
#define GILPORT_REWRITES_MEMDOMAINRENAME_H

#include "rewrites/Rewrite.h"

#include "llvm/ADT/ArrayRef.h"

namespace clang {
class ASTContext;
class DeclRefExpr;
} // namespace clang

namespace gilport {

/// The edits that rename each of \p Names, references to object-domain
/// functions, to its mem-domain counterpart; none when one is spelled
/// through a macro.
Rewrite renameToMemDomain(llvm::ArrayRef<const clang::DeclRefExpr *> Names,
                          clang::ASTContext &Ctx);

} // namespace gilport

#endif
