#include "checks/Suppressions.h"

#include "gtest/gtest.h"

using namespace gilport;

TEST(GlobList, LaterGlobsWin) {
  EXPECT_TRUE(matchesGlobList("gilport-*", "gilport-borrowed-ref"));
  EXPECT_FALSE(matchesGlobList("gilport-*,-gilport-borrowed-ref",
                               "gilport-borrowed-ref"));
  EXPECT_TRUE(matchesGlobList("-*,gilport-borrowed-ref", "gilport-borrowed-ref"));
  EXPECT_FALSE(matchesGlobList("", "gilport-borrowed-ref"));
  EXPECT_TRUE(matchesGlobList(" gilport-b* , -x", "gilport-borrowed-ref"));
}

TEST(Suppressions, SameLineNextLineAndRanges) {
  Suppressions S("a(); // NOLINT\n"                       // 1
                 "b(); // NOLINT(gilport-global-state)\n" // 2
                 "// NOLINTNEXTLINE(gilport-b*)\n"         // 3
                 "c();\n"                                  // 4
                 "// NOLINTBEGIN(gilport-borrowed-ref)\n"  // 5
                 "d();\n"                                  // 6
                 "// NOLINTEND(gilport-borrowed-ref)\n"    // 7
                 "e();\n");                                // 8
  EXPECT_TRUE(S.isSuppressed(1, "gilport-borrowed-ref"));
  EXPECT_FALSE(S.isSuppressed(2, "gilport-borrowed-ref"));
  EXPECT_TRUE(S.isSuppressed(2, "gilport-global-state"));
  EXPECT_TRUE(S.isSuppressed(4, "gilport-borrowed-ref"));
  EXPECT_FALSE(S.isSuppressed(4, "gilport-global-state"));
  EXPECT_TRUE(S.isSuppressed(6, "gilport-borrowed-ref"));
  EXPECT_FALSE(S.isSuppressed(8, "gilport-borrowed-ref"));
}

TEST(Suppressions, UnterminatedBeginRunsToEndOfFile) {
  Suppressions S("// NOLINTBEGIN\nx();\ny();\n");
  EXPECT_TRUE(S.isSuppressed(3, "gilport-anything"));
  EXPECT_FALSE(S.isSuppressed(0, "gilport-anything"));
}
