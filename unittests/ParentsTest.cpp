//===--- ParentsTest.cpp - parentsOf answers as ASTContext::getParents ----===//

#include "analysis/Parents.h"

#include "AnalysisTestSupport.h"

#include "clang/AST/ParentMapContext.h"

#include "gtest/gtest.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

/// Every node with an identity: declarations, statements and attributes,
/// implicit code included.
class NodeCollector : public RecursiveASTVisitor<NodeCollector> {
public:
  bool shouldVisitImplicitCode() const { return true; }
  bool shouldVisitTemplateInstantiations() const { return true; }

  bool VisitDecl(Decl *D) {
    Nodes.push_back(DynTypedNode::create(*D));
    return true;
  }
  bool VisitStmt(Stmt *S) {
    Nodes.push_back(DynTypedNode::create(*S));
    return true;
  }
  bool VisitAttr(Attr *A) {
    Nodes.push_back(DynTypedNode::create(*A));
    return true;
  }

  std::vector<DynTypedNode> Nodes;
};

std::string describe(const DynTypedNode &Node) {
  return Node.getNodeKind().asStringRef().str();
}

/// The number of nodes whose ancestors differ between parentsOf and
/// clang's map (each difference is a test failure too). From every node
/// with an identity, each parent is compared, and so are the parents of
/// those, up to the root: a walk up passes the TypeLocs that hold an
/// expression or a declaration (only those are kept) and must find the
/// same ones. \p Checked counts the nodes asked about.
unsigned compareWithClang(ASTContext &Ctx, unsigned &Checked) {
  NodeCollector Collector;
  Collector.TraverseAST(Ctx);
  unsigned Differences = 0;
  Checked = 0;
  std::vector<DynTypedNode> Pending = Collector.Nodes;
  std::set<std::pair<const void *, std::string>> Seen;
  while (!Pending.empty()) {
    DynTypedNode Node = Pending.back();
    Pending.pop_back();
    const void *Identity = Node.getMemoizationData();
    if (!Identity)
      Identity =
          Node.get<TypeLoc>() ? Node.get<TypeLoc>()->getOpaqueData() : nullptr;
    if (!Seen.insert({Identity, describe(Node)}).second)
      continue;
    DynTypedNodeList Ours = parentsOf(Node, Ctx);
    DynTypedNodeList Theirs = Ctx.getParents(Node);
    ++Checked;
    bool Same = Ours.size() == Theirs.size();
    for (size_t I = 0; Same && I < Ours.size(); ++I)
      Same = Ours[I] == Theirs[I];
    if (!Same) {
      ++Differences;
      ADD_FAILURE() << "the parents of a " << describe(Node)
                    << " differ: " << Ours.size() << " against clang's "
                    << Theirs.size();
      continue;
    }
    for (const DynTypedNode &Parent : Theirs)
      Pending.push_back(Parent);
  }
  return Differences;
}

// What extension code is made of, and the shapes where a node's parent is
// not a statement or a declaration, or where a node has two parents.
const char CCode[] = R"c(
#define NULL ((void *)0)
typedef struct _object { long ob_refcnt; } PyObject;
void Py_DecRef(PyObject *);
#define Py_CLEAR(op) do { __typeof__(op) *_tmp_op_ptr = &(op); \
    __typeof__(op) _tmp_old_op = (*_tmp_op_ptr); \
    if (_tmp_old_op != NULL) { *_tmp_op_ptr = NULL; Py_DecRef(_tmp_old_op); } \
  } while (0)

struct point { int x, y; int tags[4]; };
static struct point origin = {.y = 2, .tags = {[2] = 1}};
static const char *names[] = {"a", "b", NULL};
static PyObject *cache;

__attribute__((unused)) static int
area(int n, int m[static 3], int (*callback)(int))
{
    char buffer[sizeof(struct point) * 2];
    int vla[n > 0 ? n : 1];
    struct point p = {1, 2, {0}};
    int total = ({ int t = p.x + p.y; t * 2; });
    for (int i = 0; i < n; i++)
        total += callback ? callback(m[i % 3]) : vla[0] + buffer[0];
    switch (total) {
    case 1:
        Py_CLEAR(cache);
        break;
    default:
        total = _Generic(total, int: 1, default: 2);
    }
    return total + (int)sizeof(names) + origin.x;
}
)c";

