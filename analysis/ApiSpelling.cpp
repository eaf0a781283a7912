//===--- ApiSpelling.cpp --------------------------------------------------===//

#include "analysis/ApiSpelling.h"

#include "analysis/MacroLocations.h"
#include "analysis/UnitFacts.h"

#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;

std::optional<ApiSpelling>
findApiSpelling(llvm::StringRef CalleeName, SourceLocation CalleeLoc,
                SourceLocation NodeLoc,
                llvm::function_ref<bool(llvm::StringRef)> IsApi,
                UnitFacts &Facts) {
  const SourceManager &SM = Facts.getSourceManager();
  // Spelled in the Python headers means another API macro produced it.
  auto IsSpelledByUser = [&](SourceLocation Loc) {
    return Facts.isReportedLocation(SM.getSpellingLoc(Loc));
  };
  if (!CalleeName.empty() && IsApi(CalleeName) && IsSpelledByUser(CalleeLoc))
    return ApiSpelling{CalleeName, CalleeLoc};
  if (NodeLoc.isFileID())
    return std::nullopt;
  for (const MacroFrame &Frame :
       enclosingMacroExpansions(NodeLoc, SM, Facts.getLangOpts()))
    if (IsApi(Frame.Name) && IsSpelledByUser(Frame.NameLoc))
      return ApiSpelling{Frame.Name, Frame.NameLoc};
  return std::nullopt;
}

} // namespace gilport
