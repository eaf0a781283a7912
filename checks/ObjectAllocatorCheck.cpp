//===--- ObjectAllocatorCheck.cpp -----------------------------------------===//

#include "checks/ObjectAllocatorCheck.h"

#include "analysis/AstQueries.h"
#include "analysis/GlobalStateTypes.h"
#include "analysis/ObjectAllocations.h"
#include "analysis/Parents.h"
#include "checks/CheckContext.h"
#include "rewrites/MemDomainRename.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

AST_MATCHER_P(DeclRefExpr, refersToFunctionIn, const IdentifierSet *, Names) {
  const auto *Function = dyn_cast<FunctionDecl>(Node.getDecl());
  return Function && Names->count(Function->getIdentifier());
}

constexpr llvm::StringLiteral Requirement =
    "the free-threaded build requires the object allocator to be used only "
    "for Python objects";

/// The call that \p Name is the callee of, or null when the function is
/// only named (its address taken).
const CallExpr *calledBy(const DeclRefExpr &Name, ASTContext &Ctx) {
  const Stmt *Child = nullptr;
  const Stmt *P = parentPastParensAndCasts(Name, Ctx, Child);
  const auto *Call = dyn_cast_or_null<CallExpr>(P);
  return Call && Call->getCallee() == Child ? Call : nullptr;
}

/// The initializer list that \p Name is an element of, through casts.
const InitListExpr *initializerOf(const DeclRefExpr &Name, ASTContext &Ctx) {
  const Stmt *P = parentStmt(Name, Ctx);
  while (isa_and_nonnull<ParenExpr, CastExpr>(P))
    P = parentStmt(*P, Ctx);
  return dyn_cast_or_null<InitListExpr>(P);
}

bool allocates(llvm::StringRef Name) { return Name != "PyObject_Free"; }

} // namespace

ObjectAllocatorCheck::ObjectAllocatorCheck(CheckContext &Context)
    : GilportCheck("gilport-object-allocator", Context) {}

void ObjectAllocatorCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(declRefExpr(refersToFunctionIn(&Names)).bind("name"),
                     this);
}

void ObjectAllocatorCheck::registerPPCallbacks(const SourceManager &,
                                               Preprocessor *PP) {
  addIdentifiers(Names, *PP,
                 {"PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc",
                  "PyObject_Free"});
}

void ObjectAllocatorCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Name = Result.Nodes.getNodeAs<DeclRefExpr>("name"))
    References.push_back(Name);
}

void ObjectAllocatorCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  reportCalls(Ctx);
  reportHandedOut(Ctx);
  References.clear();
}

void ObjectAllocatorCheck::reportCalls(ASTContext &Ctx) {
  GlobalStateTypes Types(Ctx);
  llvm::SmallPtrSet<const VarDecl *, 4> ReportedLocals;
  for (const DeclRefExpr *Name : References) {
    llvm::StringRef Callee = Name->getDecl()->getName();
    const CallExpr *Call = allocates(Callee) ? calledBy(*Name, Ctx) : nullptr;
    const FunctionDecl *Function =
        Call ? enclosingFunction(Call, Ctx) : nullptr;
    if (!Function || !context().wouldReport(Name->getLocation(), name()))
      continue;
    AllocationUse Use = allocationUse(*Call, *Function, Ctx, Types);
    // One finding for the memory of a local, at its first allocation.
    if (Use.What != AllocationUse::NotObject ||
        (Use.Local && !ReportedLocals.insert(Use.Local).second))
      continue;
    llvm::StringRef Replacement = memDomainCounterpart(Callee);
    FindingBuilder Finding =
        diag(Name->getLocation(),
             ("'" + Callee + "' allocates memory for '" + Use.Type +
              "', which is not a Python object; " + Requirement + ": use '" +
              Replacement + "', and release the memory with 'PyMem_Free'")
                 .str());
    addMacroExpansionNotes(Finding, Name->getLocation(), Ctx.getSourceManager(),
                           Ctx.getLangOpts());
    if (!Use.Local) {
      Finding.noFix(
          Use.Field ? "the memory is kept in the field '" +
                          Use.Field->getName().str() +
                          "', which other code may release with PyObject_Free: "
                          "change its allocation and every release by hand"
                    : std::string("the memory leaves the function: change its "
                                  "allocation and every release by hand"));
      continue;
    }
    LocalBufferCalls Calls = localBufferCalls(*Use.Local, *Function, Ctx);
    if (!Calls.Reason.empty()) {
      Finding.noFix(Calls.Reason);
      continue;
    }
    Finding.fix(renameToMemDomain(Calls.Callees, Ctx));
  }
}

void ObjectAllocatorCheck::reportHandedOut(ASTContext &Ctx) {
  // By initializer list; a name outside one is a group of its own.
  llvm::MapVector<const void *, std::vector<const DeclRefExpr *>> Groups;
  for (const DeclRefExpr *Name : References)
    if (!calledBy(*Name, Ctx)) {
      const InitListExpr *List = initializerOf(*Name, Ctx);
      Groups[List ? static_cast<const void *>(List) : Name].push_back(Name);
    }
  for (const auto &[Key, Names] : Groups) {
    auto First = llvm::find_if(Names, [](const DeclRefExpr *Name) {
      return allocates(Name->getDecl()->getName());
    });
    if (First == Names.end() ||
        !context().wouldReport((*First)->getLocation(), name()))
      continue;
    llvm::StringRef Callee = (*First)->getDecl()->getName();
    FindingBuilder Finding = diag(
        (*First)->getLocation(),
        ("'" + Callee +
         "' is handed out as an allocator, for memory that is not a Python "
         "object; " +
         Requirement + ": hand out '" + memDomainCounterpart(Callee) +
         "' and the other PyMem_* functions instead")
            .str());
    addMacroExpansionNotes(Finding, (*First)->getLocation(),
                           Ctx.getSourceManager(), Ctx.getLangOpts());
    bool Releases = llvm::any_of(Names, [](const DeclRefExpr *Name) {
      return !allocates(Name->getDecl()->getName());
    });
    if (!Releases) {
      Finding.noFix("the function that releases the memory is not handed out "
                    "in the same initializer: change them together by hand");
      continue;
    }
    Finding.fix(renameToMemDomain(Names, Ctx));
  }
}

} // namespace gilport
