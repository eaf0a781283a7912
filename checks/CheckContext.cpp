//===--- CheckContext.cpp -------------------------------------------------===//

#include "checks/CheckContext.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

namespace gilport {

SharedWork::~SharedWork() = default;

CheckContext::CheckContext(const AnalysisOptions &Options) : Options(Options) {}

CheckContext::~CheckContext() = default;

void CheckContext::setSourceManager(const clang::SourceManager *NewSM,
                                    const clang::LangOptions *NewLangOpts) {
  UnitFacts::setSourceManager(NewSM, NewLangOpts);
  FileSuppressions.clear();
}

std::string CheckContext::getOption(llvm::StringRef Check,
                                    llvm::StringRef Option) const {
  auto It = Options.CheckOptions.find((Check + "." + Option).str());
  return It == Options.CheckOptions.end() ? std::string() : It->second;
}

std::optional<bool> CheckContext::targetsSubinterpreters() const {
  if (Options.Targets.empty())
    return std::nullopt;
  return llvm::is_contained(Options.Targets, "subinterpreters");
}

bool CheckContext::isSuppressed(clang::SourceLocation FileLoc,
                                llvm::StringRef Check) {
  clang::FileID FID = SM->getFileID(FileLoc);
  unsigned Line = SM->getSpellingLineNumber(FileLoc);
  auto [It, Inserted] = FileSuppressions.try_emplace(FID);
  if (Inserted)
    It->second = Suppressions(SM->getBufferData(FID));
  return It->second.isSuppressed(Line, Check);
}

bool CheckContext::wouldReport(clang::SourceLocation Loc,
                               llvm::StringRef Check) {
  return isReportedLocation(Loc) && !isSuppressed(SM->getFileLoc(Loc), Check);
}

void CheckContext::report(clang::SourceLocation Loc, Finding Draft) {
  if (!wouldReport(Loc, Draft.Check))
    return;
  Findings.push_back(std::move(Draft));
}

} // namespace gilport
