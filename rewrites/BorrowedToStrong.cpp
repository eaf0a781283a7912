//===--- BorrowedToStrong.cpp ---------------------------------------------===//

#include "rewrites/BorrowedToStrong.h"
#include "analysis/AstQueries.h"
#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"
#include "rewrites/borrowed/ArgumentHoist.h"
#include "rewrites/borrowed/ErrorPaths.h"
#include "rewrites/borrowed/OwnershipWalk.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <functional>
#include <optional>

namespace gilport {

using namespace clang;
using namespace borrowed;

namespace {

/// What one level of indentation is in \p Block, whose statements start at
/// \p Indent: the difference from the line of what owns it (the function,
/// the `if`; a bare block's own brace), else four spaces.
std::string indentationStep(const CompoundStmt &Block, llvm::StringRef Indent,
                            ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  // Its brace may end a continued line (`           PyObject *value) {`).
  SourceLocation Owner = Block.getLBracLoc();
  auto Parents = parentsOf(DynTypedNode::create(Block), Ctx);
  if (!Parents.empty() && !Parents[0].get<CompoundStmt>()) {
    SourceLocation Begin = Parents[0].getSourceRange().getBegin();
    if (Begin.isFileID())
      Owner = Begin;
  }
  std::string Outer = indentationAt(Owner, SM);
  llvm::StringRef Step = Indent;
  if (Step.consume_front(Outer) && !Step.empty())
    return Step.str();
  return "    ";
}

/// Appends \p Hints to \p Out, insertions at one place joined into one edit.
void mergeInsertions(std::vector<FixItHint> &Hints,
                     std::vector<FixItHint> &Out) {
  // Insertions at one place are one edit, in the order they were made.
  for (FixItHint &Hint : Hints) {
    if (!Hint.RemoveRange.getBegin().isValid() ||
        Hint.RemoveRange.getBegin() != Hint.RemoveRange.getEnd() ||
        Hint.CodeToInsert.empty())
      continue;
    bool Merged = false;
    for (FixItHint &Earlier : Out)
      if (Earlier.RemoveRange.getBegin() == Hint.RemoveRange.getBegin() &&
          Earlier.RemoveRange.getBegin() == Earlier.RemoveRange.getEnd()) {
        Earlier.CodeToInsert += Hint.CodeToInsert;
        Merged = true;
        break;
      }
    if (!Merged)
      Out.push_back(Hint);
    Hint.CodeToInsert.clear();
  }
  for (FixItHint &Hint : Hints)
    if (!(Hint.RemoveRange.getBegin() == Hint.RemoveRange.getEnd() &&
          Hint.CodeToInsert.empty()))
      Out.push_back(std::move(Hint));
}

/// Whether \p Ref is the operand of a `&` that the code may keep: written
/// through later, it could change the variable where the walk does not see
/// it (Py_CLEAR's own, inside the macro, is not kept).
bool addressKept(const DeclRefExpr &Ref, ASTContext &Ctx) {
  auto Parents = parentsOf(Ref, Ctx);
  const auto *U = Parents.empty() ? nullptr : Parents[0].get<UnaryOperator>();
  return U && U->getOpcode() == UO_AddrOf && !U->getOperatorLoc().isMacroID();
}

/// The uses of \p Var before \p Statement that cannot run after it: none
/// when a loop around Statement or a label before it could lead back, or
/// when one of them takes its address.
unsigned earlierUses(const Stmt &Statement, const VarDecl &Var,
                     const FunctionDecl &Function, ASTContext &Ctx) {
  for (const Stmt *S = &Statement;;) {
    auto Parents = parentsOf(*S, Ctx);
    S = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
    if (!S)
      break;
    if (isa<WhileStmt, ForStmt, DoStmt>(S))
      return 0;
  }
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation At = SM.getExpansionLoc(Statement.getBeginLoc());
  auto Before = [&](const Stmt *S) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(S->getBeginLoc()),
                                        At);
  };
  unsigned Uses = 0;
  bool BackEdge = false;
  std::function<void(const Stmt *)> Count = [&](const Stmt *S) {
    if (!S)
      return;
    if (isa<LabelStmt, IndirectGotoStmt>(S) && Before(S))
      BackEdge = true;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S);
        Ref && Ref->getDecl() == &Var && Before(S)) {
      ++Uses;
      BackEdge |= addressKept(*Ref, Ctx);
    }
    for (const Stmt *Child : S->children())
      Count(Child);
  };
  Count(Function.getBody());
  return BackEdge ? 0 : Uses;
}

