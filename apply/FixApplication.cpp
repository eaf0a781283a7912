//===--- FixApplication.cpp -----------------------------------------------===//

#include "apply/FixApplication.h"
#include "rewrites/CompatHeader.h"

#include "clang/Tooling/DiagnosticsYaml.h"
#include "clang/Tooling/ReplacementsYaml.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace gilport {

using clang::tooling::Replacement;
using clang::tooling::Replacements;

namespace {

/// One edit of a finding, with the finding's index.
struct OwnedEdit {
  const Replacement *Edit;
  size_t Owner;
};

bool sameEdit(const Replacement &A, const Replacement &B) {
  return A.getOffset() == B.getOffset() && A.getLength() == B.getLength() &&
         A.getReplacementText() == B.getReplacementText();
}

/// Whether \p Earlier and \p Later (sorted by offset, insertions first at an
/// offset) cannot both be applied. Identical edits are one shared edit;
/// insertions at one offset compose, in finding order; an insertion touching
/// a replaced range from outside is independent of it.
bool editsConflict(const Replacement &Earlier, const Replacement &Later) {
  if (sameEdit(Earlier, Later))
    return false;
  if (Earlier.getLength() == 0)
    return false; // Later starts at or after the insertion point.
  unsigned EarlierEnd = Earlier.getOffset() + Earlier.getLength();
  if (Later.getLength() == 0)
    return Earlier.getOffset() < Later.getOffset() &&
           Later.getOffset() < EarlierEnd;
  return Later.getOffset() < EarlierEnd;
}

bool editOrder(const OwnedEdit &A, const OwnedEdit &B) {
  return std::make_tuple(A.Edit->getOffset(), A.Edit->getLength(), A.Owner) <
         std::make_tuple(B.Edit->getOffset(), B.Edit->getLength(), B.Owner);
}

/// How many leading characters of \p Text close braces (` }`, `\n  }`):
/// what ends a statement another edit wrapped in braces.
size_t closingBraces(llvm::StringRef Text) {
  size_t End = 0;
  for (size_t I = 0; I < Text.size(); ++I) {
    if (Text[I] == '}')
      End = I + 1;
    else if (!llvm::isSpace(Text[I]))
      break;
  }
  return End;
}

/// Insertions at one offset, in finding order, with every closing brace
/// first: a brace closes the statement it follows, before what other
/// findings add after that statement.
std::string
joinInsertions(llvm::ArrayRef<std::pair<llvm::StringRef, size_t>> Parts) {
  std::string Braces, Rest;
  for (const auto &[Text, Owner] : Parts) {
    size_t N = closingBraces(Text);
    Braces += Text.take_front(N).str();
    Rest += Text.drop_front(N).str();
  }
  return Braces + Rest;
}

/// The edits of the findings that have fixes, combined per file: identical
/// edits once, insertions at one offset as one insertion in finding order.
/// Each combined edit names the first finding that contributed to it.
std::map<std::string, std::vector<OwnedEdit>>
combineEdits(const std::vector<Finding> &Findings,
             std::vector<Replacement> &Storage) {
  std::map<std::string, std::vector<OwnedEdit>> EditsByFile;
  for (size_t I = 0; I < Findings.size(); ++I)
    for (const Replacement &R : Findings[I].Fixes)
      EditsByFile[R.getFilePath().str()].push_back({&R, I});
  std::map<std::string, std::vector<OwnedEdit>> Result;
  size_t Total = 0;
  for (const auto &[Path, Edits] : EditsByFile)
    Total += Edits.size();
  // Pointers into Storage stay valid: it never grows past Total.
  Storage.clear();
  Storage.reserve(Total);
  for (auto &[Path, Edits] : EditsByFile) {
    std::stable_sort(Edits.begin(), Edits.end(), editOrder);
    std::vector<OwnedEdit> &Combined = Result[Path];
    // The parts of the insertion at Combined.back(), with their finding.
    std::vector<std::pair<llvm::StringRef, size_t>> Parts;
    for (const OwnedEdit &E : Edits) {
      const Replacement &R = *E.Edit;
      const Replacement *Last = Combined.empty() ? nullptr : Combined.back().Edit;
      if (Last && R.getLength() == 0 && Last->getLength() == 0 &&
          Last->getOffset() == R.getOffset()) {
        // An insertion shared by several findings (an include) is made once;
        // not a brace: each finding that opens one closes its own.
        llvm::StringRef Text = R.getReplacementText();
        bool Brace = Text.trim() == "{" || Text.trim() == "}";
        if (!Brace && llvm::any_of(Parts, [&](const auto &Part) {
              return Part.second != E.Owner && Part.first == Text;
            }))
          continue;
        Parts.push_back({Text, E.Owner});
        Storage.push_back(
            Replacement(Path, R.getOffset(), 0, joinInsertions(Parts)));
        Combined.back().Edit = &Storage.back();
        continue;
      }
      if (Last && sameEdit(*Last, R))
        continue;
      Combined.push_back(E);
      Parts.assign(1, {R.getReplacementText(), E.Owner});
    }
  }
  return Result;
}

} // namespace

