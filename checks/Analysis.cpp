//===--- Analysis.cpp -----------------------------------------------------===//

#include "checks/Analysis.h"

#include "checks/CheckRegistry.h"
#include "checks/FileCache.h"
#include "checks/GilportCheck.h"

#include "analysis/ObjectLayout.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

namespace gilport {
namespace {

/// Records the first error and where every error is, and prints nothing:
/// compiler warnings are not gilport's business, and errors are reported
/// once, by the driver.
class FirstErrorRecorder : public clang::DiagnosticConsumer {
public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level Level,
                        const clang::Diagnostic &Info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(Level, Info);
    if (Level < clang::DiagnosticsEngine::Error)
      return;
    Locations.push_back(Info.getLocation());
    if (!FirstError.empty())
      return;
    llvm::SmallString<256> Message;
    Info.FormatDiagnostic(Message);
    llvm::raw_string_ostream OS(FirstError);
    if (Info.hasSourceManager() && Info.getLocation().isValid()) {
      const clang::SourceManager &SM = Info.getSourceManager();
      clang::PresumedLoc Loc = SM.getPresumedLoc(Info.getLocation());
      if (Loc.isValid())
        OS << Loc.getFilename() << ":" << Loc.getLine() << ":"
           << Loc.getColumn() << ": ";
    }
    OS << "error: " << Message;
  }
  std::string FirstError;
  std::vector<clang::SourceLocation> Locations;
};

class ChecksConsumer : public clang::ASTConsumer {
public:
  ChecksConsumer(std::unique_ptr<CheckContext> Context,
                 std::vector<std::unique_ptr<GilportCheck>> Checks,
                 std::unique_ptr<clang::ast_matchers::MatchFinder> Finder,
                 const FirstErrorRecorder *Errors, TranslationUnitResult &Sink)
      : Context(std::move(Context)), Checks(std::move(Checks)),
        Finder(std::move(Finder)), Errors(Errors), Sink(Sink) {}

  void HandleTranslationUnit(clang::ASTContext &Ctx) override {
    // A unit with errors yields no findings (skip the work too), unless
    // every error is a static object initialised for the GIL build's
    // header: the rest of the AST is whole, and gilport-free-threaded-abi
    // reports those objects.
    if (Ctx.getDiagnostics().hasErrorOccurred()) {
      if (Ctx.getDiagnostics().hasFatalErrorOccurred() || !Errors ||
          !onlyObjectInitializerErrors(Errors->Locations, Ctx))
        return;
      Sink.RecoveredErrors = Errors->Locations.size();
    }
    // Match only the user's declarations: the Python and system headers are
    // most of a translation unit, and nothing in them is reported.
    std::vector<clang::Decl *> UserDecls;
    for (clang::Decl *D : Ctx.getTranslationUnitDecl()->decls())
      if (Context->isReportedLocation(D->getLocation())) {
        UserDecls.push_back(D);
        const auto *Function = llvm::dyn_cast<clang::FunctionDecl>(D);
        if (Function && Function->doesThisDeclarationHaveABody() &&
            Function->getIdentifier() &&
            (Function->getName().starts_with("PyInit_") ||
             Function->getName().starts_with("PyModExport_")))
          Sink.DefinesModule = true;
      }
    Ctx.setTraversalScope(UserDecls);
    Context->setASTContext(&Ctx);
    Finder->matchAST(Ctx);
    for (auto &Check : Checks)
      Check->onEndOfTranslationUnit(Ctx);
    Sink.LoadableByInterpreters = Context->moduleLoadableByInterpreters();
    const PhaseCalls &Calls = Context->phaseCalls();
    Sink.CalledAtInit.assign(Calls.AtInit.begin(), Calls.AtInit.end());
    Sink.CalledAtRunTime.assign(Calls.AtRunTime.begin(), Calls.AtRunTime.end());
    std::vector<Finding> Found = Context->takeFindings();
    recordContentHashes(Ctx.getSourceManager(), Found);
    Sink.Findings.insert(Sink.Findings.end(),
                         std::make_move_iterator(Found.begin()),
                         std::make_move_iterator(Found.end()));
    std::vector<Finding> Suppressed = Context->takeSuppressed();
    Sink.Suppressed.insert(Sink.Suppressed.end(),
                           std::make_move_iterator(Suppressed.begin()),
                           std::make_move_iterator(Suppressed.end()));
  }

private:
  void recordContentHashes(clang::SourceManager &SM,
                           const std::vector<Finding> &Found) {
    for (const Finding &F : Found)
      for (const clang::tooling::Replacement &R : F.Fixes) {
        if (Sink.ContentHashes.count(R.getFilePath()))
          continue;
        llvm::Expected<clang::FileEntryRef> File =
            SM.getFileManager().getFileRef(R.getFilePath());
        if (!File) {
          llvm::consumeError(File.takeError());
          continue;
        }
        clang::FileID FID = SM.translateFile(*File);
        if (FID.isValid())
          Sink.ContentHashes[R.getFilePath()] =
              llvm::xxh3_64bits(SM.getBufferData(FID));
      }
  }


