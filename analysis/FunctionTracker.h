//===--- FunctionTracker.h - The function a matched node is in --*- C++ -*-===//
//
// MatchFinder visits the AST in preorder, so a function definition is matched
// before the nodes of its body. Remembering the last few gives a node's
// enclosing function without building the parent map (a full extra
// traversal) or descending into every body a second time. A few, because a
// C++ lambda's call operator is matched inside its enclosing function.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_FUNCTIONTRACKER_H
#define GILPORT_ANALYSIS_FUNCTIONTRACKER_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/SmallVector.h"

namespace clang {
class FunctionDecl;
class SourceManager;
} // namespace clang

namespace gilport {

class FunctionTracker {
public:
  /// Records a function definition matched in preorder.
  void enter(const clang::FunctionDecl &Function,
             const clang::SourceManager &SM);

  /// The innermost recently entered function whose body holds \p Loc, or
  /// null (e.g. \p Loc is in a function that was not tracked).
  const clang::FunctionDecl *enclosing(clang::SourceLocation Loc,
                                       const clang::SourceManager &SM) const;

private:
  struct Entry {
    const clang::FunctionDecl *Function;
    clang::SourceLocation BodyBegin;
    clang::SourceLocation BodyEnd;
  };
  llvm::SmallVector<Entry, 16> Entries;
};

} // namespace gilport

#endif
