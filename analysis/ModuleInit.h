//===--- ModuleInit.h - How an extension module initialises -----*- C++ -*-===//
//
// Finds the `PyInit_*` functions of a translation unit and what they do:
// single-phase init (the function creates the module, `PyModule_Create`) or
// multi-phase init (PEP 489, `return PyModuleDef_Init(&def)`), the
// `PyModuleDef`, its `m_size` and its `m_slots` array, and the
// `PyUnstable_Module_SetGIL` calls.
//
// Declarations written for newer Pythons are usually guarded
// (`#ifdef Py_mod_gil`, `#ifdef Py_GIL_DISABLED`), so with older or non
// free-threaded headers they are in skipped preprocessor branches and absent
// from the AST. ModuleInitAnalyzer therefore also records the skipped ranges
// and can tell whether inactive code inside a range mentions an identifier.
//
// Used by gilport-missing-gil-decl; meant to be reused by the fix engine
// (adding slots, converting single-phase to multi-phase init).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_MODULEINIT_H
#define GILPORT_ANALYSIS_MODULEINIT_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class Expr;
class FunctionDecl;
class InitListExpr;
class LangOptions;
class Preprocessor;
class SourceManager;
class VarDecl;
} // namespace clang

namespace gilport {

/// Slot IDs of `PyModuleDef_Slot` (part of the stable ABI, so fixed).
enum ModuleSlotID : int64_t {
  ModuleSlotSentinel = 0,
  ModuleSlotCreate = 1,               // Py_mod_create
  ModuleSlotExec = 2,                 // Py_mod_exec
  ModuleSlotMultipleInterpreters = 3, // Py_mod_multiple_interpreters (3.12)
  ModuleSlotGil = 4,                  // Py_mod_gil (3.13)
  // The same four slots as Python 3.15's headers number them outside the
  // limited API (PEP 793's unified slot IDs, 84 to 87).
  ModuleSlot315Create = 84,
  ModuleSlot315Gil = 87,
};

/// Values of the `Py_mod_gil` slot and of `PyUnstable_Module_SetGIL`.
enum ModuleGilValue : int64_t {
  ModuleGilUsed = 0,    // Py_MOD_GIL_USED
  ModuleGilNotUsed = 1, // Py_MOD_GIL_NOT_USED
};

/// Values of the `Py_mod_multiple_interpreters` slot.
enum ModuleMultipleInterpretersValue : int64_t {
  ModuleMultipleInterpretersNotSupported = 0,
  ModuleMultipleInterpretersSupported = 1,
  ModulePerInterpreterGilSupported = 2,
};

/// Slot names by ID, for messages; empty for unknown IDs.
llvm::StringRef moduleSlotName(int64_t ID);

/// One `{id, value}` entry of a `PyModuleDef_Slot` array.
struct ModuleSlot {
  /// The entry's initializer (semantic form).
  const clang::InitListExpr *Entry = nullptr;
  const clang::Expr *IDExpr = nullptr;
  const clang::Expr *ValueExpr = nullptr;
  /// The slot ID when it is an integer constant.
  std::optional<int64_t> ID;
  /// The value when it is an integer constant, possibly cast to a pointer
  /// (`Py_MOD_GIL_NOT_USED` is `((void *)1)`); unset for function pointers.
  std::optional<int64_t> Value;

  bool isSentinel() const { return ID && *ID == ModuleSlotSentinel; }
};

/// A `PyModuleDef_Slot` array definition.
struct ModuleSlotsInfo {
  const clang::VarDecl *Array = nullptr;
  /// The array's initializer (semantic form).
  const clang::InitListExpr *Init = nullptr;
  /// Every entry in order, the sentinel included.
  std::vector<ModuleSlot> Slots;

  /// The first active entry with \p ID, or null.
  const ModuleSlot *find(int64_t ID) const;
  /// The `{0, NULL}` terminator, or null if there is none.
  const ModuleSlot *sentinel() const;
};

/// A `PyModuleDef` definition and the fields gilport cares about.
struct ModuleDefInfo {
  const clang::VarDecl *Def = nullptr;
  /// The definition's initializer (semantic form); null if it has none.
  const clang::InitListExpr *Init = nullptr;
  const clang::Expr *NameExpr = nullptr;
  const clang::Expr *SizeExpr = nullptr;
  /// `m_size` when constant (-1: the module keeps global state).
  std::optional<int64_t> Size;
  const clang::Expr *MethodsExpr = nullptr;
  /// The `m_slots` initializer as written; null when it is not given.
  const clang::Expr *SlotsExpr = nullptr;
  /// `m_slots` is omitted or a null pointer.
  bool SlotsNull = false;
  /// `m_traverse`, `m_clear` and `m_free` as written; null when omitted.
  const clang::Expr *TraverseExpr = nullptr;
  const clang::Expr *ClearExpr = nullptr;
  const clang::Expr *FreeExpr = nullptr;
  /// The slots array `m_slots` points to, when it is defined in this
  /// translation unit and initialised with a braced list.
  std::optional<ModuleSlotsInfo> Slots;

