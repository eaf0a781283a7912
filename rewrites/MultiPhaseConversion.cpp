//===--- MultiPhaseConversion.cpp -----------------------------------------===//

#include "rewrites/MultiPhaseConversion.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseSet.h"

namespace gilport {

using namespace clang;

namespace {

std::string lineOf(SourceLocation Loc, const SourceManager &SM) {
  return "line " + std::to_string(SM.getExpansionLineNumber(Loc));
}

bool isNull(const Expr *E, ASTContext &Ctx) {
  return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
         Expr::NPCK_NotNull;
}

/// `return NULL;`
bool returnsNull(const Stmt *S, ASTContext &Ctx) {
  const auto *Return = dyn_cast_or_null<ReturnStmt>(S);
  return Return && Return->getRetValue() &&
         isNull(Return->getRetValue(), Ctx);
}

/// `return NULL;` or `{ return NULL; }`.
bool onlyReturnsNull(const Stmt *S, ASTContext &Ctx) {
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    return Block->size() == 1 && returnsNull(Block->body_front(), Ctx);
  return returnsNull(S, Ctx);
}

/// The file range of \p S including its terminating semicolon; invalid if
/// part of it is spelled in a macro expansion (a whole statement that is one
/// macro expansion, like `Py_DECREF(m)`, is fine).
CharSourceRange statementRange(const Stmt *S, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  CharSourceRange Range = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(S->getSourceRange()), SM,
      Ctx.getLangOpts());
  if (Range.isInvalid())
    return Range;
  const Stmt *Last = S;
  while (true) {
    if (const auto *If = dyn_cast<IfStmt>(Last))
      Last = If->getElse() ? If->getElse() : If->getThen();
    else if (const auto *Label = dyn_cast<LabelStmt>(Last))
      Last = Label->getSubStmt();
    else
      break;
  }
  // A compound statement ends in '}', a declaration includes its ';'.
  if (isa<CompoundStmt>(Last) || isa<DeclStmt>(Last))
    return Range;
  std::optional<Token> Semi = Lexer::findNextToken(
      Range.getEnd().getLocWithOffset(-1), SM, Ctx.getLangOpts());
  if (!Semi || !Semi->is(tok::semi) || Semi->getLocation().isMacroID())
    return CharSourceRange();
  return CharSourceRange::getCharRange(Range.getBegin(), Semi->getEndLoc());
}

/// The text of a file range.
llvm::StringRef rangeText(CharSourceRange Range, const SourceManager &SM) {
  auto [File, Begin] = SM.getDecomposedLoc(Range.getBegin());
  unsigned End = SM.getFileOffset(Range.getEnd());
  return SM.getBufferData(File).slice(Begin, End);
}

/// Removes \p Range; when it fills its lines, the lines go too (and a blank
/// line after them when one precedes them or they open a block).
FixItHint removeStatements(CharSourceRange Range, const SourceManager &SM) {
  SourceLocation Begin = Range.getBegin();
  auto [File, EndOffset] = SM.getDecomposedLoc(Range.getEnd());
  llvm::StringRef Buffer = SM.getBufferData(File);
  llvm::StringRef After = Buffer.drop_front(EndOffset);
  size_t LineEnd = After.find('\n');
  if (!text::startsLine(Begin, SM) || LineEnd == llvm::StringRef::npos ||
      !After.take_front(LineEnd).trim().empty())
    return FixItHint::CreateRemoval(Range);
  SourceLocation Start = text::lineStart(Begin, SM);
  unsigned StartOffset = SM.getFileOffset(Start);
  unsigned End = EndOffset + LineEnd + 1;
  llvm::StringRef Before = Buffer.take_front(StartOffset);
  llvm::StringRef PreviousLine =
      Before.drop_back(Before.ends_with("\n") ? 1 : 0);
  PreviousLine = PreviousLine.substr(PreviousLine.rfind('\n') + 1);
  llvm::StringRef Next = Buffer.drop_front(End);
  size_t NextEnd = Next.find('\n');
  if (NextEnd != llvm::StringRef::npos &&
      Next.take_front(NextEnd).trim().empty() &&
      (PreviousLine.trim().empty() || PreviousLine.trim().ends_with("{")))
    End += NextEnd + 1;
  return FixItHint::CreateRemoval(CharSourceRange::getCharRange(
      Start, Start.getLocWithOffset(End - StartOffset)));
}

/// Finds uses of PyState_FindModule / PyState_AddModule.
class StateApiFinder : public RecursiveASTVisitor<StateApiFinder> {
public:
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl());
    if (!Function || !Function->getIdentifier())
      return true;
    llvm::StringRef Name = Function->getName();
    if (Name == "PyState_FindModule" || Name == "PyState_AddModule" ||
        Name == "PyState_RemoveModule") {
      Found = Ref;
      return false;
    }
    return true;
  }
  const DeclRefExpr *Found = nullptr;
};

