//===--- FileCache.cpp ----------------------------------------------------===//

#include "checks/FileCache.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace gilport {

struct FileCache::OpenedFile {
  llvm::vfs::Status Status;
  llvm::ErrorOr<std::string> Name = std::string();
  /// Null when the file opened but could not be read (a directory, say).
  std::unique_ptr<llvm::MemoryBuffer> Contents;
  std::error_code ReadError;
};

static llvm::ErrorOr<std::shared_ptr<const FileCache::OpenedFile>>
readWhole(llvm::vfs::FileSystem &FS, const llvm::Twine &Path) {
  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>> File =
      FS.openFileForRead(Path);
  if (!File)
    return File.getError();
  llvm::ErrorOr<llvm::vfs::Status> Status = (*File)->status();
  if (!Status)
    return Status.getError();
  auto Entry = std::make_shared<FileCache::OpenedFile>();
  Entry->Status = *Status;
  Entry->Name = (*File)->getName();
  // Always null-terminated, so it serves both kinds of request.
  auto Contents = (*File)->getBuffer(Path, /*FileSize=*/-1,
                                     /*RequiresNullTerminator=*/true,
                                     /*IsVolatile=*/false);
  if (Contents)
    Entry->Contents = std::move(*Contents);
  else
    Entry->ReadError = Contents.getError();
  (*File)->close();
  return Entry;
}

std::string FileCache::keyFor(llvm::vfs::FileSystem &FS,
                              const llvm::Twine &Path) {
  llvm::SmallString<256> Asked;
  Path.toVector(Asked);
  if (llvm::sys::path::is_absolute(Asked))
    return std::string(Asked);
  llvm::ErrorOr<std::string> Directory = FS.getCurrentWorkingDirectory();
  std::string Key = Directory ? *Directory : std::string();
  Key.push_back('\0');
  Key.append(Asked.begin(), Asked.end());
  return Key;
}

/// The answer stored under \p Key, or else \p Ask's, stored. The file system
/// is asked without the lock: another thread may ask the same, and either
/// answer is the file system's.
template <typename Answer, typename AskFn>
static Answer answerOnce(std::mutex &Lock, llvm::StringMap<Answer> &Answers,
                         const std::string &Key, AskFn Ask) {
  {
    std::lock_guard<std::mutex> Guard(Lock);
    auto It = Answers.find(Key);
    if (It != Answers.end())
      return It->second;
  }
  Answer Asked = Ask();
  std::lock_guard<std::mutex> Guard(Lock);
  return Answers.try_emplace(Key, std::move(Asked)).first->second;
}

llvm::ErrorOr<llvm::vfs::Status> FileCache::status(llvm::vfs::FileSystem &FS,
                                                   const llvm::Twine &Path) {
  return answerOnce(Lock, Statuses, keyFor(FS, Path),
                    [&] { return FS.status(Path); });
}

llvm::ErrorOr<std::shared_ptr<const FileCache::OpenedFile>>
FileCache::open(llvm::vfs::FileSystem &FS, const llvm::Twine &Path) {
  return answerOnce(Lock, Opened, keyFor(FS, Path),
                    [&] { return readWhole(FS, Path); });
}

namespace {

class CachedFile : public llvm::vfs::File {
public:
  explicit CachedFile(std::shared_ptr<const FileCache::OpenedFile> Entry)
      : Entry(std::move(Entry)) {}

  llvm::ErrorOr<llvm::vfs::Status> status() override { return Entry->Status; }

  llvm::ErrorOr<std::string> getName() override { return Entry->Name; }

  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>
  getBuffer(const llvm::Twine &Name, int64_t, bool RequiresNullTerminator,
            bool) override {
    if (!Entry->Contents)
      return Entry->ReadError;
    return llvm::MemoryBuffer::getMemBuffer(Entry->Contents->getBuffer(),
                                            Name.str(), RequiresNullTerminator);
  }

  std::error_code close() override { return {}; }

private:
  std::shared_ptr<const FileCache::OpenedFile> Entry;
};

class CachedFileSystem : public llvm::vfs::ProxyFileSystem {
public:
  CachedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> Underlying,
                   FileCache &Cache)
      : ProxyFileSystem(std::move(Underlying)), Cache(Cache) {}

  llvm::ErrorOr<llvm::vfs::Status> status(const llvm::Twine &Path) override {
    return Cache.status(getUnderlyingFS(), Path);
  }

  bool exists(const llvm::Twine &Path) override {
    return bool(Cache.status(getUnderlyingFS(), Path));
  }

  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
  openFileForRead(const llvm::Twine &Path) override {
    auto Entry = Cache.open(getUnderlyingFS(), Path);
    if (!Entry)
      return Entry.getError();
    return std::make_unique<CachedFile>(std::move(*Entry));
  }

private:
  FileCache &Cache;
};

} // namespace

llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>
cachedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> Underlying,
                 FileCache &Cache) {
  return llvm::makeIntrusiveRefCnt<CachedFileSystem>(std::move(Underlying),
                                                     Cache);
}

} // namespace gilport
