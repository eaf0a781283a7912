//===--- Parents.h - The parents of AST nodes, kept small -------*- C++ -*-===//
//
// What ASTContext::getParents answers, for the traversal scope (the user's
// declarations), at a fraction of its memory. clang's map keeps every
// TypeLoc of the unit with a heap copy of its parent: on a file of many
// small functions it was about 1.5 KB a line, twice clang's whole parse, and
// the first borrowed lookup built it. This index keeps one pointer per
// statement, declaration and attribute, and a list only for the few nodes
// whose parent is not one (the TypeLocs that hold an expression or a
// declaration, such as `__typeof__(op)` in Py_CLEAR or a prototype's
// parameters), or that have two (an initializer list's two forms).
//
// The parents are those of clang's own map, in the same order: the same
// RecursiveASTVisitor walk, with implicit code and instantiations. The
// index lives as long as its ASTContext. Use parentsOf() instead of
// ASTContext::getParents everywhere, or both maps are built.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_PARENTS_H
#define GILPORT_ANALYSIS_PARENTS_H

#include "clang/AST/ASTTypeTraits.h"
#include "clang/AST/ParentMapContext.h"

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace gilport {

/// The parents of \p Node in \p Ctx's traversal scope, as
/// ASTContext::getParents gives them.
clang::DynTypedNodeList parentsOf(const clang::DynTypedNode &Node,
                                  clang::ASTContext &Ctx);

/// While alive, parentsOf answers for the nodes of \p Function, if it is a
/// declaration of the traversal scope, from an index of that function
/// alone, with the same parents. A check that asks about one function at a
/// time then never builds the unit's index: on a file of many small
/// functions that index cost a fifth of the parse, and most of the memory
/// gilport adds to it. Other nodes are answered from the unit's index. The
/// last function's index is kept, so repeated scopes of one function build
/// it once. Scopes nest; a result stays valid until the next scope of
/// another function.
class ParentScope {
public:
  ParentScope(const clang::FunctionDecl &Function, clang::ASTContext &Ctx);
  ~ParentScope();
  ParentScope(const ParentScope &) = delete;
  ParentScope &operator=(const ParentScope &) = delete;

private:
  clang::ASTContext &Ctx;
  const clang::FunctionDecl *Previous;
};

template <typename NodeT>
clang::DynTypedNodeList parentsOf(const NodeT &Node, clang::ASTContext &Ctx) {
  return parentsOf(clang::DynTypedNode::create(Node), Ctx);
}

} // namespace gilport

#endif
