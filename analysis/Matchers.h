//===--- Matchers.h - AST matchers shared by the checks ---------*- C++ -*-===//
//
// Cheap matchers for the hot paths: MatchFinder runs a check's matchers on
// every node of their kind in the translation unit, Python's headers
// included, so a name test is a pointer-set lookup, not string comparisons.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_MATCHERS_H
#define GILPORT_ANALYSIS_MATCHERS_H

#include "analysis/UnitFacts.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/IdentifierTable.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

namespace gilport {

/// Names, as the identifiers of one translation unit.
using IdentifierSet = llvm::SmallPtrSet<const clang::IdentifierInfo *, 32>;

/// Adds the identifiers spelled \p Names in \p PP's table to \p Set.
inline void addIdentifiers(IdentifierSet &Set, clang::Preprocessor &PP,
                           llvm::ArrayRef<llvm::StringRef> Names) {
  for (llvm::StringRef Name : Names)
    Set.insert(PP.getIdentifierInfo(Name));
}

namespace matchers {

/// Matches declarations in code the context reports on: not in system
/// headers and not in the Python headers.
AST_MATCHER_P(clang::Decl, isInReportedCode, UnitFacts *, Context) {
  return Context->isReportedLocation(Node.getLocation());
}

/// Matches calls of a function whose name is in \p Names (filled before the
/// AST is matched, e.g. from registerPPCallbacks).
AST_MATCHER_P(clang::CallExpr, callsFunctionIn, const IdentifierSet *, Names) {
  const clang::FunctionDecl *Callee = Node.getDirectCallee();
  return Callee && Names->count(Callee->getIdentifier());
}

/// Matches member accesses of a field whose name is in \p Names.
AST_MATCHER_P(clang::MemberExpr, accessesMemberIn, const IdentifierSet *,
              Names) {
  return Names->count(Node.getMemberDecl()->getIdentifier());
}

/// Registers \p Callback for the three nodes the container-API checks work
/// from: user function definitions ("function"), calls of the functions in
/// \p CallNames ("call"), and member accesses named in \p MemberNames
/// ("member", what PyList_GET_ITEM-style macros expand to).
inline void
addApiUseMatchers(clang::ast_matchers::MatchFinder &Finder,
                  clang::ast_matchers::MatchFinder::MatchCallback *Callback,
                  UnitFacts *Context, const IdentifierSet *CallNames,
                  const IdentifierSet *MemberNames) {
  using namespace clang::ast_matchers;
  Finder.addMatcher(
      functionDecl(isDefinition(), isInReportedCode(Context)).bind("function"),
      Callback);
  Finder.addMatcher(callExpr(callsFunctionIn(CallNames)).bind("call"),
                    Callback);
  Finder.addMatcher(memberExpr(accessesMemberIn(MemberNames)).bind("member"),
                    Callback);
}

} // namespace matchers
} // namespace gilport

#endif
