//===--- Sources.cpp ------------------------------------------------------===//

#include "tool/Sources.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <set>

namespace gilport {

namespace {

bool isSourceFile(llvm::StringRef Path) {
  llvm::StringRef Extension = llvm::sys::path::extension(Path);
  return Extension == ".c" || Extension == ".cc" || Extension == ".cpp" ||
         Extension == ".cxx";
}

bool isHeaderFile(llvm::StringRef Path) {
  llvm::StringRef Extension = llvm::sys::path::extension(Path);
  return Extension == ".h" || Extension == ".hh" || Extension == ".hpp" ||
         Extension == ".hxx";
}

std::string absolutePath(llvm::StringRef Path) {
  llvm::SmallString<256> Absolute(Path);
  llvm::sys::fs::make_absolute(Absolute);
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  return std::string(Absolute);
}

/// What a path that is neither a regular file nor a directory is, for
/// messages.
const char *kindOf(llvm::sys::fs::file_type Type) {
  switch (Type) {
  case llvm::sys::fs::file_type::fifo_file:
    return "a FIFO";
  case llvm::sys::fs::file_type::character_file:
    return "a character device";
  case llvm::sys::fs::file_type::block_file:
    return "a block device";
  case llvm::sys::fs::file_type::socket_file:
    return "a socket";
  default:
    return "not a regular file";
  }
}

} // namespace

SourceList collectSources(const std::vector<std::string> &Paths,
                          const SourceOptions &Options) {
  SourceList Result;
  // Each source found, by absolute path: the path as it was found (for
  // notes).
  std::map<std::string, std::string> Found;
  std::set<std::string> Named;
  for (const std::string &Path : Paths) {
    llvm::sys::fs::file_status Status;
    if (llvm::sys::fs::status(Path, Status) || !llvm::sys::fs::exists(Status)) {
      llvm::sys::fs::file_status Link;
      bool Dangling = !llvm::sys::fs::status(Path, Link, /*Follow=*/false) &&
                      Link.type() == llvm::sys::fs::file_type::symlink_file;
      Result.Errors.push_back(
          {Path, Dangling ? "a symbolic link to a file that does not exist"
                          : "no such file or directory"});
      continue;
    }
    if (llvm::sys::fs::is_regular_file(Status)) {
      if (isSourceFile(Path)) {
        Found.try_emplace(absolutePath(Path), Path);
        Named.insert(absolutePath(Path));
      } else if (isHeaderFile(Path)) {
        Result.Remarks.push_back("'" + Path +
                                 "' is a header: it is analysed through the "
                                 "sources that include it");
      } else {
        Result.Errors.push_back(
            {Path, "not a C or C++ source (.c, .cc, .cpp, .cxx)"});
      }
      continue;
    }
    if (!llvm::sys::fs::is_directory(Status)) {
      // Never opened: reading a FIFO waits for a writer that may not come.
      Result.Errors.push_back(
          {Path, std::string(kindOf(Status.type())) +
                     ", not a regular file or a directory"});
      continue;
    }
    size_t Before = Found.size();
    bool Unreadable = false;
    // An explicit stack instead of recursive_directory_iterator, which
    // forgets a subdirectory it cannot open; the unique IDs stop symbolic
    // link loops.
    std::vector<std::string> Pending{Path};
    std::set<llvm::sys::fs::UniqueID> Visited{Status.getUniqueID()};
    while (!Pending.empty()) {
      std::string Dir = std::move(Pending.back());
      Pending.pop_back();
      std::error_code EC;
      std::vector<std::string> Entries;
      for (llvm::sys::fs::directory_iterator It(Dir, EC, false), End;
           It != End && !EC; It.increment(EC))
        Entries.push_back(It->path());
      if (EC) {
        Result.Errors.push_back(
            {Dir, "cannot read directory: " + EC.message()});
        Unreadable = true;
      }
      // In name order, so that the notes do not depend on the file system.
      llvm::sort(Entries);
      std::vector<std::string> Subdirs;
      for (const std::string &Entry : Entries) {
        llvm::StringRef Name = llvm::sys::path::filename(Entry);
        if (Name.starts_with(".") && Name.size() > 1)
          continue;
        llvm::sys::fs::file_status EntryStatus;
        if (llvm::sys::fs::status(Entry, EntryStatus)) {
          if (isSourceFile(Entry))
            Result.Remarks.push_back(
                "skipped '" + Entry +
                "': a symbolic link to a file that does not exist");
          continue;
        }
        if (llvm::sys::fs::is_directory(EntryStatus)) {
          if (Visited.insert(EntryStatus.getUniqueID()).second)
            Subdirs.push_back(Entry);
          continue;
        }
        if (!isSourceFile(Entry))
          continue;
        if (!llvm::sys::fs::is_regular_file(EntryStatus)) {
          Result.Remarks.push_back("skipped '" + Entry +
                                   "': " + kindOf(EntryStatus.type()) +
                                   ", not a regular file");
          continue;
        }
        std::string File = absolutePath(Entry);
        Found.try_emplace(File, Entry);
        Result.WalkedFrom.try_emplace(File, absolutePath(Path));
      }
      // Depth first, in name order.
      for (auto It = Subdirs.rbegin(); It != Subdirs.rend(); ++It)
        Pending.push_back(std::move(*It));
    }
    if (Found.size() == Before && !Unreadable)
      Result.Remarks.push_back("no C or C++ sources found in '" + Path + "'");
  }
  for (const std::string &File : Named)
    Result.WalkedFrom.erase(File);
  for (const auto &[File, Shown] : Found) {
    if (Options.IsExcluded && Options.IsExcluded(File))
      continue;
    Result.Files.push_back(File);
  }
  return Result;
}

} // namespace gilport