  /// Whether the slots array is known: either there is none, or it was found.
  bool slotsKnown() const { return SlotsNull || Slots.has_value(); }
};

/// Which initialisation protocol a `PyInit_*` function follows.
enum class ModuleInitKind {
  /// No module creation was found (e.g. done in another translation unit).
  Unknown,
  /// The function creates the module itself (`PyModule_Create`,
  /// `PyModule_New`): the module cannot be loaded in isolated subinterpreters.
  SinglePhase,
  /// The function returns `PyModuleDef_Init(&def)` (PEP 489).
  MultiPhase,
};

/// What one `PyInit_*` function does.
struct ModuleInitInfo {
  const clang::FunctionDecl *Function = nullptr;
  /// The name after `PyInit_`.
  llvm::StringRef ModuleName;
  ModuleInitKind Kind = ModuleInitKind::Unknown;
  /// `PyModuleDef_Init(...)`, `PyModule_Create2(...)` (what
  /// `PyModule_Create` expands to) or `PyModule_New(...)`.
  const clang::CallExpr *CreateCall = nullptr;
  /// The function containing CreateCall: Function or a helper it calls.
  const clang::FunctionDecl *CreateCaller = nullptr;
  /// The `PyModuleDef` passed to CreateCall, when it is defined here.
  std::optional<ModuleDefInfo> Def;
  /// `PyUnstable_Module_SetGIL` calls in Function and the helpers it calls.
  std::vector<const clang::CallExpr *> SetGilCalls;
  /// Function and the helpers defined in this translation unit that it
  /// calls (transitively, a few levels deep); the code searched above.
  std::vector<const clang::FunctionDecl *> SearchedFunctions;
};

/// A PEP 793 export hook, `PyModExport_<name>` (Python 3.15): it returns the
/// module's `PySlot` array instead of creating the module.
struct ModuleExportInfo {
  const clang::FunctionDecl *Function = nullptr;
  /// The name after `PyModExport_`.
  llvm::StringRef ModuleName;
  /// The array it returns, when it is a variable defined here with a braced
  /// initializer.
  std::optional<ModuleSlotsInfo> Slots;
};

/// Finds and analyses module init functions. Create one per translation
/// unit; call registerPPCallbacks() before parsing so that code in skipped
/// preprocessor branches is known.
class ModuleInitAnalyzer {
public:
  ModuleInitAnalyzer();
  ~ModuleInitAnalyzer();
  ModuleInitAnalyzer(const ModuleInitAnalyzer &) = delete;
  ModuleInitAnalyzer &operator=(const ModuleInitAnalyzer &) = delete;

  void registerPPCallbacks(const clang::SourceManager &SM,
                           clang::Preprocessor *PP);

  /// Every `PyInit_*` function defined in the translation unit, analysed.
  std::vector<ModuleInitInfo> findModuleInits(clang::ASTContext &Ctx) const;

  /// Every `PyModExport_*` function defined in the translation unit.
  std::vector<ModuleExportInfo> findModuleExports(clang::ASTContext &Ctx) const;

  /// Analyses one `PyInit_*` function definition.
  static ModuleInitInfo analyzeModuleInit(const clang::FunctionDecl *Init,
                                          clang::ASTContext &Ctx);
  /// Reads a `PyModuleDef` definition (follows \p Def to its definition).
  static std::optional<ModuleDefInfo>
  analyzeModuleDef(const clang::VarDecl *Def, clang::ASTContext &Ctx);
  /// Reads a `PyModuleDef_Slot` array definition, or a `PySlot` one (the
  /// value is then the union member given).
  static std::optional<ModuleSlotsInfo>
  analyzeSlots(const clang::VarDecl *Array, clang::ASTContext &Ctx);

  /// Whether code the preprocessor skipped inside \p Range (a range in one
  /// file, or a macro range that is mapped to one) mentions \p Identifier
  /// outside a preprocessor directive, either directly or through a macro
  /// that is used in \p Range and defined, in skipped code, to mention it.
  bool inactiveCodeMentions(clang::SourceRange Range,
                            llvm::StringRef Identifier,
                            const clang::ASTContext &Ctx) const;

  /// Whether a slot with \p SlotMacro (`Py_mod_gil`) is declared: active in
  /// \p Slots, written in a skipped branch inside the slots initializer, or
  /// in a skipped branch that defines the same array again.
  bool declaresSlot(const ModuleSlotsInfo &Slots, int64_t ID,
                    llvm::StringRef SlotMacro,
                    const clang::ASTContext &Ctx) const;

  /// Whether \p Info calls `PyUnstable_Module_SetGIL`, in active code or in
  /// a skipped branch of one of the searched functions.
  bool declaresGilBySetGil(const ModuleInitInfo &Info,
                           const clang::ASTContext &Ctx) const;

  struct SkippedRange {
    clang::FileID File;
    unsigned Begin;
    unsigned End;
  };

private:
  /// Whether one skipped range mentions both identifiers outside directives.
  bool skippedRangeMentionsBoth(llvm::StringRef First, llvm::StringRef Second,
                                const clang::ASTContext &Ctx) const;
  /// Names of macros defined in skipped code whose body mentions
  /// \p Identifier (e.g. `#define GIL_SLOT {Py_mod_gil, ...}`).
  const llvm::StringSet<> &macrosMentioning(llvm::StringRef Identifier,
                                            const clang::SourceManager &SM,
                                            const clang::LangOptions &LO) const;

  std::vector<SkippedRange> Skipped;
  mutable llvm::StringMap<llvm::StringSet<>> MacrosMentioningCache;
};

} // namespace gilport

#endif
