//===--- ExistingSections.cpp ---------------------------------------------===//

#include "analysis/ExistingSections.h"

#include "analysis/AstQueries.h"
#include "analysis/InitOnlyFields.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/IdentifierTable.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/MacroArgs.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
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
  CriticalSectionRecorder(Preprocessor &PP, ExistingSections &Into)
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
  ExistingSections &Into;
  const IdentifierInfo *AssertHeld = nullptr;
  llvm::SmallVector<const IdentifierInfo *, 8> Begins;
  llvm::SmallVector<const IdentifierInfo *, 4> Ends;
  llvm::SmallVector<SourceLocation, 4> Open;
};

/// Classifies the uses of the file's static functions: direct calls inside a
/// span, direct calls from another static function outside any span, or
/// anything else (a call from a function other files can call, a function
/// pointer in a method table...).
class UseClassifier : public RecursiveASTVisitor<UseClassifier> {
public:
  UseClassifier(const ExistingSections &Sections, const SourceManager &SM)
      : Sections(Sections), SM(SM) {}

  bool TraverseDecl(Decl *D) {
    const auto *Function = llvm::dyn_cast_or_null<FunctionDecl>(D);
    if (!Function || !Function->doesThisDeclarationHaveABody())
      return RecursiveASTVisitor::TraverseDecl(D);
    const FunctionDecl *Outer = Caller;
    Caller = Function->isExternallyVisible() ? nullptr
                                             : Function->getCanonicalDecl();
    bool Result = RecursiveASTVisitor::TraverseDecl(D);
    Caller = Outer;
    return Result;
  }
  // Their bodies can be stored and run from anywhere.
  bool TraverseLambdaExpr(LambdaExpr *Lambda) {
    return withoutCaller(
        [&] { return RecursiveASTVisitor::TraverseLambdaExpr(Lambda); });
  }
  bool TraverseBlockExpr(BlockExpr *Block) {
    return withoutCaller(
        [&] { return RecursiveASTVisitor::TraverseBlockExpr(Block); });
  }

  bool VisitCallExpr(CallExpr *Call) {
    const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Callee))
      Callees.insert(Ref);
    // A call through a function pointer field.
    if (const auto *Member = dyn_cast<MemberExpr>(Callee))
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl())) {
        FieldCallees.insert(Member);
        if (Sections.contains(Call->getBeginLoc(), SM) && ownedField(*Field))
          FieldsCalledInside.insert(Field);
        else
          UnsafeFields.insert(Field);
      }
    return true;
  }

  // `obj->field = function;`, `local = function;`, `obj->field = local;`.
  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (Op->getOpcode() != BO_Assign)
      return true;
    const auto *Ref = dyn_cast<DeclRefExpr>(Op->getRHS()->IgnoreParenCasts());
    if (!Ref)
      return true;
    const Expr *Target = Op->getLHS()->IgnoreParenCasts();
    if (const auto *Member = dyn_cast<MemberExpr>(Target)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field)
        return true;
      FieldTargets.insert(Member);
      if (const VarDecl *Local = functionPointerLocal(Ref)) {
        LocalFlows[Local].push_back(Field);
        HandledLocalRefs.insert(Ref);
      } else {
        StoredInto[Ref] = {Field, nullptr};
      }
    } else if (const auto *LocalRef = dyn_cast<DeclRefExpr>(Target)) {
      if (const VarDecl *Local = functionPointerLocal(LocalRef)) {
        HandledLocalRefs.insert(LocalRef);
        StoredInto[Ref] = {nullptr, Local};
      }
    }
    return true;
  }

  bool VisitVarDecl(VarDecl *Var) {
    if (!Var->hasLocalStorage() || !Var->getType()->isFunctionPointerType() ||
        !Var->getInit())
      return true;
    if (const auto *Ref =
            dyn_cast<DeclRefExpr>(Var->getInit()->IgnoreParenCasts()))
      StoredInto[Ref] = {nullptr, Var};
    return true;
  }

  bool VisitMemberExpr(MemberExpr *Member) {
    // Any other read of a function pointer field may copy it elsewhere.
    if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl()))
      if (Field->getType()->isFunctionPointerType() &&
          !FieldCallees.count(Member) && !FieldTargets.count(Member))
        UnsafeFields.insert(Field);
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    // A function pointer local used other than to be assigned or stored.
    if (const VarDecl *Local = functionPointerLocal(Ref))
      if (!HandledLocalRefs.count(Ref))
        UnsafeLocals.insert(Local);
    const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl());
    if (!Function)
      return true;
    if (Function->isExternallyVisible())
      return true;
    const FunctionDecl *Canonical = Function->getCanonicalDecl();
    if (Callees.count(Ref)) {
      if (Sections.contains(Ref->getLocation(), SM)) {
        Called.insert(Canonical);
        return true;
      }
      if (Caller) {
        CalledFrom[Canonical].push_back(Caller);
        return true;
      }
    }
    auto Stored = StoredInto.find(Ref);
    if (Stored != StoredInto.end()) {
      StoredIn[Canonical].push_back(Stored->second);
      return true;
    }
    Unprotected.insert(Canonical);
    return true;
  }

  /// Whether \p Canonical only runs with a section held: it has a use, each
  /// is protected or a call from a function that only runs so, and no chain
  /// of calls outside a span leads to it from a function that may run
  /// without one (recursion through protected entries keeps the lock).
  bool onlyCalledInside(const FunctionDecl *Canonical) {
    if (!Solved)
      solve();
    return protectedUses(Canonical) && !MayRunUnlocked.count(Canonical);
  }

