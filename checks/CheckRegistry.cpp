//===--- CheckRegistry.cpp - Registers every check from Checks.def --------===//

#include "checks/CheckRegistry.h"

#include "checks/BorrowedRefCheck.h"
#include "checks/FreeThreadedAbiCheck.h"
#include "checks/GlobalStateCheck.h"
#include "checks/MissingGilDeclCheck.h"
#include "checks/ObjectAllocatorCheck.h"
#include "checks/UnlockedContainerAccessCheck.h"
#include "checks/UnlockedObjectStateCheck.h"

namespace gilport {
namespace {

#include "CheckDocs.inc" // generated: checkDocumentation(Name)

template <typename CheckT>
std::unique_ptr<GilportCheck> create(CheckContext &Context) {
  return std::make_unique<CheckT>(Context);
}

const CheckInfo Registry[] = {
#define GILPORT_CHECK(Name, Class, Summary)                                    \
  {Name, Summary, Class::options(), &create<Class>, checkDocumentation(Name)},
#include "checks/Checks.def"
#undef GILPORT_CHECK
};

} // namespace

llvm::ArrayRef<CheckInfo> allChecks() { return Registry; }

const CheckInfo *findCheck(llvm::StringRef Name) {
  for (const CheckInfo &Info : Registry)
    if (Info.Name == Name)
      return &Info;
  return nullptr;
}

} // namespace gilport
