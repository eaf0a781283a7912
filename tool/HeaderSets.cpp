//===--- HeaderSets.cpp - Python headers without an interpreter -----------===//

#include "tool/HeaderSets.h"
#include "tool/PythonInfo.h"

#include "apply/FileWrites.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace gilport {

namespace {

std::string headersRoot() {
  llvm::SmallString<256> Root(cacheDir());
  llvm::sys::path::append(Root, "headers");
  return std::string(Root);
}

/// Python 3.15 removed these (gh-133644). Code that still calls them is
/// what gilport-borrowed-ref fixes (with PyWeakref_GetRef), so they are
/// declared as 3.14 declared them, with PyObject's tag rather than its
/// typedef: this is included before the file, ahead of Python.h. It is a
/// system header, like Python's own: not the user's code.
constexpr llvm::StringLiteral RemovedIn315 =
    "/* Written by gilport for --target-python=3.15: the C APIs Python 3.15\n"
    "   removed, declared as 3.14 declared them, so that code still calling\n"
    "   them is analysed and fixed instead of failing to compile. */\n"
    "#ifndef GILPORT_REMOVED_IN_3_15\n"
    "#define GILPORT_REMOVED_IN_3_15\n"
    "#pragma GCC system_header\n"
    "struct _object;\n"
    "struct _object *PyWeakref_GetObject(struct _object *ref);\n"
    "static inline struct _object *\n"
    "PyWeakref_GET_OBJECT(struct _object *ref)\n"
    "{\n"
    "    return PyWeakref_GetObject(ref);\n"
    "}\n"
    "#define PyWeakref_GET_OBJECT(ref) \\\n"
    "    PyWeakref_GET_OBJECT((struct _object *)(ref))\n"
    "#endif\n";

/// The path of the declarations of 3.15's removed APIs, written when it is
/// missing or stale; empty on failure.
std::string removedApisHeader(std::string &Error) {
  llvm::SmallString<256> Path(headersRoot());
  llvm::sys::path::append(Path, "gilport-removed-in-3.15.h");
  auto Current = [&]() -> std::optional<std::string> {
    if (auto Existing = llvm::MemoryBuffer::getFile(Path))
      return (*Existing)->getBuffer().str();
    return std::nullopt;
  };
  std::optional<std::string> Existing = Current();
  if (Existing == RemovedIn315)
    return std::string(Path);
  // Staged and renamed as fixes are: a concurrent run never reads half a
  // file, and an interrupted one leaves no temporary.
  StagedFile Staged;
  std::optional<uint64_t> Expected;
  if (Existing)
    Expected = contentHash(*Existing);
  if (Staged.stage(Path, RemovedIn315, Expected, Error) && Staged.commit(Error))
    return std::string(Path);
  // Another run may have written the same declarations meanwhile.
  if (Current() == RemovedIn315)
    return std::string(Path);
  Error = "cannot write '" + std::string(Path) + "': " + Error;
  return "";
}

} // namespace

std::optional<HeaderSet> findHeaderSet(llvm::StringRef Version) {
  std::string Name = ("python" + Version).str();
  llvm::SmallString<256> Set(headersRoot());
  llvm::sys::path::append(Set, Name);
  llvm::SmallString<256> Include(Set);
  llvm::sys::path::append(Include, "usr", "include", Name);
  llvm::SmallString<256> PythonH(Include);
  llvm::sys::path::append(PythonH, "Python.h");
  if (!llvm::sys::fs::exists(PythonH))
    return std::nullopt;
  HeaderSet Result;
  Result.Version = Version.str();
  Result.IncludeDir = std::string(Include);
  // pyconfig.h: Debian's python3.X/pyconfig.h includes
  // <multiarch/python3.X/pyconfig.h>, found from usr/include.
  llvm::SmallString<256> UsrInclude(Set);
  llvm::sys::path::append(UsrInclude, "usr", "include");
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(UsrInclude, EC), End;
       It != End && !EC; It.increment(EC)) {
    llvm::SmallString<256> Config(It->path());
    llvm::sys::path::append(Config, Name, "pyconfig.h");
    if (llvm::sys::fs::exists(Config)) {
      Result.ConfigDir = std::string(UsrInclude);
      break;
    }
  }
  if (Result.ConfigDir.empty()) {
    llvm::SmallString<256> Config(Include);
    llvm::sys::path::append(Config, "pyconfig.h");
    if (!llvm::sys::fs::exists(Config))
      return std::nullopt;
  }
  llvm::SmallString<256> Stamp(Set);
  llvm::sys::path::append(Stamp, ".gilport-stamp");
  if (auto Text = llvm::MemoryBuffer::getFile(Stamp))
    Result.Package = (*Text)->getBuffer().trim().str();
  return Result;
}

std::vector<HeaderSet> headerSets() {
  std::vector<HeaderSet> Sets;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(headersRoot(), EC), End;
       It != End && !EC; It.increment(EC)) {
    llvm::StringRef Name = llvm::sys::path::filename(It->path());
    if (Name.consume_front("python"))
      if (std::optional<HeaderSet> Set = findHeaderSet(Name))
        Sets.push_back(std::move(*Set));
  }
  std::sort(Sets.begin(), Sets.end(),
            [](const HeaderSet &A, const HeaderSet &B) {
              unsigned MinorA = 0, MinorB = 0;
              llvm::StringRef(A.Version).drop_front(2).getAsInteger(10, MinorA);
              llvm::StringRef(B.Version).drop_front(2).getAsInteger(10, MinorB);
              return MinorA < MinorB;
            });
  return Sets;
}

std::vector<std::string> headerSetArgs(const HeaderSet &Set,
                                       std::string &Error) {
  std::vector<std::string> Args = {"-isystem" + Set.IncludeDir};
  if (!Set.ConfigDir.empty())
    Args.push_back("-isystem" + Set.ConfigDir);
  Args.push_back("-DPy_GIL_DISABLED=1");
  if (Set.Version == "3.15") {
    std::string Removed = removedApisHeader(Error);
    if (Removed.empty())
      return {};
    Args.push_back("-include");
    Args.push_back(Removed);
  }
  return Args;
}

} // namespace gilport
