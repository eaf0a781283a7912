//===--- FileCache.h - Read each file once per run --------------*- C++ -*-===//
//
// Every translation unit of a run includes much the same headers, and the
// compiler opens, stats, reads and closes each of them again per TU: about
// 2,000 system calls for one CPython module, a tenth of gilport's time on a
// VM whose kernel switches page tables on every call. A FileCache remembers,
// for the length of one run, what the file system answered, and a file
// system made by cachedFileSystem() answers from it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_FILECACHE_H
#define GILPORT_CHECKS_FILECACHE_H

#include "llvm/ADT/IntrusiveRefCntPtr.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <memory>
#include <mutex>

namespace gilport {

/// What the file system answered for each path, keyed by the working
/// directory and the path exactly as asked (a relative path means another
/// file in another directory, and the compiler keeps the name it asked
/// with). Files are assumed not to change while it lives: a run reads all its
/// translation units before it writes any fix. Safe to share between threads.
class FileCache {
public:
  struct OpenedFile;

  /// The answer to status(Path), asking \p FS the first time.
  llvm::ErrorOr<llvm::vfs::Status> status(llvm::vfs::FileSystem &FS,
                                          const llvm::Twine &Path);
  /// The answer to openFileForRead(Path): the file's status, name and
  /// contents, read whole the first time.
  llvm::ErrorOr<std::shared_ptr<const OpenedFile>>
  open(llvm::vfs::FileSystem &FS, const llvm::Twine &Path);

private:
  static std::string keyFor(llvm::vfs::FileSystem &FS, const llvm::Twine &Path);

  std::mutex Lock;
  llvm::StringMap<llvm::ErrorOr<llvm::vfs::Status>> Statuses;
  llvm::StringMap<llvm::ErrorOr<std::shared_ptr<const OpenedFile>>> Opened;
};

/// A file system that answers status, exists and open requests from \p Cache,
/// asking \p Underlying only for what the cache has not seen. Everything
/// else (directory listings, real paths) goes to \p Underlying.
llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>
cachedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> Underlying,
                 FileCache &Cache);

} // namespace gilport

#endif
