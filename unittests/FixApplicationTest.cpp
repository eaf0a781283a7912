#include "apply/FixApplication.h"
#include "apply/UnifiedDiff.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace gilport;
using clang::tooling::Replacement;
using clang::tooling::Replacements;

namespace {

Finding findingWith(std::vector<Replacement> Fixes) {
  Finding F;
  F.Check = "gilport-test";
  F.File = Fixes.empty() ? "f.c" : Fixes.front().getFilePath().str();
  F.Fixes = std::move(Fixes);
  return F;
}

Replacements edits(std::vector<Replacement> List) {
  Replacements Result;
  for (const Replacement &R : List)
    EXPECT_FALSE(bool(Result.add(R)));
  return Result;
}

} // namespace

TEST(PlanFixes, OverlappingGroupsAreAllDroppedWhole) {
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 0, 3, "abc"), Replacement("f.c", 10, 1, "x")}),
      // Overlaps the first finding's second edit: both groups go, since
      // keeping the first would let the next run apply the second.
      findingWith({Replacement("f.c", 20, 1, "y"), Replacement("f.c", 9, 3, "z")}),
      findingWith({Replacement("g.c", 5, 0, "new")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.FixedFindings, 1u);
  EXPECT_FALSE(Findings[0].fixAvailable());
  EXPECT_FALSE(Findings[1].fixAvailable());
  EXPECT_TRUE(Findings[2].fixAvailable());
  EXPECT_NE(Findings[0].NoFixReason.find("overlap"), std::string::npos);
  EXPECT_NE(Findings[1].NoFixReason.find("overlap"), std::string::npos);
  ASSERT_EQ(Plan.EditsByFile.size(), 1u);
  EXPECT_EQ(Plan.EditsByFile.count("f.c"), 0u);
  EXPECT_EQ(Plan.EditsByFile["g.c"].size(), 1u);
}

TEST(PlanFixes, InsertionInsideAReplacedRangeConflicts) {
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 4, 6, "replaced")}),
      findingWith({Replacement("f.c", 7, 0, "inside")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.FixedFindings, 0u);
  EXPECT_TRUE(Plan.EditsByFile.empty());
}

TEST(PlanFixes, InsertionsAtOneOffsetComposeInFindingOrder) {
  // Two findings release their variables after the same statement.
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 0, 5, "first"),
                   Replacement("f.c", 13, 0, "\n  Py_DECREF(a);")}),
      findingWith({Replacement("f.c", 6, 3, "second"),
                   Replacement("f.c", 13, 0, "\n  Py_DECREF(b);")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.FixedFindings, 2u);
  EXPECT_TRUE(Findings[0].fixAvailable());
  EXPECT_TRUE(Findings[1].fixAvailable());
  llvm::Expected<std::string> Fixed = clang::tooling::applyAllReplacements(
      "aaaaa bbb cc;\n", Plan.EditsByFile["f.c"]);
  ASSERT_TRUE(bool(Fixed));
  EXPECT_EQ(*Fixed, "first second cc;\n  Py_DECREF(a);\n  Py_DECREF(b);\n");

  // The same findings in the other order give the other order: the order is
  // the findings' (sorted by position), not the order edits arrive in.
  std::swap(Findings[0], Findings[1]);
  Plan = planFixes(Findings);
  Fixed = clang::tooling::applyAllReplacements("aaaaa bbb cc;\n",
                                               Plan.EditsByFile["f.c"]);
  ASSERT_TRUE(bool(Fixed));
  EXPECT_EQ(*Fixed, "first second cc;\n  Py_DECREF(b);\n  Py_DECREF(a);\n");
}

TEST(PlanFixes, InsertionsTouchingAReplacementFromOutsideCompose) {
  // A section begins where another finding replaces a statement, and ends
  // where that replacement ends.
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 2, 0, "BEGIN "),
                   Replacement("f.c", 5, 0, " END")}),
      findingWith({Replacement("f.c", 2, 3, "xyz")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.FixedFindings, 2u);
  llvm::Expected<std::string> Fixed = clang::tooling::applyAllReplacements(
      "a abc b", Plan.EditsByFile["f.c"]);
  ASSERT_TRUE(bool(Fixed));
  EXPECT_EQ(*Fixed, "a BEGIN xyz END b");
}

