//===--- ContainerApis.h - What C-API calls do to containers ----*- C++ -*-===//
//
// Which calls create a container nobody else can see yet, which calls use a
// container argument without keeping or publishing it, and which accessors
// skip the container's own locking on free-threaded builds.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_CONTAINERAPIS_H
#define GILPORT_ANALYSIS_CONTAINERAPIS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace gilport {

enum class ContainerKind { List, Dict, Tuple, Sequence };

/// "list", "dict", "tuple", "sequence".
llvm::StringRef containerKindName(ContainerKind Kind);

/// The kind of the new container returned by \p Callee when it always
/// returns a new object that no other code holds yet (PyList_New,
/// PyDict_Copy, ...).
std::optional<ContainerKind> createdContainerKind(llvm::StringRef Callee);

/// Whether passing a container as argument \p Index of \p Callee leaves it
/// private: the callee only reads or updates it and keeps no reference
/// (PyList_Append's list, Py_DECREF's object; not PyList_Append's item).
bool isNonEscapingArgument(llvm::StringRef Callee, unsigned Index);

/// Whether argument \p Index of \p Callee is a container that the callee
/// only reads in place: looks up, sizes, copies or iterates, without changing
/// it or keeping a reference (PyDict_GetItemRef's dict, PyDict_Update's
/// second argument).
bool isReadOnlyArgument(llvm::StringRef Callee, unsigned Index);

/// An accessor that does not lock the container on free-threaded builds.
struct UnlockedContainerOp {
  llvm::StringLiteral Name;
  /// A macro (possibly wrapping a static inline function of the same name).
  bool IsMacro;
  ContainerKind Kind;
  unsigned ContainerArgument;
  /// What the operation does, completing "'NAME' ... that another thread can
  /// modify", e.g. "iterates over a dict".
  llvm::StringLiteral Action;
  /// What to wrap in the critical section: "the loop", "the access", ...
  llvm::StringLiteral Scope;
};

llvm::ArrayRef<UnlockedContainerOp> unlockedContainerOps();
const UnlockedContainerOp *findUnlockedContainerOp(llvm::StringRef Name);

} // namespace gilport

#endif
