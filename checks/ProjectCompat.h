//===--- ProjectCompat.h - The project's own compat definitions --*- C++
//-*-===//
//
// Which of gilport_compat.h's functions and macros the project defines
// itself (a vendored pythoncapi_compat.h), read once per translation unit
// for every check whose fixes may include gilport_compat.h.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_PROJECTCOMPAT_H
#define GILPORT_CHECKS_PROJECTCOMPAT_H

#include "analysis/CompatDefinitions.h"
#include "checks/CheckContext.h"

namespace gilport {

class ProjectCompat : public SharedWork {
public:
  static char ID;
  explicit ProjectCompat(CheckContext &Context);

  CompatDefinitions Definitions;
};

} // namespace gilport

#endif
