//===--- GilDeclarationFix.cpp --------------------------------------------===//

#include "rewrites/GilDeclarationFix.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/IdentifierTable.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

namespace gilport {

using namespace clang;

namespace text {

SourceLocation lineStart(SourceLocation Loc, const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  llvm::StringRef Buffer = SM.getBufferData(File);
  // rfind looks at the characters before Offset.
  size_t Start = Buffer.rfind('\n', Offset);
  Start = Start == llvm::StringRef::npos ? 0 : Start + 1;
  return Loc.getLocWithOffset(static_cast<int>(Start) -
                              static_cast<int>(Offset));
}

std::string lineIndent(SourceLocation Loc, const SourceManager &SM) {
  SourceLocation Start = lineStart(Loc, SM);
  auto [File, Offset] = SM.getDecomposedLoc(Start);
  llvm::StringRef Line = SM.getBufferData(File).drop_front(Offset);
  return Line.take_while([](char C) { return C == ' ' || C == '\t'; }).str();
}

bool startsLine(SourceLocation Loc, const SourceManager &SM) {
  SourceLocation Start = lineStart(Loc, SM);
  auto [File, Offset] = SM.getDecomposedLoc(Start);
  unsigned End = SM.getFileOffset(Loc);
  llvm::StringRef Before = SM.getBufferData(File).slice(Offset, End);
  return Before.find_first_not_of(" \t") == llvm::StringRef::npos;
}

std::string indentUnit(SourceLocation Loc, const SourceManager &SM) {
  llvm::StringRef Buffer = SM.getBufferData(SM.getFileID(Loc));
  size_t Smallest = 0;
  unsigned TabLines = 0, SpaceLines = 0;
  while (!Buffer.empty()) {
    auto [Line, Rest] = Buffer.split('\n');
    Buffer = Rest;
    if (Line.starts_with("\t")) {
      ++TabLines;
      continue;
    }
    size_t Spaces = Line.find_first_not_of(' ');
    // Skip blank lines and block comment continuations (" * text").
    if (Spaces == 0 || Spaces == llvm::StringRef::npos || Line[Spaces] == '*')
      continue;
    ++SpaceLines;
    if (Spaces >= 2 && (Smallest == 0 || Spaces < Smallest))
      Smallest = Spaces;
  }
  if (TabLines > SpaceLines)
    return "\t";
  if (Smallest < 2 || Smallest > 8)
    Smallest = 4;
  return std::string(Smallest, ' ');
}

} // namespace text

namespace {

/// The offset of the first character after the whitespace run that ends
/// right before \p Loc (spaces, tabs and newlines).
SourceLocation startOfPrecedingSpace(SourceLocation Loc,
                                     const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  llvm::StringRef Before = SM.getBufferData(File).take_front(Offset);
  size_t Kept = Before.find_last_not_of(" \t\r\n");
  unsigned Start = Kept == llvm::StringRef::npos ? 0 : Kept + 1;
  return Loc.getLocWithOffset(static_cast<int>(Start) -
                              static_cast<int>(Offset));
}

/// The character before \p Loc, skipping whitespace; 0 at the file start.
char previousCharacter(SourceLocation Loc, const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  llvm::StringRef Before = SM.getBufferData(File).take_front(Offset);
  size_t Kept = Before.find_last_not_of(" \t\r\n");
  return Kept == llvm::StringRef::npos ? 0 : Before[Kept];
}

/// The file range of the tokens of \p Range; invalid when part of it is
/// inside a macro expansion.
CharSourceRange fileTokenRange(SourceRange Range, ASTContext &Ctx) {
  return Lexer::makeFileCharRange(CharSourceRange::getTokenRange(Range),
                                  Ctx.getSourceManager(), Ctx.getLangOpts());
}

/// `m = create(...)` or `PyObject *m = create(...)`: the local `m`.
const VarDecl *storedResult(const Stmt *S, const CallExpr *CreateCall) {
  if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
    if (!Decls->isSingleDecl())
      return nullptr;
    const auto *Var = dyn_cast<VarDecl>(Decls->getSingleDecl());
    if (Var && Var->hasLocalStorage() && Var->getInit() &&
        Var->getInit()->IgnoreParenCasts() == CreateCall)
      return Var;
    return nullptr;
  }
  const auto *Assign = dyn_cast<BinaryOperator>(S);
  if (!Assign || Assign->getOpcode() != BO_Assign ||
      Assign->getRHS()->IgnoreParenCasts() != CreateCall)
    return nullptr;
  return referencedLocal(Assign->getLHS());
}

/// Whether \p S always leaves the function or jumps (return, goto).
bool leaves(const Stmt *S) {
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    return !Block->body_empty() && leaves(Block->body_back());
  return isa<ReturnStmt>(S) || isa<GotoStmt>(S);
}

struct CreationSite {
  const VarDecl *Module = nullptr;
  /// The NULL check after the creation (or holding it), after which the
  /// call goes; when there is none, the call goes after Creation, guarded.
  const IfStmt *NullCheck = nullptr;
  const Stmt *Creation = nullptr;
};

/// Finds the creation statement and its NULL check in any block of \p Body.
bool findCreationSite(const Stmt *Body, const CallExpr *CreateCall,
                      ASTContext &Ctx, CreationSite &Site) {
  if (!Body)
    return false;
  if (const auto *Block = dyn_cast<CompoundStmt>(Body)) {
    for (auto It = Block->body_begin(); It != Block->body_end(); ++It) {
      // `if ((m = PyModule_Create(&def)) == NULL) return NULL;`
      if (const auto *If = dyn_cast<IfStmt>(*It);
          If && !If->getElse() && !If->hasInitStorage() &&
          !If->hasVarStorage() && leaves(If->getThen()))
        if (const VarDecl *Module =
                assignedInNullTest(If->getCond(), CreateCall, Ctx)) {
          Site.Module = Module;
          Site.NullCheck = If;
          return true;
        }
      const VarDecl *Module = storedResult(*It, CreateCall);
      if (!Module)
        continue;
      auto Next = std::next(It);
      if (Next == Block->body_end())
        return false;
      Site.Module = Module;
      Site.Creation = *It;
      const auto *Check = dyn_cast<IfStmt>(*Next);
      if (!Check || !testsForNull(Check->getCond(), Module, Ctx))
        return true; // No NULL check: the call is guarded.
      if (Check->getElse() || Check->hasInitStorage() ||
          Check->hasVarStorage() || !leaves(Check->getThen()))
        return false;
      Site.NullCheck = Check;
      return true;
    }
  }
  for (const Stmt *Child : Body->children())
    if (findCreationSite(Child, CreateCall, Ctx, Site))
      return true;
  return false;
}

} // namespace

