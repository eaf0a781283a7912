//===--- Runner.cpp -------------------------------------------------------===//

#include "tool/Runner.h"

#include "checks/Analysis.h"
#include "rewrites/DeclarationSafety.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

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

} // namespace

SourceList
collectSources(const std::vector<std::string> &Paths,
               const std::function<bool(llvm::StringRef)> &IsExcluded) {
  SourceList Result;
  std::set<std::string> Files;
  std::set<std::string> Named;
  for (const std::string &Path : Paths) {
    llvm::sys::fs::file_status Status;
    if (llvm::sys::fs::status(Path, Status) ||
        !llvm::sys::fs::exists(Status)) {
      Result.Errors.push_back({Path, "no such file or directory"});
      continue;
    }
    if (llvm::sys::fs::is_regular_file(Status)) {
      if (isSourceFile(Path)) {
        Files.insert(absolutePath(Path));
        Named.insert(absolutePath(Path));
      } else if (isHeaderFile(Path)) {
        Result.Remarks.push_back(
            "'" + Path +
            "' is a header: it is analysed through the sources that include it");
      } else {
        Result.Errors.push_back(
            {Path, "not a C or C++ source (.c, .cc, .cpp, .cxx)"});
      }
      continue;
    }
    size_t Before = Files.size();
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator It(Path, EC), End;
         It != End && !EC; It.increment(EC)) {
      llvm::StringRef Entry = It->path();
      llvm::StringRef Name = llvm::sys::path::filename(Entry);
      if (Name.starts_with(".") && Name.size() > 1) {
        It.no_push();
        continue;
      }
      if (isSourceFile(Entry) &&
          It->type() != llvm::sys::fs::file_type::directory_file) {
        std::string File = absolutePath(Entry);
        Files.insert(File);
        Result.WalkedFrom.try_emplace(File, absolutePath(Path));
      }
    }
    if (EC)
      Result.Errors.push_back({Path, "cannot read directory: " + EC.message()});
    else if (Files.size() == Before)
      Result.Remarks.push_back("no C or C++ sources found in '" + Path + "'");
  }
  for (const std::string &File : Named)
    Result.WalkedFrom.erase(File);
  for (const std::string &File : Files)
    if (!IsExcluded(File))
      Result.Files.push_back(File);
  return Result;
}

RunResult
analyzeAll(const clang::tooling::CompilationDatabase &Database,
           const std::vector<std::string> &Files,
           const AnalysisOptions &Options,
           const std::vector<std::string> &EnabledChecks, unsigned Jobs,
           bool DeclareAnyway,
           const std::function<void(unsigned, unsigned, llvm::StringRef)>
               &OnProgress) {
  RunResult Result;
  std::mutex ResultMutex;
  std::set<EditLocation> Withheld;
  std::atomic<size_t> NextFile{0};
  unsigned Done = 0;
  auto Worker = [&] {
    for (size_t Index = NextFile++; Index < Files.size(); Index = NextFile++) {
      TranslationUnitResult Unit = analyzeTranslationUnit(
          Database, Files[Index], Options, EnabledChecks);
      std::set<EditLocation> UnitWithheld;
      if (!DeclareAnyway)
        applyDeclarationSafetyRule(Unit.Findings, UnitWithheld);
      std::lock_guard<std::mutex> Lock(ResultMutex);
      Withheld.insert(UnitWithheld.begin(), UnitWithheld.end());
      if (Unit.Failed)
        Result.Errors.push_back({Files[Index], Unit.FirstError});
      else
        ++Result.FilesAnalyzed;
      for (Finding &F : Unit.Findings)
        Result.Findings.push_back(std::move(F));
      for (const auto &Entry : Unit.ContentHashes)
        Result.ContentHashes.try_emplace(Entry.getKey(), Entry.getValue());
      if (OnProgress)
        OnProgress(++Done, Files.size(), Files[Index]);
    }
  };
  unsigned Threads = std::max(1u, std::min<unsigned>(Jobs, Files.size()));
  std::vector<std::thread> Pool;
  for (unsigned I = 1; I < Threads; ++I)
    Pool.emplace_back(Worker);
  Worker();
  for (std::thread &Thread : Pool)
    Thread.join();

  dropWithheldDeclarations(Result.Findings, Withheld);
  // A header seen from several translation units yields the same finding
  // several times: keep one.
  std::sort(Result.Findings.begin(), Result.Findings.end(),
            [](const Finding &A, const Finding &B) { return A.key() < B.key(); });
  Result.Findings.erase(
      std::unique(Result.Findings.begin(), Result.Findings.end(),
                  [](const Finding &A, const Finding &B) {
                    return A.key() == B.key();
                  }),
      Result.Findings.end());
  std::stable_sort(Result.Findings.begin(), Result.Findings.end());
  std::sort(Result.Errors.begin(), Result.Errors.end(),
            [](const InputError &A, const InputError &B) {
              return A.File < B.File;
            });
  return Result;
}

} // namespace gilport
