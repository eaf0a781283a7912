//===--- InitOnlyFieldsTest.cpp - Fields only the module's init fills -----===//

#include "analysis/InitOnlyFields.h"

#include "AnalysisTestSupport.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

// The dict calls whose arguments InitOnlyFields sorts, and Py_CLEAR as
// CPython spells it.
const std::string Prelude = std::string(ModuleDefPrelude) + R"c(
void *PyModule_GetState(PyObject *);
PyObject *PyDict_New(void);
int PyDict_SetItemString(PyObject *, const char *, PyObject *);
PyObject *PyDict_GetItemString(PyObject *, const char *);
void Py_DECREF(PyObject *);
void keep(PyObject *);
#define Py_CLEAR(op) do { PyObject *tmp_ = (PyObject *)(op); \
    if (tmp_) { (op) = NULL; Py_DECREF(tmp_); } } while (0)
)c";

// A module whose state field `table` the exec function fills and a method
// only reads. The arguments add functions after the exec function, entries
// of the method table, statements of the exec function and prototypes.
std::string moduleWith(llvm::StringRef Extra, llvm::StringRef ExtraMethods = "",
                       llvm::StringRef ExecBody = "",
                       llvm::StringRef Prototypes = "") {
  return std::string(Prelude) + R"c(
typedef struct { PyObject *table; } mod_state;
)c" + Prototypes.str() +
         R"c(
static int mod_clear(PyObject *m) {
  mod_state *st = PyModule_GetState(m);
  Py_CLEAR(st->table);
  return 0;
}
static int mod_exec(PyObject *m) {
  mod_state *st = PyModule_GetState(m);
  st->table = PyDict_New();
  if (!st->table)
    return -1;
  )c" + ExecBody.str() +
         R"c(
  return PyDict_SetItemString(st->table, "k", m);
}
static PyObject *lookup(PyObject *self, PyObject *unused) {
  mod_state *st = PyModule_GetState(self);
  return PyDict_GetItemString(st->table, "k");
}
)c" + Extra.str() +
         R"c(
static PyMethodDef methods[] = {{"lookup", lookup, 0, NULL}, )c" +
         ExtraMethods.str() + R"c({NULL}};
static PyModuleDef_Slot slots[] = {{Py_mod_exec, mod_exec}, {0, NULL}};
static PyModuleDef def = {0, "mod", NULL, sizeof(mod_state), methods, slots,
                          NULL, mod_clear, NULL};
PyObject *PyInit_mod(void) { return PyModuleDef_Init(&def); }
)c";
}

/// What \p Fields says of the field `table` of \p AST.
const InitOnlyFields::FieldFacts *tableFacts(ASTUnit &AST,
                                             InitOnlyFields &Fields) {
  const FieldDecl *Table = field(AST.getASTContext(), "table");
  return Table ? Fields.filledAtInit(*Table, AST.getASTContext()) : nullptr;
}

bool filledAtInit(const std::string &Code) {
  std::unique_ptr<ASTUnit> AST = parseC(Code);
  if (!AST)
    return false;
  CallSiteIndex Callers;
  InitOnlyFields Fields(Callers);
  return tableFacts(*AST, Fields) != nullptr;
}

TEST(InitOnlyFields, WrittenOnlyByExecAndClearIsInitOnly) {
  std::unique_ptr<ASTUnit> AST = parseC(moduleWith(""));
  ASSERT_TRUE(AST);
  CallSiteIndex Callers;
  InitOnlyFields Fields(Callers);
  const InitOnlyFields::FieldFacts *Facts = tableFacts(*AST, Fields);
  ASSERT_TRUE(Facts);
  EXPECT_FALSE(Facts->HandedOut);
  // The store in exec and the one Py_CLEAR makes in clear.
  ASSERT_EQ(Facts->Stores.size(), 2u);
  EXPECT_EQ(Facts->Stores[0].Function->getName(), "mod_clear");
  EXPECT_EQ(Facts->Stores[1].Function->getName(), "mod_exec");
  const auto *Created =
      dyn_cast<CallExpr>(Facts->Stores[1].Value->IgnoreParenImpCasts());
  ASSERT_TRUE(Created);
  EXPECT_EQ(Created->getDirectCallee()->getName(), "PyDict_New");
  for (const auto &[Loc, Function] : Facts->Changes)
    EXPECT_TRUE(Function->getName() == "mod_exec" ||
                Function->getName() == "mod_clear");
}

