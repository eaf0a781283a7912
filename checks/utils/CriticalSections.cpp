//===--- CriticalSections.cpp ---------------------------------------------===//

#include "checks/utils/CriticalSections.h"

#include "checks/CheckContext.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/IdentifierTable.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/MacroArgs.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>

namespace gilport {

using namespace clang;

namespace {

// The public macros of 3.13 and 3.14, and the internal ones CPython's own
// modules use.
constexpr llvm::StringLiteral BeginMacros[] = {
    "Py_BEGIN_CRITICAL_SECTION",
    "Py_BEGIN_CRITICAL_SECTION2",
    "Py_BEGIN_CRITICAL_SECTION_MUTEX",
    "Py_BEGIN_CRITICAL_SECTION2_MUTEX",
    "Py_BEGIN_CRITICAL_SECTION_MUT",
    "Py_BEGIN_CRITICAL_SECTION2_MUT",
    "Py_BEGIN_CRITICAL_SECTION_SEQUENCE_FAST",
};
constexpr llvm::StringLiteral EndMacros[] = {
    "Py_END_CRITICAL_SECTION",
    "Py_END_CRITICAL_SECTION2",
    "Py_END_CRITICAL_SECTION_SEQUENCE_FAST",
};
// CPython's (Include/internal/pycore_critical_section.h): checks the lock
// in debug builds, and expands to nothing otherwise.
constexpr llvm::StringLiteral AssertHeldMacro =
    "_Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED";

class CriticalSectionRecorder : public PPCallbacks {
public:
  CriticalSectionRecorder(Preprocessor &PP, CriticalSections &Into)
      : PP(PP), SM(PP.getSourceManager()), Into(Into) {
    // Comparing identifiers is cheaper than comparing every expanded name.
    for (llvm::StringRef Name : BeginMacros)
      Begins.push_back(PP.getIdentifierInfo(Name));
    for (llvm::StringRef Name : EndMacros)
      Ends.push_back(PP.getIdentifierInfo(Name));
    AssertHeld = PP.getIdentifierInfo(AssertHeldMacro);
  }

  void MacroExpands(const Token &MacroNameTok, const MacroDefinition &,
                    SourceRange Range, const MacroArgs *Args) override {
    const IdentifierInfo *Name = MacroNameTok.getIdentifierInfo();
    if (Name == AssertHeld) {
      if (Args && Args->getNumMacroArguments() == 1) {
        std::string Object;
        for (const Token *Tok = Args->getUnexpArgument(0); Tok->isNot(tok::eof);
             ++Tok)
          Object += PP.getSpelling(*Tok);
        Into.addAssertion(SM.getFileLoc(Range.getBegin()), std::move(Object));
      }
      return;
    }
    if (llvm::is_contained(Begins, Name)) {
      Open.push_back(SM.getFileLoc(Range.getBegin()));
      return;
    }
    if (!llvm::is_contained(Ends, Name) || Open.empty())
      return;
    SourceLocation Begin = Open.pop_back_val();
    SourceLocation End = SM.getFileLoc(Range.getEnd());
    std::pair<FileID, unsigned> BeginPos = SM.getDecomposedLoc(Begin);
    std::pair<FileID, unsigned> EndPos = SM.getDecomposedLoc(End);
    if (BeginPos.first == EndPos.first && BeginPos.second <= EndPos.second)
      Into.add(BeginPos.first, BeginPos.second, EndPos.second);
  }

private:
  Preprocessor &PP;
  const SourceManager &SM;
  CriticalSections &Into;
  const IdentifierInfo *AssertHeld = nullptr;
  llvm::SmallVector<const IdentifierInfo *, 8> Begins;
  llvm::SmallVector<const IdentifierInfo *, 4> Ends;
  llvm::SmallVector<SourceLocation, 4> Open;
};

/// Classifies the uses of a set of functions: direct calls inside a span, or
/// anything else (a call outside, a function pointer in a method table...).
class UseClassifier : public RecursiveASTVisitor<UseClassifier> {
public:
  UseClassifier(const CriticalSections &Sections, const SourceManager &SM,
                llvm::SmallPtrSetImpl<const FunctionDecl *> &Candidates)
      : Sections(Sections), SM(SM), Candidates(Candidates) {}