FixPlan planFixes(std::vector<Finding> &Findings) {
  // A finding whose edits cannot be combined with another finding's loses
  // its fix, and so does the other one: keeping either would apply the
  // other one on the next run, so a second run would change the file again.
  std::vector<bool> Conflicting(Findings.size(), false);
  {
    std::map<std::string, std::vector<OwnedEdit>> EditsByFile;
    for (size_t I = 0; I < Findings.size(); ++I)
      for (const Replacement &R : Findings[I].Fixes)
        EditsByFile[R.getFilePath().str()].push_back({&R, I});
    for (auto &[Path, Edits] : EditsByFile) {
      std::stable_sort(Edits.begin(), Edits.end(), editOrder);
      for (size_t J = 1; J < Edits.size(); ++J)
        for (size_t I = 0; I < J; ++I)
          if (editsConflict(*Edits[I].Edit, *Edits[J].Edit)) {
            Conflicting[Edits[I].Owner] = true;
            Conflicting[Edits[J].Owner] = true;
          }
    }
  }
  for (size_t I = 0; I < Findings.size(); ++I) {
    if (!Conflicting[I])
      continue;
    Findings[I].Fixes.clear();
    Findings[I].NoFixReason =
        "its edits overlap the fix of another finding, so neither is applied; "
        "fix one of them by hand";
  }

  FixPlan Plan;
  std::vector<Replacement> Storage;
  for (const auto &[Path, Edits] : combineEdits(Findings, Storage)) {
    Replacements Planned;
    for (const OwnedEdit &E : Edits)
      // Cannot fail: no edits conflict and each offset has one insertion.
      if (llvm::Error Err = Planned.add(*E.Edit))
        llvm::consumeError(std::move(Err));
    if (!Planned.empty())
      Plan.EditsByFile[Path] = std::move(Planned);
  }
  for (const Finding &F : Findings)
    Plan.FixedFindings += F.fixAvailable();
  return Plan;
}

namespace {

/// Whether most lines of \p Content end in CRLF.
bool mostlyCrlf(llvm::StringRef Content) {
  size_t Crlf = Content.count("\r\n");
  return Crlf > Content.count('\n') - Crlf;
}

/// \p Text with each line feed not already after a carriage return made CRLF.
std::string withCrlf(llvm::StringRef Text) {
  std::string Result;
  Result.reserve(Text.size() + Text.count('\n'));
  for (size_t I = 0; I < Text.size(); ++I) {
    if (Text[I] == '\n' && (I == 0 || Text[I - 1] != '\r'))
      Result += '\r';
    Result += Text[I];
  }
  return Result;
}

/// A deletion that leaves only indentation on its CRLF lines, widened to the
/// whole lines and their last "\r\n", as the rewrites widen one before a
/// bare "\n" (wholeStatementLines in analysis/SourceRanges).
std::pair<unsigned, unsigned> wholeCrlfLine(llvm::StringRef Content,
                                            unsigned Offset, unsigned Length) {
  auto Blank = [&](size_t I) {
    return Content[I] == ' ' || Content[I] == '\t';
  };
  unsigned Start = Offset, End = Offset + Length;
  if (End > Content.size())
    return {Offset, Length};
  while (Start > 0 && Blank(Start - 1))
    --Start;
  while (End < Content.size() && Blank(End))
    ++End;
  if ((Start > 0 && Content[Start - 1] != '\n') ||
      Content.substr(End, 2) != "\r\n")
    return {Offset, Length};
  return {Start, End + 2 - Start};
}

/// Whether \p Content, as fixed, includes gilport_compat.h.
bool includesCompat(llvm::StringRef Content) {
  std::string Include = ("#include \"" + CompatHeaderName + "\"").str();
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Content.split(Lines, '\n');
  return llvm::any_of(
      Lines, [&](llvm::StringRef Line) { return Line.trim() == Include; });
}

/// Why a file that needs the compat header at \p Header is not written.
std::string needsHeader(llvm::StringRef Header, llvm::StringRef Problem) {
  return ("it needs " + CompatHeaderName + ", which cannot be written to '" +
          Header + "': " + Problem)
      .str();
}

/// The first words of every gilport_compat.h gilport has written.
constexpr llvm::StringLiteral CompatHeaderMark =
    "/* gilport_compat.h: written by gilport";

} // namespace