TEST(InitOnlyFields, WrittenFromAMethodIsNot) {
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
static PyObject *reset(PyObject *self, PyObject *unused) {
  mod_state *st = PyModule_GetState(self);
  st->table = PyDict_New();
  return NULL;
})c",
                                       R"c({"reset", reset, 0, NULL}, )c")));
}

TEST(InitOnlyFields, ChangedByAMethodIsNot) {
  // An insertion is a change as much as a store.
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
static PyObject *add(PyObject *self, PyObject *value) {
  mod_state *st = PyModule_GetState(self);
  PyDict_SetItemString(st->table, "v", value);
  return NULL;
})c",
                                       R"c({"add", add, 0, NULL}, )c")));
}

TEST(InitOnlyFields, HandedOutIsNot) {
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
static PyObject *get(PyObject *self, PyObject *unused) {
  mod_state *st = PyModule_GetState(self);
  return st->table;
})c",
                                       R"c({"get", get, 0, NULL}, )c")));
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
static PyObject *pass(PyObject *self, PyObject *unused) {
  mod_state *st = PyModule_GetState(self);
  keep(st->table);
  return NULL;
})c",
                                       R"c({"pass", pass, 0, NULL}, )c")));
}

// A static helper that only the exec function calls is part of init.
TEST(InitOnlyFields, HelperCalledOnlyFromExecIsLifecycle) {
  const char Prototype[] = "static void fill(PyObject *m);";
  const char Helper[] = R"c(
static void fill(PyObject *m) {
  mod_state *st = PyModule_GetState(m);
  PyDict_SetItemString(st->table, "h", m);
})c";
  EXPECT_TRUE(filledAtInit(moduleWith(Helper, "", "fill(m);", Prototype)));
  // Called from a method too: no longer only init.
  EXPECT_FALSE(filledAtInit(moduleWith(std::string(Helper) + R"c(
static PyObject *refill(PyObject *self, PyObject *unused) {
  fill(self);
  return NULL;
})c",
                                       R"c({"refill", refill, 0, NULL}, )c",
                                       "fill(m);", Prototype)));
}

// The exec function may run at any time once its address goes somewhere
// else than the slots table.
TEST(InitOnlyFields, ExecWhoseAddressEscapesIsNotLifecycle) {
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
void register_callback(int (*)(PyObject *));
void install(void) { register_callback(mod_exec); })c")));
  // Called directly by a method: runs again while the module is in use.
  EXPECT_FALSE(filledAtInit(moduleWith(R"c(
static PyObject *reinit(PyObject *self, PyObject *unused) {
  mod_exec(self);
  return NULL;
})c",
                                       R"c({"reinit", reinit, 0, NULL}, )c")));
}

// Without a module definition naming it, `mod_exec` is just a function.
TEST(InitOnlyFields, ExecNotInSlotsIsNotLifecycle) {
  std::string Code = moduleWith("");
  size_t Slot = Code.find("{Py_mod_exec, mod_exec}, ");
  ASSERT_NE(Slot, std::string::npos);
  Code.erase(Slot, std::strlen("{Py_mod_exec, mod_exec}, "));
  Code += "int (*exec_hook)(PyObject *) = mod_exec;\n";
  EXPECT_FALSE(filledAtInit(Code));
}

// A struct of another header may be written by another file.
TEST(InitOnlyFields, OnlyStructsOfTheMainFileOrItsHeader) {
  std::string Code = moduleWith("");
  const char StateStruct[] = "typedef struct { PyObject *table; } mod_state;";
  size_t At = Code.find(StateStruct);
  ASSERT_NE(At, std::string::npos);
  for (const char *Header : {"mod.h", "shared.h"}) {
    std::string WithHeader = Code;
    WithHeader.replace(At, std::strlen(StateStruct),
                       "#include \"" + std::string(Header) + "\"");
    std::unique_ptr<ASTUnit> AST =
        parseC(WithHeader, "/src/mod.c",
               {{std::string("/src/") + Header,
                 "typedef struct { PyObject *table; } mod_state;\n"}});
    ASSERT_TRUE(AST);
    const FieldDecl *Table = field(AST->getASTContext(), "table");
    ASSERT_TRUE(Table);
    bool Owned = isOwnedByMainFile(*Table->getParent(),
                                   AST->getASTContext().getSourceManager());
    CallSiteIndex Callers;
    InitOnlyFields Fields(Callers);
    bool InitOnly = Fields.filledAtInit(*Table, AST->getASTContext());
    EXPECT_EQ(Owned, llvm::StringRef(Header) == "mod.h") << Header;
    EXPECT_EQ(InitOnly, Owned) << Header;
  }
}

} // namespace