std::string slotEntriesText(const SlotDeclarations &Slots,
                            llvm::StringRef Indent) {
  std::string Text;
  if (Slots.PySlotEntries) {
    // Only Python 3.15 and later read a PySlot array: no guards.
    if (Slots.PerInterpreterGil)
      Text += Indent.str() + "PySlot_DATA(Py_mod_multiple_interpreters, "
                             "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED),\n";
    if (Slots.Gil)
      Text += Indent.str() + "PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),\n";
    return Text;
  }
  if (!Slots.ExecFunction.empty())
    Text += Indent.str() + "{Py_mod_exec, " + Slots.ExecFunction + "},\n";
  if (Slots.PerInterpreterGil)
    Text += "#if PY_VERSION_HEX >= 0x030C0000\n" + Indent.str() +
            "{Py_mod_multiple_interpreters, "
            "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},\n#endif\n";
  else if (Slots.MultipleInterpretersNotSupported)
    Text += "#if PY_VERSION_HEX >= 0x030C0000\n" + Indent.str() +
            "{Py_mod_multiple_interpreters, "
            "Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},\n#endif\n";
  if (Slots.Gil)
    Text += "#ifdef Py_mod_gil\n" + Indent.str() +
            "{Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n";
  return Text;
}

Rewrite insertSlotsBeforeSentinel(const SlotDeclarations &Slots,
                                  const InitListExpr *Sentinel,
                                  ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation Begin = Sentinel->getBeginLoc();
  // `PySlot_END`, Python's own terminator macro, is the whole entry.
  if (Begin.isMacroID() &&
      Lexer::getImmediateMacroName(Begin, SM, Ctx.getLangOpts()) ==
          "PySlot_END" &&
      Lexer::isAtStartOfMacroExpansion(Begin, SM, Ctx.getLangOpts()) &&
      Lexer::isAtEndOfMacroExpansion(Sentinel->getEndLoc(), SM,
                                     Ctx.getLangOpts()) &&
      SM.getExpansionLoc(Begin).isFileID())
    Begin = SM.getExpansionLoc(Begin);
  if (Begin.isInvalid() || Begin.isMacroID())
    return Rewrite::failure(
        "the terminator of the slots array is spelled inside a macro "
        "expansion");
  Rewrite Result;
  if (text::startsLine(Begin, SM)) {
    SourceLocation Start = text::lineStart(Begin, SM);
    Result.Hints.push_back(FixItHint::CreateInsertion(
        Start, slotEntriesText(Slots, text::lineIndent(Begin, SM))));
    return Result;
  }
  // `{{Py_mod_exec, f}, {0, NULL}}` on one line: directives need their own
  // lines, so break it before the terminator.
  std::string Indent = text::lineIndent(Begin, SM) + text::indentUnit(Begin, SM);
  SourceLocation SpaceStart = startOfPrecedingSpace(Begin, SM);
  Result.Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(SpaceStart, Begin),
      "\n" + slotEntriesText(Slots, Indent) + Indent));
  return Result;
}