/// The cleanup labels after \p Block, outside it, whose statements up to
/// their 'return' release \p Var with Py_XDECREF or Py_CLEAR and use it in
/// no other way (`error: Py_XDECREF(v); return NULL;`), added to \p Labels;
/// returns the references to Var in those releases.
unsigned cleanupLabels(const CompoundStmt &Block, const VarDecl &Var,
                       const FunctionDecl &Function, ASTContext &Ctx,
                       llvm::SmallPtrSetImpl<const LabelDecl *> &Labels) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Function.getBody());
  if (!Body || Body == &Block)
    return 0;
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  SourceLocation BlockEnd = SM.getExpansionLoc(Block.getEndLoc());
  llvm::ArrayRef<Stmt *> Stmts(Body->body_begin(), Body->body_end());
  std::vector<bool> Counted(Stmts.size(), false);
  unsigned Refs = 0;
  for (size_t I = 0; I < Stmts.size(); ++I) {
    if (!isa<LabelStmt>(Stmts[I]) ||
        !SM.isBeforeInTranslationUnit(
            BlockEnd, SM.getExpansionLoc(Stmts[I]->getBeginLoc())))
      continue;
    bool Releases = false, OtherUse = false;
    size_t End = I;
    for (; End < Stmts.size(); ++End) {
      const Stmt *S = Stmts[End];
      while (const auto *L = dyn_cast<LabelStmt>(S))
        S = L->getSubStmt();
      if (isa<ReturnStmt>(S)) {
        OtherUse |= mentionsVariable(S, &Var);
        break;
      }
      if (!mentionsVariable(S, &Var))
        continue;
      if (singleArgCallOn(S, {"Py_XDECREF", "_Py_XDECREF"}) == &Var ||
          clearedVar(S, SM, LO) == &Var)
        Releases = true;
      else
        OtherUse = true;
    }
    if (!Releases || OtherUse || End == Stmts.size())
      continue;
    Labels.insert(cast<LabelStmt>(Stmts[I])->getDecl());
    for (size_t K = I; K < End; ++K) {
      if (Counted[K])
        continue;
      Counted[K] = true;
      std::function<void(const Stmt *)> Count = [&](const Stmt *S) {
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(S))
          Refs += Ref->getDecl() == &Var;
        if (S)
          for (const Stmt *Child : S->children())
            Count(Child);
      };
      Count(Stmts[K]);
    }
  }
  return Refs;
}

