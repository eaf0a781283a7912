//===--- DeclarationSafety.cpp --------------------------------------------===//

#include "apply/DeclarationSafety.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <map>

namespace gilport {

namespace {

bool blocksDeclaration(const Finding &F) {
  return F.Fixes.empty() &&
         llvm::is_contained(
             {"gilport-borrowed-ref", "gilport-unlocked-container-access",
              "gilport-unlocked-object-state", "gilport-global-state"},
             F.Check);
}

/// "N findings are left unfixed (a.c:1 [check], ...)" for the reasons.
std::string listBlockers(llvm::ArrayRef<const Finding *> Blockers,
                         llvm::StringRef Where) {
  std::string Text =
      llvm::formatv("{0} finding{1} left unfixed{2} (", Blockers.size(),
                    Blockers.size() == 1 ? " is" : "s are", Where);
  constexpr size_t Listed = 3;
  for (size_t I = 0; I < Blockers.size() && I < Listed; ++I)
    Text += llvm::formatv("{0}{1}:{2} [{3}]", I ? ", " : "",
                          llvm::sys::path::filename(Blockers[I]->File),
                          Blockers[I]->Line, Blockers[I]->Check);
  if (Blockers.size() > Listed)
    Text += ", ...";
  return Text + ")";
}

/// Holds back the declaration fixes among \p UnitFindings for \p Reason.
void holdBackDeclarations(std::vector<Finding> &UnitFindings,
                          const std::string &Reason,
                          std::set<EditLocation> &Withheld) {
  for (Finding &F : UnitFindings) {
    // The declaration fix, and the module-state conversion of
    // gilport-global-state, which declares the module when it completes.
    bool Declaration = F.Check == "gilport-missing-gil-decl";
    if (F.Fixes.empty() ||
        (!Declaration && F.FixesWithoutGilDeclaration.empty()))
      continue;
    // Held back: the places the declaration edits, unless the edits kept
    // without it change the same place.
    std::set<EditLocation> Kept;
    for (const clang::tooling::Replacement &R : F.FixesWithoutGilDeclaration)
      Kept.insert({R.getFilePath().str(), R.getOffset()});
    for (const clang::tooling::Replacement &R : F.Fixes)
      if (!Kept.count({R.getFilePath().str(), R.getOffset()}))
        Withheld.insert({R.getFilePath().str(), R.getOffset()});
    if (F.FixesWithoutGilDeclaration.empty()) {
      F.Fixes.clear();
      F.NoFixReason = Reason;
      continue;
    }
    // The multi-phase conversion is applied without the Py_mod_gil slot.
    F.Fixes = std::move(F.FixesWithoutGilDeclaration);
    F.FixesWithoutGilDeclaration.clear();
    if (!Declaration) {
      FindingNote Note;
      Note.Message = "the module state conversion leaves out the "
                     "'Py_mod_gil' slot: " +
                     Reason;
      F.Notes.push_back(std::move(Note));
      continue;
    }
    F.NoFixReason = "the module is converted to multi-phase init, but its "
                    "'Py_mod_gil' slot is held back: " +
                    Reason;
    FindingNote Note;
    Note.Message = F.NoFixReason;
    F.Notes.push_back(std::move(Note));
  }
}

} // namespace

void applyDeclarationSafetyRule(std::vector<Finding> &UnitFindings,
                                std::set<EditLocation> &Withheld) {
  std::vector<const Finding *> Blockers;
  for (const Finding &F : UnitFindings)
    if (blocksDeclaration(F))
      Blockers.push_back(&F);
  if (Blockers.empty())
    return;
  holdBackDeclarations(UnitFindings,
                       "declaring that the module runs without the GIL would "
                       "be a false promise while " +
                           listBlockers(Blockers, "") +
                           "; use --declare-anyway to declare it regardless",
                       Withheld);
}

std::string buildTargetOf(llvm::StringRef ObjectPath) {
  llvm::SmallVector<llvm::StringRef, 16> Parts;
  ObjectPath.split(Parts, '/');
  for (size_t I = 0; I + 1 < Parts.size(); ++I) {
    bool CMake = I > 0 && Parts[I - 1] == "CMakeFiles" &&
                 Parts[I].ends_with(".dir") && Parts[I].size() > 4;
    bool Meson = Parts[I].ends_with(".p") && Parts[I].size() > 2;
    if (CMake || Meson)
      return llvm::join(llvm::ArrayRef(Parts).take_front(I + 1), "/");
  }
  return {};
}

void applyDeclarationSafetyAcrossUnits(llvm::ArrayRef<RunUnit> Units,
                                       std::set<EditLocation> &Withheld) {
  std::set<std::string> ModuleTargets;
  for (const RunUnit &Unit : Units)
    if (Unit.DefinesModule && !Unit.Target.empty())
      ModuleTargets.insert(Unit.Target);
  // The findings that hold back the modules of one build target ("" when
  // unknown): those of the sources without a module init function that may
  // be part of it. A header's finding comes once from each unit that
  // includes it.
  std::map<std::string, std::vector<const Finding *>> BlockersOf;
  auto blockersOf =
      [&](const std::string &Target) -> const std::vector<const Finding *> & {
    auto [Entry, New] = BlockersOf.try_emplace(Target);
    if (!New)
      return Entry->second;
    std::set<std::string> Seen;
    for (const RunUnit &Unit : Units) {
      bool Known = !Unit.Target.empty() && ModuleTargets.count(Unit.Target);
      if (Unit.DefinesModule || (Known && Unit.Target != Target))
        continue;
      for (const Finding &F : *Unit.Findings)
        if (blocksDeclaration(F) &&
            Seen.insert(F.File + ":" + std::to_string(F.Offset) + F.Check)
                .second)
          Entry->second.push_back(&F);
    }
    return Entry->second;
  };
  for (const RunUnit &Module : Units) {
    if (!Module.DefinesModule)
      continue;
    const std::vector<const Finding *> &Blockers = blockersOf(Module.Target);
    if (Blockers.empty())
      continue;
    holdBackDeclarations(
        *Module.Findings,
        "declaring that the module runs without the GIL would be a false "
        "promise while " +
            listBlockers(Blockers,
                         " in the run's sources that define no module init "
                         "function and may be compiled into this module") +
            "; use --declare-anyway to declare it regardless",
        Withheld);
  }
}

void dropWithheldDeclarations(
    std::vector<Finding> &Findings,
    const std::set<EditLocation> &Withheld) {
  if (Withheld.empty())
    return;
  for (Finding &F : Findings) {
    if (F.Check != "gilport-missing-gil-decl")
      continue;
    auto Shared = llvm::find_if(F.Fixes, [&](const auto &R) {
      return Withheld.count({R.getFilePath().str(), R.getOffset()}) != 0;
    });
    if (Shared == F.Fixes.end())
      continue;
    F.NoFixReason = "the declaration is in '" +
                    llvm::sys::path::filename(Shared->getFilePath()).str() +
                    "', shared with another module whose findings are left "
                    "unfixed; use --declare-anyway to declare it regardless";
    F.Fixes.clear();
  }
}

} // namespace gilport
