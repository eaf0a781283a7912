//===--- ModuleStateConversionTest.cpp - Which globals reach the module ---===//

#include "rewrites/ModuleStateConversion.h"

#include "AnalysisTestSupport.h"

#include "gtest/gtest.h"

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

const std::string Prelude = std::string(ModuleDefPrelude) + R"c(
void *PyModule_GetState(PyObject *);
PyObject *PyLong_FromLong(long);
)c";

/// A multi-phase module whose method `bump` counts in `calls`; the parts in
/// the arguments replace or extend it.
std::string multiPhase(llvm::StringRef Extra = "", llvm::StringRef Size = "0",
                       llvm::StringRef Slots = "{Py_mod_exec, mod_exec}, ") {
  return std::string(Prelude) + R"c(
static long calls;
static PyObject *bump(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(++calls);
}
)c" + Extra.str() +
         R"c(
static int mod_exec(PyObject *module) { return 0; }
static PyMethodDef mod_methods[] = {{"bump", bump, 0, NULL}, {NULL, NULL}};
static PyModuleDef_Slot mod_slots[] = {)c" +
         Slots.str() + R"c({0, NULL}};
static PyModuleDef mod_def = {PyModuleDef_HEAD_INIT, "mod", NULL, )c" +
         Size.str() + R"c(, mod_methods, mod_slots};
PyObject *PyInit_mod(void) { return PyModuleDef_Init(&mod_def); }
)c";
}

class ModuleStateConversionTest : public ::testing::Test {
protected:
  /// Plans moving the variables \p Names of \p Code to the module state.
  ModuleStatePlan plan(const std::string &Code,
                       std::vector<llvm::StringRef> Names = {"calls"}) {
    AST = parseC(Code);
    if (!AST)
      return {};
    ASTContext &Ctx = AST->getASTContext();
    std::vector<ModuleInitInfo> Inits =
        ModuleInitAnalyzer().findModuleInits(Ctx);
    EXPECT_EQ(Inits.size(), 1u);
    if (Inits.empty())
      return {};
    std::vector<StateCandidate> Candidates;
    for (llvm::StringRef Name : Names) {
      StateCandidate C;
      C.Var = variable(Ctx, Name);
      if (!C.Var)
        return {};
      Candidates.push_back(C);
    }
    return planModuleState(Inits.front(), Candidates, DeclaredSlots(), Ctx);
  }

  std::unique_ptr<ASTUnit> AST;
};

TEST_F(ModuleStateConversionTest, MethodTableFunctionsReachTheModule) {
  ModuleStatePlan Plan = plan(multiPhase());
  EXPECT_EQ(Plan.Reason, "");
  EXPECT_TRUE(Plan.converts());
  EXPECT_TRUE(Plan.Complete);
  ASSERT_EQ(Plan.Outcomes.size(), 1u);
  EXPECT_TRUE(Plan.Outcomes[0].Moved);
  EXPECT_FALSE(Plan.Outcomes[0].Atomic);
  EXPECT_FALSE(Plan.Edits.Hints.empty());
}

TEST_F(ModuleStateConversionTest, FunctionOutsideTheTablesDoesNot) {
  ModuleStatePlan Plan =
      plan(multiPhase("long peek(void) { return calls; }\n"));
  ASSERT_EQ(Plan.Outcomes.size(), 1u);
  EXPECT_FALSE(Plan.Outcomes[0].Moved);
  EXPECT_EQ(Plan.Outcomes[0].Reason.rfind("'calls' is used in 'peek'", 0), 0u)
      << Plan.Outcomes[0].Reason;
  EXPECT_NE(Plan.Outcomes[0].Reason.find("has no way to the module"),
            std::string::npos);
  EXPECT_TRUE(Plan.Outcomes[0].Where.isValid());
  EXPECT_EQ(Plan.Reason, "no variable can move to the module state");
  EXPECT_FALSE(Plan.converts());
}

