//===--- ContainerUses.h - What code does with a container -----*- C++ -*-===//
//
// The questions the critical-section planner asks about a container that
// the code reaches through a variable or a chain of fields (its key):
// whether a statement reads its size or its items, assigns or releases it,
// or stores one of its items where the item outlives a section.
// Works on Clang AST nodes only.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_CONTAINERUSES_H
#define GILPORT_REWRITES_CONTAINERUSES_H

#include "llvm/ADT/StringRef.h"

#include <set>
#include <string>

namespace clang {
class BinaryOperator;
class Expr;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// Identity of a side-effect-free lvalue: a variable or a chain of member
/// accesses from one. Empty for anything else.
std::string containerKey(const clang::Expr *E);

/// The variable a container key starts from.
const clang::VarDecl *keyRoot(const clang::Expr *E);

/// The local variable \p E names, or null.
const clang::VarDecl *localVar(const clang::Expr *E);

/// Whether \p V points to pointers: it holds an item array (`PyObject
/// **items`), not one item.
bool holdsItemArray(const clang::VarDecl &V);

/// What \p S does with the container \p Key: whether it reads its items or
/// item array, and whether it reads its size.
struct Uses {
  bool Size = false;
  bool Item = false;
};
void collectUses(const clang::Stmt *S, llvm::StringRef Key, Uses &Found);

enum class Use { None, Size, Item };
/// Reads its items or item array, reads only its size, or nothing.
Use useOf(const clang::Stmt *S, llvm::StringRef Key);

/// Whether \p S assigns the container \p Key, or a variable or field it is
/// reached through.
bool assignsContainer(const clang::Stmt *S, llvm::StringRef Key);

/// Whether \p S may free the container \p Key: it releases it (Py_DECREF,
/// Py_XDECREF, Py_CLEAR, Py_SETREF) or passes its address on. A section
/// must not free the object whose lock it holds.
bool releasesContainer(const clang::Stmt *S, llvm::StringRef Key);

/// The first assignment in \p S that stores an item of the container \p Key
/// (read in \p S, or held by one of \p ItemVars) somewhere other than a
/// local variable: a field, a global or through a pointer. Such an item
/// outlives the section, while another thread can remove and free it.
/// Locals assigned an item are added to ItemVars.
const clang::BinaryOperator *
storesItemAway(const clang::Stmt *S, llvm::StringRef Key,
               std::set<const clang::VarDecl *> &ItemVars);

} // namespace gilport

#endif