std::string unusedFileScopeName(llvm::StringRef Preferred,
                                ASTContext &Ctx) {
  // Any identifier the translation unit knows (a declaration, a macro, a
  // field) is avoided, which is stricter than needed and always safe.
  auto Taken = [&](llvm::StringRef Name) {
    return Ctx.Idents.find(Name) != Ctx.Idents.end();
  };
  if (!Taken(Preferred))
    return Preferred.str();
  for (unsigned Suffix = 2;; ++Suffix) {
    std::string Name = (Preferred + llvm::Twine(Suffix)).str();
    if (!Taken(Name))
      return Name;
  }
}

Rewrite addSlotsArray(const SlotDeclarations &Slots, const VarDecl *Def,
                      const Expr *SlotsExpr, llvm::StringRef ArrayName,
                      ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation DefBegin = Def->getBeginLoc();
  if (DefBegin.isMacroID() || Def->getLocation().isMacroID())
    return Rewrite::failure(
        "the module definition is spelled inside a macro expansion");
  if (!text::startsLine(DefBegin, SM))
    return Rewrite::failure(
        "the module definition does not start a line, so a slots array "
        "cannot be placed before it");
  const auto *Init = dyn_cast_or_null<InitListExpr>(Def->getInit());
  if (!Init)
    return Rewrite::failure("the module definition has no braced initializer");
  const InitListExpr *Written =
      Init->getSyntacticForm() ? Init->getSyntacticForm() : Init;

  Rewrite Result;
  std::string Unit = text::indentUnit(DefBegin, SM);
  std::string Indent = text::lineIndent(DefBegin, SM);
  // Indent the new array like the definition's own members.
  if (Written->getNumInits() > 0) {
    SourceLocation First =
        SM.getExpansionLoc(Written->getInit(0)->getBeginLoc());
    std::string MemberIndent = text::lineIndent(First, SM);
    if (SM.getFileID(First) == SM.getFileID(DefBegin) &&
        text::startsLine(First, SM) && MemberIndent.size() > Indent.size() &&
        llvm::StringRef(MemberIndent).starts_with(Indent))
      Unit = MemberIndent.substr(Indent.size());
  }
  std::string Array = Slots.Prelude + Indent + "static PyModuleDef_Slot " + ArrayName.str() +
                      "[] = {\n" + slotEntriesText(Slots, Indent + Unit) +
                      Indent + Unit + "{0, NULL},\n" + Indent + "};\n\n";
  Result.Hints.push_back(
      FixItHint::CreateInsertion(text::lineStart(DefBegin, SM), Array));

  if (SlotsExpr) {
    CharSourceRange Range = fileTokenRange(SlotsExpr->getSourceRange(), Ctx);
    if (Range.isInvalid())
      return Rewrite::failure("'m_slots' is spelled inside a macro expansion");
    Result.Hints.push_back(FixItHint::CreateReplacement(Range, ArrayName));
    return Result;
  }

  // `m_slots` omitted: add it after the last initializer.
  if (Written->getNumInits() == 0)
    return Rewrite::failure("the module definition is empty");
  bool Designated = llvm::any_of(Written->inits(), [](const Expr *E) {
    return isa<DesignatedInitExpr>(E);
  });
  const Expr *Last = Written->getInit(Written->getNumInits() - 1);
  CharSourceRange LastRange = fileTokenRange(Last->getSourceRange(), Ctx);
  SourceLocation RBrace = Written->getRBraceLoc();
  if (LastRange.isInvalid() || RBrace.isMacroID())
    return Rewrite::failure(
        "the module definition is spelled inside a macro expansion");
  std::string Addition;
  if (Designated && !Slots.PositionalTail.empty())
    return Rewrite::failure(
        "the module definition uses designated initializers and omits "
        "'m_slots'; set its fields by hand");
  if (Designated) {
    if (Ctx.getLangOpts().CPlusPlus)
      return Rewrite::failure(
          "designated initializers must keep their order in C++; set "
          "'m_slots' by hand");
    if (text::startsLine(RBrace, SM) && previousCharacter(RBrace, SM) == ',') {
      Result.Hints.push_back(FixItHint::CreateInsertion(
          text::lineStart(RBrace, SM), text::lineIndent(Last->getBeginLoc(), SM) +
                                           ".m_slots = " + ArrayName.str() +
                                           ",\n"));
      return Result;
    }
    Addition = ", .m_slots = " + ArrayName.str();
  } else {
    // Positional: m_base, m_name, m_doc, m_size, m_methods, m_slots.
    constexpr unsigned SlotsIndex = 5;
    unsigned Count = Written->getNumInits();
    if (Count > SlotsIndex)
      return Rewrite::failure("'m_slots' cannot be located");
    for (unsigned Index = Count; Index < SlotsIndex; ++Index)
      Addition += Index == 3 ? ", 0" : ", NULL";
    Addition += ", " + ArrayName.str() + Slots.PositionalTail;
  }
  Result.Hints.push_back(
      FixItHint::CreateInsertion(LastRange.getEnd(), Addition));
  return Result;
}

