//===--- ArgumentHoist.cpp ------------------------------------------------===//

#include "rewrites/borrowed/ArgumentHoist.h"
#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

namespace gilport {
namespace borrowed {

using namespace clang;

namespace {

/// C-API functions that take over (steal) the reference they are passed,
/// or release it: releasing it after the call would release it twice.
bool stealsArgument(llvm::StringRef Callee) {
  return llvm::is_contained(
      {"PyList_SetItem", "PyTuple_SetItem", "PyStructSequence_SetItem",
       "PyModule_AddObject", "PyException_SetCause", "PyException_SetContext",
       "PyException_SetTraceback", "PyErr_Restore", "PyErr_SetRaisedException",
       "PyErr_SetExcInfo", "PyCell_SET", "PyList_SET_ITEM", "PyTuple_SET_ITEM",
       "Py_DecRef", "Py_XDecRef", "_Py_Dealloc"},
      Callee);
}

/// The number of calls in \p S.
unsigned callsIn(const Stmt &S) {
  struct Counter : RecursiveASTVisitor<Counter> {
    unsigned N = 0;
    bool VisitCallExpr(CallExpr *) {
      ++N;
      return true;
    }
  } Count;
  Count.TraverseStmt(const_cast<Stmt *>(&S));
  return Count.N;
}

/// Where a braceless body's `{` goes: after the `)` of the `for`, `while`
/// or `if` whose body \p Body is, or after its `else`; invalid otherwise.
SourceLocation braceAfter(const Stmt &Parent, const Stmt &Body) {
  if (const auto *For = dyn_cast<ForStmt>(&Parent);
      For && For->getBody() == &Body)
    return For->getRParenLoc();
  if (const auto *While = dyn_cast<WhileStmt>(&Parent);
      While && While->getBody() == &Body)
    return While->getRParenLoc();
  if (const auto *If = dyn_cast<IfStmt>(&Parent)) {
    if (If->getThen() == &Body)
      return If->getRParenLoc();
    if (If->getElse() == &Body)
      return If->getElseLoc();
  }
  return SourceLocation();
}

/// The name for the new local: what the replacement gives.
llvm::StringRef localName(const FunctionDecl &Function,
                          llvm::StringRef NewCall) {
  if (NewCall.contains("Item"))
    return firstUnusedName(&Function, {"item", "obj"});
  if (NewCall.contains("Module"))
    return firstUnusedName(&Function, {"module", "mod"});
  return firstUnusedName(&Function, {"obj", "value"});
}

} // namespace

std::optional<Rewrite> hoistArgument(const CallExpr &Call,
                                     const FunctionDecl &Function,
                                     llvm::StringRef NewCall, ASTContext &Ctx) {
  // Call, under parentheses and casts, is an argument of Outer.
  const Stmt *Arg = &Call;
  const Stmt *P = parentStmt(Call, Ctx);
  while (P && isa<ParenExpr, ImplicitCastExpr, CStyleCastExpr>(P)) {
    Arg = P;
    P = parentStmt(*P, Ctx);
  }
  const auto *Outer = dyn_cast_or_null<CallExpr>(P);
  if (!Outer || Outer->getCallee() == Arg)
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const FunctionDecl *Callee = Outer->getDirectCallee();
  llvm::StringRef Name = Callee ? Callee->getName() : "";
  if (!Name.starts_with("Py") || stealsArgument(Name) ||
      Outer->getBeginLoc().isMacroID())
    return Rewrite::failure("the result is passed to a call that is not "
                            "known to only read its argument");
  if (Outer->getType()->isPointerType())
    return Rewrite::failure("the result is passed to '" + Name.str() +
                            "', whose result may point into it");
  for (const Expr *Other : Outer->arguments())
    if (Other != Arg && Other->HasSideEffects(Ctx))
      return Rewrite::failure("another argument of '" + Name.str() +
                              "' has side effects");
  for (const Expr *Own : Call.arguments())
    if (Own->HasSideEffects(Ctx))
      return Rewrite::failure("an argument of the call has side effects");

  // Outer is the statement, or what an assignment to a plain variable
  // stores; the statement is in a block or the braceless body of a loop
  // or an 'if'.
  const Stmt *Top = Outer;
  P = parentStmt(*Outer, Ctx);
  while (P && isa<ParenExpr, ImplicitCastExpr, CStyleCastExpr>(P)) {
    Top = P;
    P = parentStmt(*P, Ctx);
  }
  if (const auto *Assign = dyn_cast_or_null<BinaryOperator>(P);
      Assign && Assign->isAssignmentOp() && Assign->getRHS() == Top &&
      namedVariable(Assign->getLHS())) {
    Top = Assign;
    P = parentStmt(*Assign, Ctx);
  }
  if (!P || callsIn(*Top) != 2)
    return Rewrite::failure(
        "the result is not stored in a local variable by a statement of its "
        "own");
  std::optional<CharSourceRange> Whole = statementRange(*Top, SM, LO);
  std::optional<CharSourceRange> CallRange =
      fileRangeOf(Call.getSourceRange(), SM, LO);
  if (!Whole || !CallRange || Top->getBeginLoc().isMacroID())
    return Rewrite::failure("the statement is spelled through a macro");
  llvm::StringRef Local = localName(Function, NewCall);
  if (Local.empty())
    return Rewrite::failure("no name is free for the new local");

  Rewrite Result;
  std::string Indent = indentationAt(Top->getBeginLoc(), SM);
  auto Insert = [&](SourceLocation At, std::string Text) {
    Result.Hints.push_back(FixItHint::CreateInsertion(At, Text));
  };
  if (const auto *Block = dyn_cast<CompoundStmt>(P)) {
    // A declaration before a switch's first `case` would read oddly.
    if (isa_and_nonnull<SwitchStmt>(parentStmt(*Block, Ctx)))
      return Rewrite::failure("the statement is in the body of a 'switch'");
    // The declaration goes after the block's leading declarations, as in
    // the rest of the code (C89 declares at the top of a block).
    const Stmt *LastDecl = nullptr;
    for (const Stmt *S : Block->body()) {
      if (!isa<DeclStmt>(S))
        break;
      LastDecl = S;
    }
    if (LastDecl == Top)
      return Rewrite::failure("the statement is a declaration");
    std::string Declaration = "PyObject *" + Local.str() + ";";
    if (LastDecl) {
      std::optional<SourceLocation> End = statementEnd(*LastDecl, SM, LO);
      if (!End || LastDecl->getBeginLoc().isMacroID())
        return Rewrite::failure("a declaration is spelled through a macro");
      Insert(*End,
             "\n" + indentationAt(LastDecl->getBeginLoc(), SM) + Declaration);
    } else {
      Insert(Lexer::getLocForEndOfToken(Block->getLBracLoc(), 0, SM, LO),
             "\n" + Indent + Declaration + "\n");
    }
    Insert(Whole->getBegin(),
           Local.str() + " = " + NewCall.str() + ";\n" + Indent);
    Result.Hints.push_back(FixItHint::CreateReplacement(*CallRange, Local));
    Insert(Whole->getEnd(), "\n" + Indent + "Py_XDECREF(" + Local.str() + ");");
    return Result;
  }

  // A braceless body on a line of its own gets braces.
  SourceLocation Brace = braceAfter(*P, *Top);
  if (Brace.isInvalid() || Brace.isMacroID() ||
      SM.getExpansionLineNumber(Brace) >=
          SM.getExpansionLineNumber(Whole->getBegin()))
    return Rewrite::failure(
        "the statement is not in a block or the body of a loop or an 'if' on "
        "a line of its own");
  std::string Outside = indentationAt(P->getBeginLoc(), SM);
  if (const auto *If = dyn_cast<IfStmt>(P); If && If->getElse() == Top)
    Outside = indentationAt(If->getElseLoc(), SM);
  Insert(Lexer::getLocForEndOfToken(Brace, 0, SM, LO), " {");
  Insert(Whole->getBegin(),
         "PyObject *" + Local.str() + " = " + NewCall.str() + ";\n\n" + Indent);
  Result.Hints.push_back(FixItHint::CreateReplacement(*CallRange, Local));
  Insert(Whole->getEnd(),
         "\n" + Indent + "Py_XDECREF(" + Local.str() + ");\n" + Outside + "}");
  return Result;
}

} // namespace borrowed
} // namespace gilport
