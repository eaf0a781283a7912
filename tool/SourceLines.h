//===--- SourceLines.h - Lines of the analysed files ------------*- C++ -*-===//
//
// The text of a finding's line: the snippet under a diagnostic, and the line
// a finding's identity (FindingIdentity.h) is made of.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_SOURCELINES_H
#define GILPORT_TOOL_SOURCELINES_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace gilport {

/// Reads each file once, on first use, and indexes its lines.
class SourceLines {
public:
  /// \p Before: files a fix rewrote, as they were analysed (their findings'
  /// lines are these, not the rewritten ones); may be null.
  explicit SourceLines(const llvm::StringMap<std::string> *Before = nullptr)
      : Before(Before) {}

  /// 1-based \p Line of \p File without its line ending; "" when the file
  /// cannot be read or is shorter.
  llvm::StringRef line(const std::string &File, unsigned Line);

private:
  struct IndexedFile {
    std::unique_ptr<llvm::MemoryBuffer> Buffer;
    std::vector<size_t> LineStarts;
  };
  const llvm::StringMap<std::string> *Before;
  llvm::StringMap<IndexedFile> Files;
};

} // namespace gilport

#endif
