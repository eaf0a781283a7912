//===--- FindingIdentity.cpp ----------------------------------------------===//

#include "tool/FindingIdentity.h"

#include "tool/CompileFlags.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

namespace gilport {

std::string normalizeLine(llvm::StringRef Line) {
  std::string Out;
  bool PendingSpace = false;
  for (char C : Line) {
    if (C == ' ' || C == '\t' || C == '\r' || C == '\v' || C == '\f') {
      PendingSpace = !Out.empty();
      continue;
    }
    if (PendingSpace)
      Out.push_back(' ');
    PendingSpace = false;
    Out.push_back(C);
  }
  return Out;
}

FindingIdentities::FindingIdentities(
    std::string FallbackBase,
    const llvm::StringMap<std::string> *ContentsBefore)
    : FallbackBase(std::move(FallbackBase)), Lines(ContentsBefore) {}

/// \p Path relative to directory \p Base when it is under it.
static std::optional<std::string> relativeTo(llvm::StringRef Path,
                                             llvm::StringRef Base) {
  std::string Prefix = Base.rtrim('/').str() + "/";
  if (!Path.starts_with(Prefix))
    return std::nullopt;
  return Path.drop_front(Prefix.size()).str();
}

std::string FindingIdentities::identityPath(const std::string &File) {
  auto [It, Inserted] = Paths.try_emplace(File);
  if (!Inserted)
    return It->second;
  std::optional<std::string> Relative;
  if (std::optional<std::string> Root = markedProjectRootOf(File))
    Relative = relativeTo(File, *Root);
  if (!Relative && !FallbackBase.empty())
    Relative = relativeTo(File, FallbackBase);
  It->second = llvm::sys::path::convert_to_slash(Relative ? *Relative : File);
  return It->second;
}

FindingIdentity FindingIdentities::of(const Finding &F) {
  return {F.Check, identityPath(F.File), F.Function,
          normalizeLine(Lines.line(F.File, F.Line))};
}

std::string fingerprintOf(const FindingIdentity &Identity) {
  llvm::SHA256 Hash;
  // Each field ends with a NUL, which no field contains: ("ab", "c") and
  // ("a", "bc") hash differently.
  for (const std::string *Field : {&Identity.Check, &Identity.File,
                                   &Identity.Function, &Identity.LineText}) {
    Hash.update(*Field);
    Hash.update(llvm::StringRef("\0", 1));
  }
  return llvm::toHex(Hash.final(), /*LowerCase=*/true);
}

} // namespace gilport
