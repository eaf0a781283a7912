//===--- OwnershipWalk.h - Releases of a new reference ----------*- C++ -*-===//
//
// The ownership dataflow walk of the borrowed -> strong fix: follows the
// variable that now holds a new reference through the rest of its block,
// releases it on every exit and hands it over where the code took a
// reference of its own. Also declares the questions about reference-count
// calls that the error paths ask too. Private to the borrowed rewrite
// (rewrites/BorrowedToStrong.cpp and rewrites/borrowed/).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_BORROWED_OWNERSHIPWALK_H
#define GILPORT_REWRITES_BORROWED_OWNERSHIPWALK_H

#include "rewrites/borrowed/RegionLabels.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gilport {

class InitOnlyFields;

namespace borrowed {

/// Calls returning a pointer into (or borrowed from) an argument.
inline constexpr llvm::StringRef BorrowingCalls[] = {
    "PyTuple_GetItem",
    "PyTuple_GET_ITEM",
    "PyList_GetItem",
    "PyList_GET_ITEM",
    "PyDict_GetItem",
    "PyDict_GetItemWithError",
    "PyDict_GetItemString",
    "PyDict_SetDefault",
    "PyModule_GetDict",
    "PyWeakref_GetObject",
    "PyWeakref_GET_OBJECT",
    "PySequence_Fast_GET_ITEM",
    "PyCell_GET",
    "PyFunction_GetCode",
    "PyFunction_GetGlobals",
    "PyMethod_Function",
    "PyMethod_Self",
    "PyType_GetModule",
    "PyType_GetModuleState",
    "PyModule_GetState",
    "PyObject_GetTypeData",
    "_PyObject_CAST",
    "PyTuple_GET_ITEM",
    "PyCapsule_GetPointer",
    "PyModule_GetDef",
    "Py_TYPE",
    "PyType_GetModuleByDef",
    "_PyType_Lookup",
    "PyErr_Occurred",
    "PyImport_GetModuleDict",
    "PyEval_GetBuiltins",
    "PyEval_GetGlobals",
    "PyEval_GetLocals",
    "PyEval_GetFrame",
    "PyState_FindModule",
    "PySys_GetObject",
    "PyImport_AddModule",
    "PyImport_AddModuleObject"};

/// The variable \p E names through stripCasts, or null.
const clang::VarDecl *refVar(const clang::Expr *E);

/// The single argument of a one-argument call of \p Names, as a variable.
const clang::VarDecl *singleArgCallOn(const clang::Stmt *S,
                                      llvm::ArrayRef<llvm::StringRef> Names);

/// The local variable that \p S, a `Py_CLEAR(v)`, clears, or null.
const clang::VarDecl *clearedVar(const clang::Stmt *S,
                                 const clang::SourceManager &SM,
                                 const clang::LangOptions &LO);

/// The variable \p S releases with Py_DECREF, Py_XDECREF or Py_CLEAR, or null.
const clang::VarDecl *releasedVar(const clang::Stmt *S,
                                  const clang::SourceManager &SM,
                                  const clang::LangOptions &LO);

/// Whether \p T is `PyObject *`.
bool isPyObjectPointer(clang::QualType T);

/// Whether \p S or any statement inside it is a \p T.
template <typename T> bool containsA(const clang::Stmt *S) {
  if (!S)
    return false;
  if (llvm::isa<T>(S))
    return true;
  for (const clang::Stmt *Child : S->children())
    if (containsA<T>(Child))
      return true;
  return false;
}

/// Whether the rewritten variable is NULL at a program point.
enum class Nullness { Null, NonNull, Maybe };

/// What the rewritten variable holds at a program point.
struct OwnState {
  bool Reachable = true;
  /// The fix made a reference that the code does not know about: it must be
  /// released. Meaningless when the value is NULL.
  bool Owned = true;
  Nullness Null = Nullness::Maybe;

