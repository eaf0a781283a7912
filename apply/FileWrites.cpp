//===--- FileWrites.cpp ---------------------------------------------------===//

#include "apply/FileWrites.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cerrno>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gilport {

uint64_t contentHash(llvm::StringRef Content) {
  return llvm::xxh3_64bits(Content);
}

namespace {

std::string errnoMessage() {
  return std::error_code(errno, std::generic_category()).message();
}

} // namespace

InterruptsDeferred::InterruptsDeferred() {
  sigset_t Deferred;
  sigemptyset(&Deferred);
  for (int Signal : {SIGINT, SIGTERM, SIGHUP})
    sigaddset(&Deferred, Signal);
  pthread_sigmask(SIG_BLOCK, &Deferred, &Previous);
}

InterruptsDeferred::~InterruptsDeferred() {
  pthread_sigmask(SIG_SETMASK, &Previous, nullptr);
}

StagedFile::StagedFile(StagedFile &&Other) noexcept {
  *this = std::move(Other);
}

StagedFile &StagedFile::operator=(StagedFile &&Other) noexcept {
  if (this != &Other) {
    discard();
    Target = std::move(Other.Target);
    Temporary = std::move(Other.Temporary);
    ExpectedHash = Other.ExpectedHash;
    Other.Temporary.clear();
  }
  return *this;
}

StagedFile::~StagedFile() { discard(); }

void StagedFile::discard() {
  if (Temporary.empty())
    return;
  llvm::sys::fs::remove(Temporary);
  llvm::sys::DontRemoveFileOnSignal(Temporary);
  Temporary.clear();
}

bool StagedFile::stage(llvm::StringRef Path, llvm::StringRef Content,
                       std::optional<uint64_t> ExpectedHash,
                       std::string &Error) {
  discard();
  this->ExpectedHash = ExpectedHash;
  bool Exists = llvm::sys::fs::exists(Path);
  llvm::SmallString<256> Resolved;
  if (Exists) {
    // Write through symlinks to the file they name.
    if (std::error_code EC = llvm::sys::fs::real_path(Path, Resolved)) {
      Error = "cannot resolve the path: " + EC.message();
      return false;
    }
  } else if (ExpectedHash) {
    Error = "the file no longer exists";
    return false;
  } else {
    llvm::StringRef Parent = llvm::sys::path::parent_path(Path);
    if (std::error_code EC =
            llvm::sys::fs::real_path(Parent.empty() ? "." : Parent, Resolved)) {
      Error =
          "cannot use the directory '" + Parent.str() + "': " + EC.message();
      return false;
    }
    llvm::sys::path::append(Resolved, llvm::sys::path::filename(Path));
  }
  Target = std::string(Resolved);

  // A new file takes its owner from the directory.
  std::string StatPath =
      Exists ? Target : llvm::sys::path::parent_path(Target).str();
  struct stat Status;
  if (::stat(StatPath.c_str(), &Status) != 0) {
    Error = errnoMessage();
    return false;
  }
  // A new file gets the usual mode for new files (the umask applies).
  unsigned Mode = Exists ? Status.st_mode & 07777 : 0666;

  int FD;
  llvm::SmallString<256> Created;
  {
    // A signal between creating the temporary and registering it for
    // removal would leave it behind.
    InterruptsDeferred Deferred;
    if (std::error_code EC = llvm::sys::fs::createUniqueFile(
            Target + ".gilport-%%%%%%.tmp", FD, Created, llvm::sys::fs::OF_None,
            Mode)) {
      Error = "cannot create a temporary file: " + EC.message();
      return false;
    }
    Temporary = std::string(Created);
    llvm::sys::RemoveFileOnSignal(Temporary);
  }
  llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
  OS << Content;
  OS.flush();
  // On disk before the rename, so that a crash cannot leave an empty file
  // in place of the user's.
  std::string SyncError;
  if (!OS.has_error() && ::fsync(FD) != 0)
    SyncError = errnoMessage();
  // createUniqueFile honours the umask; an existing file keeps its mode
  // exactly. Its owner and group too: a fix run as root must not re-own
  // the user's files, and where that is not allowed nothing is written.
  bool Kept = true;
  if (Exists) {
    Kept = ::fchmod(FD, Mode) == 0 &&
           ::fchown(FD, Status.st_uid, Status.st_gid) == 0;
  } else if (::geteuid() == 0) {
    // A new file of a run as root belongs to its directory's owner.
    if (::fchown(FD, Status.st_uid, Status.st_gid) != 0) {
      // Best effort: the file is new, nothing of the user's is at stake.
    }
  }
  std::string KeepError = Kept ? "" : errnoMessage();
  OS.close();
  if (OS.has_error() || !SyncError.empty()) {
    Error = "cannot write the temporary file: " +
            (SyncError.empty() ? OS.error().message() : SyncError);
    OS.clear_error();
    discard();
    return false;
  }
  if (!Kept) {
    Error = "cannot keep the file's owner and group: " + KeepError;
    discard();
    return false;
  }
  return true;
}

bool StagedFile::commit(std::string &Error) {
  if (Temporary.empty()) {
    Error = "nothing was staged";
    return false;
  }
  if (ExpectedHash) {
    // Checked again just before the rename: an edit made since the file
    // was analysed would otherwise be lost.
    auto Now = llvm::MemoryBuffer::getFile(Target, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!Now) {
      Error = "cannot read the file: " + Now.getError().message();
      discard();
      return false;
    }
    if (contentHash((*Now)->getBuffer()) != *ExpectedHash) {
      Error = "the file changed on disk while it was being fixed; it was not "
              "written";
      discard();
      return false;
    }
    if (std::error_code EC = llvm::sys::fs::rename(Temporary, Target)) {
      Error = "cannot replace the file: " + EC.message();
      discard();
      return false;
    }
  } else {
    // A new file: link() does not replace a file that appeared meanwhile.
    if (::link(Temporary.c_str(), Target.c_str()) == 0) {
      discard();
      return true;
    }
    if (errno == EEXIST) {
      Error = "'" + Target +
              "' appeared while it was being written; it was "
              "not replaced";
      discard();
      return false;
    }
    // File systems without hard links: check, then rename.
    if (llvm::sys::fs::exists(Target)) {
      Error = "'" + Target +
              "' appeared while it was being written; it was "
              "not replaced";
      discard();
      return false;
    }
    if (std::error_code EC = llvm::sys::fs::rename(Temporary, Target)) {
      Error = "cannot create the file: " + EC.message();
      discard();
      return false;
    }
  }
  llvm::sys::DontRemoveFileOnSignal(Temporary);
  Temporary.clear();
  return true;
}

} // namespace gilport
