//===--- Finding.h - One diagnostic produced by a check ---------*- C++ -*-===//

#ifndef GILPORT_CHECKS_FINDING_H
#define GILPORT_CHECKS_FINDING_H

#include "clang/Tooling/Core/Replacement.h"

#include <string>
#include <tuple>
#include <vector>

namespace gilport {

enum class Severity { Warning, Error };

struct FindingNote {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
  std::string Message;
};

/// A finding, detached from any SourceManager so it can outlive its
/// translation unit and be merged across translation units.
struct Finding {
  std::string Check;
  Severity Level = Severity::Warning;
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
  unsigned Offset = 0;
  std::string Message;
  /// The qualified name of the function whose definition holds the finding;
  /// empty at file scope. Part of the identity a baseline and SARIF's
  /// partialFingerprints use, which must not change when lines move.
  std::string Function;
  std::vector<FindingNote> Notes;
  /// The edits that fix this finding; empty when there is no automatic fix.
  std::vector<clang::tooling::Replacement> Fixes;
  /// An alternative to Fixes without the `Py_mod_gil` declaration, used by
  /// the declaration safety rule instead of dropping every edit (the
  /// single-phase to multi-phase conversion of gilport-missing-gil-decl).
  std::vector<clang::tooling::Replacement> FixesWithoutGilDeclaration;
  /// Why there is no automatic fix (empty when there is one, or when the
  /// check offers none for this kind of finding).
  std::string NoFixReason;
  /// Reported only because other interpreters may share the state, by a
  /// unit that defines no module init function and so does not know what
  /// its module declares; the run drops it when it knows the modules
  /// (apply/InterpreterSharing.h).
  bool SharedIfModuleAllows = false;
  /// With SharedIfModuleAllows: the functions, defined in its unit and
  /// called from other sources, that write the state; the run drops the
  /// finding only if those sources call them only while a module
  /// initialises (TranslationUnitResult::CalledAtInit).
  std::vector<std::string> WrittenOnlyBy;

  bool fixAvailable() const { return !Fixes.empty(); }

  /// Identity used to report a finding in a header only once.
  auto key() const { return std::tie(File, Offset, Check, Message); }
  bool operator<(const Finding &Other) const {
    return std::tie(File, Line, Column, Check, Message) <
           std::tie(Other.File, Other.Line, Other.Column, Other.Check,
                    Other.Message);
  }
};

} // namespace gilport

#endif
