//===--- CriticalSectionFix.h - Wrap container loops in a lock --*- C++ -*-===//
//
// Wraps a loop that iterates over a shared dict with PyDict_Next in
// `Py_BEGIN_CRITICAL_SECTION(dict);` ... `Py_END_CRITICAL_SECTION();`.
// The macros open and close a block, so no path may leave the section
// without passing its end: a loop body that returns or jumps out is left
// alone, with the reason. Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_CRITICALSECTIONFIX_H
#define GILPORT_REWRITES_CRITICALSECTIONFIX_H

#include "clang/Basic/Diagnostic.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class Expr;
} // namespace clang

namespace gilport {

struct SectionRewrite {
  std::vector<clang::FixItHint> Hints;
  /// Why no fix is offered; empty on success.
  std::string Reason;

  bool ok() const { return Reason.empty() && !Hints.empty(); }
};

/// Wraps the loop whose condition is \p Next (a PyDict_Next call) in a
/// critical section on \p Dict, the call's dict argument.
SectionRewrite wrapDictNextLoop(const clang::CallExpr &Next,
                                const clang::Expr &Dict,
                                clang::ASTContext &Ctx);

} // namespace gilport

#endif
