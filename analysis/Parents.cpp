//===--- Parents.cpp ------------------------------------------------------===//

#include "analysis/Parents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/PointerUnion.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <deque>
#include <memory>
#include <mutex>

namespace gilport {

using namespace clang;

namespace {

using ParentList = llvm::SmallVector<DynTypedNode, 2>;
/// A node's parents: the common single statement or declaration, or a list.
using Slot = llvm::PointerUnion<const Decl *, const Stmt *, ParentList *>;

class ParentIndex {
public:
  /// The index of \p Ctx's traversal scope.
  explicit ParentIndex(ASTContext &Ctx);
  /// The index of one declaration the unit's walk enters from the unit: the
  /// same parents for its nodes as the unit's index, none for \p Root.
  explicit ParentIndex(Decl &Root);

  /// Whether \p Node was reached by the walk, and if so its parents.
  bool find(const DynTypedNode &Node, DynTypedNodeList &Parents) const {
    if (Node.getNodeKind().hasPointerIdentity()) {
      auto It = ByPointer.find(Node.getMemoizationData());
      if (It == ByPointer.end())
        return false;
      Parents = listOf(It->second);
      return true;
    }
    auto It = ByValue.find(Node);
    if (It == ByValue.end())
      return false;
    Parents = listOf(It->second);
    return true;
  }

  static DynTypedNodeList none() {
    return DynTypedNodeList(llvm::ArrayRef<DynTypedNode>());
  }

  /// Records \p Parent as a parent of the node \p Target belongs to.
  void add(Slot &Target, const DynTypedNode &Parent) {
    if (Target.isNull()) {
      if (const auto *D = Parent.get<Decl>())
        Target = D;
      else if (const auto *S = Parent.get<Stmt>())
        Target = S;
      else
        Target = newList({Parent});
      return;
    }
    auto *List = llvm::dyn_cast<ParentList *>(Target);
    if (!List) {
      List = newList({single(Target)});
      Target = List;
    }
    // A node reached twice from the same parent (an initializer list's
    // forms share their items) keeps it once; clang can only compare nodes
    // with an identity, so does this.
    if (Parent.getMemoizationData() && llvm::is_contained(*List, Parent))
      return;
    List->push_back(Parent);
  }

  llvm::DenseMap<const void *, Slot> ByPointer;
  /// TypeLocs (and C++ name qualifiers) that hold a statement or a
  /// declaration: the only ones a walk up from such a node can reach.
  llvm::DenseMap<DynTypedNode, Slot> ByValue;

private:
  static DynTypedNode single(Slot S) {
    if (const auto *D = llvm::dyn_cast<const Decl *>(S))
      return DynTypedNode::create(*D);
    return DynTypedNode::create(*llvm::cast<const Stmt *>(S));
  }
  static DynTypedNodeList listOf(Slot S) {
    if (const auto *List = llvm::dyn_cast<ParentList *>(S))
      return DynTypedNodeList(llvm::ArrayRef<DynTypedNode>(*List));
    return DynTypedNodeList(single(S));
  }
  ParentList *newList(std::initializer_list<DynTypedNode> Items) {
    Lists.emplace_back(Items);
    return &Lists.back();
  }

  /// Stable addresses for the slots that point here.
  std::deque<ParentList> Lists;
};

/// The walk clang's parent map makes. Nodes with an identity are recorded
/// as they are reached; a TypeLoc only once something with an identity is
/// found below it, so the many TypeLocs that hold neither cost nothing.
class IndexBuilder : public RecursiveASTVisitor<IndexBuilder> {
  using Base = RecursiveASTVisitor<IndexBuilder>;

public:
  explicit IndexBuilder(ParentIndex &Index) : Index(Index) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    enter(D);
    bool Result = Base::TraverseDecl(D);
    leave();
    return Result;
  }
  bool TraverseAttr(Attr *A) {
    if (!A)
      return true;
    enter(A);
    bool Result = Base::TraverseAttr(A);
    leave();
    return Result;
  }
  // Statements are walked from a queue, not by recursion: these hooks
  // bracket each one.
  bool dataTraverseStmtPre(Stmt *S) {
    enter(S);
    return true;
  }
  bool dataTraverseStmtPost(Stmt *) {
    leave();
    return true;
  }
  bool TraverseTypeLoc(TypeLoc TL) {
    if (TL.isNull())
      return true;
    Stack.push_back(DynTypedNode::create(TL));
    bool Result = Base::TraverseTypeLoc(TL);
    leave();
    return Result;
  }
  bool TraverseNestedNameSpecifierLoc(NestedNameSpecifierLoc NNS) {
    if (!NNS)
      return true;
    Stack.push_back(DynTypedNode::create(NNS));
    bool Result = Base::TraverseNestedNameSpecifierLoc(NNS);
    leave();
    return Result;
  }

private:
  template <typename T> void enter(T *Node) {
    if (!Stack.empty()) {
      recordPending();
      Index.add(Index.ByPointer[Node], Stack.back());
    }
    Stack.push_back(DynTypedNode::create(*Node));
    Recorded = Stack.size();
  }