void matchLineEndings(std::vector<Finding> &Findings) {
  // The content of each file whose edits need CRLF (none for the others).
  std::map<std::string, std::optional<std::string>> CrlfFiles;
  for (Finding &F : Findings)
    for (Replacement &R : F.Fixes) {
      auto [It, New] = CrlfFiles.try_emplace(R.getFilePath().str());
      if (New)
        if (auto Buffer =
                llvm::MemoryBuffer::getFile(R.getFilePath(), /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false))
          if (mostlyCrlf((*Buffer)->getBuffer()))
            It->second = (*Buffer)->getBuffer().str();
      if (!It->second)
        continue;
      llvm::StringRef Content = *It->second;
      unsigned Offset = R.getOffset(), Length = R.getLength();
      // An insertion at the end of a line goes before its "\r\n", not
      // between the two.
      if (Length == 0 && Offset > 0 && Offset < Content.size() &&
          Content.substr(Offset - 1, 2) == "\r\n")
        --Offset;
      if (Length != 0 && R.getReplacementText().empty())
        std::tie(Offset, Length) = wholeCrlfLine(Content, Offset, Length);
      R = Replacement(R.getFilePath(), Offset, Length,
                      withCrlf(R.getReplacementText()));
    }
}

std::string compatHeaderPath(llvm::StringRef FixedFile,
                             llvm::StringRef Requested) {
  if (!Requested.empty())
    return Requested.str();
  // The header goes beside the file the fixed content is in.
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(FixedFile, Real))
    Real = FixedFile;
  llvm::SmallString<256> Path(llvm::sys::path::parent_path(Real));
  llvm::sys::path::append(Path, CompatHeaderName);
  return std::string(Path);
}

bool isOwnCompatHeader(llvm::StringRef Content) {
  return Content.starts_with(CompatHeaderMark);
}

