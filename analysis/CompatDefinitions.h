//===--- CompatDefinitions.h - C-API names the project defines ---*- C++
//-*-===//
//
// Many projects already carry their own definitions of the newer C-API for
// older Pythons: a vendored pythoncapi_compat.h, or a few lines of their
// own (`#define Py_BEGIN_CRITICAL_SECTION(op) {`). Including gilport_compat.h
// next to them would define a function twice (an error) or a macro twice (a
// warning). CompatDefinitions reads the project's own files of a
// translation unit once and says which names they define, so that a fix
// relies on them instead.
//
// The definitions usually sit in preprocessor branches for older versions
// (`#if PY_VERSION_HEX < 0x030D00A1`), which are skipped when gilport
// analyses against newer headers, so the text is read, not the AST.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_COMPATDEFINITIONS_H
#define GILPORT_ANALYSIS_COMPATDEFINITIONS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class SourceManager;
} // namespace clang

namespace gilport {

class CompatDefinitions {
public:
  /// Will read the project's files (not system headers) of \p SM's
  /// translation unit for definitions of \p Names (which must outlive it)
  /// on the first question: most units never ask (no fix of theirs needs
  /// the compat header).
  CompatDefinitions(const clang::SourceManager &SM,
                    llvm::ArrayRef<llvm::StringRef> Names)
      : SM(SM), Names(Names) {}

  /// A file of the project that defines \p Name (a function or a macro) for
  /// every includer of \p User: \p User itself or a file it includes; or
  /// empty.
  llvm::StringRef definedFor(llvm::StringRef Name, clang::FileID User) const;

  /// The offset of the start of the line after \p User's `#include` that
  /// brings in a definition of \p Name; none when no file that \p User
  /// includes defines it.
  std::optional<unsigned> afterDefinitionOf(llvm::StringRef Name,
                                            clang::FileID User) const;

  /// A file of the project that defines \p Name in a way another
  /// definition would clash with: a function, or a macro not guarded by
  /// `#ifndef Name`; or empty.
  llvm::StringRef definedUnguardedIn(llvm::StringRef Name) const;

  /// Where the main file may include a header that needs Python.h when it
  /// has no `#include <Python.h>` line of its own: after the include that
  /// brings Python.h in (`#include "project.h"`). The offset of the start of
  /// the next line; none when Python.h is not included through the main
  /// file.
  std::optional<unsigned> afterPythonInclude() const {
    scan();
    return AfterPython;
  }

  /// Whether \p Text defines \p Name: `#define Name`, or a definition or
  /// declaration starting `[static] [inline] type Name(` or `Name(` at the
  /// start of a line. Calls (`x = Name(...)`, `return Name(...)`,
  /// `if (Name(...))`) are not definitions.
  static bool textDefines(llvm::StringRef Text, llvm::StringRef Name) {
    return definitionIn(Text, Name) != Definition::None;
  }

  /// What a fix needs to know of \p File's `#include` lines: whether one
  /// includes gilport_compat.h, and the offset of the line after its first
  /// `#include <Python.h>` (or "Python.h"), if any. Read once per file of
  /// the unit: every fix asks, and a file may be large.
  struct IncludeLines {
    bool CompatHeader = false;
    std::optional<unsigned> AfterPython;
  };
  const IncludeLines &includeLines(clang::FileID File) const;

  enum class Definition { None, GuardedMacro, Unguarded };
  /// How \p Text defines \p Name; a macro is guarded when one of the three
  /// lines before its `#define` is `#ifndef G` or `#if !defined(G)`, for G
  /// \p Name or one of \p Guards (`#ifndef Py_BEGIN_CRITICAL_SECTION` guards
  /// the definition of Py_END_CRITICAL_SECTION after it).
  static Definition definitionIn(llvm::StringRef Text, llvm::StringRef Name,
                                 llvm::ArrayRef<llvm::StringRef> Guards = {});

private:
  /// Reads the files, once.
  void scan() const;
  /// The location in \p User of the `#include` through which \p From is
  /// included (invalid when \p From is \p User); none when it is not.
  std::optional<clang::SourceLocation> includeIn(clang::FileID From,
                                                 clang::FileID User) const;
  /// The offset of the start of the line after \p Loc's.
  unsigned lineAfter(clang::SourceLocation Loc) const;

  struct Place {
    clang::FileID File;
    std::string Path;
  };
  const clang::SourceManager &SM;
  llvm::ArrayRef<llvm::StringRef> Names;
  mutable bool Scanned = false;
  mutable llvm::StringMap<std::vector<Place>> DefinedIn;
  mutable llvm::StringMap<std::string> DefinedUnguardedIn;
  mutable std::optional<unsigned> AfterPython;
  mutable std::map<clang::FileID, IncludeLines> Includes;
};

} // namespace gilport

#endif