  std::unique_ptr<CheckContext> Context;
  std::vector<std::unique_ptr<GilportCheck>> Checks;
  std::unique_ptr<clang::ast_matchers::MatchFinder> Finder;
  const FirstErrorRecorder *Errors;
  TranslationUnitResult &Sink;
};

class ChecksAction : public clang::ASTFrontendAction {
public:
  ChecksAction(const AnalysisOptions &Options,
               llvm::ArrayRef<std::string> EnabledChecks,
               const FirstErrorRecorder *Errors, TranslationUnitResult &Sink)
      : Options(Options), EnabledChecks(EnabledChecks), Errors(Errors),
        Sink(Sink) {}

  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &CI, llvm::StringRef) override {
    auto Context = std::make_unique<CheckContext>(Options);
    Context->setSourceManager(&CI.getSourceManager(), &CI.getLangOpts());
    Context->setEnabledChecks(EnabledChecks);
    clang::ast_matchers::MatchFinder::MatchFinderOptions FinderOptions;
    if (ProfileRecords)
      FinderOptions.CheckProfiling.emplace(*ProfileRecords);
    auto Finder =
        std::make_unique<clang::ast_matchers::MatchFinder>(FinderOptions);
    std::vector<std::unique_ptr<GilportCheck>> Checks;
    for (const std::string &Name : EnabledChecks) {
      const CheckInfo *Info = findCheck(Name);
      if (!Info)
        continue;
      std::unique_ptr<GilportCheck> Check = Info->Create(*Context);
      Check->registerMatchers(Finder.get());
      Check->registerPPCallbacks(CI.getSourceManager(), &CI.getPreprocessor());
      Checks.push_back(std::move(Check));
    }
    return std::make_unique<ChecksConsumer>(
        std::move(Context), std::move(Checks), std::move(Finder), Errors, Sink);
  }

  /// Per-check matcher timings, when GILPORT_PROFILE is set.
  llvm::StringMap<llvm::TimeRecord> *ProfileRecords = nullptr;

private:
  const AnalysisOptions &Options;
  llvm::ArrayRef<std::string> EnabledChecks;
  const FirstErrorRecorder *Errors;
  TranslationUnitResult &Sink;
};

class ChecksActionFactory : public clang::tooling::FrontendActionFactory {
public:
  ChecksActionFactory(const AnalysisOptions &Options,
                      llvm::ArrayRef<std::string> EnabledChecks,
                      const FirstErrorRecorder *Errors,
                      TranslationUnitResult &Sink)
      : Options(Options), EnabledChecks(EnabledChecks), Errors(Errors),
        Sink(Sink) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    auto Action =
        std::make_unique<ChecksAction>(Options, EnabledChecks, Errors, Sink);
    if (llvm::sys::Process::GetEnv("GILPORT_PROFILE"))
      Action->ProfileRecords = &ProfileRecords;
    return Action;
  }

  ~ChecksActionFactory() override {
    // Matcher callbacks' time per check, for finding slow checks.
    for (const auto &Entry : ProfileRecords)
      llvm::errs() << llvm::format("gilport-profile: %-40s %8.3f ms\n",
                                   Entry.getKey().str().c_str(),
                                   Entry.getValue().getProcessTime() * 1000);
  }

private:
  const AnalysisOptions &Options;
  llvm::ArrayRef<std::string> EnabledChecks;
  const FirstErrorRecorder *Errors;
  TranslationUnitResult &Sink;
  llvm::StringMap<llvm::TimeRecord> ProfileRecords;
};

} // namespace

TranslationUnitResult
analyzeTranslationUnit(const clang::tooling::CompilationDatabase &Database,
                       llvm::StringRef File, const AnalysisOptions &Options,
                       llvm::ArrayRef<std::string> EnabledChecks,
                       FileCache *Cache) {
  TranslationUnitResult Result;
  // ClangTool aborts the process when it cannot enter a command's directory
  // (a database written on another machine or in a container): make that
  // an error of this file instead. The object file names the build target
  // the unit is part of (apply/DeclarationSafety.h).
  for (const clang::tooling::CompileCommand &Command :
       Database.getCompileCommands(File)) {
    Result.ObjectFile = Command.Output;
    if (!llvm::sys::fs::is_directory(Command.Directory)) {
      Result.Failed = true;
      Result.FirstError = "the directory of its compile command, '" +
                          Command.Directory +
                          "', does not exist (was the compilation database "
                          "written on another machine?)";
      return Result;
    }
  }
  // A physical file system with its own working directory: the default one
  // chdir()s the whole process, which races between worker threads.
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS =
      llvm::vfs::createPhysicalFileSystem();
  if (Cache)
    FS = cachedFileSystem(std::move(FS), *Cache);
  clang::tooling::ClangTool Tool(
      Database, {File.str()}, std::make_shared<clang::PCHContainerOperations>(),
      std::move(FS));
  FirstErrorRecorder Errors;
  Tool.setDiagnosticConsumer(&Errors);
  // The driver reports failures itself, once, with the first error.
  Tool.setPrintErrorMessage(false);
  ChecksActionFactory Factory(Options, EnabledChecks, &Errors, Result);
  int Status = Tool.run(&Factory);
  if ((Status != 0 || !Errors.FirstError.empty()) && !Result.RecoveredErrors) {
    Result.Failed = true;
    Result.FirstError = Errors.FirstError.empty()
                            ? "the compiler could not be run for this file"
                            : Errors.FirstError;
    Result.Findings.clear();
    Result.Suppressed.clear();
  }
  return Result;
}

} // namespace gilport
