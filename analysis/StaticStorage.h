//===--- StaticStorage.h - Which variable an expression touches -*- C++ -*-===//
//
// gilport-global-state asks of every expression that names a variable with
// static storage whether it reads, writes or hands out that storage. These
// helpers find the variable behind `x`, `x.f`, `x[i]` and `&x.a[i]`, and
// know which C-API parameters that are not const-qualified are only read.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_STATICSTORAGE_H
#define GILPORT_ANALYSIS_STATICSTORAGE_H

#include "clang/AST/Type.h"
#include "llvm/ADT/StringRef.h"

namespace clang {
class CallExpr;
class DeclRefExpr;
class Expr;
class FunctionProtoType;
} // namespace clang

namespace gilport {

/// The variable reference whose own storage \p E designates: `x`, `x[i]`,
/// `x.f`, `x.a[i].b`. Null for storage reached through a pointer (`p->f`,
/// `p[i]`, `*p`): that is not the variable itself.
const clang::DeclRefExpr *storageRoot(const clang::Expr *E);

/// The variable whose storage \p E points into: `&x`, `&x.f`, `&x[i]`, or
/// an array `x` decaying to a pointer, possibly converted to another pointer
/// type.
const clang::DeclRefExpr *addressedStorage(const clang::Expr *E);

/// A pointer (not a reference) to data that is not const-qualified.
bool isPointerToMutable(clang::QualType Type);

/// C-API parameters that are not const-qualified but are only read.
bool isReadOnlyParameter(llvm::StringRef Callee, unsigned Index);

/// The prototype of the function \p Call calls, directly or through a
/// pointer; null for a call without one.
const clang::FunctionProtoType *calleePrototype(const clang::CallExpr *Call);

} // namespace gilport

#endif
