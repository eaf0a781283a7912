//===--- ContainerPrivacyTest.cpp - Which containers only one thread sees -===//

#include "analysis/ContainerPrivacy.h"

#include "AnalysisTestSupport.h"

#include "gtest/gtest.h"

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

using Reason = PrivacyVerdict::Reason;

// Just what ContainerPrivacy looks at: creators, calls that keep nothing
// (PyList_Size, PyList_Append's list), and calls it knows nothing about.
const char Prelude[] = R"c(
typedef struct _object PyObject;
typedef long Py_ssize_t;
#define NULL ((void *)0)
PyObject *PyList_New(Py_ssize_t);
PyObject *PyTuple_New(Py_ssize_t);
Py_ssize_t PyList_Size(PyObject *);
int PyList_Append(PyObject *, PyObject *);
void Py_DECREF(PyObject *);
void keep(PyObject *);
PyObject *shared_list;
)c";

/// Parses a snippet and answers for the argument of the \p Nth call of
/// `PyList_Size` in \p Function: the use the tests ask about.
class ContainerPrivacyTest : public ::testing::Test {
protected:
  PrivacyVerdict classifySizeArg(llvm::StringRef Code, llvm::StringRef Function,
                                 unsigned Nth = 0) {
    parse(Code);
    const FunctionDecl *F = function(Ctx(), Function);
    if (!F)
      return {};
    std::vector<const CallExpr *> Uses = callsIn(*F, "PyList_Size");
    EXPECT_LT(Nth, Uses.size());
    if (Nth >= Uses.size())
      return {};
    return Privacy->classify(*F, *Uses[Nth]->getArg(0),
                             Uses[Nth]->getBeginLoc(),
                             Ctx().getSourceManager());
  }

  void parse(llvm::StringRef Code) {
    AST = parseC(std::string(Prelude) + Code.str());
    ASSERT_TRUE(AST);
    Callers = std::make_unique<CallSiteIndex>();
    FilledOnce = std::make_unique<InitOnlyFields>(*Callers);
    Privacy = std::make_unique<ContainerPrivacy>(*Callers, *FilledOnce);
  }

  ASTContext &Ctx() { return AST->getASTContext(); }

  std::unique_ptr<ASTUnit> AST;
  std::unique_ptr<CallSiteIndex> Callers;
  std::unique_ptr<InitOnlyFields> FilledOnce;
  std::unique_ptr<ContainerPrivacy> Privacy;
};

TEST_F(ContainerPrivacyTest, LocalListNotSharedIsPrivate) {
  PrivacyVerdict V = classifySizeArg(R"c(
    Py_ssize_t f(void) {
      PyObject *list = PyList_New(0);
      PyList_Append(list, shared_list); // Keeps the item, not the list.
      return PyList_Size(list);
    })c",
                                     "f");
  EXPECT_EQ(V.Why, Reason::CreatedLocally);
  ASSERT_TRUE(V.Variable);
  EXPECT_EQ(V.Variable->getName(), "list");
  ASSERT_TRUE(V.Creator);
  EXPECT_EQ(V.Creator->getDirectCallee()->getName(), "PyList_New");
  EXPECT_NE(V.explanation().find("created by 'PyList_New'"), std::string::npos);
}

TEST_F(ContainerPrivacyTest, StoredInGlobalIsShared) {
  PrivacyVerdict V = classifySizeArg(R"c(
    Py_ssize_t f(void) {
      PyObject *list = PyList_New(0);
      shared_list = list;
      return PyList_Size(list);
    })c",
                                     "f");
  EXPECT_FALSE(V.isPrivate());
  EXPECT_EQ(V.explanation(), "");
}

TEST_F(ContainerPrivacyTest, PassedToUnknownCallIsShared) {
  PrivacyVerdict V = classifySizeArg(R"c(
    Py_ssize_t f(void) {
      PyObject *list = PyList_New(0);
      keep(list);
      return PyList_Size(list);
    })c",
                                     "f");
  EXPECT_EQ(V.Why, Reason::Shared);
}

// What happens after the use cannot reach it, unless a loop brings it back.
TEST_F(ContainerPrivacyTest, EscapeAfterUseOnlyCountsInALoop) {
  const char Code[] = R"c(
    void f(int n) {
      PyObject *list = PyList_New(0);
      PyList_Size(list);
      for (int i = 0; i < n; i++) {
        PyList_Size(list);
        keep(list);
      }
    })c";
  EXPECT_EQ(classifySizeArg(Code, "f", 0).Why, Reason::CreatedLocally);
  EXPECT_EQ(classifySizeArg(Code, "f", 1).Why, Reason::Shared);
}

