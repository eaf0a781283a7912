//===--- ResultWire.h - A translation unit's results as bytes ---*- C++ -*-===//
//
// Worker processes analyse translation units and send their results to the
// driver through a pipe. This is the byte encoding of one unit's results: a
// private format between two processes of the same binary, never stored.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_RESULTWIRE_H
#define GILPORT_TOOL_RESULTWIRE_H

#include "apply/DeclarationSafety.h"
#include "checks/Analysis.h"

#include "llvm/ADT/StringRef.h"

#include <set>
#include <string>

namespace gilport {

/// What analysing one translation unit gives the driver.
struct UnitOutcome {
  TranslationUnitResult Unit;
  /// Declaration edits the declaration safety rule held back in this unit.
  std::set<EditLocation> Withheld;
};

/// Appends the encoding of \p Outcome to \p Out.
void encodeOutcome(const UnitOutcome &Outcome, std::string &Out);

/// Decodes what encodeOutcome wrote. Returns false on malformed input.
bool decodeOutcome(llvm::StringRef Bytes, UnitOutcome &Outcome);

} // namespace gilport

#endif
