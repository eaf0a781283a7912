//===--- UnitFacts.cpp ----------------------------------------------------===//

#include "analysis/UnitFacts.h"

#include "analysis/CallSites.h"
#include "analysis/InitOnlyFields.h"

#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace gilport {

UnitFacts::UnitFacts() = default;

UnitFacts::~UnitFacts() = default;

void UnitFacts::setSourceManager(const clang::SourceManager *NewSM,
                                 const clang::LangOptions *NewLangOpts) {
  SM = NewSM;
  LangOpts = NewLangOpts;
  ReportedFiles.clear();
}

CallSiteIndex &UnitFacts::callSites() {
  if (!CallSites)
    CallSites = std::make_unique<CallSiteIndex>();
  return *CallSites;
}

InitOnlyFields &UnitFacts::initOnlyFields() {
  if (!InitOnly)
    InitOnly = std::make_unique<InitOnlyFields>(callSites());
  return *InitOnly;
}

bool UnitFacts::isPythonHeaderDir(llvm::StringRef Dir) {
  // A directory holding Python.h, or below one, is the C API itself (an
  // installed include dir or CPython's Include/): not the user's code.
  llvm::SmallString<256> Current(Dir);
  while (!Current.empty()) {
    auto [It, Inserted] = PythonHeaderDirs.try_emplace(Current, false);
    if (!Inserted) {
      if (It->second)
        return true;
    } else {
      llvm::SmallString<256> Candidate(Current);
      llvm::sys::path::append(Candidate, "Python.h");
      It->second = llvm::sys::fs::exists(Candidate);
      if (It->second)
        return true;
    }
    llvm::StringRef Parent = llvm::sys::path::parent_path(Current);
    if (Parent == Current)
      break;
    Current = Parent;
  }
  return false;
}

bool UnitFacts::isReportedLocation(clang::SourceLocation Loc) {
  if (Loc.isInvalid())
    return false;
  clang::SourceLocation FileLoc = SM->getFileLoc(Loc);
  clang::FileID FID = SM->getFileID(FileLoc);
  auto [It, Inserted] = ReportedFiles.try_emplace(FID, false);
  if (!Inserted)
    return It->second;
  bool Reported = false;
  if (!SM->isInSystemHeader(FileLoc)) {
    if (clang::OptionalFileEntryRef Entry = SM->getFileEntryRefForID(FID)) {
      llvm::SmallString<256> Path(Entry->getName());
      SM->getFileManager().makeAbsolutePath(Path);
      Reported = !isPythonHeaderDir(llvm::sys::path::parent_path(Path));
    }
  }
  It->second = Reported;
  return Reported;
}

} // namespace gilport
