#include "apply/DeclarationSafety.h"

#include "gtest/gtest.h"

using namespace gilport;

namespace {

TEST(BuildTargetOf, CMakeAndMesonObjectPaths) {
  EXPECT_EQ(buildTargetOf("CMakeFiles/module.dir/src/helper.c.o"),
            "CMakeFiles/module.dir");
  EXPECT_EQ(buildTargetOf("sub/CMakeFiles/module.dir/helper.c.o"),
            "sub/CMakeFiles/module.dir");
  EXPECT_EQ(buildTargetOf("module.cpython-313t-x86_64-linux-gnu.so.p/"
                          "src_helper.c.o"),
            "module.cpython-313t-x86_64-linux-gnu.so.p");
}

TEST(BuildTargetOf, NoTargetNamed) {
  // setuptools, a hand-written database, and names that only look alike.
  EXPECT_EQ(buildTargetOf("build/temp.linux-x86_64-cpython-313/src/a.o"), "");
  EXPECT_EQ(buildTargetOf("a.o"), "");
  EXPECT_EQ(buildTargetOf(""), "");
  EXPECT_EQ(buildTargetOf("objects/module.dir/a.o"), "");
  EXPECT_EQ(buildTargetOf("CMakeFiles/.dir/a.o"), "");
  EXPECT_EQ(buildTargetOf("module.p"), "");
}

} // namespace
