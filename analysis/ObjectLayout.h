//===--- ObjectLayout.h - Code written for the GIL build's object layout -*-
// C++ -*-===//
//
// The free-threaded build changes the object header: PyObject starts with
// the owning thread's id and splits the reference count in two. A static
// object initialised by hand for the GIL build's header
//
//   PyObject _NoDefault_Object = {_PyObject_EXTRA_INIT 1, &NoDefault_Type};
//
// then fails to compile against the free-threaded headers (the type pointer
// lands in an integer field). Such an error spoils only that initializer:
// the rest of the file is parsed as usual, so gilport can analyse it, as
// clang-tidy does with clang-diagnostic-error.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_OBJECTLAYOUT_H
#define GILPORT_ANALYSIS_OBJECTLAYOUT_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace clang {
class ASTContext;
class QualType;
class VarDecl;
} // namespace clang

namespace gilport {

/// The offset of the ';' that ends the declaration starting at \p Begin in
/// \p Text (outside brackets and literals), or npos.
size_t declarationEnd(llvm::StringRef Text, size_t Begin);

/// Whether \p Type is an object header: PyObject or PyVarObject.
bool isObjectHeaderType(clang::QualType Type);

/// The file-scope variable of an object header type whose initializer (the
/// text from its name to the ';' that ends it) holds \p Loc; null for
/// anything else.
const clang::VarDecl *objectInitializerAt(clang::SourceLocation Loc,
                                          clang::ASTContext &Ctx);

/// Whether every one of \p Errors, the locations of a unit's compile
/// errors, is in the initializer of a static object (objectInitializerAt).
bool onlyObjectInitializerErrors(llvm::ArrayRef<clang::SourceLocation> Errors,
                                 clang::ASTContext &Ctx);

} // namespace gilport

#endif
