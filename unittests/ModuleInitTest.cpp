//===--- ModuleInitTest.cpp - How a PyInit_ function creates its module ---===//

#include "analysis/ModuleInit.h"

#include "AnalysisTestSupport.h"

#include "gtest/gtest.h"

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

// As in CPython's headers, Py_MOD_GIL_NOT_USED is a pointer-cast integer.
const std::string Prelude = std::string(ModuleDefPrelude) + R"c(
#define Py_mod_gil 4
#define Py_MOD_GIL_NOT_USED ((void *)1)
int PyModule_AddIntConstant(PyObject *, const char *, long);
int PyUnstable_Module_SetGIL(PyObject *, void *);
void Py_DECREF(PyObject *);
)c";

class ModuleInitTest : public ::testing::Test {
protected:
  /// The analysis of the one PyInit_ function of \p Code.
  ModuleInitInfo analyze(llvm::StringRef Code) {
    AST = parseC(std::string(Prelude) + Code.str());
    if (!AST)
      return {};
    std::vector<ModuleInitInfo> Inits =
        ModuleInitAnalyzer().findModuleInits(AST->getASTContext());
    EXPECT_EQ(Inits.size(), 1u);
    return Inits.empty() ? ModuleInitInfo() : Inits.front();
  }

  std::unique_ptr<ASTUnit> AST;
};

TEST_F(ModuleInitTest, MultiPhaseInit) {
  ModuleInitInfo Info = analyze(R"c(
    static int mod_exec(PyObject *m) { return 0; }
    static PyModuleDef_Slot mod_slots[] = {
      {Py_mod_exec, mod_exec},
      {Py_mod_gil, Py_MOD_GIL_NOT_USED},
      {0, NULL}
    };
    static PyModuleDef mod_def = {0, "mod", NULL, 0, NULL, mod_slots};
    PyObject *PyInit_mod(void) { return PyModuleDef_Init(&mod_def); })c");
  EXPECT_EQ(Info.ModuleName, "mod");
  EXPECT_EQ(Info.Kind, ModuleInitKind::MultiPhase);
  ASSERT_TRUE(Info.CreateCall);
  EXPECT_EQ(Info.CreateCall->getDirectCallee()->getName(), "PyModuleDef_Init");
  EXPECT_EQ(Info.CreateCaller, Info.Function);
  ASSERT_TRUE(Info.Def);
  EXPECT_EQ(Info.Def->Def->getName(), "mod_def");
  EXPECT_EQ(Info.Def->Size, 0);
  EXPECT_FALSE(Info.Def->SlotsNull);
  ASSERT_TRUE(Info.Def->Slots);
  EXPECT_TRUE(Info.Def->slotsKnown());
  const ModuleSlotsInfo &Slots = *Info.Def->Slots;
  EXPECT_EQ(Slots.Array->getName(), "mod_slots");
  ASSERT_EQ(Slots.Slots.size(), 3u);
  ASSERT_TRUE(Slots.find(ModuleSlotExec));
  // A function pointer has no integer value.
  EXPECT_FALSE(Slots.find(ModuleSlotExec)->Value);
  ASSERT_TRUE(Slots.find(ModuleSlotGil));
  EXPECT_EQ(Slots.find(ModuleSlotGil)->Value, ModuleGilNotUsed);
  EXPECT_FALSE(Slots.find(ModuleSlotMultipleInterpreters));
  EXPECT_EQ(Slots.sentinel(), &Slots.Slots[2]);
  EXPECT_TRUE(Info.SetGilCalls.empty());
}

TEST_F(ModuleInitTest, SinglePhaseCreateStoredInALocal) {
  ModuleInitInfo Info = analyze(R"c(
    static PyModuleDef mod_def = {0, "mod", NULL, -1};
    PyObject *PyInit_mod(void) {
      PyObject *m = PyModule_Create(&mod_def);
      if (m == NULL)
        return NULL;
      if (PyModule_AddIntConstant(m, "X", 1) < 0) {
        Py_DECREF(m);
        return NULL;
      }
      PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
      return m;
    })c");
  EXPECT_EQ(Info.Kind, ModuleInitKind::SinglePhase);
  ASSERT_TRUE(Info.CreateCall);
  // What the macro expands to.
  EXPECT_EQ(Info.CreateCall->getDirectCallee()->getName(), "PyModule_Create2");
  ASSERT_TRUE(Info.Def);
  EXPECT_EQ(Info.Def->Size, -1);
  // m_slots omitted: there is none, and that is known.
  EXPECT_TRUE(Info.Def->SlotsNull);
  EXPECT_TRUE(Info.Def->slotsKnown());
  EXPECT_EQ(Info.SetGilCalls.size(), 1u);
}

