//===--- CompatHeader.cpp -------------------------------------------------===//
//
// The definitions follow the documented contracts of the 3.13 C API
// (Doc/c-api/dict.rst, list.rst, weakref.rst, import.rst, init.rst) on top
// of the borrowed-reference APIs that older versions have.
//
//===----------------------------------------------------------------------===//

#include "rewrites/CompatHeader.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Path.h"

#include <utility>

namespace gilport {

namespace {

constexpr llvm::StringLiteral HeaderText =
    R"gilport(/* gilport_compat.h: written by gilport; do not edit (gilport rewrites it).
 *
 * The strong-reference C-API functions, the critical-section macros and
 * PyMutex of Python 3.13, for the older versions that lack them. On versions that have
 * them, this header defines nothing. On those older versions every build has
 * a GIL, so the borrowed APIs used below are safe there and the critical
 * sections are plain blocks. A pythoncapi_compat.h included before this
 * header provides the functions and the macros itself; only PyMutex, which
 * it lacks, comes from here then.
 */
#ifndef GILPORT_COMPAT_H
#define GILPORT_COMPAT_H

#include <Python.h>

/* NOLINTBEGIN(gilport-*): these emulations only exist on GIL builds. */

/* PyDict_GetItemRef, PyDict_GetItemStringRef, PyWeakref_GetRef and
 * PyImport_AddModuleRef: Python 3.13.0a1. */
#if PY_VERSION_HEX < 0x030D00A1 && !defined(PYTHONCAPI_COMPAT)
static inline int
PyDict_GetItemRef(PyObject *mp, PyObject *key, PyObject **result)
{
    PyObject *item = PyDict_GetItemWithError(mp, key);
    if (item != NULL) {
        Py_INCREF(item);
        *result = item;
        return 1;
    }
    *result = NULL;
    return PyErr_Occurred() ? -1 : 0;
}

static inline int
PyDict_GetItemStringRef(PyObject *mp, const char *key, PyObject **result)
{
    int rc;
    PyObject *key_obj = PyUnicode_FromString(key);
    if (key_obj == NULL) {
        *result = NULL;
        return -1;
    }
    rc = PyDict_GetItemRef(mp, key_obj, result);
    Py_DECREF(key_obj);
    return rc;
}

static inline int
PyWeakref_GetRef(PyObject *ref, PyObject **pobj)
{
    PyObject *obj;
    if (ref == NULL || !PyWeakref_Check(ref)) {
        *pobj = NULL;
        PyErr_SetString(PyExc_TypeError, "expected a weakref");
        return -1;
    }
    obj = PyWeakref_GetObject(ref);
    if (obj == NULL) {
        *pobj = NULL;
        return -1;
    }
    if (obj == Py_None) {
        /* The referent is dead. */
        *pobj = NULL;
        return 0;
    }
    Py_INCREF(obj);
    *pobj = obj;
    return 1;
}

static inline PyObject *
PyImport_AddModuleRef(const char *name)
{
    PyObject *module = PyImport_AddModule(name);
    Py_XINCREF(module);
    return module;
}
#endif

/* PyList_GetItemRef and PyDict_SetDefaultRef: Python 3.13 (present in
 * 3.13.0b1). */
#if PY_VERSION_HEX < 0x030D00B1 && !defined(PYTHONCAPI_COMPAT)
static inline PyObject *
PyList_GetItemRef(PyObject *op, Py_ssize_t index)
{
    PyObject *item;
    if (!PyList_Check(op)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    item = PyList_GetItem(op, index);
    Py_XINCREF(item);
    return item;
}

#ifndef Py_LIMITED_API
/* PyDict_SetDefault is not part of the limited API. */
static inline int
PyDict_SetDefaultRef(PyObject *mp, PyObject *key, PyObject *default_value,
                     PyObject **result)
{
    PyObject *value;
    int present;
    if (!PyDict_Check(mp)) {
        PyErr_BadInternalCall();
        if (result != NULL) {
            *result = NULL;
        }
        return -1;
    }
    present = PyDict_Contains(mp, key);
    if (present < 0) {
        if (result != NULL) {
            *result = NULL;
        }
        return -1;
    }
    value = PyDict_SetDefault(mp, key, default_value);
    if (value == NULL) {
        if (result != NULL) {
            *result = NULL;
        }
        return -1;
    }
    if (result != NULL) {
        Py_INCREF(value);
        *result = value;
    }
    return present ? 1 : 0;
}
#endif /* !Py_LIMITED_API */
#endif

/* Critical sections: Python 3.13. With a GIL they are plain blocks. */
#ifndef Py_BEGIN_CRITICAL_SECTION
#define Py_BEGIN_CRITICAL_SECTION(op) {
#define Py_END_CRITICAL_SECTION() }
#define Py_BEGIN_CRITICAL_SECTION2(a, b) {
#define Py_END_CRITICAL_SECTION2() }
#endif

/* PyMutex: Python 3.13. With a GIL, the code it guards (a first-use fill
 * that runs no Python code) already runs in one thread at a time. */
#if PY_VERSION_HEX < 0x030D0000
typedef struct {
    unsigned char _unused;
} PyMutex;
static inline void PyMutex_Lock(PyMutex *m) { (void)m; }
static inline void PyMutex_Unlock(PyMutex *m) { (void)m; }
#endif

/* NOLINTEND(gilport-*) */

#endif /* GILPORT_COMPAT_H */
)gilport";

} // namespace

llvm::StringRef compatHeaderText() { return HeaderText; }

std::optional<clang::FixItHint>
compatIncludeInsertion(const clang::SourceManager &SM, clang::FileID File,
                       const CompatDefinitions &Project,
                       std::optional<unsigned> Fallback,
                       std::optional<unsigned> NotBefore) {
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return std::nullopt;
  const CompatDefinitions::IncludeLines &Lines = Project.includeLines(File);
  if (Lines.CompatHeader)
    return std::nullopt;
  std::optional<size_t> InsertAt = Lines.AfterPython;
  if (!InsertAt)
    InsertAt = Fallback;
  if (InsertAt && NotBefore && *InsertAt < *NotBefore)
    InsertAt = *NotBefore;
  if (!InsertAt || *InsertAt > Buffer.size() ||
      (*InsertAt == Buffer.size() && !Buffer.ends_with("\n")))
    return std::nullopt;
  clang::SourceLocation Loc =
      SM.getLocForStartOfFile(File).getLocWithOffset(*InsertAt);
  return clang::FixItHint::CreateInsertion(
      Loc, "#include \"gilport_compat.h\"\n");
}

bool needsCompatHeader(llvm::StringRef MinimumPython, unsigned Major,
                       unsigned Minor) {
  auto [MajorText, MinorText] = MinimumPython.split('.');
  unsigned MinMajor = 3, MinMinor = 9;
  if (MajorText.getAsInteger(10, MinMajor) ||
      MinorText.getAsInteger(10, MinMinor)) {
    MinMajor = 3;
    MinMinor = 9;
  }
  return std::make_pair(MinMajor, MinMinor) < std::make_pair(Major, Minor);
}

llvm::ArrayRef<llvm::StringRef> compatHeaderNames() {
  static const llvm::StringRef Names[] = {"PyDict_GetItemRef",
                                          "PyDict_GetItemStringRef",
                                          "PyWeakref_GetRef",
                                          "PyImport_AddModuleRef",
                                          "PyList_GetItemRef",
                                          "PyDict_SetDefaultRef",
                                          "Py_BEGIN_CRITICAL_SECTION",
                                          "Py_END_CRITICAL_SECTION",
                                          "Py_BEGIN_CRITICAL_SECTION2",
                                          "Py_END_CRITICAL_SECTION2",
                                          "PyMutex",
                                          "PyMutex_Lock",
                                          "PyMutex_Unlock",
                                          VendoredCompatGuard};
  return Names;
}

namespace {

/// What gilport_compat.h leaves to a pythoncapi_compat.h included before
/// it: the functions, but not PyMutex, which pythoncapi_compat.h lacks. Its
/// critical-section macros stand back by themselves (#ifndef).
bool leftToVendoredCompat(llvm::StringRef Name) {
  return !Name.starts_with("PyMutex") && !Name.starts_with("Py_") &&
         Name != VendoredCompatGuard;
}

/// The critical-section macros, which gilport_compat.h defines only when
/// Py_BEGIN_CRITICAL_SECTION is not defined yet.
constexpr llvm::StringRef SectionMacros[] = {
    "Py_BEGIN_CRITICAL_SECTION", "Py_END_CRITICAL_SECTION",
    "Py_BEGIN_CRITICAL_SECTION2", "Py_END_CRITICAL_SECTION2"};

/// The offset just after the project's own `#define Name` in \p File, or
/// after the `#endif` of the conditional it is in (`#if PY_VERSION_HEX <
/// 0x030d0000`); none when there is no such definition or it is nested
/// deeper.
std::optional<unsigned> afterMacroDefinition(const clang::SourceManager &SM,
                                             clang::FileID File,
                                             llvm::StringRef Name) {
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return std::nullopt;
  int Depth = 0;
  std::optional<int> DefinedAt;
  size_t Pos = 0;
  while (Pos < Buffer.size()) {
    size_t End = Buffer.find('\n', Pos);
    if (End == llvm::StringRef::npos)
      End = Buffer.size();
    llvm::StringRef Line = Buffer.slice(Pos, End).trim();
    size_t Next = End < Buffer.size() ? End + 1 : End;
    Pos = Next;
    if (!Line.consume_front("#"))
      continue;
    Line = Line.ltrim();
    if (Line.starts_with("if")) {
      ++Depth;
    } else if (Line.starts_with("endif")) {
      if (DefinedAt && Depth == *DefinedAt)
        return Next;
      --Depth;
    } else if (!DefinedAt && Line.consume_front("define")) {
      llvm::StringRef Defined = Line.ltrim().take_while(
          [](char C) { return llvm::isAlnum(C) || C == '_'; });
      if (Defined != Name || !(Line.starts_with(" ") || Line.starts_with("\t")))
        continue;
      if (Depth > 1 || Line.rtrim().ends_with("\\"))
        return std::nullopt;
      if (Depth == 0)
        return Next;
      DefinedAt = Depth;
    }
  }
  return std::nullopt;
}

} // namespace

std::string addFixWithCompatHeader(
    llvm::ArrayRef<clang::FixItHint> Hints, const clang::SourceManager &SM,
    clang::FileID File, const CompatNeed &Need,
    llvm::function_ref<void(const clang::FixItHint &)> AddFix) {
  std::optional<clang::FixItHint> Include;
  if (needsCompatHeader(Need.MinimumPython, Need.Major, Need.Minor) &&
      !Need.Project.includeLines(File).CompatHeader) {
    // The project's own definitions, when they cover the fix, are used.
    const CompatDefinitions &Project = Need.Project;
    auto Missing = llvm::find_if(Need.Apis, [&](llvm::StringRef Name) {
      return Project.definedFor(Name, File).empty();
    });
    if (Missing != Need.Apis.end()) {
      // gilport_compat.h must not define what the project defines. Its
      // critical-section macros stand back when the file defined
      // Py_BEGIN_CRITICAL_SECTION first: it goes after those definitions.
      std::optional<unsigned> NotBefore;
      // (The definition's scan reads the file: only when one is known.)
      bool OwnSections =
          File == SM.getMainFileID() &&
          !Project.definedFor("Py_BEGIN_CRITICAL_SECTION", File).empty() &&
          afterMacroDefinition(SM, File, "Py_BEGIN_CRITICAL_SECTION") &&
          llvm::none_of(Need.Apis, [&](llvm::StringRef Name) {
            return llvm::is_contained(SectionMacros, Name) &&
                   Project.definedFor(Name, File).empty();
          });
      // A pythoncapi_compat.h that the file includes provides the
      // functions: gilport_compat.h, included after it, defines only the
      // rest.
      llvm::StringRef Vendored = Project.definedFor(VendoredCompatGuard, File);
      std::optional<unsigned> AfterVendored =
          Vendored.empty()
              ? std::nullopt
              : Project.afterDefinitionOf(VendoredCompatGuard, File);
      if (AfterVendored) {
        for (llvm::StringRef Name : Need.Apis)
          if (leftToVendoredCompat(Name) &&
              Project.definedFor(Name, File).empty())
            return ("MinimumPython is " + Need.MinimumPython + " and " +
                    llvm::sys::path::filename(Vendored) + " does not define '" +
                    Name +
                    "', which the fix needs; gilport_compat.h leaves "
                    "the functions to it: take a newer pythoncapi_compat.h")
                .str();
        NotBefore = *AfterVendored;
      }
      for (llvm::StringRef Name : compatHeaderNames())
        if (llvm::StringRef Where = Project.definedUnguardedIn(Name);
            !Where.empty()) {
          if (AfterVendored && Where == Vendored &&
              (leftToVendoredCompat(Name) ||
               llvm::is_contained(SectionMacros, Name)))
            continue;
          std::optional<unsigned> After;
          if (OwnSections && llvm::is_contained(SectionMacros, Name))
            After = afterMacroDefinition(SM, File, Name);
          if (After) {
            NotBefore = std::max(NotBefore.value_or(0), *After);
            continue;
          }
          return ("MinimumPython is " + Need.MinimumPython + " and " +
                  llvm::sys::path::filename(Where) + " defines '" + Name +
                  "' for older Pythons but not '" + *Missing +
                  "', which the fix needs; gilport_compat.h would define '" +
                  Name + "' a second time: add '" + *Missing + "' there" +
                  // pythoncapi_compat.h has no lock for older Pythons.
                  (Missing->starts_with("PyMutex")
                       ? " (a lock that does nothing before 3.13, whose GIL "
                         "serialises the code)"
                       : " (pythoncapi_compat.h has it)"))
              .str();
        }
      std::optional<unsigned> After;
      if (File == SM.getMainFileID())
        After = Project.afterPythonInclude();
      Include = compatIncludeInsertion(SM, File, Project, After, NotBefore);
      if (!Include)
        return ("MinimumPython is " + Need.MinimumPython +
                " and the file has no '#include <Python.h>' line after which "
                "to include gilport_compat.h")
            .str();
    }
  }
  for (const clang::FixItHint &Hint : Hints)
    AddFix(Hint);
  if (Include)
    AddFix(*Include);
  return {};
}

} // namespace gilport
