//===--- ConstantTableInit.h - A table of constants, initialised -*- C++
//-*-===//
//
// The fix for a static table that init code fills with constants
// (analysis/ConstantTables.h): the stores become the table's initializer,
// with designated initializers, and go from the function:
//
//   static void *module_API[3] = {
//       [0] = (void *)write_bytes,
//       [1] = (void *)write_dict,
//   };
//
// Nothing writes the table any more, so no interpreter or thread races on
// it, and it is filled before any code can read it.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_CONSTANTTABLEINIT_H
#define GILPORT_REWRITES_CONSTANTTABLEINIT_H

#include "analysis/ConstantTables.h"
#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that initialise \p Table with the stores of \p Fill and remove
/// them.
Rewrite initializeConstantTable(const clang::VarDecl &Table,
                                const ConstantTableFill &Fill,
                                clang::ASTContext &Ctx);

} // namespace gilport

#endif