/// `return PyModule_Create(&def);` (no variable to declare on) becomes
///   PyObject *module = PyModule_Create(&def);
///   #ifdef Py_GIL_DISABLED
///   if (module != NULL) {
///       PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED);
///   }
///   #endif
///   return module;
Rewrite setGilBeforeReturn(const CallExpr *CreateCall,
                           const FunctionDecl *Caller, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Caller->getBody());
  const ReturnStmt *Return = nullptr;
  if (Body)
    for (const Stmt *S : Body->body())
      if (const auto *R = dyn_cast<ReturnStmt>(S);
          R && R->getRetValue() &&
          R->getRetValue()->IgnoreParenImpCasts() == CreateCall)
        Return = R;
  if (!Return || Return->getBeginLoc().isMacroID())
    return Rewrite::failure("no return of the creation");
  std::string Name = firstUnusedName(Caller, {"module", "m", "mod"}).str();
  CharSourceRange Value = fileTokenRange(CreateCall->getSourceRange(), Ctx);
  CharSourceRange Whole = fileTokenRange(Return->getSourceRange(), Ctx);
  std::optional<Token> Semi =
      Whole.isValid()
          ? Lexer::findNextToken(Whole.getEnd().getLocWithOffset(-1), SM,
                                 Ctx.getLangOpts())
          : std::nullopt;
  if (Name.empty() || Value.isInvalid() || !Semi || !Semi->is(tok::semi) ||
      Semi->getLocation().isMacroID() ||
      !text::startsLine(Whole.getBegin(), SM))
    return Rewrite::failure("the return has an unusual shape");
  std::string Indent = text::lineIndent(Return->getBeginLoc(), SM);
  std::string Unit = text::indentUnit(Return->getBeginLoc(), SM);
  std::string Text = "PyObject *" + Name + " = " +
                     Lexer::getSourceText(Value, SM, Ctx.getLangOpts()).str() +
                     ";\n#ifdef Py_GIL_DISABLED\n" + Indent + "if (" + Name +
                     " != NULL) {\n" + Indent + Unit +
                     "PyUnstable_Module_SetGIL(" + Name +
                     ", Py_MOD_GIL_NOT_USED);\n" + Indent + "}\n#endif\n" +
                     Indent + "return " + Name + ";";
  Rewrite Result;
  Result.Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(Whole.getBegin(), Semi->getEndLoc()),
      Text));
  return Result;
}