  bool VisitCallExpr(CallExpr *Call) {
    if (const auto *Ref =
            dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreParenImpCasts()))
      Callees.insert(Ref);
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl());
    if (!Function)
      return true;
    const FunctionDecl *Canonical = Function->getCanonicalDecl();
    if (!Candidates.count(Canonical))
      return true;
    if (Callees.count(Ref) && Sections.contains(Ref->getLocation(), SM))
      Called.insert(Canonical);
    else
      Unprotected.insert(Canonical);
    return true;
  }

  llvm::SmallPtrSet<const FunctionDecl *, 8> Called;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Unprotected;

private:
  const CriticalSections &Sections;
  const SourceManager &SM;
  llvm::SmallPtrSetImpl<const FunctionDecl *> &Candidates;
  llvm::SmallPtrSet<const DeclRefExpr *, 16> Callees;
};

} // namespace

void CriticalSections::recordFrom(Preprocessor &PP) {
  PP.addPPCallbacks(std::make_unique<CriticalSectionRecorder>(PP, *this));
}

llvm::SmallPtrSet<const FunctionDecl *, 8> CriticalSections::onlyCalledInside(
    llvm::ArrayRef<const FunctionDecl *> Functions, ASTContext &Ctx,
    CheckContext &Context) const {
  llvm::SmallPtrSet<const FunctionDecl *, 8> Result;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Candidates;
  for (const FunctionDecl *Function : Functions)
    if (!Function->isExternallyVisible())
      Candidates.insert(Function->getCanonicalDecl());
  if (Candidates.empty() || Spans.empty())
    return Result;
  UseClassifier Uses(*this, Ctx.getSourceManager(), Candidates);
  for (Decl *TopLevel : Ctx.getTranslationUnitDecl()->decls())
    if (Context.isReportedLocation(TopLevel->getLocation()))
      Uses.TraverseDecl(TopLevel);
  for (const FunctionDecl *Function : Functions) {
    const FunctionDecl *Canonical = Function->getCanonicalDecl();
    if (Uses.Called.count(Canonical) && !Uses.Unprotected.count(Canonical))
      Result.insert(Function);
  }
  return Result;
}

void CriticalSections::addAssertion(SourceLocation Loc, std::string Object) {
  Assertions.push_back({Loc, std::move(Object)});
}

bool CriticalSections::assertsHeld(const FunctionDecl &Function,
                                   llvm::StringRef Object, SourceLocation Loc,
                                   const SourceManager &SM) const {
  const Stmt *Body = Function.getBody();
  if (Assertions.empty() || !Body || Object.empty())
    return false;
  SourceLocation Begin = SM.getFileLoc(Body->getBeginLoc());
  SourceLocation Use = SM.getFileLoc(Loc);
  return llvm::any_of(Assertions, [&](const Assertion &A) {
    return A.Object == Object && SM.isBeforeInTranslationUnit(Begin, A.Loc) &&
           SM.isBeforeInTranslationUnit(A.Loc, Use);
  });
}

void CriticalSections::add(FileID File, unsigned BeginOffset,
                           unsigned EndOffset) {
  Spans.push_back({File, BeginOffset, EndOffset});
}

bool CriticalSections::contains(SourceLocation Loc,
                                const SourceManager &SM) const {
  if (Spans.empty() || Loc.isInvalid())
    return false;
  std::pair<FileID, unsigned> Pos = SM.getDecomposedLoc(SM.getFileLoc(Loc));
  for (const Span &S : Spans)
    if (S.File == Pos.first && S.BeginOffset <= Pos.second &&
        Pos.second <= S.EndOffset)
      return true;
  return false;
}

} // namespace gilport
