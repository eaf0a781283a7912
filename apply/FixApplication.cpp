//===--- FixApplication.cpp -----------------------------------------------===//

#include "apply/FixApplication.h"

#include "clang/Tooling/DiagnosticsYaml.h"
#include "clang/Tooling/ReplacementsYaml.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cerrno>
#include <set>
#include <tuple>
#include <unistd.h>

namespace gilport {

using clang::tooling::Replacement;
using clang::tooling::Replacements;

uint64_t contentHash(llvm::StringRef Content) {
  return llvm::xxh3_64bits(Content);
}

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
        // An insertion shared by several findings (an include) is made once.
        if (llvm::any_of(Parts, [&](const auto &Part) {
              return Part.second != E.Owner &&
                     Part.first == R.getReplacementText();
            }))
          continue;
        Parts.push_back({R.getReplacementText(), E.Owner});
        Storage.push_back(Replacement(
            Path, R.getOffset(), 0,
            (Last->getReplacementText() + R.getReplacementText()).str()));
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

bool writeFileAtomically(llvm::StringRef Path, llvm::StringRef Content,
                         std::string &Error) {
  // Write through symlinks to the file they name.
  llvm::SmallString<256> Target;
  if (llvm::sys::fs::real_path(Path, Target)) {
    Error = "cannot resolve the path";
    return false;
  }
  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(Target, Status)) {
    Error = EC.message();
    return false;
  }
  llvm::SmallString<256> Model(Target);
  Model += ".gilport-%%%%%%.tmp";
  llvm::SmallString<256> Temporary;
  int FD;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(
          Model, FD, Temporary, llvm::sys::fs::OF_None,
          Status.permissions())) {
    Error = "cannot create a temporary file: " + EC.message();
    return false;
  }
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Content;
    OS.flush();
    if (OS.has_error()) {
      Error = "cannot write the temporary file: " + OS.error().message();
      OS.clear_error();
      llvm::sys::fs::remove(Temporary);
      return false;
    }
  }
  // createUniqueFile honours the umask; restore the original mode exactly.
  llvm::sys::fs::setPermissions(Temporary, Status.permissions());
  // The new file is ours; give it back to the original's owner and group
  // (a fix run as root must not re-own the user's files). Where that is not
  // allowed, nothing is written.
  if (::chown(Temporary.c_str(), Status.getUser(), Status.getGroup()) != 0) {
    Error = "cannot keep the file's owner and group: " +
            std::error_code(errno, std::generic_category()).message();
    llvm::sys::fs::remove(Temporary);
    return false;
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temporary, Target)) {
    Error = "cannot replace the file: " + EC.message();
    llvm::sys::fs::remove(Temporary);
    return false;
  }
  return true;
}

std::vector<FileOutcome>
applyPlan(const FixPlan &Plan, const llvm::StringMap<uint64_t> &ParsedHashes) {
  std::vector<FileOutcome> Outcomes;
  for (const auto &[Path, Edits] : Plan.EditsByFile) {
    FileOutcome Outcome;
    Outcome.Path = Path;
    auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!Buffer) {
      Outcome.Problem = "cannot read the file: " + Buffer.getError().message();
      Outcomes.push_back(std::move(Outcome));
      continue;
    }
    llvm::StringRef Content = (*Buffer)->getBuffer();
    auto Parsed = ParsedHashes.find(Path);
    if (Parsed == ParsedHashes.end() || Parsed->second != contentHash(Content)) {
      Outcome.Problem = "the file changed on disk after it was analysed; it "
                        "was not written";
      Outcomes.push_back(std::move(Outcome));
      continue;
    }
    llvm::Expected<std::string> Fixed =
        clang::tooling::applyAllReplacements(Content, Edits);
    if (!Fixed) {
      Outcome.Problem = "cannot apply the edits: " +
                        llvm::toString(Fixed.takeError());
    } else if (!writeFileAtomically(Path, *Fixed, Outcome.Problem)) {
      // Problem already set.
    } else {
      Outcome.Written = true;
      Outcome.Before = Content.str();
    }
    Outcomes.push_back(std::move(Outcome));
  }
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
