//===--- HeaderSets.h - Python headers without an interpreter ---*- C++ -*-===//
//
// `--target-python=3.14|3.15` analyses against the headers of a Python that
// cannot be built here: Debian's libpython3.X-dev, which
// scripts/fetch-python-headers.sh extracts to <cache>/headers/python3.X.
// Their pyconfig.h leaves Py_GIL_DISABLED undefined (Debian's default build
// has the GIL), so the free-threaded view is asked for with
// -DPy_GIL_DISABLED=1.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_HEADERSETS_H
#define GILPORT_TOOL_HEADERSETS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace gilport {

struct HeaderSet {
  /// "3.14".
  std::string Version;
  /// The folder of Python.h.
  std::string IncludeDir;
  /// The folder that Debian's multiarch pyconfig.h is found from
  /// (usr/include), or empty when Python.h's folder has pyconfig.h itself.
  std::string ConfigDir;
  /// The Debian package file it came from, as the fetch script recorded it.
  std::string Package;
};

/// The extracted header set of Python \p Version, if there is one.
std::optional<HeaderSet> findHeaderSet(llvm::StringRef Version);

/// Every extracted header set, oldest version first.
std::vector<HeaderSet> headerSets();

/// The compiler arguments that analyse against \p Set's free-threaded view:
/// its two include folders, Py_GIL_DISABLED, and for 3.15 the declarations
/// of the APIs it removed (a header gilport writes into the cache).
/// Empty, with \p Error set, when the declarations cannot be written.
std::vector<std::string> headerSetArgs(const HeaderSet &Set,
                                       std::string &Error);

} // namespace gilport

#endif
