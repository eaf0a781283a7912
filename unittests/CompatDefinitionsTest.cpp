#include "analysis/CompatDefinitions.h"

#include "gtest/gtest.h"

namespace gilport {
namespace {

bool defines(llvm::StringRef Text, llvm::StringRef Name) {
  return CompatDefinitions::textDefines(Text, Name);
}

TEST(CompatDefinitions, DefinitionsInTheCompatHeaderStyles) {
  // pythoncapi_compat.h puts the return type on the line before.
  EXPECT_TRUE(defines("static inline int\nPyDict_GetItemRef(PyObject *mp,\n",
                      "PyDict_GetItemRef"));
  EXPECT_TRUE(defines("static inline PyObject* PyImport_AddModuleRef(const "
                      "char *name)\n{",
                      "PyImport_AddModuleRef"));
  EXPECT_TRUE(defines("#  define Py_BEGIN_CRITICAL_SECTION(op) {\n",
                      "Py_BEGIN_CRITICAL_SECTION"));
  EXPECT_TRUE(defines("#define Py_END_CRITICAL_SECTION() }\n",
                      "Py_END_CRITICAL_SECTION"));
}

TEST(CompatDefinitions, UsesAreNotDefinitions) {
  // Calls in every position, a prototype, a test and a longer name.
  EXPECT_FALSE(defines("    Py_BEGIN_CRITICAL_SECTION(self);\n",
                       "Py_BEGIN_CRITICAL_SECTION"));
  EXPECT_FALSE(
      defines("{\n    PyDict_GetItemRef(d, k, &v);\n", "PyDict_GetItemRef"));
  EXPECT_FALSE(
      defines("    return PyDict_GetItemRef(d, k, r);\n", "PyDict_GetItemRef"));
  EXPECT_FALSE(defines("    if (PyDict_GetItemRef(d, k, &v) < 0) {\n",
                       "PyDict_GetItemRef"));
  EXPECT_FALSE(
      defines("    rc = PyDict_GetItemRef(d, k, &v);\n", "PyDict_GetItemRef"));
  EXPECT_FALSE(defines("static int PyDict_GetItemRef(PyObject *, PyObject *, "
                       "PyObject **);\n",
                       "PyDict_GetItemRef"));
  EXPECT_FALSE(defines("#ifndef Py_BEGIN_CRITICAL_SECTION\n",
                       "Py_BEGIN_CRITICAL_SECTION"));
  EXPECT_FALSE(defines("#define Py_BEGIN_CRITICAL_SECTION2(a, b) {\n",
                       "Py_BEGIN_CRITICAL_SECTION"));
}

TEST(CompatDefinitions, AMacroUnderItsOwnIfndefIsGuarded) {
  using Definition = CompatDefinitions::Definition;
  EXPECT_EQ(CompatDefinitions::definitionIn(
                "#ifndef Py_BEGIN_CRITICAL_SECTION\n"
                "#define Py_BEGIN_CRITICAL_SECTION(op) {\n",
                "Py_BEGIN_CRITICAL_SECTION"),
            Definition::GuardedMacro);
  EXPECT_EQ(CompatDefinitions::definitionIn(
                "#if !defined(Py_END_CRITICAL_SECTION)\n"
                "#define Py_BEGIN_CRITICAL_SECTION(op) {\n"
                "#define Py_END_CRITICAL_SECTION() }\n",
                "Py_END_CRITICAL_SECTION"),
            Definition::GuardedMacro);
  // A version test does not keep a later definition from clashing.
  EXPECT_EQ(
      CompatDefinitions::definitionIn("#if PY_VERSION_HEX < 0x030d0000\n"
                                      "#define Py_BEGIN_CRITICAL_SECTION(op)\n",
                                      "Py_BEGIN_CRITICAL_SECTION"),
      Definition::Unguarded);
}

} // namespace
} // namespace gilport