  static OwnState unreachable() {
    OwnState S;
    S.Reachable = false;
    return S;
  }
  bool needsRelease() const {
    return Reachable && Owned && Null != Nullness::Null;
  }
  bool operator==(const OwnState &O) const {
    return Reachable == O.Reachable && Owned == O.Owned && Null == O.Null;
  }
};

/// Walks the live range of \p Var, adding to \p Hints the edits that release
/// or hand over its new reference; the first reason it cannot goes to
/// \p Failure.
class OwnershipRewriter {
public:
  OwnershipRewriter(const clang::VarDecl &Var, clang::ASTContext &Ctx,
                    InitOnlyFields &Lifecycle, std::string &Failure,
                    std::vector<clang::FixItHint> &Hints)
      : Var(Var), Ctx(Ctx), SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()),
        Lifecycle(Lifecycle), Failure(Failure), Hints(Hints) {}

  /// Walks the statements of \p Block after \p AfterIndex, the call's own.
  void walkRegion(const clang::CompoundStmt &Block, unsigned AfterIndex,
                  OwnState State);

  /// Local variables the walk saw take a pointer derived from the variable.
  llvm::SmallVector<const clang::VarDecl *, 2> Derived;
  /// A derived pointer is alive: release only where the block ends.
  bool LateRelease = false;
  /// The references to the variable the walk accounted for.
  unsigned RefsSeen = 0;
  /// The new reference is released somewhere in the walked range (by an
  /// edit, or by the code's own release of what it borrowed): after the
  /// range the variable may point to a released object. When it is not,
  /// every way out holds NULL or a reference the code itself took (its
  /// `Py_INCREF` became the new reference), as in the original code.
  bool ReleasedInRange = false;
  /// Set by scanExpr for `v = ...` where v holds no reference of the fix.
  const clang::BinaryOperator *Reassigned = nullptr;
  /// Whether scanExpr may take `v = ...` as a new value (set by walk).
  bool AllowReassign = false;
  /// Cleanup labels outside the walked block that release the variable
  /// (`error: Py_XDECREF(v); ...`): a jump there must not also release it.
  llvm::SmallPtrSet<const clang::LabelDecl *, 4> ReleasingLabels;

private:
  OwnState walk(const clang::Stmt *S, OwnState State);
  OwnState walkLoop(const clang::Stmt *Loop, const clang::Stmt *Body,
                    const clang::Expr *Cond, const clang::Stmt *Inc,
                    OwnState State);
  void scanExpr(const clang::Expr *E, OwnState &State);
  /// Whether \p Assign stores a reference the function borrowed from its
  /// caller or a static object, and whether that is NULL; none otherwise.
  std::optional<Nullness>
  borrowedValue(const clang::BinaryOperator &Assign) const;
  /// Whether the function increments the variable anywhere.
  bool incrementsVariable() const;
  void exitPoint(const clang::Stmt *Exit, const OwnState &State);
  /// `return expr;` where expr reads the variable: the value goes to a
  /// result variable first, then the variable is released. False (and
  /// nothing added) when that would change what is returned.
  bool returnThroughResult(const clang::ReturnStmt &Return,
                           const OwnState &State);
  std::string releaseText(const OwnState &State) const {
    return (State.Null == Nullness::NonNull ? "Py_DECREF(" : "Py_XDECREF(") +
           Var.getName().str() + ");";
  }
  void fail(llvm::StringRef Why) {
    if (Failure.empty())
      Failure = Why.str();
  }
  bool failed() const { return !Failure.empty(); }
  std::pair<OwnState, OwnState> refine(const clang::Expr *Cond,
                                       const OwnState &State) const;
  static OwnState merge(const OwnState &A, const OwnState &B, bool &Conflict);

  const clang::VarDecl &Var;
  clang::ASTContext &Ctx;
  const clang::SourceManager &SM;
  const clang::LangOptions &LO;
  /// The unit's module init and teardown facts.
  InitOnlyFields &Lifecycle;
  std::string &Failure;
  std::vector<clang::FixItHint> &Hints;

  /// The labels after the call in its block (labelsAfter).
  llvm::DenseMap<const clang::LabelDecl *, RegionLabel> RegionLabels;
  /// The states of the jumps the walk saw to each of RegionLabels.
  llvm::DenseMap<const clang::LabelDecl *, std::vector<OwnState>> Arrivals;

  struct LoopFrame {
    bool IsSwitch;
    std::vector<OwnState> Breaks;
    std::vector<OwnState> Continues;
  };
  std::vector<LoopFrame> Loops;
};

} // namespace borrowed
} // namespace gilport

#endif
