//===--- ItemReferences.h - Own an item across a suspension -----*- C++ -*-===//
//
// A critical section is suspended while a call it makes runs Python code or
// waits for a lock. Another thread can then remove an item that the guarded
// code borrowed from the locked container, and free it. CPython's own list
// and dict code (list and dict repr, for example) takes a strong reference
// to such an item before the call and drops it on every way out of the block
// that uses it:
//
//   while (PyDict_Next(d, &pos, &key, &value)) {
//       Py_INCREF(key);
//       Py_INCREF(value);
//       if (encode(key, value) < 0) {
//           Py_DECREF(key); Py_DECREF(value); error = 1; break; }
//       Py_DECREF(key);
//       Py_DECREF(value);
//   }
//
// This plans those edits for the critical-section planner, which owns the
// exits (they also go through the section's end) and composes the texts.
// Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_ITEMREFERENCES_H
#define GILPORT_REWRITES_ITEMREFERENCES_H

#include "analysis/SectionSuspension.h"
#include "rewrites/Rewrite.h"

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

struct ItemReferences {
  /// The Py_INCREF statements, and the Py_DECREF statements where a block
  /// ends by falling through.
  std::vector<clang::FixItHint> Hints;
  /// The statements that leave a block while it owns items, each with the
  /// statements to run first (`Py_DECREF(key);`), in order.
  std::map<const clang::Stmt *, std::vector<std::string>> Releases;
};

/// Plans strong references to \p Items: locals that hold items of a locked
/// container and that \p Code (the statements the section guards) still
/// uses after, or hands to, a call that can suspend the section. An item
/// is either the key or value of an iteration in Code (\p Iterates accepts
/// the call: PyDict_Next as the condition of a loop or an `if`), or a local
/// that one statement of a block inside Code assigns. The reference is
/// taken right after the item is read (after the block's declarations) and
/// dropped on each exit of the block and at its end. \p Suspends says
/// whether a call can suspend the section. Adds to \p Out; returns why it
/// cannot be planned, else "".
std::string
planItemReferences(llvm::ArrayRef<const clang::VarDecl *> Items,
                   llvm::ArrayRef<const clang::Stmt *> Code,
                   llvm::function_ref<bool(const clang::CallExpr &)> Iterates,
                   llvm::function_ref<bool(const clang::CallExpr &)> Suspends,
                   clang::ASTContext &Ctx, ItemReferences &Out);

/// The items of a container that \p Code (the statements a section guards)
/// still uses across a call that can suspend the section, found by
/// SectionSuspension::itemsHeldAcross with \p ItemVars, \p IsItemRead and
/// \p Iterates, and why they cannot all be owned (empty when Held is, or
/// when planItemReferences added their references to \p Out).
struct HeldItems {
  std::vector<HeldItem> Held;
  std::string Why;
};
HeldItems
ownHeldItems(llvm::ArrayRef<const clang::Stmt *> Code,
             llvm::SmallPtrSetImpl<const clang::VarDecl *> &ItemVars,
             llvm::function_ref<bool(const clang::Expr &)> IsItemRead,
             llvm::function_ref<bool(const clang::CallExpr &)> Iterates,
             SectionSuspension &Suspensions, clang::ASTContext &Ctx,
             ItemReferences &Out);

/// The statement that replaces \p Exit: \p Jump (its own text, or what the
/// caller sends it to) after \p Releases, in braces where Exit is not a
/// statement of a block.
std::string withReleases(const clang::Stmt &Exit, const std::string &Jump,
                         llvm::ArrayRef<std::string> Releases,
                         clang::ASTContext &Ctx);

/// The edits that make each exit of \p Refs.Releases drop its references
/// first and then leave as written, except the exits \p Skip accepts (the
/// caller rewrites those).
std::vector<clang::FixItHint> releasingExits(
    const ItemReferences &Refs, clang::ASTContext &Ctx,
    llvm::function_ref<bool(const clang::Stmt &)> Skip =
        [](const clang::Stmt &) { return false; });

/// A PyDict_Next loop that a critical section already guards, whose body
/// still uses the key or value across a call that can suspend the section
/// (CPython gh-138098).
struct SuspendedIteration {
  /// Each item used so, with the first such call, in the order found.
  std::vector<HeldItem> Held;
  /// The references that make the loop safe, or why there are none.
  Rewrite Fix;
};

/// The hazard in the loop or `if` whose whole condition is \p Next (a
/// PyDict_Next call), or none.
std::optional<SuspendedIteration>
suspendedIteration(const clang::CallExpr &Next, SectionSuspension &Suspensions,
                   clang::ASTContext &Ctx);

} // namespace gilport

#endif
