//===--- UnifiedDiff.cpp --------------------------------------------------===//

#include "apply/UnifiedDiff.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <vector>

namespace gilport {

using clang::tooling::Replacement;
using clang::tooling::Replacements;

namespace {

/// Start offsets of each line of \p Text (a final line without a newline
/// counts as a line).
std::vector<size_t> lineStarts(llvm::StringRef Text) {
  std::vector<size_t> Starts = {0};
  for (size_t I = 0; I < Text.size(); ++I)
    if (Text[I] == '\n' && I + 1 < Text.size())
      Starts.push_back(I + 1);
  return Starts;
}

size_t lineOf(const std::vector<size_t> &Starts, size_t Offset) {
  return std::upper_bound(Starts.begin(), Starts.end(), Offset) -
         Starts.begin() - 1;
}

/// The lines of \p Text, each with its newline.
std::vector<llvm::StringRef> splitLines(llvm::StringRef Text) {
  std::vector<llvm::StringRef> Lines;
  while (!Text.empty()) {
    size_t End = Text.find('\n');
    if (End == llvm::StringRef::npos) {
      Lines.push_back(Text);
      break;
    }
    Lines.push_back(Text.take_front(End + 1));
    Text = Text.drop_front(End + 1);
  }
  return Lines;
}

void writeLine(std::string &Out, char Marker, llvm::StringRef Line) {
  Out += Marker;
  Out += Line.str();
  if (!Line.ends_with("\n"))
    Out += "\n\\ No newline at end of file\n";
}

/// One line of a region's diff: ' ' kept, '-' removed, '+' added.
struct LineOp {
  char Marker;
  std::string Text;
};

/// A line diff of \p Old and \p New (a longest common subsequence), with
/// each run of changes written as its removals, then its additions.
std::vector<LineOp> diffLines(llvm::ArrayRef<llvm::StringRef> Old,
                              llvm::ArrayRef<llvm::StringRef> New) {
  size_t N = Old.size(), M = New.size();
  std::vector<LineOp> Ops;
  // A region is a few lines around each edit; a huge one (a whole file
  // rewritten) is shown as removed and added rather than compared.
  if (N * M > (size_t(1) << 22)) {
    for (llvm::StringRef Line : Old)
      Ops.push_back({'-', Line.str()});
    for (llvm::StringRef Line : New)
      Ops.push_back({'+', Line.str()});
    return Ops;
  }
  // Common[I][J]: the length of the longest common subsequence of Old[I..]
  // and New[J..].
  std::vector<unsigned> Common((N + 1) * (M + 1), 0);
  auto At = [&](size_t I, size_t J) -> unsigned & {
    return Common[I * (M + 1) + J];
  };
  for (size_t I = N; I-- > 0;)
    for (size_t J = M; J-- > 0;)
      At(I, J) = Old[I] == New[J] ? At(I + 1, J + 1) + 1
                                  : std::max(At(I + 1, J), At(I, J + 1));
  std::vector<llvm::StringRef> Removed, Added;
  auto Flush = [&] {
    for (llvm::StringRef Line : Removed)
      Ops.push_back({'-', Line.str()});
    for (llvm::StringRef Line : Added)
      Ops.push_back({'+', Line.str()});
    Removed.clear();
    Added.clear();
  };
  size_t I = 0, J = 0;
  while (I < N || J < M) {
    if (I < N && J < M && Old[I] == New[J]) {
      Flush();
      Ops.push_back({' ', Old[I].str()});
      ++I, ++J;
    } else if (J == M || (I < N && At(I + 1, J) >= At(I, J + 1))) {
      Removed.push_back(Old[I++]);
    } else {
      Added.push_back(New[J++]);
    }
  }
  Flush();
  return Ops;
}

/// A changed region: original lines [First, End) and its diff, which starts
/// and ends with a change.
struct Region {
  size_t First, End;
  std::vector<LineOp> Ops;
  /// The region's new line count minus its old one.
  long growth() const {
    long Growth = 0;
    for (const LineOp &Op : Ops)
      Growth += Op.Marker == '+' ? 1 : Op.Marker == '-' ? -1 : 0;
    return Growth;
  }
};

/// The regions of whole lines the edits touch (edits on touching lines form
/// one region), each compared line by line and trimmed to its changes.
std::vector<Region> changedRegions(llvm::StringRef Before,
                                   const Replacements &Edits) {
  std::vector<size_t> Starts = lineStarts(Before);
  std::vector<llvm::StringRef> OldLines = splitLines(Before);
  std::vector<Region> Regions;
  for (const Replacement &R : Edits) {
    size_t First = lineOf(Starts, R.getOffset());
    size_t EndOffset = R.getOffset() + R.getLength();
    size_t Last = R.getLength() ? lineOf(Starts, EndOffset - 1) : First;
    if (OldLines.empty())
      Last = First = 0;
    if (!Regions.empty() && First <= Regions.back().End) {
      Regions.back().End = std::max(Regions.back().End, Last + 1);
      continue;
    }
    Regions.push_back({First, Last + 1, {}});
  }
  std::vector<Region> Changed;
  for (Region &Reg : Regions) {
    Reg.End = std::min(Reg.End, OldLines.size());
    size_t Begin = OldLines.empty() ? 0 : Starts[Reg.First];
    size_t End = Reg.End < Starts.size() ? Starts[Reg.End] : Before.size();
    Replacements Local;
    for (const Replacement &R : Edits)
      // An insertion at End is at the start of the next line, another
      // region's, unless End is the end of the file.
      if (R.getOffset() >= Begin && R.getOffset() + R.getLength() <= End &&
          !(R.getLength() == 0 && R.getOffset() == End && End != Begin &&
            End != Before.size()))
        llvm::consumeError(
            Local.add(Replacement(R.getFilePath(), R.getOffset() - Begin,
                                  R.getLength(), R.getReplacementText())));
    llvm::Expected<std::string> Text =
        clang::tooling::applyAllReplacements(Before.slice(Begin, End), Local);
    std::string NewText = Text ? *Text : "";
    if (!Text)
      llvm::consumeError(Text.takeError());
    std::vector<llvm::StringRef> NewLines = splitLines(NewText);
    std::vector<LineOp> Ops = diffLines(
        llvm::ArrayRef(OldLines).slice(Reg.First, Reg.End - Reg.First),
        NewLines);
    // Unchanged lines at either end are context, not part of the region.
    size_t Lead = 0, Trail = 0;
    while (Lead < Ops.size() && Ops[Lead].Marker == ' ')
      ++Lead;
    if (Lead == Ops.size())
      continue;
    while (Ops[Ops.size() - 1 - Trail].Marker == ' ')
      ++Trail;
    Region Trimmed{Reg.First + Lead, Reg.End - Trail, {}};
    for (size_t K = Lead; K < Ops.size() - Trail; ++K)
      Trimmed.Ops.push_back(Ops[K]);
    Changed.push_back(std::move(Trimmed));
  }
  return Changed;
}

} // namespace

std::string unifiedDiff(llvm::StringRef Path, llvm::StringRef Before,
                        const Replacements &Edits) {
  constexpr size_t Context = 3;
  std::vector<llvm::StringRef> OldLines = splitLines(Before);
  std::vector<Region> Regions = changedRegions(Before, Edits);
  std::string Out = "--- " + Path.str() + "\n+++ " + Path.str() + "\n";
  long Shift = 0; // new line number minus old line number
  for (size_t I = 0; I < Regions.size();) {
    // Regions whose context windows touch share a hunk.
    size_t J = I;
    while (J + 1 < Regions.size() &&
           Regions[J + 1].First <= Regions[J].End + 2 * Context)
      ++J;
    size_t HunkFirst =
        Regions[I].First > Context ? Regions[I].First - Context : 0;
    size_t HunkEnd = std::min(Regions[J].End + Context, OldLines.size());
    std::string Body;
    size_t OldCount = 0, NewCount = 0;
    size_t Line = HunkFirst;
    long HunkShift = Shift;
    for (size_t K = I; K <= J; ++K) {
      for (; Line < Regions[K].First; ++Line, ++OldCount, ++NewCount)
        writeLine(Body, ' ', OldLines[Line]);
      for (const LineOp &Op : Regions[K].Ops) {
        writeLine(Body, Op.Marker, Op.Text);
        OldCount += Op.Marker != '+';
        NewCount += Op.Marker != '-';
      }
      Line = Regions[K].End;
      Shift += Regions[K].growth();
    }
    for (; Line < HunkEnd; ++Line, ++OldCount, ++NewCount)
      writeLine(Body, ' ', OldLines[Line]);
    size_t OldStart = OldCount ? HunkFirst + 1 : HunkFirst;
    size_t NewStart =
        NewCount ? HunkFirst + 1 + HunkShift : HunkFirst + HunkShift;
    Out += llvm::formatv("@@ -{0},{1} +{2},{3} @@\n", OldStart, OldCount,
                         NewStart, NewCount);
    Out += Body;
    I = J + 1;
  }
  return Out;
}

} // namespace gilport
