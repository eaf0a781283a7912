//===--- BorrowedApis.h - Borrowed-reference C-API functions ----*- C++ -*-===//
//
// The C-API functions and macros that return a borrowed reference and have a
// strong-reference replacement, as data. The check reports them, the fix
// engine rewrites calls by the contract of the replacement, and the runtime
// shim interposes the entries that are real functions.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_BORROWEDAPIS_H
#define GILPORT_ANALYSIS_BORROWEDAPIS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace gilport {

/// A CPython release, e.g. {3, 13}.
struct PythonVersion {
  unsigned Major = 0;
  unsigned Minor = 0;

  bool isKnown() const { return Major != 0; }
  /// "3.13".
  std::string str() const;
  /// The PY_VERSION_HEX lower bound of this release, e.g. "0x030D0000".
  std::string hexGuard() const;
};

/// How the replacement is called and what it returns; the fix engine
/// rewrites a call by this.
enum class ReplacementContract {
  /// Same arguments; returns a new reference, or NULL (with an exception set,
  /// except where the borrowed API also returned NULL without one).
  /// PyList_GetItem -> PyList_GetItemRef.
  SameArgumentsNewReference,
  /// `int R(args..., PyObject **result)`: 1 found (*result is a new
  /// reference), 0 missing (*result is NULL, no exception), -1 error.
  /// PyDict_GetItem -> PyDict_GetItemRef.
  LookupOutParameter,
  /// `int PyDict_SetDefaultRef(d, key, default, PyObject **result)`: 1 the
  /// key was present, 0 the default was inserted, -1 error; *result is a new
  /// reference to the value in the dict unless -1.
  SetDefaultOutParameter,
  /// `int PyWeakref_GetRef(ref, PyObject **pobj)`: 1 alive (*pobj is a new
  /// reference), 0 dead (*pobj is NULL: the old API returned Py_None), -1
  /// error (not a weak reference).
  WeakrefOutParameter,
  /// The replacement takes different arguments (see FixTemplate, or rewrite
  /// by hand).
  DifferentArguments,
  /// No drop-in replacement: the code has to get the object another way.
  NoDropInReplacement,
};

/// What keeps the borrowed object alive, i.e. what another thread must
/// change to invalidate it.
enum class BorrowOwner {
  List,
  Dict,
  Cell,
  WeakReferent,
  ModulesDict,
  Frame,
  SysModule,
  InterpreterModules,
};

struct BorrowedApi {
  /// The borrowed API as the user spells it.
  llvm::StringLiteral Name;
  /// A function-like macro in the supported headers (some versions wrap a
  /// static inline function of the same name). The runtime shim cannot
  /// interpose it, and the check recognises it by its expansion.
  bool IsMacro;
  /// The runtime shim's number for the function (1, 2, ...; 0 for none): its
  /// shared-memory file records a call site by this number, so a number, once
  /// given, is kept, and a new function takes the next one. Every public
  /// function has one; macros and CPython's private functions have none. The
  /// build generates the shim's and the stress harness's tables from these.
  unsigned ShimSlot;
  /// The API to use instead (empty for NoDropInReplacement).
  llvm::StringLiteral Replacement;
  /// The release that added Replacement.
  PythonVersion ReplacementAddedIn;
  ReplacementContract Contract;
  BorrowOwner Owner;
  /// The argument whose object owns the result (the container), or -1.
  int OwnerArgument;
  /// A mechanical rewrite of an expression-position use, with $0, $1... for
  /// the original arguments; empty when the rewrite needs more than that.
  llvm::StringLiteral FixTemplate;
  /// Replaces the default advice ("use 'R' (Python X.Y), which returns a
  /// strong reference") when the replacement is not a simple swap.
  llvm::StringLiteral Advice;
  /// The release that deprecated the borrowed API, if any.
  PythonVersion DeprecatedIn;
  /// Why calls are not rewritten automatically, when the replacement needs
  /// more than the call's own arguments (empty: decided by Contract).
  llvm::StringLiteral NoFixReason = "";

  /// Whether a critical section on, or privacy of, the owner argument makes
  /// the borrowed reference safe.
  bool isOwnedByContainer() const {
    return (Owner == BorrowOwner::List || Owner == BorrowOwner::Dict) &&
           OwnerArgument >= 0;
  }
};

/// Every entry, sorted by name.
llvm::ArrayRef<BorrowedApi> borrowedApis();

/// The entry for \p Name, or null.
const BorrowedApi *findBorrowedApi(llvm::StringRef Name);

/// The advice part of the finding: "use 'PyList_GetItemRef' (Python 3.13),
/// which returns a strong reference".
std::string replacementAdvice(const BorrowedApi &Api);

/// How the replacement's result differs from the borrowed API's, for a note;
/// empty when it is only "a strong reference instead of a borrowed one".
std::string replacementContractNote(const BorrowedApi &Api);

} // namespace gilport

#endif
