//===--- ExistingSections.h - Py_BEGIN/END_CRITICAL_SECTION spans -*- C++
//-*-===//
//
// On GIL builds (and with pythoncapi-compat on old versions) the critical
// section macros expand to plain braces, so the spans are recorded from the
// macro expansions by name, not from PyCriticalSection_Begin calls.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_EXISTINGSECTIONS_H
#define GILPORT_ANALYSIS_EXISTINGSECTIONS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class Preprocessor;
class SourceManager;
} // namespace clang

namespace gilport {

/// The source spans between a critical-section begin macro and its end
/// macro, in the files where they were expanded.
class ExistingSections {
public:
  /// Registers a preprocessor callback that fills this object while \p PP
  /// runs. This object must outlive the preprocessing of the file.
  void recordFrom(clang::Preprocessor &PP);

  /// Whether \p Loc (mapped to its file location) lies inside a span.
  bool contains(clang::SourceLocation Loc,
                const clang::SourceManager &SM) const;

  /// Those of \p Functions (static, defined in this translation unit) whose
  /// every use in the user's code is a direct call inside a span, a direct
  /// call from a static function that itself only runs so (a helper of an
  /// `_impl`; recursion included), or the store of their address into a
  /// struct field that is only ever called, always inside a span
  /// (`self->wrapper(self, ...)` under a section in functools' lru_cache):
  /// their bodies run with the caller's lock held, as with Argument Clinic's
  /// `@critical_section` wrappers. Walks the user's code once.
  llvm::SmallPtrSet<const clang::FunctionDecl *, 8>
  onlyCalledInside(llvm::ArrayRef<const clang::FunctionDecl *> Functions,
                   clang::ASTContext &Ctx) const;

  /// Whether \p Container, used in a function of onlyCalledInside(), is
  /// one the section its callers hold can guard: reached from a parameter
  /// (`self->memo`, `obj`), so the caller handed it over, and not an object
  /// the function found itself (`sys.argv`), which no caller locked.
  static bool handedInByCaller(const clang::Expr &Container);

  /// Whether the body of \p Function asserts, before \p Loc, that the
  /// critical section of the object spelled \p Object is held
  /// (`_Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED(self)`, CPython's marker of
  /// a function whose callers lock `self`).
  bool assertsHeld(const clang::FunctionDecl &Function, llvm::StringRef Object,
                   clang::SourceLocation Loc,
                   const clang::SourceManager &SM) const;

  /// Called by the recorder with file locations.
  void add(clang::FileID File, unsigned BeginOffset, unsigned EndOffset);
  void addAssertion(clang::SourceLocation Loc, std::string Object);

private:
  struct Span {
    clang::FileID File;
    unsigned BeginOffset;
    unsigned EndOffset;
  };
  struct Assertion {
    clang::SourceLocation Loc;
    std::string Object;
  };
  std::vector<Span> Spans;
  std::vector<Assertion> Assertions;
};

} // namespace gilport

#endif
