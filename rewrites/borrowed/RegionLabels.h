//===--- RegionLabels.h - Labels inside a new reference's range -*- C++ -*-===//
//
// The labels that follow a rewritten call in its block, where the walk of
// the new reference (OwnershipWalk) merges every way in. Only labels that
// control enters forward are modelled: a backward jump would carry a state
// from later in the walk. Private to the borrowed rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_REGIONLABELS_H
#define GILPORT_REWRITES_BORROWED_REGIONLABELS_H

#include "llvm/ADT/DenseMap.h"

namespace clang {
class ASTContext;
class CompoundStmt;
class LabelDecl;
class VarDecl;
} // namespace clang

namespace gilport {
namespace borrowed {

/// A label after the call in its block, entered only by forward jumps.
struct RegionLabel {
  /// Some jump comes from before the call.
  bool FromBefore = false;
  /// The code from the label on refers to the variable.
  bool ReadsVar = false;
};

/// The labels of \p Block after its statement \p AfterIndex (the call's)
/// that no jump enters backward, with what is known of each for \p Var.
llvm::DenseMap<const clang::LabelDecl *, RegionLabel>
labelsAfter(const clang::CompoundStmt &Block, unsigned AfterIndex,
            const clang::VarDecl &Var, clang::ASTContext &Ctx);

} // namespace borrowed
} // namespace gilport

#endif
