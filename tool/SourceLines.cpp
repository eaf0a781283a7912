//===--- SourceLines.cpp --------------------------------------------------===//

#include "tool/SourceLines.h"

namespace gilport {

llvm::StringRef SourceLines::line(const std::string &File, unsigned Line) {
  auto [It, Inserted] = Files.try_emplace(File);
  IndexedFile &Indexed = It->second;
  if (Inserted) {
    auto Buffer =
        Before && Before->count(File)
            ? llvm::MemoryBuffer::getMemBuffer(Before->find(File)->second, File)
            : llvm::MemoryBuffer::getFile(File);
    if (Buffer) {
      Indexed.Buffer = std::move(*Buffer);
      llvm::StringRef Text = Indexed.Buffer->getBuffer();
      Indexed.LineStarts.push_back(0);
      for (size_t I = 0; I < Text.size(); ++I)
        if (Text[I] == '\n')
          Indexed.LineStarts.push_back(I + 1);
    }
  }
  if (!Indexed.Buffer || Line == 0 || Line > Indexed.LineStarts.size())
    return "";
  llvm::StringRef Text = Indexed.Buffer->getBuffer();
  return Text.substr(Indexed.LineStarts[Line - 1])
      .split('\n')
      .first.rtrim("\r");
}

} // namespace gilport