TEST(ParentsTest, SameAsClangInC) {
  std::unique_ptr<ASTUnit> AST = parseC(CCode);
  ASSERT_TRUE(AST);
  unsigned Checked = 0;
  EXPECT_EQ(compareWithClang(AST->getASTContext(), Checked), 0u);
  // The snippet's own nodes, not only the translation unit's.
  EXPECT_GT(Checked, 150u);
}

TEST(ParentsTest, SameAsClangInCxx) {
  std::unique_ptr<ASTUnit> AST = clang::tooling::buildASTFromCodeWithArgs(
      R"cc(
namespace ns {
template <typename T> struct Box { T value; T get() const { return value; } };
}
struct Guard { Guard(); ~Guard(); };
int use(ns::Box<int> &box) {
  Guard g;
  auto twice = [&](int k) { return box.get() * k; };
  return twice(2) + ns::Box<long>{3}.get();
}
)cc",
      {"-xc++", "-std=c++17", "-Wno-everything"}, "/src/mod.cc");
  ASSERT_TRUE(AST);
  unsigned Checked = 0;
  EXPECT_EQ(compareWithClang(AST->getASTContext(), Checked), 0u);
  EXPECT_GT(Checked, 60u);
}

TEST(ParentsTest, KeepsToTheTraversalScope) {
  std::unique_ptr<ASTUnit> AST = parseC(R"c(
int first(int a) { return a + 1; }
int second(int b) { return b * 2; }
)c");
  ASSERT_TRUE(AST);
  ASTContext &Ctx = AST->getASTContext();
  const FunctionDecl *First = function(Ctx, "first");
  const FunctionDecl *Second = function(Ctx, "second");
  ASSERT_TRUE(First && Second);
  // gilport analyses the user's declarations only (as the driver sets it).
  Ctx.setTraversalScope({const_cast<FunctionDecl *>(Second)});
  const Stmt *FirstBody = First->getBody();
  EXPECT_EQ(parentsOf(*FirstBody, Ctx).size(), 0u);
  DynTypedNodeList Above = parentsOf(*Second->getBody(), Ctx);
  ASSERT_EQ(Above.size(), 1u);
  EXPECT_EQ(Above[0].get<FunctionDecl>(), Second);
  unsigned Checked = 0;
  EXPECT_EQ(compareWithClang(Ctx, Checked), 0u);
}

TEST(ParentsTest, ScopedToOneFunctionAnswersTheSame) {
  std::unique_ptr<ASTUnit> AST = parseC(CCode);
  ASSERT_TRUE(AST);
  ASTContext &Ctx = AST->getASTContext();
  // As the driver sets it: the top-level declarations are the roots.
  std::vector<Decl *> Roots(Ctx.getTranslationUnitDecl()->decls_begin(),
                            Ctx.getTranslationUnitDecl()->decls_end());
  Ctx.setTraversalScope(Roots);
  const FunctionDecl *Area = function(Ctx, "area");
  ASSERT_TRUE(Area);
  unsigned Checked = 0;
  {
    // Inside the scope, the function's nodes are answered from its own
    // index, the others from the unit's: both as clang answers.
    ParentScope Scope(*Area, Ctx);
    DynTypedNodeList Above = parentsOf(*Area, Ctx);
    ASSERT_EQ(Above.size(), 1u);
    EXPECT_TRUE(Above[0].get<TranslationUnitDecl>());
    EXPECT_EQ(compareWithClang(Ctx, Checked), 0u);
    EXPECT_GT(Checked, 150u);
  }
  // A second scope of the same function; and with the whole unit as the
  // traversal scope.
  {
    ParentScope Again(*Area, Ctx);
    EXPECT_EQ(compareWithClang(Ctx, Checked), 0u);
  }
  std::unique_ptr<ASTUnit> Whole = parseC(CCode);
  ASSERT_TRUE(Whole);
  const FunctionDecl *WholeArea = function(Whole->getASTContext(), "area");
  ASSERT_TRUE(WholeArea);
  ParentScope InWhole(*WholeArea, Whole->getASTContext());
  EXPECT_EQ(compareWithClang(Whole->getASTContext(), Checked), 0u);
}

TEST(ParentsTest, EachContextHasItsOwnIndex) {
  // A context freed and another made, perhaps at the same address: the
  // second must not be answered from the first's index.
  for (const char *Code : {"int f(int a) { return a; }",
                           "int g(int b) { int c = b; return c + b; }"}) {
    std::unique_ptr<ASTUnit> AST = parseC(Code);
    ASSERT_TRUE(AST);
    unsigned Checked = 0;
    EXPECT_EQ(compareWithClang(AST->getASTContext(), Checked), 0u);
  }
}

} // namespace