TEST(PlanFixes, OneFindingsInsertionsAtOneOffsetAreAllKept) {
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 1, 0, "}"), Replacement("f.c", 1, 0, "}")}),
  };
  FixPlan Plan = planFixes(Findings);
  llvm::Expected<std::string> Fixed =
      clang::tooling::applyAllReplacements("ab", Plan.EditsByFile["f.c"]);
  ASSERT_TRUE(bool(Fixed));
  EXPECT_EQ(*Fixed, "a}}b");
}

TEST(WriteExportedFixes, InsertionsAtOneOffsetAreExportedAsOne) {
  std::vector<Finding> Findings = {
      findingWith({Replacement("f.c", 3, 0, "A;")}),
      findingWith({Replacement("f.c", 3, 0, "B;")}),
  };
  planFixes(Findings);
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  writeExportedFixes(OS, Findings, "f.c");
  OS.flush();
  EXPECT_NE(Text.find("ReplacementText: 'A;B;'"), std::string::npos) << Text;
  EXPECT_EQ(Text.find("ReplacementText: 'B;'"), std::string::npos) << Text;
}

TEST(PlanFixes, SharedEditsAreAppliedOnce) {
  Replacement Include("f.c", 0, 0, "#include \"gilport_compat.h\"\n");
  std::vector<Finding> Findings = {
      findingWith({Include, Replacement("f.c", 10, 1, "x")}),
      findingWith({Include, Replacement("f.c", 20, 1, "y")}),
  };
  FixPlan Plan = planFixes(Findings);
  EXPECT_EQ(Plan.FixedFindings, 2u);
  EXPECT_EQ(Plan.EditsByFile["f.c"].size(), 3u);
}

TEST(UnifiedDiff, OneHunkWithContext) {
  std::string Before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  // Replace line 5 ("5\n" starts at offset 8).
  std::string Diff =
      unifiedDiff("f.c", Before, edits({Replacement("f.c", 8, 1, "five")}));
  EXPECT_EQ(Diff, "--- f.c\n+++ f.c\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n"
                  " 6\n 7\n 8\n");
}

TEST(UnifiedDiff, InsertedLinesShiftLaterHunks) {
  std::string Before;
  for (int I = 1; I <= 20; ++I)
    Before += std::to_string(I) + "\n";
  // Insert two lines before line 2 (offset 2), and change line 18.
  size_t Line18 = Before.find("18\n");
  std::string Diff = unifiedDiff(
      "f.c", Before,
      edits({Replacement("f.c", 2, 0, "a\nb\n"),
             Replacement("f.c", Line18, 2, "eighteen")}));
  EXPECT_EQ(Diff,
            "--- f.c\n+++ f.c\n"
            "@@ -1,4 +1,6 @@\n 1\n+a\n+b\n 2\n 3\n 4\n"
            "@@ -15,6 +17,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
}

TEST(UnifiedDiff, LinesAnEditRewritesUnchangedAreContext) {
  // The edit replaces lines 2-4 with 2, x, 3, 4 (a declaration re-emitted
  // around an inserted line): only the insertion is a change.
  std::string Before = "1\n2\n3\n4\n5\n";
  std::string Diff = unifiedDiff(
      "f.c", Before, edits({Replacement("f.c", 2, 6, "2\nx\n3\n4\n")}));
  EXPECT_EQ(Diff,
            "--- f.c\n+++ f.c\n@@ -1,5 +1,6 @@\n 1\n 2\n+x\n 3\n 4\n 5\n");
  // An edit that changes nothing gives no hunk.
  EXPECT_EQ(
      unifiedDiff("f.c", Before, edits({Replacement("f.c", 2, 2, "2\n")})),
      "--- f.c\n+++ f.c\n");
}

TEST(UnifiedDiff, InsertionAtTheEndOfTheFile) {
  std::string Diff =
      unifiedDiff("f.c", "a\nb\n", edits({Replacement("f.c", 4, 0, "c\n")}));
  EXPECT_EQ(Diff, "--- f.c\n+++ f.c\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
}

TEST(UnifiedDiff, MissingFinalNewlineIsMarked) {
  std::string Diff =
      unifiedDiff("f.c", "a\nb", edits({Replacement("f.c", 2, 1, "c")}));
  EXPECT_EQ(Diff, "--- f.c\n+++ f.c\n@@ -1,2 +1,2 @@\n a\n-b\n"
                  "\\ No newline at end of file\n+c\n"
                  "\\ No newline at end of file\n");
}

TEST(StagedFile, KeepsModeAndReplacesContent) {
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gilport-unit", Dir));
  llvm::SmallString<128> Path(Dir);
  llvm::sys::path::append(Path, "x.c");
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    ASSERT_FALSE(EC);
    OS << "old";
  }
  ASSERT_FALSE(llvm::sys::fs::setPermissions(
      Path, llvm::sys::fs::perms(0750)));
  std::string Error;
  StagedFile File;
  ASSERT_TRUE(File.stage(Path, "new content", contentHash("old"), Error))
      << Error;
  ASSERT_TRUE(File.commit(Error)) << Error;
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  ASSERT_TRUE(bool(Buffer));
  EXPECT_EQ((*Buffer)->getBuffer(), "new content");
  llvm::sys::fs::file_status Status;
  ASSERT_FALSE(llvm::sys::fs::status(Path, Status));
  EXPECT_EQ(Status.permissions(), llvm::sys::fs::perms(0750));
  // No temporary file is left behind.
  std::error_code EC;
  unsigned Entries = 0;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC))
    ++Entries;
  EXPECT_EQ(Entries, 1u);
  llvm::sys::fs::remove_directories(Dir);
}

