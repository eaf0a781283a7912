//===--- InitOnlyFields.h - Containers filled once at module init -*- C++
//-*-===//
//
// A struct field whose container is only created and filled while the module
// initialises, released while it is torn down, and otherwise only read in
// place (looked up, sized, iterated) is never changed while the module is in
// use: `state->err_codes_to_names` in _ssl.c, filled by the exec function.
// Borrowing one of its items is safe, because nothing removes them.
//
// The field must belong to a struct defined in the main file or in the header
// named after it (`_ssl.h` for `_ssl.c`): code in other files could write a
// field of a shared struct where this translation unit cannot see it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_INITONLYFIELDS_H
#define GILPORT_ANALYSIS_INITONLYFIELDS_H

#include "analysis/CallSites.h"

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang {
class ASTContext;
class Expr;
class FieldDecl;
class FunctionDecl;
class RecordDecl;
class SourceManager;
} // namespace clang

namespace gilport {

/// Whether \p Record is defined in the main file or in the header named
/// after it: no other translation unit can then use its fields.
bool isOwnedByMainFile(const clang::RecordDecl &Record,
                       const clang::SourceManager &SM);

class InitOnlyFields {
public:
  explicit InitOnlyFields(CallSiteIndex &Callers) : Callers(Callers) {}

  struct Store {
    const clang::Expr *Value;
    const clang::FunctionDecl *Function;
    clang::SourceLocation Loc;
  };

  struct FieldFacts {
    /// A use that is not a read in place, a change or a release, or a
    /// replacement whose new value is not known (Py_SETREF).
    bool HandedOut = false;
    /// Changes (stores, inserts, releases) and the functions they are in.
    llvm::SmallVector<
        std::pair<clang::SourceLocation, const clang::FunctionDecl *>, 4>
        Changes;
    /// The values stored by assignment, for the caller to check that each
    /// is a new container (or NULL).
    llvm::SmallVector<Store, 2> Stores;
  };

  /// What is known of \p Field when its container only changes while the
  /// module initialises or is torn down and is never handed to other code;
  /// null otherwise. Built for the whole translation unit on first use.
  const FieldFacts *filledAtInit(const clang::FieldDecl &Field,
                                 clang::ASTContext &Ctx);

  /// Whether \p Field (of a struct this file owns) is set somewhere, and
  /// only assigned or has its address taken while a module initialises or
  /// is torn down: a module state's `st->typing_any`. A reference it holds
  /// lives as long as the module, whatever else the code does with it.
  bool setOnlyByLifecycle(const clang::FieldDecl &Field,
                          clang::ASTContext &Ctx);

  /// Whether \p Function only runs while a module initialises or is torn
  /// down: a `PyInit_*` function, an exec, clear or free function that no
  /// other code names, or a static function only those call.
  bool isLifecycle(const clang::FunctionDecl &Function, clang::ASTContext &Ctx);

private:
  void build(clang::ASTContext &Ctx);

  CallSiteIndex &Callers;
  bool Built = false;
  llvm::DenseMap<const clang::FieldDecl *, FieldFacts> Fields;
  llvm::DenseMap<const clang::FieldDecl *,
                 llvm::SmallVector<const clang::FunctionDecl *, 2>>
      Writes;
  /// Module init, exec, clear and free functions and the static functions
  /// only they call.
  llvm::SmallPtrSet<const clang::FunctionDecl *, 16> Lifecycle;
};

} // namespace gilport

#endif