private:
  template <typename Fn> bool withoutCaller(Fn Traverse) {
    const FunctionDecl *Outer = Caller;
    Caller = nullptr;
    bool Result = Traverse();
    Caller = Outer;
    return Result;
  }

  /// Marks every function that may run without a section: those with a use
  /// that is not protected (or no use at all), and all that they call
  /// outside a span, transitively.
  void solve() {
    Solved = true;
    llvm::DenseMap<const FunctionDecl *,
                   llvm::SmallVector<const FunctionDecl *, 4>>
        CalleesOf;
    llvm::SmallVector<const FunctionDecl *, 16> Work;
    auto Mark = [&](const FunctionDecl *F) {
      if (MayRunUnlocked.insert(F).second)
        Work.push_back(F);
    };
    auto Consider = [&](const FunctionDecl *F) {
      if (!protectedUses(F))
        Mark(F);
    };
    for (const auto &[Callee, Callers] : CalledFrom)
      for (const FunctionDecl *From : Callers) {
        CalleesOf[From].push_back(Callee);
        Consider(From);
        Consider(Callee);
      }
    for (const FunctionDecl *F : Called)
      Consider(F);
    for (const auto &Entry : StoredIn)
      Consider(Entry.first);
    for (const FunctionDecl *F : Unprotected)
      Mark(F);
    while (!Work.empty()) {
      auto It = CalleesOf.find(Work.pop_back_val());
      if (It != CalleesOf.end())
        for (const FunctionDecl *Callee : It->second)
          Mark(Callee);
    }
  }

  /// Whether \p Canonical has a use, and every use is a call inside a span,
  /// a call from another static function, or a store into a field only
  /// ever called inside a span.
  bool protectedUses(const FunctionDecl *Canonical) const {
    if (Unprotected.count(Canonical))
      return false;
    auto Stored = StoredIn.find(Canonical);
    if (Stored == StoredIn.end())
      return Called.count(Canonical) || CalledFrom.count(Canonical);
    auto FieldIsSafe = [&](const FieldDecl *Field) {
      return FieldsCalledInside.count(Field) && !UnsafeFields.count(Field);
    };
    return llvm::all_of(Stored->second, [&](const Sink &Into) {
      if (Into.Field)
        return FieldIsSafe(Into.Field);
      auto Flows = LocalFlows.find(Into.Local);
      return !UnsafeLocals.count(Into.Local) && Flows != LocalFlows.end() &&
             llvm::all_of(Flows->second, FieldIsSafe);
    });
  }

  /// Where a function's address is stored: a field, or a local variable
  /// that is itself only stored into fields.
  struct Sink {
    const FieldDecl *Field;
    const VarDecl *Local;
  };

  /// Only a struct of this file's own: code elsewhere (the interpreter
  /// calling `tp_call`, another file) could call a shared struct's field.
  bool ownedField(const FieldDecl &Field) {
    auto [It, Inserted] = OwnedRecords.try_emplace(Field.getParent(), false);
    if (Inserted)
      It->second = isOwnedByMainFile(*Field.getParent(), SM);
    return It->second;
  }

  static const VarDecl *functionPointerLocal(const DeclRefExpr *Ref) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    return Var && Var->hasLocalStorage() &&
                   Var->getType()->isFunctionPointerType()
               ? Var
               : nullptr;
  }

  /// The function whose body is being walked, when only this file can call
  /// it.
  const FunctionDecl *Caller = nullptr;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Called;
  /// The static functions that call each one outside a span.
  llvm::DenseMap<const FunctionDecl *,
                 llvm::SmallVector<const FunctionDecl *, 2>>
      CalledFrom;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Unprotected;
  bool Solved = false;
  llvm::DenseSet<const FunctionDecl *> MayRunUnlocked;
  /// Where each candidate's address is stored.
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<Sink, 2>> StoredIn;
  llvm::DenseMap<const DeclRefExpr *, Sink> StoredInto;
  /// The fields each function pointer local is stored into.
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<const FieldDecl *, 2>>
      LocalFlows;
  llvm::SmallPtrSet<const DeclRefExpr *, 8> HandledLocalRefs;
  llvm::SmallPtrSet<const VarDecl *, 4> UnsafeLocals;
  llvm::DenseMap<const RecordDecl *, bool> OwnedRecords;
  llvm::SmallPtrSet<const MemberExpr *, 8> FieldCallees;
  llvm::SmallPtrSet<const MemberExpr *, 8> FieldTargets;
  llvm::SmallPtrSet<const FieldDecl *, 8> FieldsCalledInside;
  /// Fields called outside a span, or read other than to be called.
  llvm::SmallPtrSet<const FieldDecl *, 8> UnsafeFields;

  const ExistingSections &Sections;
  const SourceManager &SM;
  llvm::SmallPtrSet<const DeclRefExpr *, 16> Callees;
};

} // namespace

