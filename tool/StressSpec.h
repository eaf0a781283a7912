//===--- StressSpec.h - `gilport stress --spec` files -----------*- C++ -*-===//
//
// Reads a YAML workload spec with yaml-cpp into the JSON the stress harness
// reads (runtime-shim/harness/gilport_stress.py --spec-json). Nothing here
// throws.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_STRESSSPEC_H
#define GILPORT_TOOL_STRESSSPEC_H

#include <string>

namespace gilport {

/// Whether \p Text is a JSON spec (it starts with `{` or `[`), which the
/// harness reads itself.
bool isJsonSpec(const std::string &Text);

/// The YAML spec \p Text (read from \p Path, which messages name) as JSON:
/// `{"spec": VALUE}`, or `{"error": "PATH:LINE:COL: message"}` when it is not
/// valid YAML. Plain scalars are typed as the harness always typed them:
/// `null`, `~` and nothing are null; `true`/`True` and `false`/`False` are
/// booleans; `[-+]?digits` is an integer; a decimal with a point or an
/// exponent is a float; everything else (quoted scalars, block scalars,
/// `yes`, `TRUE`, `Null`, ...) is a string. Keys of block mappings are their
/// text; keys of flow mappings are what Python's str() makes of the typed
/// key. A key written twice in a block mapping is an error.
std::string stressSpecJson(const std::string &Text, const std::string &Path);

} // namespace gilport

#endif
