//===--- LazyInitLock.h - A PyMutex around first-use fills ------*- C++ -*-===//
//
// The fix for function-static objects filled on first use
// (analysis/LazyInit.h): one static PyMutex per run of adjacent fills,
// declared after the variables, locked before the first fill and unlocked
// after the last:
//
//   static PyObject *module_str = NULL;
//   static PyMutex module_str_lock;
//   ...
//   PyMutex_Lock(&module_str_lock);
//   if (!module_str)
//       module_str = PyUnicode_InternFromString("__module__");
//   PyMutex_Unlock(&module_str_lock);
//
// PyMutex is Python 3.13's; gilport_compat.h defines a lock that does
// nothing for older versions, whose GIL already serialises the fill.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_LAZYINITLOCK_H
#define GILPORT_REWRITES_LAZYINITLOCK_H

#include "rewrites/Rewrite.h"

#include "llvm/ADT/ArrayRef.h"

namespace clang {
class ASTContext;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that guard \p Fills, adjacent statements of one block in that
/// order that fill \p Vars, with one new static PyMutex named after
/// \p NamedAfter when given, else after the only variable, else init_lock.
Rewrite lockLazyFills(llvm::ArrayRef<const clang::IfStmt *> Fills,
                      llvm::ArrayRef<const clang::VarDecl *> Vars,
                      clang::ASTContext &Ctx,
                      const clang::VarDecl *NamedAfter = nullptr);

} // namespace gilport

#endif