TEST_F(ContainerPrivacyTest, SharedValueInABranchReachesTheUse) {
  PrivacyVerdict V = classifySizeArg(R"c(
    Py_ssize_t f(int c) {
      PyObject *list = PyList_New(0);
      if (c)
        list = shared_list;
      return PyList_Size(list);
    })c",
                                     "f");
  EXPECT_EQ(V.Why, Reason::Shared);
}

TEST_F(ContainerPrivacyTest, NewTemporaryAndTuples) {
  const char Code[] = R"c(
    void f(void) {
      PyList_Size(PyList_New(0));
      PyObject *t = PyTuple_New(1);
      keep(t);
      PyList_Size(t);
      PyList_Size(shared_list);
    })c";
  PrivacyVerdict Temporary = classifySizeArg(Code, "f", 0);
  EXPECT_EQ(Temporary.Why, Reason::NewTemporary);
  EXPECT_EQ(Temporary.explanation(),
            "the container is a new object returned by 'PyList_New'");
  // A tuple cannot change, so sharing it does not matter.
  EXPECT_EQ(classifySizeArg(Code, "f", 1).Why, Reason::Tuple);
  EXPECT_EQ(classifySizeArg(Code, "f", 2).Why, Reason::Shared);
}

// CPython fills `args` of a (self, args[, kwds]) function for each call;
// the keyword dict may be the caller's own.
TEST_F(ContainerPrivacyTest, ArgsTupleIsPrivateButKwargsAreNot) {
  const char Code[] = R"c(
    PyObject *meth(PyObject *self, PyObject *args, PyObject *kwds) {
      PyList_Size(args);
      PyList_Size(kwds);
      return NULL;
    })c";
  EXPECT_EQ(classifySizeArg(Code, "meth", 0).Why, Reason::Tuple);
  EXPECT_EQ(classifySizeArg(Code, "meth", 1).Why, Reason::Shared);
}

TEST_F(ContainerPrivacyTest, StaticHelperParameterPrivateWhenEveryCallerIs) {
  PrivacyVerdict V = classifySizeArg(R"c(
    static Py_ssize_t size_of(PyObject *list) { return PyList_Size(list); }
    Py_ssize_t a(void) {
      PyObject *l = PyList_New(0);
      return size_of(l);
    }
    Py_ssize_t b(void) { return size_of(PyList_New(1)); })c",
                                     "size_of");
  EXPECT_EQ(V.Why, Reason::PassedPrivate);
  ASSERT_TRUE(V.Variable);
  EXPECT_EQ(V.Variable->getName(), "list");
}

TEST_F(ContainerPrivacyTest, StaticHelperParameterSharedByOneCaller) {
  PrivacyVerdict V = classifySizeArg(R"c(
    static Py_ssize_t size_of(PyObject *list) { return PyList_Size(list); }
    Py_ssize_t a(void) { return size_of(PyList_New(0)); }
    Py_ssize_t b(void) { return size_of(shared_list); })c",
                                     "size_of");
  EXPECT_EQ(V.Why, Reason::Shared);
}

// Callers are only all known for a static function whose address is never
// taken.
TEST_F(ContainerPrivacyTest, HelperParameterWithUnknownCallersIsShared) {
  EXPECT_EQ(classifySizeArg(R"c(
    Py_ssize_t size_of(PyObject *list) { return PyList_Size(list); }
    Py_ssize_t a(void) { return size_of(PyList_New(0)); })c",
                            "size_of")
                .Why,
            Reason::Shared);
  EXPECT_EQ(classifySizeArg(R"c(
    static Py_ssize_t size_of(PyObject *list) { return PyList_Size(list); }
    Py_ssize_t (*hook)(PyObject *) = size_of;
    Py_ssize_t a(void) { return size_of(PyList_New(0)); })c",
                            "size_of")
                .Why,
            Reason::Shared);
}

TEST_F(ContainerPrivacyTest, HelperParameterLetOutBeforeTheUseIsShared) {
  PrivacyVerdict V = classifySizeArg(R"c(
    static Py_ssize_t size_of(PyObject *list) {
      keep(list);
      return PyList_Size(list);
    }
    Py_ssize_t a(void) { return size_of(PyList_New(0)); })c",
                                     "size_of");
  EXPECT_EQ(V.Why, Reason::Shared);
}

