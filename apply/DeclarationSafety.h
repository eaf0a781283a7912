//===--- DeclarationSafety.h - When a module may promise no GIL -*- C++ -*-===//
//
// Declaring Py_MOD_GIL_NOT_USED is a promise. Its fix is kept only when no
// borrowed-reference, unlocked-container or global-state finding of the same
// translation unit, or of a source of the run that has no module init
// function of its own, is left without a fix. A finding that offers the same
// edits without the declaration (Finding::FixesWithoutGilDeclaration: the
// single-phase to multi-phase conversion) keeps those instead, with a note.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_APPLY_DECLARATIONSAFETY_H
#define GILPORT_APPLY_DECLARATIONSAFETY_H

#include "checks/Finding.h"

#include "llvm/ADT/ArrayRef.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gilport {

/// Where an edit starts: its file and offset. Modules that share a header
/// can ask for different declaration text at the same place.
using EditLocation = std::pair<std::string, unsigned>;

/// Applies the rule to the findings of one translation unit. The declaration
/// edits it holds back are added to \p Withheld.
void applyDeclarationSafetyRule(
    std::vector<Finding> &UnitFindings,
    std::set<EditLocation> &Withheld);

/// One analysed translation unit of a run.
struct RunUnit {
  /// It defines a module init function (TranslationUnitResult).
  bool DefinesModule;
  std::vector<Finding> *Findings;
  /// The build target its object file belongs to, when the compile
  /// command's output path names one (buildTargetOf); empty otherwise.
  std::string Target;
  /// It defines a module that several interpreters may load
  /// (TranslationUnitResult).
  bool LoadableByInterpreters = false;
  /// The functions with external linkage it calls only at init, and those
  /// it calls otherwise (TranslationUnitResult, which outlives this).
  llvm::ArrayRef<std::string> CalledAtInit;
  llvm::ArrayRef<std::string> CalledAtRunTime;
};

/// The build target in an object file's path, as CMake and Meson name it:
/// `.../CMakeFiles/<target>.dir/...` and `.../<target>.p/...` (everything up
/// to that directory, so that two subprojects' targets differ); empty when
/// the path names none (setuptools, hand-written databases).
std::string buildTargetOf(llvm::StringRef ObjectPath);

/// The rule across the units of one run: a source without a module init
/// function is compiled into some module of the run. When its object file
/// and a module's name the same build target, it belongs to that module;
/// otherwise the compile database does not say which, and its findings left
/// without a fix hold back the declaration of every module of the run.
void applyDeclarationSafetyAcrossUnits(llvm::ArrayRef<RunUnit> Units,
                                       std::set<EditLocation> &Withheld);

/// A declaration can sit in a header shared by several modules (one slots
/// array for a family of modules). Declaring it for one declares it for
/// all, so a fix that makes an edit held back in another translation unit
/// is dropped too.
void dropWithheldDeclarations(
    std::vector<Finding> &Findings,
    const std::set<EditLocation> &Withheld);

} // namespace gilport

#endif