/// Whether \p Callee, given the module as its first argument, only uses it
/// during the call (the module API and attribute setting).
bool keepsNoReference(const FunctionDecl *Callee) {
  if (!Callee || !Callee->getIdentifier())
    return false;
  llvm::StringRef Name = Callee->getName();
  return Name.starts_with("PyModule_Add") || Name == "PyModule_SetDocString" ||
         Name == "PyModule_GetDict" || Name == "PyModule_GetState" ||
         Name == "PyObject_SetAttrString" || Name == "PyObject_SetAttr";
}

/// Walks the body of the init function, checking every use of the module
/// variable and every exit, and collects the edits.
class BodyConverter {
public:
  BodyConverter(const VarDecl *Module, ASTContext &Ctx,
                llvm::DenseSet<const Stmt *> Removed)
      : Module(Module), Ctx(Ctx), SM(Ctx.getSourceManager()),
        Removed(std::move(Removed)) {}

  bool run(const Stmt *Body) {
    visit(Body);
    return Reason.empty();
  }

  std::vector<FixItHint> Hints;
  std::string Reason;

private:
  void fail(const std::string &Why) {
    if (Reason.empty())
      Reason = Why;
  }

  /// `Py_DECREF(m)` or `Py_XDECREF(m)` as a whole statement.
  bool releasesModule(const Stmt *S) {
    if (!isa<Expr>(S))
      return false;
    CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(S->getSourceRange()), SM,
        Ctx.getLangOpts());
    if (Range.isInvalid())
      return false;
    std::string Text;
    for (char C : rangeText(Range, SM))
      if (!isspace(static_cast<unsigned char>(C)))
        Text += C;
    std::string Name = Module->getName().str();
    return Text == "Py_DECREF(" + Name + ")" ||
           Text == "Py_XDECREF(" + Name + ")";
  }

  void visitBlock(const CompoundStmt *Block) {
    for (auto It = Block->body_begin(); It != Block->body_end(); ++It) {
      const Stmt *S = *It;
      if (Removed.contains(S))
        continue;
      const Stmt *Release = S;
      if (const auto *Label = dyn_cast<LabelStmt>(S))
        Release = Label->getSubStmt();
      if (!releasesModule(Release)) {
        visit(S);
        continue;
      }
      auto Next = std::next(It);
      if (Next == Block->body_end() || !returnsNull(*Next, Ctx)) {
        fail("the module is released at " +
             lineOf(Release->getBeginLoc(), SM) +
             " without 'return NULL;' right after it");
        return;
      }
      CharSourceRange Range = statementRange(Release, Ctx);
      if (Range.isInvalid()) {
        fail("the release of the module at " +
             lineOf(Release->getBeginLoc(), SM) + " has an unusual shape");
        return;
      }
      // The import machinery owns the module now: drop the release.
      if (Release == S) {
        Hints.push_back(removeStatements(Range, SM));
        continue;
      }
      // `error: Py_XDECREF(m);`: keep the label, from its colon on.
      std::optional<Token> Colon = Lexer::findNextToken(
          cast<LabelStmt>(S)->getIdentLoc(), SM, Ctx.getLangOpts());
      if (!Colon || !Colon->is(tok::colon) || Colon->getLocation().isMacroID()) {
        fail("the label at " + lineOf(S->getBeginLoc(), SM) +
             " has an unusual shape");
        return;
      }
      Hints.push_back(FixItHint::CreateRemoval(
          CharSourceRange::getCharRange(Colon->getEndLoc(), Range.getEnd())));
    }
  }

  void visitReturn(const ReturnStmt *Return) {
    const Expr *Value = Return->getRetValue();
    const char *Replacement = nullptr;
    if (Value && isNull(Value, Ctx))
      Replacement = "-1";
    else if (Value && referencedLocal(Value) == Module)
      Replacement = "0";
    if (!Replacement) {
      fail("the init function returns something other than NULL or the "
           "module at " +
           lineOf(Return->getBeginLoc(), SM));
      return;
    }
    CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Value->getSourceRange()), SM,
        Ctx.getLangOpts());
    if (Range.isInvalid()) {
      fail("the return at " + lineOf(Return->getBeginLoc(), SM) +
           " is spelled inside a macro expansion");
      return;
    }
    Hints.push_back(FixItHint::CreateReplacement(Range, Replacement));
  }

  void visitUse(const DeclRefExpr *Ref) {
    // Climb to the expression that consumes the value.
    const Expr *Use = Ref;
    while (true) {
      DynTypedNodeList Parents = Ctx.getParents(*Use);
      if (Parents.empty())
        break;
      const auto *Parent = Parents[0].get<Expr>();
      if (!Parent || !(isa<ImplicitCastExpr>(Parent) ||
                       isa<ParenExpr>(Parent) || isa<CStyleCastExpr>(Parent)))
        break;
      Use = Parent;
    }
    DynTypedNodeList Parents = Ctx.getParents(*Use);
    const auto *Call = Parents.empty() ? nullptr : Parents[0].get<CallExpr>();
    std::string Where = lineOf(Ref->getLocation(), SM);
    if (Call && Call->getNumArgs() > 0 && Call->getArg(0) == Use &&
        keepsNoReference(Call->getDirectCallee()))
      return;
    if (Call && Call->getDirectCallee() &&
        Call->getDirectCallee()->getIdentifier()) {
      fail("the module object is passed to '" +
           Call->getDirectCallee()->getName().str() + "' at " + Where +
           ", which may keep a reference to it; convert by hand");
      return;
    }
    fail("the module object is used at " + Where +
         " in a way gilport does not follow (only 'PyModule_*' calls, "
         "'Py_DECREF(m); return NULL;' and 'return m;' are understood)");
  }

  void visit(const Stmt *S) {
    if (!S || !Reason.empty() || Removed.contains(S))
      return;
    if (const auto *Block = dyn_cast<CompoundStmt>(S)) {
      visitBlock(Block);
      return;
    }
    if (const auto *Return = dyn_cast<ReturnStmt>(S)) {
      visitReturn(Return);
      return;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
      if (Ref->getDecl() == Module)
        visitUse(Ref);
      return;
    }
    if (isa<LambdaExpr>(S) || isa<BlockExpr>(S)) {
      fail("the init function contains a lambda or block");
      return;
    }
    for (const Stmt *Child : S->children())
      visit(Child);
  }

  const VarDecl *Module;
  ASTContext &Ctx;
  const SourceManager &SM;
  llvm::DenseSet<const Stmt *> Removed;
};

} // namespace