TEST_F(ContainerPrivacyTest, KeepsParameterPrivate) {
  parse(R"c(
    static void append_to(PyObject *list, PyObject *item) {
      PyList_Append(list, item);
    }
    static void store(PyObject *list) { shared_list = list; }
    static PyObject *identity(PyObject *list) { return list; }
    static void rebind(PyObject *list) { list = shared_list; Py_DECREF(list); }
    void exported(PyObject *list) { PyList_Size(list); }
    Py_ssize_t f(void) { return PyList_Size(shared_list); })c");
  ASTContext &C = Ctx();
  // The answers need the source manager, which a first question sets.
  const FunctionDecl *F = function(C, "f");
  const CallExpr *Use = callsIn(*F, "PyList_Size").front();
  Privacy->classify(*F, *Use->getArg(0), Use->getBeginLoc(),
                    C.getSourceManager());

  EXPECT_TRUE(Privacy->keepsParameterPrivate(*function(C, "append_to"), 0));
  // The item goes into the list.
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "append_to"), 1));
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "store"), 0));
  // Handed back to a caller that may keep it.
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "identity"), 0));
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "rebind"), 0));
  // Another library could interpose an exported function.
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "exported"), 0));
  EXPECT_FALSE(Privacy->keepsParameterPrivate(*function(C, "append_to"), 5));
}

TEST_F(ContainerPrivacyTest, FreshResultOfStaticHelpers) {
  const char Code[] = R"c(
    static PyObject *make(int fail) {
      if (fail)
        return NULL;
      PyObject *list = PyList_New(0);
      return list;
    }
    static PyObject *cached(void) { return shared_list; }
    static PyObject *leaky(void) {
      PyObject *list = PyList_New(0);
      keep(list);
      return list;
    }
    PyObject *exported(void) { return PyList_New(0); }
    void f(void) {
      PyList_Size(make(0));
      PyList_Size(cached());
      PyList_Size(leaky());
      PyList_Size(exported());
    })c";
  PrivacyVerdict Made = classifySizeArg(Code, "f", 0);
  EXPECT_EQ(Made.Why, Reason::NewTemporary);
  ASSERT_TRUE(Made.Creator);
  EXPECT_EQ(Made.Creator->getDirectCallee()->getName(), "make");
  EXPECT_EQ(classifySizeArg(Code, "f", 1).Why, Reason::Shared);
  EXPECT_EQ(classifySizeArg(Code, "f", 2).Why, Reason::Shared);
  EXPECT_EQ(classifySizeArg(Code, "f", 3).Why, Reason::Shared);

  EXPECT_EQ(Privacy->freshResultKind(*function(Ctx(), "make")),
            ContainerKind::List);
  EXPECT_EQ(Privacy->freshResultKind(*function(Ctx(), "cached")), std::nullopt);
  EXPECT_EQ(Privacy->freshResultKind(*function(Ctx(), "exported")),
            std::nullopt);
}

// A state field the exec function fills with a new list, and only reads
// afterwards (InitOnlyFields), holds a container nothing changes.
std::string moduleStoring(llvm::StringRef Stored) {
  return R"c(
    typedef struct PyModuleDef_Slot { int slot; void *value; } PyModuleDef_Slot;
    typedef struct PyModuleDef {
      int m_base; const char *m_name; const char *m_doc; long m_size;
      void *m_methods; PyModuleDef_Slot *m_slots;
    } PyModuleDef;
    PyObject *PyModuleDef_Init(PyModuleDef *);
    void *PyModule_GetState(PyObject *);
    typedef struct { PyObject *names; } mod_state;
    static int mod_exec(PyObject *m) {
      mod_state *st = PyModule_GetState(m);
      st->names = )c" +
         Stored.str() + R"c(;
      return PyList_Append(st->names, m);
    }
    Py_ssize_t count(PyObject *m) {
      mod_state *st = PyModule_GetState(m);
      return PyList_Size(st->names);
    }
    static PyModuleDef_Slot slots[] = {{2, mod_exec}, {0, NULL}};
    static PyModuleDef def = {0, "mod", NULL, sizeof(mod_state), NULL, slots};
    PyObject *PyInit_mod(void) { return PyModuleDef_Init(&def); })c";
}

TEST_F(ContainerPrivacyTest, FieldFilledAtInitWithANewList) {
  PrivacyVerdict V = classifySizeArg(moduleStoring("PyList_New(0)"), "count");
  EXPECT_EQ(V.Why, Reason::FilledAtInit);
  ASSERT_TRUE(V.Field);
  EXPECT_EQ(V.Field->getName(), "names");
  EXPECT_TRUE(V.FilledAt.isValid());
  // Another module's list may change there.
  EXPECT_EQ(classifySizeArg(moduleStoring("shared_list"), "count").Why,
            Reason::Shared);
}

} // namespace