TEST_F(ModuleInitTest, SinglePhaseCreateReturned) {
  ModuleInitInfo Info = analyze(R"c(
    static PyModuleDef mod_def = {0, "mod", NULL, -1};
    PyObject *PyInit_mod(void) { return PyModule_Create(&mod_def); })c");
  EXPECT_EQ(Info.Kind, ModuleInitKind::SinglePhase);
  ASSERT_TRUE(Info.Def);
  EXPECT_EQ(Info.Def->Def->getName(), "mod_def");
}

TEST_F(ModuleInitTest, CreationInAHelper) {
  ModuleInitInfo Info = analyze(R"c(
    static PyModuleDef mod_def = {0, "mod", NULL, -1};
    static PyObject *make(void) { return PyModule_Create(&mod_def); }
    PyObject *PyInit_mod(void) { return make(); })c");
  EXPECT_EQ(Info.Kind, ModuleInitKind::SinglePhase);
  ASSERT_TRUE(Info.CreateCaller);
  EXPECT_EQ(Info.CreateCaller->getName(), "make");
  EXPECT_EQ(Info.SearchedFunctions.size(), 2u);
}

TEST_F(ModuleInitTest, CreationOutOfSightIsUnknown) {
  ModuleInitInfo Info = analyze(R"c(
    PyObject *create_elsewhere(void);
    PyObject *PyInit_mod(void) { return create_elsewhere(); })c");
  EXPECT_EQ(Info.Kind, ModuleInitKind::Unknown);
  EXPECT_FALSE(Info.CreateCall);
  EXPECT_FALSE(Info.Def);
}

// A definition from another file is named but cannot be read.
TEST_F(ModuleInitTest, DefinitionNotInThisFile) {
  ModuleInitInfo Info = analyze(R"c(
    extern PyModuleDef other_def;
    PyObject *PyInit_mod(void) { return PyModuleDef_Init(&other_def); })c");
  EXPECT_EQ(Info.Kind, ModuleInitKind::MultiPhase);
  EXPECT_FALSE(Info.Def);
}

TEST_F(ModuleInitTest, SlotsOutOfSightAreNotKnown) {
  ModuleInitInfo Info = analyze(R"c(
    extern PyModuleDef_Slot other_slots[];
    static PyModuleDef mod_def = {0, "mod", NULL, 0, NULL, other_slots};
    PyObject *PyInit_mod(void) { return PyModuleDef_Init(&mod_def); })c");
  ASSERT_TRUE(Info.Def);
  EXPECT_FALSE(Info.Def->SlotsNull);
  EXPECT_FALSE(Info.Def->Slots);
  EXPECT_FALSE(Info.Def->slotsKnown());
}

TEST_F(ModuleInitTest, OnlyDefinedPyInitFunctions) {
  AST = parseC(std::string(Prelude) + R"c(
    PyObject *PyInit_declared(void);
    PyObject *init_helper(void) { return NULL; }
    static PyModuleDef a_def = {0, "a", NULL, 0};
    PyObject *PyInit_a(void) { return PyModuleDef_Init(&a_def); }
    PyObject *PyInit_b(void) { return init_helper(); })c");
  ASSERT_TRUE(AST);
  std::vector<ModuleInitInfo> Inits =
      ModuleInitAnalyzer().findModuleInits(AST->getASTContext());
  ASSERT_EQ(Inits.size(), 2u);
  EXPECT_EQ(Inits[0].ModuleName, "a");
  EXPECT_EQ(Inits[0].Kind, ModuleInitKind::MultiPhase);
  EXPECT_EQ(Inits[1].ModuleName, "b");
  EXPECT_EQ(Inits[1].Kind, ModuleInitKind::Unknown);
}

TEST(ModuleSlotName, KnownAndUnknownIDs) {
  EXPECT_EQ(moduleSlotName(ModuleSlotExec), "Py_mod_exec");
  EXPECT_EQ(moduleSlotName(ModuleSlotGil), "Py_mod_gil");
  EXPECT_EQ(moduleSlotName(ModuleSlotMultipleInterpreters),
            "Py_mod_multiple_interpreters");
  EXPECT_EQ(moduleSlotName(ModuleSlotSentinel), "");
  EXPECT_EQ(moduleSlotName(99), "");
}

} // namespace
