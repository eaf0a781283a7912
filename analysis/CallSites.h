//===--- CallSites.h - Who calls the functions of a file --------*- C++ -*-===//
//
// The direct calls of every function in a translation unit, and which
// functions have their address taken. For a static function whose address is
// never taken, the calls found are all the calls there are: facts that hold
// at every call site hold on entry to the function.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_CALLSITES_H
#define GILPORT_ANALYSIS_CALLSITES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

namespace clang {
class ASTContext;
class CallExpr;
class FunctionDecl;
} // namespace clang

namespace gilport {

class CallSiteIndex {
public:
  struct Site {
    const clang::CallExpr *Call;
    /// The function whose body contains the call.
    const clang::FunctionDecl *Caller;
  };

  /// Every call of \p Function, when they are all known: it is defined in
  /// this translation unit with internal linkage, is not variadic, its
  /// address is never taken and it is called at least once, always from a
  /// function body. Null otherwise. The index is built on first use.
  const llvm::SmallVector<Site, 4> *
  knownCallers(const clang::FunctionDecl &Function);

  /// The direct calls of \p Function found in function bodies, whether or
  /// not they are all of its calls.
  llvm::ArrayRef<Site> directCalls(const clang::FunctionDecl &Function);

  /// How many times the user's code takes \p Function's address (names it
  /// other than to call it): in a table, a callback argument, a variable.
  unsigned addressUses(const clang::FunctionDecl &Function);

  /// Every function the unit's code calls directly from a function body,
  /// each with its call sites (by canonical declaration).
  const llvm::DenseMap<const clang::FunctionDecl *, llvm::SmallVector<Site, 4>>
      &allDirectCalls(clang::ASTContext &Ctx);

  /// Every function the unit's code names other than in such a call: its
  /// address taken, or called outside a function body.
  const llvm::DenseSet<const clang::FunctionDecl *> &
  namedOtherwise(clang::ASTContext &Ctx);

  /// Whether \p Function is a `static inline` function of a header that
  /// this translation unit never names, or only calls from other such
  /// functions (a vendored pythoncapi_compat.h defines dozens): it never
  /// runs here, and a unit that calls it has its own findings there.
  bool neverRunsHere(const clang::FunctionDecl &Function);

private:
  void build(clang::ASTContext &Ctx);
  bool neverRunsHere(const clang::FunctionDecl &Function,
                     llvm::DenseSet<const clang::FunctionDecl *> &Visiting);

  bool Built = false;
  /// By canonical declaration.
  llvm::DenseMap<const clang::FunctionDecl *, llvm::SmallVector<Site, 4>> Calls;
  llvm::DenseSet<const clang::FunctionDecl *> Unknown;
  llvm::DenseMap<const clang::FunctionDecl *, unsigned> AddressUses;
};

} // namespace gilport

#endif
