//===--- ProjectCompat.cpp ------------------------------------------------===//

#include "checks/ProjectCompat.h"

#include "rewrites/CompatHeader.h"

namespace gilport {

char ProjectCompat::ID;

ProjectCompat::ProjectCompat(CheckContext &Context)
    : Definitions(Context.getSourceManager(), compatHeaderNames()) {}

} // namespace gilport