Rewrite rewriteCall(const CallExpr &Call, const FunctionDecl &Function,
                    llvm::StringRef Replacement, StrongCallForm Form,
                    ASTContext &Ctx, InitOnlyFields &Lifecycle,
                    bool MoveErrorTest,
                    const llvm::SmallPtrSetImpl<const VarDecl *> *Converted,
                    const VarDecl **Holder) {
  Rewrite Result;
  auto Fail = [&](llvm::StringRef Why) {
    Result.Hints.clear();
    Result.Reason = Why.str();
    return Result;
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  if (Call.getBeginLoc().isMacroID() || Call.getEndLoc().isMacroID())
    return Fail("the call is spelled through a macro");
  std::optional<CharSourceRange> CallRange =
      fileRangeOf(Call.getSourceRange(), SM, LO);
  if (!CallRange)
    return Fail("the call is spelled through a macro");

  // The statement `v = CALL;` or `T *v = CALL;` directly in a block.
  const Expr *Top = &Call;
  auto ParentOf = [&](const auto &Node) -> DynTypedNode {
    auto Parents = parentsOf(Node, Ctx);
    return Parents.empty() ? DynTypedNode() : Parents[0];
  };
  DynTypedNode P = ParentOf(*Top);
  // `(T *)CALL`: a cast to the type of the variable it is stored in.
  const CStyleCastExpr *Cast = nullptr;
  while (const auto *E = P.get<Expr>()) {
    if (const auto *C = dyn_cast<CStyleCastExpr>(E);
        C && !Cast && C->getType()->isPointerType())
      Cast = C;
    else if (!isa<ParenExpr, ImplicitCastExpr>(E))
      break;
    Top = E;
    P = ParentOf(*E);
  }
  std::string Args;
  for (unsigned I = 0; I < Call.getNumArgs(); ++I) {
    std::optional<std::string> Text =
        spelledText(Call.getArg(I)->getSourceRange(), SM, LO);
    if (!Text)
      return Fail("an argument is spelled through a macro");
    Args += (I ? ", " : "") + *Text;
  }

  // PyDict_SetDefault's result only tested against NULL, or dropped: the
  // new reference is not wanted.
  if (Form == StrongCallForm::SetDefault) {
    std::string Unwanted = Replacement.str() + "(" + Args + ", NULL)";
    if (const auto *Compare = P.get<BinaryOperator>();
        Compare &&
        (Compare->getOpcode() == BO_EQ || Compare->getOpcode() == BO_NE)) {
      const Expr *Other =
          Compare->getLHS() == Top ? Compare->getRHS() : Compare->getLHS();
      std::optional<CharSourceRange> Whole =
          fileRangeOf(Compare->getSourceRange(), SM, LO);
      if (Other->isNullPointerConstant(Ctx,
                                       Expr::NPC_ValueDependentIsNotNull) &&
          Whole) {
        Result.Hints.push_back(FixItHint::CreateReplacement(
            *Whole,
            Unwanted + (Compare->getOpcode() == BO_EQ ? " < 0" : " >= 0")));
        return Result;
      }
    }
    if (ParentOf(*Top).get<CompoundStmt>()) {
      Result.Hints.push_back(
          FixItHint::CreateReplacement(*CallRange, Unwanted));
      return Result;
    }
  }

  const VarDecl *Var = nullptr;
  const Stmt *Statement = nullptr;
  bool IsDecl = false;
  if (const auto *Assign = P.get<BinaryOperator>();
      Assign && Assign->getOpcode() == BO_Assign && Assign->getRHS() == Top) {
    Var = refVar(Assign->getLHS());
    if (!isa<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts()))
      Var = nullptr;
    Statement = Assign;
  } else if (const auto *D = P.get<VarDecl>()) {
    Var = D;
    DynTypedNode DP = ParentOf(*D);
    if (const auto *DS = DP.get<DeclStmt>(); DS && DS->isSingleDecl())
      Statement = DS;
    IsDecl = true;
  }
  if (!Var && !Statement && Form == StrongCallForm::SameArguments)
    if (std::optional<Rewrite> Hoisted = hoistArgument(
            Call, Function, Replacement.str() + "(" + Args + ")", Ctx))
      return Hoisted->ok() ? *Hoisted : Fail(Hoisted->Reason);
  if (!Var || !Statement)
    return Fail("the result is not stored in a local variable by a statement "
                "of its own");
  if (!Var->hasLocalStorage() || Var->isStaticLocal() || isa<ParmVarDecl>(Var))
    return Fail("the result is stored in '" + Var->getName().str() +
                "', which is not a local variable of the function");
  // A variable of another object type takes the new reference through a
  // 'PyObject *' of its own: writing it through a cast 'PyObject **' would
  // break strict aliasing.
  bool ThroughTemporary = false;
  if (Cast && !isPyObjectPointer(Var->getType())) {
    const auto *Pointee = Var->getType()->getAs<PointerType>();
    if (!Pointee || !Pointee->getPointeeType()->isRecordType() ||
        !Ctx.hasSameType(Var->getType(), Cast->getType()) ||
        Form == StrongCallForm::Weakref)
      return Fail("'" + Var->getName().str() +
                  "' is not a 'PyObject *' or a pointer to an object type");
    ThroughTemporary = Form != StrongCallForm::SameArguments;
  } else if (!isPyObjectPointer(Var->getType())) {
    return Fail("'" + Var->getName().str() + "' is not a 'PyObject *'");
  }
  const auto *Block = ParentOf(*Statement).get<CompoundStmt>();
  if (!Block)
    return Fail("the assignment is not a statement of its own in a block");
  if (Statement->getBeginLoc().isMacroID() || Statement->getEndLoc().isMacroID())
    return Fail("the statement is spelled through a macro");
  unsigned Index = 0;
  while (Index < Block->size() && Block->body_begin()[Index] != Statement)
    ++Index;
  if (Index == Block->size())
    return Fail("the assignment is not a statement of its own in a block");

  // Every other use of the variable must follow in the same block.
  unsigned TotalRefs = 0;
  struct Counter : RecursiveASTVisitor<Counter> {
    const VarDecl *Var;
    unsigned &N;
    Counter(const VarDecl *V, unsigned &N) : Var(V), N(N) {}
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      N += Ref->getDecl() == Var;
      return true;
    }
  } Count(Var, TotalRefs);
  Count.TraverseStmt(Function.getBody());
  unsigned RefsInStatement = IsDecl ? 0 : 1;
  RefsInStatement += mentionsVariable(&Call, Var) ? 1 : 0;
  if (mentionsVariable(&Call, Var))
    return Fail("'" + Var->getName().str() + "' is used in its own call");

  std::string Name = Var->getName().str();
  // Where the call stores the new reference.
  std::string Out = Name;
  std::string CastText;
  if (ThroughTemporary) {
    Out = firstUnusedName(&Function, {"item", "obj", "value", "found"}).str();
    std::optional<std::string> Text = spelledText(
        SourceRange(Cast->getLParenLoc(), Cast->getRParenLoc()), SM, LO);
    if (Out.empty() || !Text)
      return Fail("the cast around the call cannot be rewritten");
    CastText = *Text;
  }
  std::string Indent = indentationAt(Statement->getBeginLoc(), SM);
  // One level deeper, in the file's own step (2 spaces, 4, a tab...).
  std::string Inner = Indent + indentationStep(*Block, Indent, Ctx);

  // The replacement of the statement itself.
  std::string NewCall;
  std::optional<ErrorTest> ErrorTestMoved;
  switch (Form) {
  case StrongCallForm::SameArguments:
    NewCall = Replacement.str() + "(" + Args + ")";
    break;
  case StrongCallForm::LookupReportingErrors:
  case StrongCallForm::SetDefault:
  case StrongCallForm::LookupSwallowingErrors:
    NewCall = Replacement.str() + "(" + Args + ", &" + Out + ")";
    // A swallowing lookup followed by `if (PyErr_Occurred())` too: its
    // author meant to catch the errors that the new call reports.
    if (MoveErrorTest)
      ErrorTestMoved = findErrorTest(*Block, Index, *Var, Ctx,
                                     Form == StrongCallForm::SetDefault);
    if (!ErrorTestMoved && Form == StrongCallForm::LookupSwallowingErrors) {
      std::string Why;
      std::optional<std::string> Checked = lookupWithErrorPath(
          Statement, Block, Index, Var, Function, Ctx, Replacement, Args,
          Indent, Inner, Out, Why, Converted);
      if (!Checked)
        return Fail(Why);
      NewCall = *Checked;
    } else if (ErrorTestMoved) {
      std::string Copies;
      llvm::SmallVector<llvm::StringRef, 4> Released;
      llvm::StringRef(ErrorTestMoved->Releases).split(Released, '\n', -1,
                                                      false);
      for (llvm::StringRef Line : Released)
        Copies += Inner + Line.str() + "\n";
      NewCall = "if (" + NewCall + " < 0) {\n" + Copies +
                movedBody(*ErrorTestMoved->Error, Inner, SM, LO) + Indent +
                "}";
    }
    break;
  case StrongCallForm::Weakref:
    NewCall = "if (" + Replacement.str() + "(" + Args + ", &" + Name +
              ") == 0) {\n" + Indent + "    /* The referent is dead. */\n" +
              Inner + "Py_INCREF(Py_None);\n" + Inner + Name +
              " = Py_None;\n" + Indent + "}";
    break;
  }
  bool IsStatementForm = Form != StrongCallForm::SameArguments;
  bool NeedsSemicolon = (Form == StrongCallForm::LookupReportingErrors ||
                         Form == StrongCallForm::SetDefault) &&
                        !ErrorTestMoved;
  std::vector<FixItHint> Hints;
  if (ThroughTemporary) {
    // `PyObject *item; if (R(..., &item) < 0) ...; T *v = (T *)item;`
    std::optional<CharSourceRange> Whole = statementRange(*Statement, SM, LO);
    SourceLocation NameEnd =
        Lexer::getLocForEndOfToken(Var->getLocation(), 0, SM, LO);
    if (!Whole || (IsDecl && (NameEnd.isInvalid() || NameEnd.isMacroID())))
      return Fail("the statement is spelled through a macro");
    std::string Target =
        IsDecl ? Lexer::getSourceText(
                     CharSourceRange::getCharRange(Whole->getBegin(), NameEnd),
                     SM, LO)
                     .str()
               : Name;
    Hints.push_back(FixItHint::CreateReplacement(
        *Whole, "PyObject *" + Out + ";\n" + Indent + NewCall +
                    (NeedsSemicolon ? ";" : "") + "\n" + Indent + Target +
                    " = " + CastText + Out + ";"));
  } else if (!IsStatementForm) {
    Hints.push_back(FixItHint::CreateReplacement(*CallRange, NewCall));
  } else if (IsDecl) {
    // `T *v = CALL;` -> `T *v;` and the call as a statement of its own.
    SourceLocation NameEnd =
        Lexer::getLocForEndOfToken(Var->getLocation(), 0, SM, LO);
    std::optional<CharSourceRange> Whole = statementRange(*Statement, SM, LO);
    if (!Whole || NameEnd.isInvalid() || NameEnd.isMacroID())
      return Fail("the declaration is spelled through a macro");
    std::string TypeText =
        Lexer::getSourceText(
            CharSourceRange::getCharRange(Whole->getBegin(), NameEnd), SM, LO)
            .str();
    Hints.push_back(FixItHint::CreateReplacement(
        *Whole, TypeText + ";\n" + Indent + NewCall +
                    (NeedsSemicolon ? ";" : "")));
  } else {
    std::optional<CharSourceRange> Whole = statementRange(*Statement, SM, LO);
    if (!Whole)
      return Fail("the statement is spelled through a macro");
    Hints.push_back(
        FixItHint::CreateReplacement(*Whole, NewCall + (NeedsSemicolon ? ";" : "")));
  }

  // Ownership of the new reference over the rest of the block.
  std::string Failure;
  OwnershipRewriter Owner(*Var, Ctx, Lifecycle, Failure, Hints);
  unsigned CleanupRefs =
      cleanupLabels(*Block, *Var, Function, Ctx, Owner.ReleasingLabels);
  OwnState State;
  Owner.walkRegion(*Block, Index, State);
  if (!Failure.empty())
    return Fail(Failure);
  if (ErrorTestMoved) {
    // The walk saw the test where it was; nothing of it may be inside the
    // text that goes away.
    unsigned RemovedBegin = SM.getFileOffset(ErrorTestMoved->Removal.getBegin());
    unsigned RemovedEnd = SM.getFileOffset(ErrorTestMoved->Removal.getEnd());
    for (size_t I = 1; I < Hints.size(); ++I) {
      unsigned At = SM.getFileOffset(SM.getExpansionLoc(Hints[I].RemoveRange.getBegin()));
      if (At >= RemovedBegin && At < RemovedEnd)
        return rewriteCall(Call, Function, Replacement, Form, Ctx, Lifecycle,
                           /*MoveErrorTest=*/false, Converted, Holder);
    }
    Hints.push_back(FixItHint::CreateRemoval(ErrorTestMoved->Removal));
  }
  // Uses elsewhere see what the original code saw, unless the range
  // releases the new reference or the variable's address is kept.
  if (Owner.RefsSeen + RefsInStatement + CleanupRefs +
              earlierUses(*Statement, *Var, Function, Ctx) !=
          TotalRefs &&
      (Owner.ReleasedInRange ||
       llvm::any_of(
           referencesTo(*Var, Function.getBody()),
           [&](const DeclRefExpr *Ref) { return addressKept(*Ref, Ctx); })))
    return Fail("'" + Name + "' is also used outside the statements that "
                "follow the call in its block");
  for (const VarDecl *D : Owner.Derived) {
    unsigned DerivedTotal = 0, DerivedInBlock = 0;
    Counter(D, DerivedTotal).TraverseStmt(Function.getBody());
    for (unsigned I = Index; I < Block->size(); ++I)
      Counter(D, DerivedInBlock)
          .TraverseStmt(const_cast<Stmt *>(Block->body_begin()[I]));
    if (DerivedTotal != DerivedInBlock)
      return Fail("'" + D->getName().str() + "' points into '" + Name +
                  "' and is also used outside the block");
  }
  mergeInsertions(Hints, Result.Hints);
  if (Holder)
    *Holder = Var;
  return Result;
}

} // namespace

Rewrite
rewriteBorrowedCall(const CallExpr &Call, const FunctionDecl &Function,
                    llvm::StringRef Replacement, StrongCallForm Form,
                    ASTContext &Ctx, InitOnlyFields &Lifecycle,
                    const llvm::SmallPtrSetImpl<const VarDecl *> *Converted,
                    const VarDecl **Holder) {
  return rewriteCall(Call, Function, Replacement, Form, Ctx, Lifecycle,
                     /*MoveErrorTest=*/true, Converted, Holder);
}

} // namespace gilport
