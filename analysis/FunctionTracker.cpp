//===--- FunctionTracker.cpp ----------------------------------------------===//

#include "analysis/FunctionTracker.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;

void FunctionTracker::enter(const FunctionDecl &Function,
                            const SourceManager &SM) {
  if (const Stmt *Body = Function.getBody())
    Entries.push_back({&Function, SM.getFileLoc(Body->getBeginLoc()),
                       SM.getFileLoc(Body->getEndLoc())});
}

const FunctionDecl *FunctionTracker::enclosing(SourceLocation Loc,
                                               const SourceManager &SM) const {
  // Nesting is shallow; older entries are functions that have ended.
  constexpr size_t Lookback = 8;
  if (Loc.isInvalid())
    return nullptr;
  SourceLocation FileLoc = SM.getFileLoc(Loc);
  size_t Oldest = Entries.size() > Lookback ? Entries.size() - Lookback : 0;
  for (size_t I = Entries.size(); I > Oldest; --I) {
    const Entry &E = Entries[I - 1];
    if (!SM.isBeforeInTranslationUnit(FileLoc, E.BodyBegin) &&
        !SM.isBeforeInTranslationUnit(E.BodyEnd, FileLoc))
      return E.Function;
  }
  return nullptr;
}

} // namespace gilport
