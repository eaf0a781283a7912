//===--- Baseline.cpp -----------------------------------------------------===//

#include "tool/Baseline.h"
#include "tool/WholeFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace gilport {

std::string baselineDirectory(llvm::StringRef Path) {
  llvm::SmallString<256> Absolute(Path);
  llvm::sys::fs::make_absolute(Absolute);
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  return llvm::sys::path::parent_path(Absolute).str();
}

std::optional<Baseline> Baseline::load(llvm::StringRef Path,
                                       std::string &Error) {
  std::string Name = "the baseline '" + Path.str() + "'";
  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(Path, Status)) {
    Error = "cannot read " + Name + ": " + EC.message();
    return std::nullopt;
  }
  if (Status.type() != llvm::sys::fs::file_type::regular_file) {
    Error = Name + " is not a regular file";
    return std::nullopt;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer =
      llvm::MemoryBuffer::getFile(Path);
  if (!Buffer) {
    Error = "cannot read " + Name + ": " + Buffer.getError().message();
    return std::nullopt;
  }
  llvm::Expected<llvm::json::Value> Parsed =
      llvm::json::parse((*Buffer)->getBuffer());
  if (!Parsed) {
    Error = Name + " is not valid JSON: " + llvm::toString(Parsed.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *Root = Parsed->getAsObject();
  std::optional<int64_t> Version =
      Root ? Root->getInteger("version") : std::nullopt;
  if (!Version) {
    Error = Name + " is not a gilport baseline (no \"version\")";
    return std::nullopt;
  }
  if (*Version != BaselineVersion) {
    Error = llvm::formatv("{0} has version {1}; this gilport reads version {2}",
                          Name, *Version, BaselineVersion);
    return std::nullopt;
  }
  const llvm::json::Array *Entries = Root->getArray("findings");
  if (!Entries) {
    Error = Name + " has no \"findings\" list";
    return std::nullopt;
  }
  Baseline Result;
  Result.Directory = baselineDirectory(Path);
  for (size_t Index = 0; Index < Entries->size(); ++Index) {
    const llvm::json::Object *Entry = (*Entries)[Index].getAsObject();
    FindingIdentity Identity;
    bool Complete = Entry != nullptr;
    for (auto [Key, Field] : {std::pair{"check", &Identity.Check},
                              {"file", &Identity.File},
                              {"function", &Identity.Function},
                              {"line_text", &Identity.LineText}}) {
      std::optional<llvm::StringRef> Value =
          Complete ? Entry->getString(Key) : std::nullopt;
      Complete = Complete && Value;
      if (Value)
        *Field = Value->str();
    }
    std::optional<int64_t> Count =
        Complete ? Entry->getInteger("count") : std::nullopt;
    if (!Complete || !Count || *Count < 1 || *Count > UINT32_MAX) {
      Error = llvm::formatv("{0}: entry {1} of \"findings\" needs the strings "
                            "check, file, function and line_text and a "
                            "positive count",
                            Name, Index + 1);
      return std::nullopt;
    }
    Result.Counts[Identity] += *Count;
  }
  return Result;
}

unsigned Baseline::removeKnown(std::vector<Finding> &Findings,
                               FindingIdentities &Identities,
                               unsigned &Stale) const {
  std::map<FindingIdentity, unsigned> Left = Counts;
  std::vector<Finding> New;
  unsigned Matched = 0;
  for (Finding &F : Findings) {
    auto It = Left.find(Identities.of(F));
    if (It != Left.end() && It->second > 0) {
      --It->second;
      ++Matched;
      continue;
    }
    New.push_back(std::move(F));
  }
  Findings = std::move(New);
  Stale = 0;
  for (const auto &[Identity, Count] : Left)
    Stale += Count;
  return Matched;
}

bool writeBaseline(llvm::StringRef Path, const std::vector<Finding> &Findings,
                   FindingIdentities &Identities, std::string &Error) {
  std::map<FindingIdentity, unsigned> Counts;
  for (const Finding &F : Findings)
    ++Counts[Identities.of(F)];
  llvm::json::Array Entries;
  for (const auto &[Identity, Count] : Counts)
    Entries.push_back(llvm::json::Object{{"check", Identity.Check},
                                         {"file", Identity.File},
                                         {"function", Identity.Function},
                                         {"line_text", Identity.LineText},
                                         {"count", Count}});
  llvm::json::Object Root{{"version", BaselineVersion},
                          {"tool", "gilport"},
                          {"findings", std::move(Entries)}};

  // Through a link, the file it names is replaced, not the link.
  llvm::SmallString<256> Target(Path);
  if (llvm::sys::fs::exists(Path)) {
    if (!llvm::sys::fs::is_regular_file(Path)) {
      Error = "cannot write the baseline '" + Path.str() +
              "': it is not a regular file";
      return false;
    }
    llvm::sys::fs::real_path(Path, Target);
  }
  std::string Text;
  llvm::raw_string_ostream(Text)
      << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
  if (std::error_code EC = writeWholeFile(Target, Text)) {
    Error = "cannot write the baseline '" + Path.str() + "': " + EC.message();
    return false;
  }
  return true;
}

} // namespace gilport
