//===--- ObjectAllocations.h - Memory of the object allocator ---*- C++ -*-===//
//
// The free-threaded build requires the object domain (PyObject_Malloc,
// PyObject_Calloc, PyObject_Realloc, PyObject_Free) to be used only for
// Python objects, and Python objects to be allocated only from it: its heap
// is where the free-threaded runtime looks for objects. Buffers and other
// C data come from the "mem" domain (PyMem_*). Before 3.13 this was only a
// recommendation, so older extensions often use PyObject_Malloc for their
// buffers. Sources: Doc/c-api/memory.rst, "Allocator Domains" (3.13,
// gh-119802); the free-threading extensions HOWTO, "Memory Allocation APIs".
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_OBJECTALLOCATIONS_H
#define GILPORT_ANALYSIS_OBJECTALLOCATIONS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class DeclRefExpr;
class FieldDecl;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace gilport {

class GlobalStateTypes;

/// The mem-domain function that does what \p Name, a function of the object
/// domain, does (`PyObject_Malloc` gives `PyMem_Malloc`); empty for any
/// other name.
llvm::StringRef memDomainCounterpart(llvm::StringRef Name);

/// What the memory that an object-domain allocation returns is used as.
struct AllocationUse {
  enum Kind { Object, NotObject, Unknown } What = Unknown;
  /// The type it is used as (`char *`), or the type whose size is asked
  /// for, for the message.
  std::string Type;
  /// The local variable or the field it is stored in, if any.
  const clang::VarDecl *Local = nullptr;
  const clang::FieldDecl *Field = nullptr;
};

/// What \p Call, a call of PyObject_Malloc, PyObject_Calloc or
/// PyObject_Realloc in \p Function, allocates: from the pointer type it is
/// stored, cast, returned or passed as (a pointer to a Python object, or to
/// anything else but void), else from the `sizeof` in its size; a local
/// that the function casts to an object pointer or initialises with
/// PyObject_Init makes it an object.
AllocationUse allocationUse(const clang::CallExpr &Call,
                            const clang::FunctionDecl &Function,
                            clang::ASTContext &Ctx, GlobalStateTypes &Types);

/// The object-domain calls of \p Function that allocate, resize or release
/// the memory in \p Local, when that memory stays in the function: the
/// local is only set from such calls, NULL or a local array (a buffer on
/// the stack for small sizes), read in place (indexed,
/// dereferenced, compared, tested) and passed to functions of the system's
/// or Python's headers, which do not release it; or why not.
struct LocalBufferCalls {
  /// The callee names of those calls, in source order.
  std::vector<const clang::DeclRefExpr *> Callees;
  std::string Reason;
};
LocalBufferCalls localBufferCalls(const clang::VarDecl &Local,
                                  const clang::FunctionDecl &Function,
                                  clang::ASTContext &Ctx);

} // namespace gilport

#endif
