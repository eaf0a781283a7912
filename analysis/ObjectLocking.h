//===--- ObjectLocking.h - Which functions must lock an object -*- C++ -*-===//
//
// Locking only the methods that change an object's fields is not enough:
// a method that only reads them (`to01()` reading the buffer `append()`
// reallocates) races with those changes too. So once some fields of an
// extension struct are changed without a critical section, every function
// that runs on such an object from Python (a method, getter, setter or slot:
// a function whose address is taken) and reads or changes those fields,
// itself or through the static helpers it gives the object to, must hold
// the object's critical section for its whole run. This is what CPython's
// own types do with `@critical_section`.
//
// The object is a parameter, or a local cast from one, as
// ObjectStateWrites.h sees it. A helper reached only by direct calls needs
// no lock of its own when each of its callers either locks the object it
// passes or already runs locked; if a caller passes something else, no plan
// is made, with the reason.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_OBJECTLOCKING_H
#define GILPORT_ANALYSIS_OBJECTLOCKING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class FieldDecl;
class FunctionDecl;
class ParmVarDecl;
class RecordDecl;
} // namespace clang

namespace gilport {

class CallSiteIndex;
class ExistingSections;

/// The functions that must hold the critical section of their object(s) so
/// that the racy fields are only used under it.
struct ObjectLockPlan {
  struct Entry {
    const clang::FunctionDecl *Function;
    /// The parameters whose sections it holds: one or two.
    std::vector<const clang::ParmVarDecl *> Objects;
  };
  /// In source order.
  std::vector<Entry> Entries;
  /// Why no plan is possible; empty otherwise.
  std::string Reason;
};

using RacyFieldMap =
    llvm::DenseMap<const clang::RecordDecl *,
                   llvm::SmallPtrSet<const clang::FieldDecl *, 8>>;

/// One plan for all the structs of \p Racy (their fields changed without a
/// lock), from \p Definitions (the functions defined in the main file).
/// Functions in \p Exempt (canonical declarations: lifecycle slots, functions
/// that already run locked) are left as they are, as are uses inside an
/// existing critical section.
ObjectLockPlan planObjectLocks(
    llvm::ArrayRef<const clang::FunctionDecl *> Definitions,
    const RacyFieldMap &Racy,
    const llvm::SmallPtrSetImpl<const clang::FunctionDecl *> &Exempt,
    const ExistingSections &Sections, CallSiteIndex &Callers,
    clang::ASTContext &Ctx);

} // namespace gilport

#endif
