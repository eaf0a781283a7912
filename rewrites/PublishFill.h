//===--- PublishFill.h - First-use fills published under a PyMutex -*- C++
//-*-===//
//
// The fix for function-static objects filled on first use by code that may
// run Python code (analysis/PublishedFills.h): the static becomes
// `<name>_cache`, a local takes the old name, so the fill and every later
// use stay as written, and the value made is published under a new static
// PyMutex, the first value winning.
//
// PyMutex is Python 3.13's; gilport_compat.h defines a lock that does
// nothing for older versions, whose GIL already serialises the code.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_PUBLISHFILL_H
#define GILPORT_REWRITES_PUBLISHFILL_H

#include "analysis/PublishedFills.h"
#include "rewrites/Rewrite.h"

namespace clang {
class ASTContext;
class VarDecl;
} // namespace clang

namespace gilport {

/// The edits that publish \p Fill, the first-use fill of \p Var.
Rewrite publishFill(const PublishableFill &Fill, const clang::VarDecl &Var,
                    clang::ASTContext &Ctx);

} // namespace gilport

#endif
