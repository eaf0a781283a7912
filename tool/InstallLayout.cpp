//===--- InstallLayout.cpp ------------------------------------------------===//

#include "tool/InstallLayout.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#ifndef GILPORT_SOURCE_DIR
#define GILPORT_SOURCE_DIR ""
#endif

namespace gilport {

namespace {

int Anchor;

/// <prefix>/<Parts...>, where the binary is <prefix>/bin/gilport.
template <typename... Parts> std::string besideBinary(const Parts &...Part) {
  std::string Exe = llvm::sys::fs::getMainExecutable(
      "gilport", reinterpret_cast<void *>(&Anchor));
  llvm::SmallString<256> Path(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  (llvm::sys::path::append(Path, Part), ...);
  return std::string(Path);
}

template <typename... Parts> std::string inSources(const Parts &...Part) {
  llvm::SmallString<256> Path(GILPORT_SOURCE_DIR);
  (llvm::sys::path::append(Path, Part), ...);
  return std::string(Path);
}

} // namespace

std::string harnessScriptPath(llvm::StringRef Script) {
  std::string Installed = besideBinary("share", "gilport", "harness", Script);
  if (llvm::sys::fs::exists(Installed))
    return Installed;
  return inSources("runtime-shim", "harness", Script);
}

std::string stressHarnessPath() {
  return harnessScriptPath("gilport_stress.py");
}

std::string runtimeShimPath() {
  std::string Installed = besideBinary("lib", "gilport", "libgilport-shim.so");
  if (llvm::sys::fs::exists(Installed))
    return Installed;
  return besideBinary("lib", "libgilport-shim.so");
}

std::string checkDocsDir() {
  std::string Installed = besideBinary("share", "doc", "gilport", "checks");
  if (!llvm::sys::fs::is_directory(Installed))
    Installed = inSources("docs", "checks");
  return Installed + "/";
}

} // namespace gilport
