//===--- MemDomainRename.cpp ----------------------------------------------===//

#include "rewrites/MemDomainRename.h"

#include "analysis/ObjectAllocations.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

namespace gilport {

using namespace clang;

Rewrite renameToMemDomain(llvm::ArrayRef<const DeclRefExpr *> Names,
                          ASTContext &) {
  Rewrite Result;
  for (const DeclRefExpr *Name : Names) {
    llvm::StringRef Old = Name->getDecl()->getName();
    llvm::StringRef New = memDomainCounterpart(Old);
    if (New.empty())
      return Rewrite::failure("'" + Old.str() +
                              "' is not a function of the object domain");
    SourceLocation Loc = Name->getLocation();
    if (Loc.isMacroID())
      return Rewrite::failure("'" + Old.str() + "' is spelled through a macro");
    Result.Hints.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(Loc, Loc.getLocWithOffset(Old.size())),
        New));
  }
  if (Result.Hints.empty())
    return Rewrite::failure("nothing to rename");
  return Result;
}

} // namespace gilport
