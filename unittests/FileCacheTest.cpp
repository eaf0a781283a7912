#include "checks/FileCache.h"

#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

using namespace gilport;
using llvm::IntrusiveRefCntPtr;
using llvm::vfs::InMemoryFileSystem;

namespace {

struct Counts {
  unsigned Statuses = 0;
  unsigned Opens = 0;
};

/// Counts what reaches the file system underneath the cache.
class CountingFileSystem : public llvm::vfs::ProxyFileSystem {
public:
  CountingFileSystem(IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS, Counts &Seen)
      : ProxyFileSystem(std::move(FS)), Seen(Seen) {}
  llvm::ErrorOr<llvm::vfs::Status> status(const llvm::Twine &Path) override {
    ++Seen.Statuses;
    return ProxyFileSystem::status(Path);
  }
  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
  openFileForRead(const llvm::Twine &Path) override {
    ++Seen.Opens;
    return ProxyFileSystem::openFileForRead(Path);
  }

private:
  Counts &Seen;
};

IntrusiveRefCntPtr<InMemoryFileSystem> sourceTree() {
  auto Memory = llvm::makeIntrusiveRefCnt<InMemoryFileSystem>();
  Memory->addFile("/src/a/include/conf.h", 0,
                  llvm::MemoryBuffer::getMemBuffer("int a;"));
  Memory->addFile("/src/b/include/conf.h", 0,
                  llvm::MemoryBuffer::getMemBuffer("int bb;"));
  return Memory;
}

struct Fixture {
  /// A file system per translation unit, with its own working directory,
  /// as each analysis makes.
  IntrusiveRefCntPtr<llvm::vfs::FileSystem> unitFileSystem() {
    return cachedFileSystem(
        llvm::makeIntrusiveRefCnt<CountingFileSystem>(sourceTree(), Seen),
        Cache);
  }
  std::string read(llvm::vfs::FileSystem &FS, llvm::StringRef Path) {
    auto File = FS.openFileForRead(Path);
    if (!File)
      return "<" + File.getError().message() + ">";
    auto Buffer = (*File)->getBuffer(Path, -1, true, false);
    return Buffer ? (*Buffer)->getBuffer().str() : "<unreadable>";
  }

  Counts Seen;
  FileCache Cache;
};

TEST(FileCache, ReadsEachFileOncePerRun) {
  Fixture F;
  for (int Unit = 0; Unit < 3; ++Unit) {
    auto FS = F.unitFileSystem();
    EXPECT_EQ(F.read(*FS, "/src/a/include/conf.h"), "int a;");
    EXPECT_TRUE(FS->exists("/src/a/include"));
  }
  EXPECT_EQ(F.Seen.Opens, 1u);
  EXPECT_EQ(F.Seen.Statuses, 1u);
}

TEST(FileCache, RemembersMissingFiles) {
  Fixture F;
  for (int Unit = 0; Unit < 2; ++Unit) {
    auto FS = F.unitFileSystem();
    EXPECT_EQ(F.read(*FS, "/src/a/include/Python.h"),
              "<" +
                  std::make_error_code(std::errc::no_such_file_or_directory)
                      .message() +
                  ">");
    EXPECT_FALSE(FS->exists("/src/a/include/Python.h"));
  }
  EXPECT_EQ(F.Seen.Opens, 1u);
  EXPECT_EQ(F.Seen.Statuses, 1u);
}

TEST(FileCache, RelativePathsDependOnTheWorkingDirectory) {
  Fixture F;
  auto InA = F.unitFileSystem();
  ASSERT_FALSE(InA->setCurrentWorkingDirectory("/src/a"));
  auto InB = F.unitFileSystem();
  ASSERT_FALSE(InB->setCurrentWorkingDirectory("/src/b"));
  EXPECT_EQ(F.read(*InA, "include/conf.h"), "int a;");
  EXPECT_EQ(F.read(*InB, "include/conf.h"), "int bb;");
  // The status keeps the name it was asked with, as the compiler expects.
  auto Status = InB->status("include/conf.h");
  ASSERT_TRUE(bool(Status));
  EXPECT_EQ(Status->getName(), "include/conf.h");
  EXPECT_EQ(Status->getSize(), 7u);
}

TEST(FileCache, BuffersAreNullTerminatedAndNamedAsAsked) {
  Fixture F;
  auto FS = F.unitFileSystem();
  F.read(*FS, "/src/b/include/conf.h");
  auto File = FS->openFileForRead("/src/b/include/conf.h");
  ASSERT_TRUE(bool(File));
  auto Buffer = (*File)->getBuffer("the name", -1, true, false);
  ASSERT_TRUE(bool(Buffer));
  EXPECT_EQ((*Buffer)->getBufferIdentifier(), "the name");
  EXPECT_EQ(*(*Buffer)->getBufferEnd(), '\0');
}

TEST(FileCache, AnswersHoldForOneRunOnly) {
  auto Tree = sourceTree();
  FileCache ThisRun;
  auto FS = cachedFileSystem(Tree, ThisRun);
  EXPECT_FALSE(FS->exists("/src/a/include/new.h"));
  Tree->addFile("/src/a/include/new.h", 0,
                llvm::MemoryBuffer::getMemBuffer("int n;"));
  // The run keeps the answer it started with...
  EXPECT_FALSE(cachedFileSystem(Tree, ThisRun)->exists("/src/a/include/new.h"));
  // ...and the next run asks again.
  FileCache NextRun;
  Fixture F;
  EXPECT_EQ(F.read(*cachedFileSystem(Tree, NextRun), "/src/a/include/new.h"),
            "int n;");
}

} // namespace
