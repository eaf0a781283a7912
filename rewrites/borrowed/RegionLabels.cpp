//===--- RegionLabels.cpp -------------------------------------------------===//

#include "rewrites/borrowed/RegionLabels.h"
#include "analysis/AstQueries.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <vector>

namespace gilport {
namespace borrowed {

using namespace clang;

llvm::DenseMap<const LabelDecl *, RegionLabel>
labelsAfter(const CompoundStmt &Block, unsigned AfterIndex, const VarDecl &Var,
            ASTContext &Ctx) {
  llvm::DenseMap<const LabelDecl *, RegionLabel> RegionLabels;
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
  if (!Function || !Function->getBody() || AfterIndex >= Block.size())
    return RegionLabels;
  auto Before = [&](SourceLocation A, SourceLocation B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A),
                                        SM.getExpansionLoc(B));
  };
  SourceLocation Start = Block.body_begin()[AfterIndex]->getBeginLoc();
  auto [Labels, Gotos] = labelsAndGotosIn(Function->getBody());
  if (Labels.empty())
    return RegionLabels;
  std::vector<const DeclRefExpr *> Uses = referencesTo(Var, &Block);
  for (const LabelStmt *L : Labels) {
    if (!Before(Start, L->getBeginLoc()) ||
        Before(Block.getRBracLoc(), L->getBeginLoc()))
      continue;
    // Entered only forward: from the region, or from before the lookup.
    RegionLabel Facts;
    bool Backward = false;
    for (const GotoStmt *G : Gotos) {
      if (G->getLabel() != L->getDecl())
        continue;
      if (!Before(G->getBeginLoc(), L->getBeginLoc()))
        Backward = true;
      else if (Before(G->getBeginLoc(), Start))
        Facts.FromBefore = true;
    }
    Facts.ReadsVar = llvm::any_of(Uses, [&](const DeclRefExpr *Ref) {
      return !Before(Ref->getBeginLoc(), L->getBeginLoc());
    });
    if (!Backward)
      RegionLabels[L->getDecl()] = Facts;
  }
  return RegionLabels;
}

} // namespace borrowed
} // namespace gilport