TEST(ApplyPlan, FileChangedSinceParsingIsNotWritten) {
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gilport-unit", Dir));
  llvm::SmallString<128> Path(Dir);
  llvm::sys::path::append(Path, "y.c");
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    OS << "int a;\n";
  }
  FixPlan Plan;
  Plan.EditsByFile[std::string(Path)] =
      edits({Replacement(Path, 4, 1, "b")});
  llvm::StringMap<uint64_t> Hashes;
  Hashes[Path] = contentHash("int x;\n"); // not what is on disk
  std::vector<FileOutcome> Outcomes = applyPlan(Plan, Hashes);
  ASSERT_EQ(Outcomes.size(), 1u);
  EXPECT_FALSE(Outcomes[0].Written);
  EXPECT_NE(Outcomes[0].Problem.find("changed on disk"), std::string::npos);

  Hashes[Path] = contentHash("int a;\n");
  Outcomes = applyPlan(Plan, Hashes);
  EXPECT_TRUE(Outcomes[0].Written) << Outcomes[0].Problem;
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  EXPECT_EQ((*Buffer)->getBuffer(), "int b;\n");
  llvm::sys::fs::remove_directories(Dir);
}

TEST(StagedFile, ChangedSinceStagingIsNotReplaced) {
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("gilport-unit", Dir));
  llvm::SmallString<128> Path(Dir);
  llvm::sys::path::append(Path, "z.c");
  auto Write = [&](llvm::StringRef Text) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    OS << Text;
  };
  Write("old");
  std::string Error;
  StagedFile File;
  ASSERT_TRUE(File.stage(Path, "fixed", contentHash("old"), Error)) << Error;
  Write("saved meanwhile");
  EXPECT_FALSE(File.commit(Error));
  EXPECT_NE(Error.find("changed on disk"), std::string::npos);
  EXPECT_EQ((*llvm::MemoryBuffer::getFile(Path))->getBuffer(),
            "saved meanwhile");
  // A new file is not written over one that appeared after staging.
  llvm::SmallString<128> New(Dir);
  llvm::sys::path::append(New, "new.h");
  StagedFile Header;
  ASSERT_TRUE(Header.stage(New, "gilport's", std::nullopt, Error)) << Error;
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(New, EC);
    OS << "the user's";
  }
  EXPECT_FALSE(Header.commit(Error));
  EXPECT_EQ((*llvm::MemoryBuffer::getFile(New))->getBuffer(), "the user's");
  // Neither left a temporary behind.
  std::error_code EC;
  unsigned Entries = 0;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC))
    ++Entries;
  EXPECT_EQ(Entries, 2u);
  llvm::sys::fs::remove_directories(Dir);
}
