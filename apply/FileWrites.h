//===--- FileWrites.h - Staged, interrupt-safe file replacement -*- C++ -*-===//
//
// A fix run writes in two phases. Staging puts each file's new content in a
// temporary file beside it (`NAME.gilport-XXXXXX.tmp`), with the file's mode
// and owner; nothing the user has is touched yet. Committing renames the
// temporaries into place, after checking that each file still holds what was
// analysed. Temporaries are removed on SIGINT, SIGTERM and SIGHUP (and on a
// crash), and those signals wait while a run commits, so an interrupted run
// leaves every file either as it was or fully fixed, and no temporary.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_FILEWRITES_H
#define GILPORT_APPLY_FILEWRITES_H

#include "llvm/ADT/StringRef.h"

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>

namespace gilport {

/// New content waiting in a temporary file beside the file it replaces.
class StagedFile {
public:
  StagedFile() = default;
  StagedFile(StagedFile &&Other) noexcept;
  StagedFile &operator=(StagedFile &&Other) noexcept;
  StagedFile(const StagedFile &) = delete;
  StagedFile &operator=(const StagedFile &) = delete;
  /// Removes the temporary file unless it was committed.
  ~StagedFile();

  /// Writes \p Content beside \p Path (through symlinks, beside the file
  /// they name). An existing file must still hash to \p ExpectedHash when
  /// committed, and keeps its mode, owner and group; a missing file must
  /// still be missing. Returns false with \p Error set when nothing could be
  /// staged.
  bool stage(llvm::StringRef Path, llvm::StringRef Content,
             std::optional<uint64_t> ExpectedHash, std::string &Error);
  /// Moves the content into place. Returns false, removing the temporary,
  /// when the file changed since it was staged or cannot be replaced.
  bool commit(std::string &Error);
  /// Removes the temporary file.
  void discard();

  bool staged() const { return !Temporary.empty(); }
  /// The file to be replaced (symlinks resolved).
  const std::string &target() const { return Target; }

private:
  std::string Target;
  std::string Temporary;
  /// The hash Target must have at commit; none when it must not exist.
  std::optional<uint64_t> ExpectedHash;
};

/// Defers SIGINT, SIGTERM and SIGHUP for its lifetime: a run's renames are
/// made all together, and a signal that came meanwhile acts afterwards.
class InterruptsDeferred {
public:
  InterruptsDeferred();
  ~InterruptsDeferred();
  InterruptsDeferred(const InterruptsDeferred &) = delete;
  InterruptsDeferred &operator=(const InterruptsDeferred &) = delete;

private:
  sigset_t Previous;
};

/// The content hash used to detect files changed since they were parsed.
uint64_t contentHash(llvm::StringRef Content);

} // namespace gilport

#endif
