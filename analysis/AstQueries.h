//===--- AstQueries.h - Small questions about AST nodes ---------*- C++ -*-===//
//
// What an expression names, calls or tests, through the parentheses, casts
// and macros that C extensions wrap around their code.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_ASTQUERIES_H
#define GILPORT_ANALYSIS_ASTQUERIES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class DeclStmt;
class Decl;
class Expr;
class DeclRefExpr;
class FunctionDecl;
class GotoStmt;
class LabelStmt;
class RecordDecl;
class Stmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// The record's tag name, or the typedef name of an anonymous record
/// (`typedef struct {...} PyType_Slot;`); empty for neither.
llvm::StringRef recordName(const clang::RecordDecl *Record);

/// The name of the function \p Call calls directly; empty for an indirect
/// call, an unnamed callee or a null \p Call.
llvm::StringRef calleeName(const clang::CallExpr *Call);

/// The statement that declares \p Var (a local or a function-static), or
/// null.
const clang::DeclStmt *declarationOf(const clang::VarDecl &Var,
                                     clang::ASTContext &Ctx);

/// The statement that holds \p S in the AST, or null.
const clang::Stmt *parentStmt(const clang::Stmt &S, clang::ASTContext &Ctx);

/// The parent of \p S past parentheses and implicit casts; \p Child is set
/// to the last node passed (\p S itself when there are none).
const clang::Stmt *parentPastParensAndCasts(const clang::Stmt &S,
                                            clang::ASTContext &Ctx,
                                            const clang::Stmt *&Child);

/// The function whose body holds \p S, or null.
const clang::FunctionDecl *enclosingFunction(const clang::Stmt *S,
                                             clang::ASTContext &Ctx);

/// How control can leave or enter the statements of \p S from outside.
struct ControlTransfers {
  /// The `return`s and `goto`s (computed ones too) in \p S.
  std::vector<const clang::Stmt *> Exits;
  /// A label or `case`: control can arrive from elsewhere.
  bool Entry = false;
  /// A `break` or `continue`.
  bool Jump = false;
};
ControlTransfers controlTransfersIn(const clang::Stmt *S);

/// Collects the statements by which control leaves \p S other than by
/// falling through: `return`, `goto`, and `break`/`continue` of a loop or
/// `switch` outside S (\p Loops and \p Switches count those between S and
/// where the question started). Returns why control flow is not modelled
/// (a label, a computed `goto`, a `case` of an outer `switch`), else "".
std::string collectExits(const clang::Stmt *S,
                         std::vector<const clang::Stmt *> &Exits,
                         unsigned Loops = 0, unsigned Switches = 0);

/// The labels and the `goto`s in \p S, in source order.
struct LabelsAndGotos {
  std::vector<const clang::LabelStmt *> Labels;
  std::vector<const clang::GotoStmt *> Gotos;
};
LabelsAndGotos labelsAndGotosIn(const clang::Stmt *S);

/// The references to \p Var in \p Scope, in source order.
std::vector<const clang::DeclRefExpr *> referencesTo(const clang::VarDecl &Var,
                                                     const clang::Stmt *Scope);

/// The references to \p Var, through any of its declarations, in the whole
/// AST (its traversal scope), in traversal order.
std::vector<const clang::DeclRefExpr *>
referencesInUnit(const clang::VarDecl &Var, clang::ASTContext &Ctx);

/// Whether \p S (or anything in it) refers to \p V.
bool mentionsVariable(const clang::Stmt *S, const clang::VarDecl *V);

/// The variable \p E names: `&x`, `x`, or an array decaying; null for
/// anything else or a null \p E.
const clang::VarDecl *namedVariable(const clang::Expr *E);

/// The function \p E names through parentheses and casts (a slot's
/// `(void *)exec_module`), or null for anything else or a null \p E.
const clang::FunctionDecl *namedFunction(const clang::Expr *E);

/// \p E without parentheses, casts, and the left operands of commas (the
/// assertion in 3.13's `(assert(...), (T *)(op))` casts); null for a null
/// \p E.
const clang::Expr *stripCasts(const clang::Expr *E);

/// The variable a container expression belongs to: `self` for
/// `self->items`, also through a local initialized from such a member
/// (`PyObject *pending = self->pending;`); null when it is not a variable's.
const clang::VarDecl *containerRoot(const clang::Expr *Container);

/// The local variable \p E names, through parentheses and casts, or null.
const clang::VarDecl *referencedLocal(const clang::Expr *E);

/// The local variable that \p Call's result is stored in: `found = call;`,
/// `PyObject *found = call;`, also inside a condition (`if ((found = call))`),
/// through parentheses and casts; or null.
const clang::VarDecl *storedInLocal(const clang::CallExpr *Call,
                                    clang::ASTContext &Ctx);

/// Whether \p Cond tests \p Var (a local, or a function-static) for NULL:
/// `m == NULL`, `NULL == m`, `!m`.
bool testsForNull(const clang::Expr *Cond, const clang::VarDecl *Var,
                  clang::ASTContext &Ctx);

/// The local that \p Cond assigns \p Call to while testing it for NULL:
/// `(m = f()) == NULL`, `NULL == (m = f())`, `!(m = f())`; or null.
const clang::VarDecl *assignedInNullTest(const clang::Expr *Cond,
                                         const clang::CallExpr *Call,
                                         clang::ASTContext &Ctx);

/// Whether a declaration in \p Scope, or a reference there, has the name
/// \p Name: a new local or label named so would hide or clash with it.
bool declaresOrUsesName(const clang::Decl *Scope, llvm::StringRef Name);

/// The first of \p Candidates that \p Scope neither declares nor uses, or
/// empty.
llvm::StringRef firstUnusedName(const clang::Decl *Scope,
                                llvm::ArrayRef<llvm::StringRef> Candidates);

} // namespace gilport

#endif