Rewrite insertSetGilCall(const CallExpr *CreateCall, const FunctionDecl *Caller,
                         ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  CreationSite Site;
  bool Found =
      Caller && findCreationSite(Caller->getBody(), CreateCall, Ctx, Site);
  if (!Found && Caller)
    if (Rewrite Returned = setGilBeforeReturn(CreateCall, Caller, Ctx);
        Returned.ok())
      return Returned;
  if (!Found)
    return Rewrite::failure(
        "the module object is not stored in a local variable and checked "
        "for NULL right after its creation ('m = PyModule_Create(&def);' "
        "followed by 'if (m == NULL) return NULL;'), so there is no clear "
        "place for the declaration");
  const IfStmt *Check = Site.NullCheck;
  const Stmt *After = Check ? static_cast<const Stmt *>(Check) : Site.Creation;
  CharSourceRange Range = fileTokenRange(After->getSourceRange(), Ctx);
  if (After->getBeginLoc().isMacroID() || Range.isInvalid())
    return Rewrite::failure(
        "the module creation is spelled inside a macro expansion");
  SourceLocation AfterCheck = Range.getEnd();
  if (!isa<DeclStmt>(After) &&
      (!Check || !isa<CompoundStmt>(Check->getThen()))) {
    // `if (m == NULL) return NULL;` or `m = PyModule_Create(&def);`: the
    // range ends before the semicolon (a declaration's includes it).
    std::optional<Token> Semi = Lexer::findNextToken(
        Range.getEnd().getLocWithOffset(-1), SM, Ctx.getLangOpts());
    if (!Semi || !Semi->is(tok::semi) || Semi->getLocation().isMacroID())
      return Rewrite::failure(
          "the NULL check after the module creation has an unusual shape");
    AfterCheck = Semi->getEndLoc();
  }
  std::string Indent = text::lineIndent(After->getBeginLoc(), SM);
  std::string Name = Site.Module->getName().str();
  std::string SetGil =
      "PyUnstable_Module_SetGIL(" + Name + ", Py_MOD_GIL_NOT_USED);\n";
  std::string Call =
      Check ? "#ifdef Py_GIL_DISABLED\n" + Indent + SetGil + "#endif\n"
            : "#ifdef Py_GIL_DISABLED\n" + Indent + "if (" + Name +
                  " != NULL) {\n" + Indent +
                  text::indentUnit(After->getBeginLoc(), SM) + SetGil + Indent +
                  "}\n#endif\n";
  auto [File, Offset] = SM.getDecomposedLoc(AfterCheck);
  llvm::StringRef Rest = SM.getBufferData(File).drop_front(Offset);
  size_t LineEnd = Rest.find('\n');
  Rewrite Result;
  if (LineEnd != llvm::StringRef::npos &&
      Rest.take_front(LineEnd).trim().empty()) {
    Result.Hints.push_back(FixItHint::CreateInsertion(
        AfterCheck.getLocWithOffset(LineEnd + 1), Call));
  } else {
    Result.Hints.push_back(
        FixItHint::CreateInsertion(AfterCheck, "\n" + Call + Indent));
  }
  return Result;
}

} // namespace gilport