  void leave() {
    Stack.pop_back();
    Recorded = std::min(Recorded, Stack.size());
  }

  /// Records the parents of the TypeLocs on the stack that have none yet.
  void recordPending() {
    for (size_t I = std::max<size_t>(Recorded, 1); I < Stack.size(); ++I)
      Index.add(Index.ByValue[Stack[I]], Stack[I - 1]);
    Recorded = Stack.size();
  }

  ParentIndex &Index;
  llvm::SmallVector<DynTypedNode, 32> Stack;
  /// How many frames at the bottom of Stack have their parents recorded.
  size_t Recorded = 0;
};

ParentIndex::ParentIndex(ASTContext &Ctx) {
  IndexBuilder(*this).TraverseAST(Ctx);
}

ParentIndex::ParentIndex(Decl &Root) {
  IndexBuilder(*this).TraverseDecl(&Root);
}

/// A context's indexes: the unit's, built on the first question outside a
/// scope, and the last scoped function's.
struct Indexes {
  std::unique_ptr<ParentIndex> Unit;
  llvm::DenseSet<const Decl *> Roots;
  bool RootsKnown = false;
  const FunctionDecl *Scoped = nullptr;
  std::unique_ptr<ParentIndex> ScopedIndex;
  /// The function of the innermost live ParentScope, if it is in Roots.
  const FunctionDecl *Active = nullptr;
};

// One entry per live ASTContext; the context's own deallocation hook drops
// it, so a later context at the same address gets new indexes.
std::mutex RegistryLock;

llvm::DenseMap<const ASTContext *, std::unique_ptr<Indexes>> &registry() {
  static llvm::DenseMap<const ASTContext *, std::unique_ptr<Indexes>> All;
  return All;
}

void forget(void *Ctx) {
  std::lock_guard<std::mutex> Guard(RegistryLock);
  registry().erase(static_cast<const ASTContext *>(Ctx));
}

/// The entry of \p Ctx; RegistryLock must be held.
Indexes &indexesFor(ASTContext &Ctx) {
  std::unique_ptr<Indexes> &Entry = registry()[&Ctx];
  if (!Entry) {
    Entry = std::make_unique<Indexes>();
    Ctx.AddDeallocation(forget, &Ctx);
  }
  return *Entry;
}

/// Makes \p Function the active scope if it is a root of the traversal
/// scope (only then are its scoped parents the unit's), building its index
/// unless it is the last one built. Returns the previous active function.
const FunctionDecl *activate(const FunctionDecl *Function, ASTContext &Ctx) {
  std::lock_guard<std::mutex> Guard(RegistryLock);
  Indexes &Entry = indexesFor(Ctx);
  const FunctionDecl *Previous = Entry.Active;
  if (!Entry.RootsKnown) {
    // The declarations the walk enters from the unit: the traversal scope,
    // or the unit's own when the scope is the whole unit.
    std::vector<Decl *> Scope = Ctx.getTraversalScope();
    if (Scope.size() == 1 && isa<TranslationUnitDecl>(Scope.front()))
      Entry.Roots.insert(Ctx.getTranslationUnitDecl()->decls_begin(),
                         Ctx.getTranslationUnitDecl()->decls_end());
    else
      Entry.Roots.insert(Scope.begin(), Scope.end());
    Entry.RootsKnown = true;
  }
  if (!Function || !Entry.Roots.count(Function)) {
    Entry.Active = nullptr;
    return Previous;
  }
  if (Entry.Scoped != Function) {
    Entry.ScopedIndex =
        std::make_unique<ParentIndex>(*const_cast<FunctionDecl *>(Function));
    Entry.Scoped = Function;
  }
  Entry.Active = Function;
  return Previous;
}

} // namespace

ParentScope::ParentScope(const FunctionDecl &Function, ASTContext &Ctx)
    : Ctx(Ctx), Previous(activate(&Function, Ctx)) {}

ParentScope::~ParentScope() { activate(Previous, Ctx); }

DynTypedNodeList parentsOf(const DynTypedNode &Node, ASTContext &Ctx) {
  std::lock_guard<std::mutex> Guard(RegistryLock);
  Indexes &Entry = indexesFor(Ctx);
  if (Entry.Active) {
    // The scoped function is entered from the unit.
    if (Node.get<Decl>() == Entry.Active)
      return DynTypedNodeList(
          DynTypedNode::create(*Ctx.getTranslationUnitDecl()));
    DynTypedNodeList Parents = ParentIndex::none();
    if (Entry.ScopedIndex->find(Node, Parents))
      return Parents;
  }
  if (!Entry.Unit)
    Entry.Unit = std::make_unique<ParentIndex>(Ctx);
  DynTypedNodeList Parents = ParentIndex::none();
  Entry.Unit->find(Node, Parents);
  return Parents;
}

} // namespace gilport
