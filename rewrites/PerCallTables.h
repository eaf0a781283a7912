//===--- PerCallTables.h - Static tables keyed by a flag, made per call -*- C++
//-*-===//
//
// The fix for function-static tables refilled when their key changes
// (analysis/StaticCaches.h, FlagKind::Key): the tables become automatic
// variables, the flag goes, and the fill runs on every call:
//
//   static char count_table[256];        char count_table[256];
//   static int setup = -1;          =>   ...
//   if (setup != a->endian) {            setup_table(count_table, ...);
//       setup_table(count_table, ...);
//       setup = a->endian;
//   }
//
// A table the fill is not shown to write whole starts zeroed (`= {0}`), as
// the static did.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_PERCALLTABLES_H
#define GILPORT_REWRITES_PERCALLTABLES_H

#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
} // namespace clang

namespace gilport {

struct StaticCache;

/// The edits that fill \p Cache's tables on every call.
Rewrite fillTablesPerCall(const StaticCache &Cache, clang::ASTContext &Ctx);

} // namespace gilport

#endif
