//===--- CheckContext.cpp -------------------------------------------------===//

#include "checks/CheckContext.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <iterator>

namespace gilport {

SharedWork::~SharedWork() = default;

CheckContext::CheckContext(const AnalysisOptions &Options) : Options(Options) {}

CheckContext::~CheckContext() = default;

void CheckContext::setSourceManager(const clang::SourceManager *NewSM,
                                    const clang::LangOptions *NewLangOpts) {
  UnitFacts::setSourceManager(NewSM, NewLangOpts);
  FileSuppressions.clear();
  FunctionSpans.reset();
}

void CheckContext::setASTContext(clang::ASTContext *Ctx) {
  AST = Ctx;
  FunctionSpans.reset();
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
  if (!isReportedLocation(Loc))
    return;
  Draft.Function = enclosingFunctionName(Loc);
  if (isSuppressed(SM->getFileLoc(Loc), Draft.Check)) {
    // Kept to be listed as suppressed (SARIF), never to be applied.
    Draft.Fixes.clear();
    Draft.FixesWithoutGilDeclaration.clear();
    Suppressed.push_back(std::move(Draft));
    return;
  }
  Findings.push_back(std::move(Draft));
}

std::string CheckContext::enclosingFunctionName(clang::SourceLocation Loc) {
  if (!AST || Loc.isInvalid())
    return "";
  if (!FunctionSpans) {
    FunctionSpans.emplace();
    // Function definitions are declarations of the file, a namespace, a
    // linkage block, a class or a template; bodies are not walked (a local
    // class's method belongs to the function around it).
    std::vector<const clang::DeclContext *> Pending{
        AST->getTranslationUnitDecl()};
    while (!Pending.empty()) {
      const clang::DeclContext *DC = Pending.back();
      Pending.pop_back();
      for (const clang::Decl *Member : DC->decls()) {
        const clang::Decl *D = Member;
        if (const auto *Template = llvm::dyn_cast<clang::TemplateDecl>(D))
          D = Template->getTemplatedDecl();
        if (!D || !isReportedLocation(D->getLocation()))
          continue;
        if (const auto *Function = llvm::dyn_cast<clang::FunctionDecl>(D)) {
          if (!Function->doesThisDeclarationHaveABody())
            continue;
          clang::SourceLocation Begin = SM->getFileLoc(Function->getBeginLoc());
          clang::SourceLocation End = SM->getFileLoc(Function->getEndLoc());
          clang::FileID File = SM->getFileID(Begin);
          if (File != SM->getFileID(End))
            continue;
          (*FunctionSpans)[File].push_back(
              {SM->getFileOffset(Begin), SM->getFileOffset(End), Function});
        } else if (llvm::isa<clang::NamespaceDecl, clang::LinkageSpecDecl,
                             clang::CXXRecordDecl>(D)) {
          Pending.push_back(llvm::cast<clang::DeclContext>(D));
        }
      }
    }
    for (auto &Entry : *FunctionSpans) {
      std::vector<FunctionSpan> &Spans = Entry.second;
      llvm::stable_sort(Spans,
                        [](const FunctionSpan &A, const FunctionSpan &B) {
                          return A.Begin < B.Begin;
                        });
      unsigned Reach = 0;
      for (FunctionSpan &Span : Spans)
        Span.ReachesTo = Reach = std::max(Reach, Span.End);
    }
  }
  clang::SourceLocation FileLoc = SM->getFileLoc(Loc);
  auto It = FunctionSpans->find(SM->getFileID(FileLoc));
  if (It == FunctionSpans->end())
    return "";
  unsigned Offset = SM->getFileOffset(FileLoc);
  // The innermost: the containing span that begins last. A file with
  // thousands of functions and findings made a scan of every span per
  // finding quadratic; search back from the last span that begins before
  // the offset, while an earlier span can still reach it.
  const std::vector<FunctionSpan> &Spans = It->second;
  auto After = llvm::upper_bound(Spans, Offset,
                                 [](unsigned Offset, const FunctionSpan &Span) {
                                   return Offset < Span.Begin;
                                 });
  for (auto Span = std::make_reverse_iterator(After);
       Span != Spans.rend() && Span->ReachesTo >= Offset; ++Span)
    if (Offset <= Span->End)
      return Span->Function->getQualifiedNameAsString();
  return "";
}

} // namespace gilport
