//===--- ObjectAllocatorCheck.h - gilport-object-allocator ------*- C++ -*-===//

#ifndef GILPORT_CHECKS_OBJECTALLOCATORCHECK_H
#define GILPORT_CHECKS_OBJECTALLOCATORCHECK_H

#include "analysis/Matchers.h"
#include "checks/GilportCheck.h"

#include <vector>

namespace clang {
class DeclRefExpr;
} // namespace clang

namespace gilport {

/// Finds memory that is not a Python object taken from the object
/// allocator: PyObject_Malloc, PyObject_Calloc and PyObject_Realloc calls
/// whose result is used as a buffer or other C data, and those functions
/// handed out as a general-purpose allocator. The free-threaded build
/// requires the object domain to be used only for Python objects
/// (analysis/ObjectAllocations.h).
///
/// The fix renames the calls that allocate, resize and release the memory
/// to PyMem_* all together (rewrites/MemDomainRename.h): for memory a local
/// variable holds that stays in the function, and for the functions of one
/// allocator handed out in one initializer. Memory kept in a field or that
/// leaves the function is reported without a fix: what releases it is not
/// known here.
///
/// See docs/checks/gilport-object-allocator.md.
class ObjectAllocatorCheck : public GilportCheck {
public:
  explicit ObjectAllocatorCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options() { return {}; }

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP) override;
  void
  check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  /// Reports the allocations of memory that is not an object.
  void reportCalls(clang::ASTContext &Ctx);
  /// Reports the object domain's functions handed out as an allocator.
  void reportHandedOut(clang::ASTContext &Ctx);

  IdentifierSet Names;
  /// The references to the object domain's functions, in match order.
  std::vector<const clang::DeclRefExpr *> References;
};

} // namespace gilport

#endif
