//===--- SectionSuspension.h - Calls that suspend sections -----*- C++ -*-===//
//
// A critical section is suspended whenever its thread detaches: a blocked
// lock, Py_BEGIN_ALLOW_THREADS, or Python code that does either (any call
// that runs arbitrary code may). Another thread can then change the locked
// container, and free an item the code only borrowed from it.
//
// Only calls known to run code or release the thread state count: the C-API
// families that call back into objects, and the functions defined in the
// unit that make such calls. Py_DECREF (a destructor can run code) and
// calls through function pointers do not: they would make most sections
// suspendable, which the code that CPython itself ships does not assume.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_SECTIONSUSPENSION_H
#define GILPORT_ANALYSIS_SECTIONSUSPENSION_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class DeclRefExpr;
class Expr;
class FunctionDecl;
class LangOptions;
class SourceManager;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// A call that can suspend the critical sections its thread holds.
struct Suspender {
  const clang::CallExpr *Call = nullptr;
  /// Why: "can run Python code", "releases the thread state", or which call
  /// of a helper does.
  std::string Reason;
  /// The name the code gives the call: its function's, or that of the
  /// macro whose body makes it.
  std::string spelledName(const clang::SourceManager &SM,
                          const clang::LangOptions &LangOpts) const;
};

/// An item of a locked container that the code uses across such a call.
struct HeldItem {
  Suspender Suspended;
  /// The local that holds the item, or null for an item read in place
  /// (handed straight to the call).
  const clang::VarDecl *Item = nullptr;
};

class SectionSuspension {
public:
  /// Why a call of \p Call can suspend a section held around it, or empty.
  std::string reasonFor(const clang::CallExpr &Call, clang::ASTContext &Ctx);

  /// The call that can suspend a section between \p Borrow (a borrowed
  /// lookup in \p Function) and a use of its result: a call that gets the
  /// result as an argument, or one that runs after the result is stored in
  /// a local and before a later use of that local (in source order, not on
  /// another branch of the same `if`, before the local is assigned again).
  /// \p Uses says which references to the local use the object (a NULL
  /// test does not); \p Held says whether a location is inside the section
  /// (the call and the use must both be). Parents must be answerable for
  /// \p Function's nodes.
  std::optional<Suspender>
  heldAcross(const clang::CallExpr &Borrow, const clang::FunctionDecl &Function,
             clang::ASTContext &Ctx,
             llvm::function_ref<bool(const clang::DeclRefExpr &)> Uses,
             llvm::function_ref<bool(clang::SourceLocation)> Held);

  /// The items of a container that \p Code (statements a section would
  /// guard, in order) still borrows when it makes a call that can suspend
  /// the section: the call is handed an item (an expression \p IsItemRead
  /// accepts, or a local of \p ItemVars), or a local of ItemVars is read
  /// after it (in source order). One entry per local, with the first such
  /// call, in the order found; an item read in place has a null Item.
  /// Locals the code gives a strong reference (Py_INCREF, Py_NewRef) before
  /// the call are its own, and the key and value of the iteration calls
  /// \p IteratesContainer accepts (PyDict_Next) are items too.
  std::vector<HeldItem> itemsHeldAcross(
      llvm::ArrayRef<const clang::Stmt *> Code,
      llvm::SmallPtrSetImpl<const clang::VarDecl *> &ItemVars,
      llvm::function_ref<bool(const clang::Expr &)> IsItemRead,
      llvm::function_ref<bool(const clang::CallExpr &)> IteratesContainer,
      clang::ASTContext &Ctx);

private:
  struct Site {
    const clang::CallExpr *Call;
    unsigned Begin, End;
  };
  /// The suspending calls of a function's body, in source order.
  const std::vector<Site> &sitesOf(const clang::FunctionDecl &Function,
                                   clang::ASTContext &Ctx);
  /// Why calling \p Function can suspend (a helper of this unit), or empty.
  const std::string &reasonForHelper(const clang::FunctionDecl &Function,
                                     clang::ASTContext &Ctx);

  llvm::DenseMap<const clang::FunctionDecl *,
                 std::unique_ptr<std::vector<Site>>>
      Sites;
  llvm::DenseMap<const clang::FunctionDecl *, std::string> HelperReasons;
};

} // namespace gilport

#endif