const VarDecl *findStaticTypeObject(ASTContext &Ctx) {
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *Var = dyn_cast<VarDecl>(D);
    if (!Var || !Var->hasGlobalStorage() ||
        Ctx.getSourceManager().isInSystemHeader(Var->getLocation()))
      continue;
    QualType Type = Var->getType();
    if (const auto *Array = Ctx.getAsArrayType(Type))
      Type = Array->getElementType();
    if (Type.getUnqualifiedType().getAsString() == "PyTypeObject" ||
        Type.getCanonicalType().getUnqualifiedType().getAsString() ==
            "struct _typeobject")
      return Var;
  }
  return nullptr;
}

Rewrite convertToMultiPhase(const ModuleInitInfo &Init,
                            SlotDeclarations Declarations, ASTContext &Ctx,
                            const MultiPhaseOptions &Options) {
  const SourceManager &SM = Ctx.getSourceManager();
  const FunctionDecl *Function = Init.Function;
  if (Function->getLocation().isMacroID())
    return Rewrite::failure(
        "the init function is defined inside a macro expansion");
  if (Init.CreateCaller != Function)
    return Rewrite::failure("the module is created in '" +
                            Init.CreateCaller->getName().str() +
                            "', not in the init function itself");
  const FunctionDecl *Create = Init.CreateCall->getDirectCallee();
  if (!Create || Create->getName() != "PyModule_Create2")
    return Rewrite::failure(
        "the module is not created with 'PyModule_Create(&def)'");
  if (!Init.Def)
    return Rewrite::failure(
        "the module definition is not in this translation unit");
  const ModuleDefInfo &Def = *Init.Def;
  const auto *Address = dyn_cast<UnaryOperator>(
      Init.CreateCall->getArg(0)->IgnoreParenImpCasts());
  const auto *DefRef =
      Address && Address->getOpcode() == UO_AddrOf
          ? dyn_cast<DeclRefExpr>(Address->getSubExpr()->IgnoreParens())
          : nullptr;
  if (!DefRef)
    return Rewrite::failure("the module definition is not passed as '&def'");
  if (!Def.Size)
    return Rewrite::failure("its 'm_size' is not a constant");
  if (*Def.Size > 0)
    return Rewrite::failure(
        "its 'm_size' is " + std::to_string(*Def.Size) +
        ": the single-phase module keeps state that must be moved by hand");
  if (!Def.SlotsNull)
    return Rewrite::failure("its 'm_slots' is already set");
  {
    StateApiFinder Finder;
    Finder.TraverseDecl(Ctx.getTranslationUnitDecl());
    if (Finder.Found)
      return Rewrite::failure(
          "the file uses '" + Finder.Found->getDecl()->getName().str() + "' (" +
          lineOf(Finder.Found->getLocation(), SM) +
          "), which relies on single-phase init; move the state to module "
          "state first");
  }

  // The creation: a statement of the body itself, then the NULL check.
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Function->getBody());
  if (!Body)
    return Rewrite::failure("the init function has no body");
  const VarDecl *Module = nullptr;
  const Stmt *Declaration = nullptr;
  auto CreateIt = Body->body_begin();
  for (; CreateIt != Body->body_end(); ++CreateIt) {
    const Stmt *S = *CreateIt;
    if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
      const auto *Var = Decls->isSingleDecl()
                            ? dyn_cast<VarDecl>(Decls->getSingleDecl())
                            : nullptr;
      if (Var && Var->getInit() &&
          Var->getInit()->IgnoreParenCasts() == Init.CreateCall) {
        Module = Var;
        break;
      }
    } else if (const auto *Assign = dyn_cast<BinaryOperator>(S)) {
      if (Assign->getOpcode() == BO_Assign &&
          Assign->getRHS()->IgnoreParenCasts() == Init.CreateCall) {
        Module = referencedLocal(Assign->getLHS());
        break;
      }
    }
  }
  if (!Module)
    return Rewrite::failure(
        "the module is not stored in a local variable by a statement of the "
        "init function's body ('m = PyModule_Create(&def);')");
  auto CheckIt = std::next(CreateIt);
  const auto *Check =
      CheckIt == Body->body_end() ? nullptr : dyn_cast<IfStmt>(*CheckIt);
  if (!Check || Check->getElse() || Check->hasInitStorage() ||
      Check->hasVarStorage() || !testsForNull(Check->getCond(), Module, Ctx) ||
      !onlyReturnsNull(Check->getThen(), Ctx))
    return Rewrite::failure(
        "the module creation is not followed by 'if (m == NULL) return "
        "NULL;'");
  if (!isa<DeclStmt>(*CreateIt)) {
    // `PyObject *m;` before the creation.
    for (auto It = Body->body_begin(); It != CreateIt; ++It) {
      const auto *Decls = dyn_cast<DeclStmt>(*It);
      if (Decls && llvm::is_contained(Decls->decls(), Module)) {
        Declaration = Decls;
        break;
      }
    }
    if (!Declaration || !cast<DeclStmt>(Declaration)->isSingleDecl() ||
        Module->getInit())
      return Rewrite::failure(
          "the module variable is not declared alone ('PyObject *m;') in "
          "the init function's body");
  }
  std::string ModuleName = Module->getName().str();

  Rewrite Result;
  // Remove the declaration, the creation and its NULL check.
  llvm::DenseSet<const Stmt *> Removed = {*CreateIt, Check};
  if (Declaration) {
    Removed.insert(Declaration);
    CharSourceRange Range = statementRange(Declaration, Ctx);
    if (Range.isInvalid())
      return Rewrite::failure(
          "the module variable is declared inside a macro expansion");
    Result.Hints.push_back(removeStatements(Range, SM));
  }
  CharSourceRange CreateRange = statementRange(*CreateIt, Ctx);
  CharSourceRange CheckRange = statementRange(Check, Ctx);
  if (CreateRange.isInvalid() || CheckRange.isInvalid())
    return Rewrite::failure(
        "the module creation is spelled inside a macro expansion");
  Result.Hints.push_back(removeStatements(
      CharSourceRange::getCharRange(CreateRange.getBegin(),
                                    CheckRange.getEnd()),
      SM));

  BodyConverter Converter(Module, Ctx, std::move(Removed));
  if (!Converter.run(Body))
    return Rewrite::failure(Converter.Reason);
  Result.Hints.insert(Result.Hints.end(), Converter.Hints.begin(),
                      Converter.Hints.end());

  // The signature: `PyMODINIT_FUNC PyInit_x(void)` -> `static int
  // x_exec(PyObject *m)`.
  std::string Exec =
      unusedFileScopeName((Init.ModuleName + "_exec").str(), Ctx);
  FunctionTypeLoc TypeLoc = Function->getFunctionTypeLoc();
  SourceLocation Begin = SM.getExpansionLoc(Function->getBeginLoc());
  SourceLocation NameLoc = Function->getLocation();
  if (!TypeLoc || TypeLoc.getRParenLoc().isMacroID() ||
      !SM.isWrittenInSameFile(Begin, NameLoc))
    return Rewrite::failure(
        "the init function's signature is spelled inside a macro expansion");
  SourceLocation FirstTokenEnd =
      Lexer::getLocForEndOfToken(Begin, 0, SM, Ctx.getLangOpts());
  llvm::StringRef Between = rangeText(
      CharSourceRange::getCharRange(FirstTokenEnd, NameLoc), SM);
  if (!Between.trim().empty())
    return Rewrite::failure(
        "the init function's signature has more than 'PyMODINIT_FUNC "
        "PyInit_name(void)'");
  std::string Space = Between.contains('\n') ? "\n" : " ";
  Result.Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getTokenRange(Begin, TypeLoc.getRParenLoc()),
      "static int" + Space + Exec + "(PyObject *" + ModuleName + ")"));

  // The new init function after the exec function.
  SourceLocation RBrace = Body->getRBracLoc();
  if (RBrace.isMacroID())
    return Rewrite::failure(
        "the init function's body is spelled inside a macro expansion");
  std::string Indent = text::indentUnit(RBrace, SM);
  std::string BraceSpace =
      text::startsLine(Body->getLBracLoc(), SM) ? "\n" : " ";
  Result.Hints.push_back(FixItHint::CreateInsertion(
      RBrace.getLocWithOffset(1),
      "\n\nPyMODINIT_FUNC" + Space + "PyInit_" + Init.ModuleName.str() +
          "(void)" + BraceSpace + "{\n" + Indent + "return PyModuleDef_Init(&" +
          DefRef->getDecl()->getName().str() + ");\n}"));

  // `m_size = -1` -> 0: the state of the module object is no longer shared.
  if ((*Def.Size == -1 || Options.Size != "0") && Def.SizeExpr) {
    CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Def.SizeExpr->getSourceRange()), SM,
        Ctx.getLangOpts());
    if (Range.isInvalid())
      return Rewrite::failure("'m_size' is spelled inside a macro expansion");
    Result.Hints.push_back(FixItHint::CreateReplacement(Range, Options.Size));
  } else if (Options.Size != "0") {
    return Rewrite::failure("'m_size' is not given explicitly");
  }

  // The slots array, after a prototype of the exec function.
  Declarations.ExecFunction = Exec;
  Declarations.Prelude =
      "static int " + Exec + "(PyObject *" + ModuleName + ");\n\n";
  std::string Slots =
      unusedFileScopeName((Init.ModuleName + "_slots").str(), Ctx);
  Rewrite SlotsEdit =
      addSlotsArray(Declarations, Def.Def, Def.SlotsExpr, Slots, Ctx);
  if (!SlotsEdit.Reason.empty())
    return SlotsEdit;
  Result.Hints.insert(Result.Hints.end(), SlotsEdit.Hints.begin(),
                      SlotsEdit.Hints.end());
  if (Options.ModuleVariable)
    *Options.ModuleVariable = ModuleName;
  if (Options.ExecFunction)
    *Options.ExecFunction = Exec;
  return Result;
}

} // namespace gilport