// A static helper called only from a method gets the module as a new
// parameter.
TEST_F(ModuleStateConversionTest, StaticHelperOfAMethodReachesTheModule) {
  std::string Code = multiPhase(R"c(
static long twice(void) { return 2 * calls; }
static PyObject *get(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(twice());
}
)c");
  Code.replace(Code.find("{NULL, NULL}"), 0, "{\"get\", get, 0, NULL}, ");
  ModuleStatePlan Plan = plan(Code);
  ASSERT_EQ(Plan.Outcomes.size(), 1u);
  EXPECT_TRUE(Plan.Outcomes[0].Moved) << Plan.Outcomes[0].Reason;
}

TEST_F(ModuleStateConversionTest, VariableOtherFilesCanNameStays) {
  std::string Code = multiPhase();
  Code.replace(Code.find("static long calls;"), 18, "long calls;");
  ModuleStatePlan Plan = plan(Code);
  ASSERT_EQ(Plan.Outcomes.size(), 1u);
  EXPECT_FALSE(Plan.Outcomes[0].Moved);
  EXPECT_EQ(Plan.Outcomes[0].Reason,
            "'calls' is not 'static', so other files may use it");
}

TEST_F(ModuleStateConversionTest, SinglePhaseIsConvertedOnTheWay) {
  ModuleStatePlan Plan = plan(std::string(Prelude) + R"c(
static long calls;
static PyObject *bump(PyObject *module, PyObject *unused) {
  return PyLong_FromLong(++calls);
}
static PyMethodDef mod_methods[] = {{"bump", bump, 0, NULL}, {NULL, NULL}};
static PyModuleDef mod_def = {PyModuleDef_HEAD_INIT, "mod", NULL, -1,
                              mod_methods};
PyMODINIT_FUNC PyInit_mod(void) {
  PyObject *m = PyModule_Create(&mod_def);
  if (m == NULL)
    return NULL;
  return m;
}
)c");
  EXPECT_EQ(Plan.Reason, "");
  ASSERT_EQ(Plan.Outcomes.size(), 1u);
  EXPECT_TRUE(Plan.Outcomes[0].Moved) << Plan.Outcomes[0].Reason;
}

// Refusals of the whole module: every candidate gets the same reason.
TEST_F(ModuleStateConversionTest, ModulesThatAreRefused) {
  struct Case {
    std::string Code;
    const char *Reason;
  } Cases[] = {
      {multiPhase("", "-1"),
       "the module already has module state or an unusual 'm_size'; add the "
       "fields to it by hand"},
      {multiPhase("", "0", ""),
       "the module does not have exactly one 'Py_mod_exec' slot"},
      {multiPhase("", "0",
                  "{Py_mod_exec, mod_exec}, {Py_mod_exec, mod_exec}, "),
       "the module does not have exactly one 'Py_mod_exec' slot"},
      {std::string(Prelude) + R"c(
static long calls;
extern PyModuleDef other_def;
PyObject *PyInit_mod(void) { ++calls; return PyModuleDef_Init(&other_def); }
)c",
       "the module definition is not in this translation unit"},
      {std::string(Prelude) + R"c(
static long calls;
static PyModuleDef mod_def = {PyModuleDef_HEAD_INIT, "mod", NULL, 8};
PyObject *PyInit_mod(void) { ++calls; return PyModule_Create(&mod_def); }
)c",
       "the module already has module state ('m_size' is 8); add the fields "
       "to it by hand"},
      {std::string(Prelude) + R"c(
static long calls;
static PyModuleDef mod_def = {PyModuleDef_HEAD_INIT, "mod", NULL, -1};
PyObject *PyInit_mod(void) {
  ++calls;
  return calls ? PyModule_Create(&mod_def) : NULL;
}
)c",
       "the module cannot be converted to multi-phase init, which module "
       "state needs: the module is not created by a statement of the init "
       "function's body ('m = PyModule_Create(&def);' or 'return "
       "PyModule_Create(&def);')"},
  };
  for (const Case &C : Cases) {
    ModuleStatePlan Plan = plan(C.Code);
    EXPECT_EQ(Plan.Reason, C.Reason);
    EXPECT_FALSE(Plan.converts());
    ASSERT_EQ(Plan.Outcomes.size(), 1u);
    EXPECT_FALSE(Plan.Outcomes[0].Moved);
    EXPECT_EQ(Plan.Outcomes[0].Reason, C.Reason);
  }
}

} // namespace