void ExistingSections::recordFrom(Preprocessor &PP) {
  PP.addPPCallbacks(std::make_unique<CriticalSectionRecorder>(PP, *this));
}

llvm::SmallPtrSet<const FunctionDecl *, 8> ExistingSections::onlyCalledInside(
    llvm::ArrayRef<const FunctionDecl *> Functions, ASTContext &Ctx) const {
  llvm::SmallPtrSet<const FunctionDecl *, 8> Result;
  if (Spans.empty() || llvm::all_of(Functions, [](const FunctionDecl *F) {
        return F->isExternallyVisible();
      }))
    return Result;
  UseClassifier Uses(*this, Ctx.getSourceManager());
  // The traversal scope is the user's declarations (Analysis.cpp).
  Uses.TraverseDecl(Ctx.getTranslationUnitDecl());
  for (const FunctionDecl *Function : Functions)
    if (!Function->isExternallyVisible() &&
        Uses.onlyCalledInside(Function->getCanonicalDecl()))
      Result.insert(Function);
  return Result;
}

bool ExistingSections::handedInByCaller(const Expr &Container) {
  return llvm::isa_and_nonnull<ParmVarDecl>(containerRoot(&Container));
}

void ExistingSections::addAssertion(SourceLocation Loc, std::string Object) {
  Assertions.push_back({Loc, std::move(Object)});
}

bool ExistingSections::assertsHeld(const FunctionDecl &Function,
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

void ExistingSections::add(FileID File, unsigned BeginOffset,
                           unsigned EndOffset) {
  Spans.push_back({File, BeginOffset, EndOffset});
}

bool ExistingSections::contains(SourceLocation Loc,
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
