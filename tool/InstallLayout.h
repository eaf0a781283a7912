//===--- InstallLayout.h - Where gilport's own files are --------*- C++ -*-===//
//
// gilport runs from its build tree or from an installed tree (`cmake
// --install`, the .deb), where the files it needs sit beside the binary:
//
//   <prefix>/bin/gilport
//   <prefix>/lib/gilport/libgilport-shim.so, gilport-shim-functions.json
//   <prefix>/share/gilport/harness/gilport_stress.py, gilport_pytest.py
//     (and their modules)
//   <prefix>/share/gilport/gilport_compat.h
//   <prefix>/share/doc/gilport/checks/*.md
//
// Each lookup takes the installed file when it is there, else the build
// tree's: the shim in <build>/lib, the rest in the source checkout. So an
// installed copy never reads the checkout it was built from.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_INSTALLLAYOUT_H
#define GILPORT_TOOL_INSTALLLAYOUT_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace gilport {

/// A script of the runtime harness (gilport_stress.py, gilport_pytest.py).
std::string harnessScriptPath(llvm::StringRef Script);

/// The stress harness's entry script.
std::string stressHarnessPath();

/// The runtime shim library (which may not exist).
std::string runtimeShimPath();

/// The folder of the checks' documentation pages, ending in '/'.
std::string checkDocsDir();

} // namespace gilport

#endif
