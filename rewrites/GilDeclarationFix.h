//===--- GilDeclarationFix.h - Edits that declare GIL support ---*- C++ -*-===//
//
// Builds the edits that declare a module free-threading ready (PEP 703) and,
// when its state allows it, ready for subinterpreters with their own GIL
// (PEP 684):
//
// - multi-phase init: `{Py_mod_gil, Py_MOD_GIL_NOT_USED}` under
//   `#ifdef Py_mod_gil` and `{Py_mod_multiple_interpreters,
//   Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}` under
//   `#if PY_VERSION_HEX >= 0x030C0000`, before the `{0, NULL}` terminator of
//   the slots array, or in a new slots array that `m_slots` is set to;
// - single-phase init: `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);`
//   under `#ifdef Py_GIL_DISABLED` right after the module is created and
//   NULL-checked.
//
// Everything here works on Clang AST nodes only; the checks decide whether a
// declaration is missing and attach the edits to their findings.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_GILDECLARATIONFIX_H
#define GILPORT_REWRITES_GILDECLARATIONFIX_H

#include "rewrites/Rewrite.h"

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class Expr;
class FunctionDecl;
class InitListExpr;
class SourceManager;
class VarDecl;
} // namespace clang

namespace gilport {

/// Which slots to add.
struct SlotDeclarations {
  bool Gil = false;
  bool PerInterpreterGil = false;
  /// `{Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_
  /// SUPPORTED}`: the module keeps process-global state (used when a
  /// single-phase module is converted to multi-phase init).
  bool MultipleInterpretersNotSupported = false;
  /// `{Py_mod_exec, <ExecFunction>}`, first; empty for none.
  std::string ExecFunction;
  /// Text that addSlotsArray() places before a new slots array (e.g. the
  /// prototype of the exec function); ignored by insertSlotsBeforeSentinel().
  std::string Prelude;
  /// The entries are for a PEP 793 `PySlot` array (Python 3.15):
  /// `PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),`, with no version guard.
  bool PySlotEntries = false;
  /// Positional initializers addSlotsArray() appends after a new `m_slots`
  /// when the definition omitted it (", x_traverse, x_clear, x_free" from
  /// the module-state conversion); only positional definitions accept it.
  std::string PositionalTail;

  bool empty() const {
    return !Gil && !PerInterpreterGil && !MultipleInterpretersNotSupported &&
           ExecFunction.empty();
  }
};

/// The guarded slot entries, one per line, each line starting with
/// \p Indent (directives start in column 0) and ending in a newline.
std::string slotEntriesText(const SlotDeclarations &Slots,
                            llvm::StringRef Indent);

/// Inserts \p Slots before \p Sentinel, the `{0, NULL}` entry of a slots
/// array (or `PySlot_END`).
Rewrite insertSlotsBeforeSentinel(const SlotDeclarations &Slots,
                                  const clang::InitListExpr *Sentinel,
                                  clang::ASTContext &Ctx);

/// Gives the `PyModuleDef` \p Def, whose `m_slots` is NULL or omitted, a new
/// slots array named \p ArrayName holding \p Slots; \p SlotsExpr is the
/// `m_slots` initializer as written (null when omitted).
Rewrite addSlotsArray(const SlotDeclarations &Slots, const clang::VarDecl *Def,
                      const clang::Expr *SlotsExpr, llvm::StringRef ArrayName,
                      clang::ASTContext &Ctx);

/// A name for a new file-scope variable: \p Preferred, or with a numeric
/// suffix when \p Preferred is taken.
std::string unusedFileScopeName(llvm::StringRef Preferred,
                                clang::ASTContext &Ctx);

/// Inserts `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);` under
/// `#ifdef Py_GIL_DISABLED` after the statement of \p Caller that stores the
/// result of \p CreateCall in a local variable and the NULL check that
/// follows it.
Rewrite insertSetGilCall(const clang::CallExpr *CreateCall,
                         const clang::FunctionDecl *Caller,
                         clang::ASTContext &Ctx);

/// Text helpers shared by the rewrites.
namespace text {
/// The whitespace that starts the line of \p Loc (a file location).
std::string lineIndent(clang::SourceLocation Loc,
                       const clang::SourceManager &SM);
/// Whether only whitespace precedes \p Loc on its line.
bool startsLine(clang::SourceLocation Loc, const clang::SourceManager &SM);
/// The start of the line of \p Loc.
clang::SourceLocation lineStart(clang::SourceLocation Loc,
                                const clang::SourceManager &SM);
/// The indentation unit the file of \p Loc uses (four spaces by default).
std::string indentUnit(clang::SourceLocation Loc,
                       const clang::SourceManager &SM);
} // namespace text

} // namespace gilport

#endif