std::vector<FileOutcome>
applyPlan(const FixPlan &Plan, const llvm::StringMap<uint64_t> &ParsedHashes,
          llvm::StringRef CompatHeader) {
  assert(isOwnCompatHeader(compatHeaderText()) &&
         "gilport_compat.h must carry the mark that tells it is gilport's");
  std::vector<FileOutcome> Outcomes;
  // Per outcome: the fixed content, and the header it needs (or empty).
  std::vector<std::string> Fixed, HeaderOf;
  // Per header: its staged content (unstaged when up to date), or why it
  // cannot be written.
  std::map<std::string, StagedFile> Headers;
  std::map<std::string, std::string> HeaderProblems;
  for (const auto &[Path, Edits] : Plan.EditsByFile) {
    FileOutcome &Outcome = Outcomes.emplace_back();
    Outcome.Path = Path;
    Fixed.emplace_back();
    HeaderOf.emplace_back();
    auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!Buffer) {
      Outcome.Problem = "cannot read the file: " + Buffer.getError().message();
      continue;
    }
    llvm::StringRef Content = (*Buffer)->getBuffer();
    auto Parsed = ParsedHashes.find(Path);
    if (Parsed == ParsedHashes.end() || Parsed->second != contentHash(Content)) {
      Outcome.Problem = "the file changed on disk after it was analysed; it "
                        "was not written";
      continue;
    }
    llvm::Expected<std::string> Result =
        clang::tooling::applyAllReplacements(Content, Edits);
    if (!Result) {
      Outcome.Problem =
          "cannot apply the edits: " + llvm::toString(Result.takeError());
      continue;
    }
    Outcome.Before = Content.str();
    Fixed.back() = std::move(*Result);
    if (includesCompat(Fixed.back()))
      HeaderOf.back() = compatHeaderPath(Path, CompatHeader);
  }

  // The headers first: a source that includes a header that is not there
  // does not build, and a later run would not see why.
  for (const std::string &Header : HeaderOf) {
    if (Header.empty() || Headers.count(Header) || HeaderProblems.count(Header))
      continue;
    std::optional<uint64_t> ExistingHash;
    if (llvm::sys::fs::exists(Header)) {
      auto Existing = llvm::MemoryBuffer::getFile(
          Header, /*IsText=*/false, /*RequiresNullTerminator=*/false);
      if (!Existing) {
        HeaderProblems[Header] =
            "cannot read the file there: " + Existing.getError().message();
        continue;
      }
      llvm::StringRef Text = (*Existing)->getBuffer();
      if (Text == compatHeaderText()) {
        Headers[Header]; // Up to date: nothing to write.
        continue;
      }
      if (!isOwnCompatHeader(Text)) {
        HeaderProblems[Header] =
            "the file there was not written by gilport, and gilport does not "
            "overwrite it (rename it, or pass --compat-header=PATH)";
        continue;
      }
      ExistingHash = contentHash(Text);
    }
    std::string Error;
    if (!Headers[Header].stage(Header, compatHeaderText(), ExistingHash,
                               Error)) {
      Headers.erase(Header);
      HeaderProblems[Header] = Error;
    }
  }

  std::vector<StagedFile> Sources(Outcomes.size());
  for (size_t I = 0; I < Outcomes.size(); ++I) {
    FileOutcome &Outcome = Outcomes[I];
    if (!Outcome.Problem.empty())
      continue;
    auto HeaderProblem = HeaderProblems.find(HeaderOf[I]);
    if (HeaderProblem != HeaderProblems.end()) {
      Outcome.Problem = needsHeader(HeaderOf[I], HeaderProblem->second);
      continue;
    }
    Sources[I].stage(Outcome.Path, Fixed[I], ParsedHashes.lookup(Outcome.Path),
                     Outcome.Problem);
  }

  // Everything is staged; the renames are made together, and an interrupt
  // waits for them.
  InterruptsDeferred Deferred;
  for (auto &[Header, File] : Headers) {
    bool Needed = false;
    for (size_t I = 0; I < Outcomes.size(); ++I)
      Needed |= HeaderOf[I] == Header && Sources[I].staged();
    std::string Error;
    if (!File.staged() || !Needed || File.commit(Error))
      continue;
    for (size_t I = 0; I < Outcomes.size(); ++I)
      if (HeaderOf[I] == Header && Sources[I].staged()) {
        Sources[I].discard();
        Outcomes[I].Problem = needsHeader(Header, Error);
      }
  }
  for (size_t I = 0; I < Outcomes.size(); ++I)
    if (Sources[I].staged())
      Outcomes[I].Written = Sources[I].commit(Outcomes[I].Problem);
  for (FileOutcome &Outcome : Outcomes)
    if (!Outcome.Written)
      Outcome.Before.clear();
  return Outcomes;
}

void writeExportedFixes(llvm::raw_ostream &OS,
                        const std::vector<Finding> &Findings,
                        llvm::StringRef MainSourceFile) {
  clang::tooling::TranslationUnitDiagnostics Export;
  Export.MainSourceFile = MainSourceFile.str();
  // Each combined edit goes with the first finding that made it: an edit
  // shared by several findings (an include) is exported once, and insertions
  // at one offset as one, since clang-apply-replacements rejects insertions
  // at one offset whose order matters.
  std::vector<Replacement> Storage;
  std::map<size_t, std::vector<const Replacement *>> EditsOfFinding;
  for (const auto &[Path, Edits] : combineEdits(Findings, Storage))
    for (const OwnedEdit &E : Edits)
      EditsOfFinding[E.Owner].push_back(E.Edit);
  for (size_t I = 0; I < Findings.size(); ++I) {
    const Finding &F = Findings[I];
    if (F.Fixes.empty())
      continue;
    clang::tooling::Diagnostic D;
    D.DiagnosticName = F.Check;
    D.DiagLevel = F.Level == Severity::Error ? clang::tooling::Diagnostic::Error
                                             : clang::tooling::Diagnostic::Warning;
    D.Message.Message = F.Message;
    D.Message.FilePath = F.File;
    D.Message.FileOffset = F.Offset;
    for (const Replacement *R : EditsOfFinding[I])
      llvm::consumeError(D.Message.Fix[R->getFilePath()].add(*R));
    Export.Diagnostics.push_back(std::move(D));
  }
  llvm::yaml::Output YAML(OS);
  YAML << Export;
}

} // namespace gilport
