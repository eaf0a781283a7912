//===--- StateEmitter.cpp -------------------------------------------------===//
//
// The edits of a plan, in this order: the atomics, the state struct with
// its accessor and GC functions (before the first function that uses it),
// the declarations removed and every use reading the state, the helpers'
// new module parameter, what exec creates and sets, the types' tp_traverse
// and tp_dealloc, and the module definition's members and slots.
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/GilDeclarationFix.h"
#include "rewrites/MultiPhaseConversion.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <tuple>

namespace gilport {
namespace modulestate {

using namespace clang;

namespace {

/// The lines of [Begin, End) with their newline when nothing else is on
/// them, else the range itself.
CharSourceRange wholeLines(SourceLocation Begin, SourceLocation End,
                           const SourceManager &SM) {
  auto [File, BeginOffset] = SM.getDecomposedLoc(Begin);
  unsigned EndOffset = SM.getFileOffset(End);
  llvm::StringRef Buffer = SM.getBufferData(File);
  unsigned LineStart = BeginOffset;
  while (LineStart > 0 &&
         (Buffer[LineStart - 1] == ' ' || Buffer[LineStart - 1] == '\t'))
    --LineStart;
  unsigned LineEnd = EndOffset;
  while (LineEnd < Buffer.size() &&
         (Buffer[LineEnd] == ' ' || Buffer[LineEnd] == '\t'))
    ++LineEnd;
  if ((LineStart > 0 && Buffer[LineStart - 1] != '\n') ||
      (LineEnd < Buffer.size() && Buffer[LineEnd] != '\n'))
    return CharSourceRange::getCharRange(Begin, End);
  if (LineEnd < Buffer.size())
    ++LineEnd;
  SourceLocation Start = SM.getLocForStartOfFile(File);
  return CharSourceRange::getCharRange(Start.getLocWithOffset(LineStart),
                                       Start.getLocWithOffset(LineEnd));
}

} // namespace

Rewrite ModuleStatePlanner::buildEdits(bool WithGil) {
  Rewrite Result;
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  Result.Hints = AtomicEdits;
  SourceLocation FileStart = SM.getLocForStartOfFile(
      SM.getFileID(SM.getExpansionLoc(Init.Def->Def->getLocation())));
  std::string Unit = text::indentUnit(FileStart, SM);
  bool HasObjects =
      llvm::any_of(Moved, [](const auto &M) { return M.first->IsObject; });

  // The state, its accessor and the GC functions.
  std::string Text = stateDeclarations(Unit);
  // Binary number slots look the module up from either operand (one of
  // them is an instance of the slot's type).
  size_t OperandHelperAt = Text.size();
  if (HasObjects) {
    Text += stateFunctions(Unit);
    extendUserStateFunctions(Unit, Result);
  }
  size_t StateBlock = Result.Hints.size();
  Add(FixItHint::CreateInsertion(FileStart.getLocWithOffset(InsertAt), Text));

  // The declarations go; every use reads the state.
  if (std::string Problem = replaceDeclarationsAndUses(Unit, Result);
      !Problem.empty())
    return Rewrite::failure(Problem);

  std::string HelperProblem = threadHelpers(Result);
  if (!HelperProblem.empty())
    return Rewrite::failure(HelperProblem);

  // Initial values are set when the module is executed.
  if (std::string Problem = initializeInExec(Unit, Result); !Problem.empty())
    return Rewrite::failure(Problem);

  // A heap type's instances own a reference to it.
  llvm::DenseSet<const FunctionDecl *> Adjusted;
  for (const auto &[Candidate, Field] : Moved) {
    if (!Candidate->IsType)
      continue;
    const HeapTypePlan &HeapType = HeapTypes.find(Candidate->Var)->second;
    if (std::string Problem = adjustTypeFunctions(HeapType, Result, Adjusted);
        !Problem.empty())
      return Rewrite::failure(Problem);
  }

  // The operand helper, when a binary number slot uses it.
  insertOperandHelper(Unit, StateBlock, OperandHelperAt, Result);

  // The definition: m_traverse, m_clear and m_free.
  std::string PositionalTail;
  if (HasObjects)
    if (std::string Problem =
            setDefinitionFunctions(Unit, PositionalTail, Result);
        !Problem.empty())
      return Rewrite::failure(Problem);

  // m_size, and the slots.
  return setSizeAndSlots(WithGil, PositionalTail, std::move(Result));
}

std::string ModuleStatePlanner::stateDeclarations(const std::string &Unit) {
  std::string Text = "typedef struct {\n";
  for (const auto &[Candidate, Field] : Moved) {
    std::string Comment;
    if (!Candidate->IsType)
      declarationRange(Candidate->Var, &Comment);
    llvm::SmallVector<llvm::StringRef, 4> Lines;
    llvm::StringRef(Comment).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef Line : Lines)
      Text += Unit + Line.rtrim().str() + "\n";
    Text += Unit + fieldText(Candidate->Var, Field) + ";\n";
  }
  Text += "} " + StateName + ";\n\n";
  Text += "static inline " + StateName + " *\n" + Accessor +
          "(PyObject *module)\n{\n" + Unit + "return (" + StateName +
          " *)PyModule_GetState(module);\n}\n\n";
  bool HasTypes =
      llvm::any_of(Moved, [](const auto &M) { return M.first->IsType; });
  if (HasTypes) {
    // The types' functions name the definition to find their module.
    const VarDecl *Def = Init.Def->Def;
    Text += std::string(Def->getStorageClass() == SC_Static ? "static " : "") +
            "struct PyModuleDef " + Def->getName().str() + ";\n\n";
    if (llvm::any_of(Deallocs,
                     [&](const FunctionDecl *F) { return updatesState(F); }))
      Text +=
          "/* The state of the module that created 'type' or its base, for "
          "tp_dealloc:\n   PyType_GetModuleByDef would crash there once the "
          "garbage collector has\n   cleared the type (its MRO and module) "
          "at shutdown; then this gives NULL. */\nstatic " +
          StateName + " *\n" + TypeAccessor + "(PyTypeObject *type)\n{\n" +
          Unit + "for (; type != NULL; type = type->tp_base) {\n" + Unit +
          Unit + "if (PyType_HasFeature(type, Py_TPFLAGS_HEAPTYPE)) {\n" +
          Unit + Unit + Unit +
          "PyObject *module = ((PyHeapTypeObject *)type)->ht_module;\n" + Unit +
          Unit + Unit + "if (module != NULL && PyModule_Check(module) &&\n" +
          Unit + Unit + Unit + Unit + "PyModule_GetDef(module) == &" +
          Def->getName().str() + ") {\n" + Unit + Unit + Unit + Unit +
          "return " + Accessor + "(module);\n" + Unit + Unit + Unit + "}\n" +
          Unit + Unit + "}\n" + Unit + "}\n" + Unit + "return NULL;\n}\n\n";
  }
  return Text;
}

std::string ModuleStatePlanner::stateFunctions(const std::string &Unit) {
  std::string Text;
  // m_traverse and m_clear: one statement per object field.
  auto StateFunction = [&](const std::string &Name, llvm::StringRef Parameters,
                           llvm::StringRef Macro) {
    std::string Function = "static int\n" + Name + "(PyObject *module" +
                           Parameters.str() + ")\n{\n" + Unit + StateName +
                           " *state = " + Accessor + "(module);\n";
    for (const auto &[Candidate, Field] : Moved)
      if (Candidate->IsObject)
        Function += Unit + Macro.str() + "(state->" + Field + ");\n";
    return Function + Unit + "return 0;\n}\n\n";
  };
  // Only those the definition does not have: its own get the fields.
  if (!UserTraverse)
    Text += StateFunction(Traverse, ", visitproc visit, void *arg", "Py_VISIT");
  if (!UserClear)
    Text += StateFunction(Clear, "", "Py_CLEAR");
  if (!UserFree && !UserClear) {
    Text += "static void\n" + Free + "(void *module)\n{\n" + Unit + "(void)" +
            Clear + "((PyObject *)module);\n}\n\n";
  } else if (!UserFree) {
    Text += "static void\n" + Free + "(void *module)\n{\n" + Unit + StateName +
            " *state = " + Accessor + "((PyObject *)module);\n";
    for (const auto &[Candidate, Field] : Moved)
      if (Candidate->IsObject)
        Text += Unit + "Py_CLEAR(state->" + Field + ");\n";
    Text += "}\n\n";
  }
  return Text;
}

void ModuleStatePlanner::extendUserStateFunctions(const std::string &Unit,
                                                  Rewrite &Result) {
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  // The definition's own functions visit and clear the fields first.
  for (const auto &[F, Macro] :
       {std::pair{UserTraverse, "Py_VISIT"}, std::pair{UserClear, "Py_CLEAR"},
        std::pair{UserFree, "Py_CLEAR"}}) {
    if (!F)
      continue;
    const auto *Body = cast<CompoundStmt>(F->getBody());
    std::string Indent = text::lineIndent(Body->getLBracLoc(), SM) + Unit;
    std::string Module = userStateModule(F);
    std::string Statements;
    for (const auto &[Candidate, Field] : Moved)
      if (Candidate->IsObject)
        Statements += "\n" + Indent + Macro + "(" + Accessor + "(" + Module +
                      ")->" + Field + ");";
    Add(FixItHint::CreateInsertion(Body->getLBracLoc().getLocWithOffset(1),
                                   Statements));
  }
}

std::string
ModuleStatePlanner::replaceDeclarationsAndUses(const std::string &Unit,
                                               Rewrite &Result) {
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  std::set<unsigned> Replaced;
  SourceLocation MainStart = SM.getLocForStartOfFile(SM.getMainFileID());
  std::set<std::tuple<unsigned, unsigned, std::string>> ExtraEdits;
  for (const auto &[Candidate, Field] : Moved) {
    const VarDecl *Var = Candidate->Var;
    const HeapTypePlan *HeapType =
        Candidate->IsType ? &HeapTypes.find(Var)->second : nullptr;
    if (HeapType) {
      // The type's definition becomes its slots and spec.
      Add(FixItHint::CreateReplacement(HeapType->Definition,
                                       HeapType->SpecText));
      for (CharSourceRange Declaration : HeapType->Declarations)
        Add(FixItHint::CreateRemoval(Declaration));
      // Types may add the same edit (an #include): once.
      for (const auto &[Range, Replacement] : HeapType->ExtraEdits)
        if (ExtraEdits
                .insert({SM.getFileOffset(Range.getBegin()),
                         SM.getFileOffset(Range.getEnd()), Replacement})
                .second)
          Add(FixItHint::CreateReplacement(Range, Replacement));
      // (A type with a base known only at run time is created there.)
      if (HeapType->BaseStatementRef && HeapType->RuntimeBase.empty())
        Add(FixItHint::CreateRemoval(HeapType->BaseStatement));
    } else {
      std::optional<CharSourceRange> Declaration = declarationRange(Var);
      if (!Declaration)
        return "the declaration of " + quoted(Var) + " cannot be removed";
      Add(FixItHint::CreateRemoval(*Declaration));
    }
    for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()]) {
      // In tp_dealloc: the update, when the state is there.
      if (auto Update = DeallocUses.find(U.Ref); Update != DeallocUses.end()) {
        std::optional<CharSourceRange> Statement =
            statementRange(*Update->second, SM, LO);
        std::optional<CharSourceRange> Name =
            fileRangeOf(U.Ref->getSourceRange(), SM, LO);
        if (!Statement || !Name)
          return "an update of " + quoted(Var) + " is spelled inside a macro";
        std::string State = deallocLocals(U.Function->getDefinition()).second;
        unsigned Begin = SM.getFileOffset(Statement->getBegin());
        llvm::StringRef Written = Lexer::getSourceText(*Statement, SM, LO);
        std::string Updated =
            Written.take_front(SM.getFileOffset(Name->getBegin()) - Begin)
                .str() +
            State + "->" + Field +
            Written.drop_front(SM.getFileOffset(Name->getEnd()) - Begin).str();
        std::string Indent = text::lineIndent(Statement->getBegin(), SM);
        Add(FixItHint::CreateReplacement(
            *Statement, "if (" + State + " != NULL) {\n" + Indent + Unit +
                            Updated + "\n" + Indent + "}"));
        continue;
      }
      // Inside edits of the types: the base statement, a derived type.
      if (HeapType && (U.Ref == HeapType->BaseStatementRef || !U.Function))
        continue;
      // A type is used by its address, which becomes the state's pointer,
      // or by a member read through that pointer.
      std::optional<CharSourceRange> Range;
      bool Member = false;
      if (HeapType) {
        std::optional<TypeUseEdit> Edit = typeUseEdit(U.Ref);
        if (Edit) {
          Range = Edit->Range;
          Member = Edit->Member;
        }
      } else {
        Range = fileRangeOf(U.Ref->getSourceRange(), SM, LO);
      }
      // A macro argument expanded twice is one edit.
      if (!Range ||
          !Replaced.insert(SM.getFileOffset(Range->getBegin())).second)
        continue;
      Add(FixItHint::CreateReplacement(
          *Range, Accessor + "(" + accessFrom(U.Function).ModuleExpr + ")->" +
                      Field + (Member ? "->" : "")));
    }
    for (const HiddenUse &H : HiddenUses[Var])
      Add(FixItHint::CreateReplacement(
          CharSourceRange::getCharRange(MainStart.getLocWithOffset(H.Begin),
                                        MainStart.getLocWithOffset(H.End)),
          Accessor + "(" + accessFrom(H.Function).ModuleExpr + ")->" + Field +
              (H.Member ? "->" : "")));
  }
  return {};
}

std::string ModuleStatePlanner::initializeInExec(const std::string &Unit,
                                                 Rewrite &Result) {
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  std::string Initial;
  const auto *ExecBody = dyn_cast_or_null<CompoundStmt>(Exec->getBody());
  if (!ExecBody || ExecBody->getLBracLoc().isMacroID())
    return "the exec function's body is spelled "
           "inside a macro expansion";
  std::string BodyIndent = text::lineIndent(ExecBody->getLBracLoc(), SM) + Unit;
  // Base types first: a derived type is created from its base in the state.
  std::vector<const StateCandidate *> Created;
  llvm::DenseSet<const VarDecl *> Done;
  for (bool Progress = true; Progress;) {
    Progress = false;
    for (const auto &[Candidate, Field] : Moved) {
      if (!Candidate->IsType || Done.contains(Candidate->Var))
        continue;
      const VarDecl *Base = HeapTypes.find(Candidate->Var)->second.BaseType;
      if (Base && !Done.contains(Base))
        continue;
      Created.push_back(Candidate);
      Done.insert(Candidate->Var);
      Progress = true;
    }
  }
  for (const StateCandidate *Candidate : Created) {
    const HeapTypePlan &HeapType = HeapTypes.find(Candidate->Var)->second;
    auto FieldOf = [&](const VarDecl *Var) {
      return llvm::find_if(Moved,
                           [&](const auto &M) { return M.first->Var == Var; })
          ->second;
    };
    std::string Slot =
        Accessor + "(" + ExecModule + ")->" + FieldOf(Candidate->Var);
    std::string Bases =
        HeapType.BaseType ? "(PyObject *)" + Accessor + "(" + ExecModule +
                                ")->" + FieldOf(HeapType.BaseType)
        : HeapType.RuntimeBase.empty() ? "NULL"
                                       : "(PyObject *)" + HeapType.RuntimeBase;
    auto Creation = [&](const std::string &Indent) {
      return Indent + Slot + " = (PyTypeObject *)PyType_FromModuleAndSpec(" +
             ExecModule + ", &" + HeapType.SpecName + ", " + Bases + ");\n" +
             Indent + "if (" + Slot + " == NULL) {\n" + Indent + Unit +
             "return -1;\n" + Indent + "}";
    };
    if (HeapType.RuntimeBase.empty()) {
      Initial += "\n" + Creation(BodyIndent);
    } else {
      // In place of `T.tp_base = ...;`, once the base exists.
      std::string Indent =
          text::lineIndent(HeapType.BaseStatement.getBegin(), SM);
      llvm::StringRef Lines =
          Lexer::getSourceText(HeapType.BaseStatement, SM, LO);
      Add(FixItHint::CreateReplacement(
          HeapType.BaseStatement,
          Creation(Indent) + (Lines.ends_with("\n") ? "\n" : "")));
    }
  }
  for (const auto &[Candidate, Field] : Moved) {
    if (Candidate->IsType)
      continue;
    const Expr *Value = Candidate->Var->getInit();
    if (!Value || isZeroInitializer(Value, Ctx))
      continue;
    std::optional<CharSourceRange> Range =
        fileRangeOf(Value->getSourceRange(), SM, LO);
    if (!Range)
      return "an initializer is spelled inside a "
             "macro expansion";
    Initial += "\n" + BodyIndent + Accessor + "(" + ExecModule + ")->" + Field +
               " = " + Lexer::getSourceText(*Range, SM, LO).str() + ";";
  }
  if (!Initial.empty())
    Add(FixItHint::CreateInsertion(ExecBody->getLBracLoc().getLocWithOffset(1),
                                   Initial));
  return {};
}

void ModuleStatePlanner::insertOperandHelper(const std::string &Unit,
                                             size_t StateBlock,
                                             size_t OperandHelperAt,
                                             Rewrite &Result) {
  std::string OperandCall = OperandModule + "(";
  if (llvm::any_of(Result.Hints, [&](const FixItHint &Hint) {
        return llvm::StringRef(Hint.CodeToInsert).contains(OperandCall);
      })) {
    const std::string Def = Init.Def->Def->getName().str();
    std::string Helper =
        "static PyObject *\n" + OperandModule +
        "(PyObject *left, PyObject *right)\n{\n" + Unit +
        "PyObject *module = PyType_GetModuleByDef(Py_TYPE(left), &" + Def +
        ");\n" + Unit + "if (module == NULL) {\n" + Unit + Unit +
        "PyErr_Clear();\n" + Unit + Unit +
        "module = PyType_GetModuleByDef(Py_TYPE(right), &" + Def + ");\n" +
        Unit + "}\n" + Unit + "return module;\n}\n\n";
    Result.Hints[StateBlock].CodeToInsert.insert(OperandHelperAt, Helper);
  }
}

std::string ModuleStatePlanner::setDefinitionFunctions(
    const std::string &Unit, std::string &PositionalTail, Rewrite &Result) {
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  const ModuleDefInfo &Def = *Init.Def;
  const InitListExpr *Written =
      Def.Init->isSyntacticForm()
          ? Def.Init
          : (Def.Init->getSyntacticForm() ? Def.Init->getSyntacticForm()
                                          : Def.Init);
  bool Designated = llvm::any_of(Written->inits(), [](const Expr *E) {
    return isa<DesignatedInitExpr>(E);
  });
  const std::pair<const Expr *, std::pair<const char *, std::string>> Fields[] =
      {{Def.TraverseExpr, {"m_traverse", Traverse}},
       {Def.ClearExpr, {"m_clear", Clear}},
       {Def.FreeExpr, {"m_free", Free}}};
  std::string Tail, TailLines;
  std::string MemberIndent =
      Written->getNumInits() > 0
          ? text::lineIndent(
                SM.getExpansionLoc(Written->getInit(Written->getNumInits() - 1)
                                       ->getBeginLoc()),
                SM)
          : Unit;
  for (const auto &[Value, NameAndFunction] : Fields) {
    const auto &[Member, Function] = NameAndFunction;
    if (Value) {
      // The definition's own function, extended above.
      if (!isNullConstant(Value, Ctx) && UserStateFunctions.empty() &&
          namedFunction(Value))
        continue;
      if (!isNullConstant(Value, Ctx))
        return std::string("the module definition already has '") + Member +
               "'";
      std::optional<CharSourceRange> Range =
          fileRangeOf(Value->getSourceRange(), SM, LO);
      if (!Range)
        return std::string("'") + Member + "' is spelled inside a macro";
      Add(FixItHint::CreateReplacement(*Range, Function));
      continue;
    }
    Tail += Designated ? ", ." + std::string(Member) + " = " + Function
                       : ", " + Function;
    TailLines += MemberIndent + "." + Member + " = " + Function + ",\n";
  }
  // Omitted members: after the last one written, or after the new m_slots.
  constexpr unsigned SlotsIndex = 5;
  bool SlotsOmitted = !Designated && Written->getNumInits() <= SlotsIndex;
  if (!Tail.empty() && SlotsOmitted && SinglePhase) {
    PositionalTail = Tail;
  } else if (!Tail.empty()) {
    if (Designated && SinglePhase && !Def.SlotsExpr)
      return "the module definition uses designated initializers and omits "
             "'m_slots'; set its fields by hand";
    if (Written->getNumInits() == 0)
      return "the module definition is empty";
    const Expr *Last = Written->getInit(Written->getNumInits() - 1);
    std::optional<CharSourceRange> Range =
        fileRangeOf(Last->getSourceRange(), SM, LO);
    SourceLocation RBrace = Written->getRBraceLoc();
    if (!Range || RBrace.isMacroID())
      return "the module definition is spelled inside a macro expansion";
    // One member a line, as written, when the list ends in a comma.
    llvm::StringRef Between = Lexer::getSourceText(
        CharSourceRange::getCharRange(Range->getEnd(), RBrace), SM, LO);
    if (Designated && text::startsLine(RBrace, SM) && Between.trim() == ",")
      Add(FixItHint::CreateInsertion(text::lineStart(RBrace, SM), TailLines));
    else
      Add(FixItHint::CreateInsertion(Range->getEnd(), Tail));
  }
  return {};
}

Rewrite ModuleStatePlanner::setSizeAndSlots(bool WithGil,
                                            const std::string &PositionalTail,
                                            Rewrite Result) {
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  const ModuleDefInfo &Def = *Init.Def;
  std::string Size = "sizeof(" + StateName + ")";
  if (SinglePhase) {
    SlotDeclarations Slots;
    Slots.Gil = WithGil;
    Slots.PerInterpreterGil = Plan.Isolated;
    Slots.MultipleInterpretersNotSupported = !Plan.Isolated;
    Slots.PositionalTail = PositionalTail;
    MultiPhaseOptions Options;
    Options.Size = Size;
    Rewrite Converted = convertToMultiPhase(Init, Slots, Ctx, Options);
    if (!Converted.Reason.empty())
      return Converted;
    Result.Hints.insert(Result.Hints.end(), Converted.Hints.begin(),
                        Converted.Hints.end());
    return Result;
  }
  std::optional<CharSourceRange> SizeRange =
      fileRangeOf(Def.SizeExpr->getSourceRange(), SM, LO);
  if (!SizeRange)
    return Rewrite::failure("'m_size' is spelled inside a macro");
  Add(FixItHint::CreateReplacement(*SizeRange, Size));
  SlotDeclarations Slots;
  Slots.Gil = WithGil && !Declared.Gil;
  Slots.PerInterpreterGil = Plan.Isolated && !Declared.MultipleInterpreters;
  if (!Slots.empty()) {
    Rewrite Inserted =
        insertSlotsBeforeSentinel(Slots, Def.Slots->sentinel()->Entry, Ctx);
    if (!Inserted.Reason.empty())
      return Inserted;
    Result.Hints.insert(Result.Hints.end(), Inserted.Hints.begin(),
                        Inserted.Hints.end());
  }
  return Result;
}

std::optional<CharSourceRange>
ModuleStatePlanner::declarationRange(const VarDecl *Var, std::string *Comment) {
  if (Var->isStaticLocal()) {
    const DeclStmt *Statement = declarationOf(*Var, Ctx);
    if (!Statement || !Statement->isSingleDecl())
      return std::nullopt;
    return wholeStatementLines(*Statement, SM, LO);
  }
  SourceLocation Begin = Var->getBeginLoc();
  if (Begin.isMacroID())
    return std::nullopt;
  // The whole declaration: every variable declared with this one.
  SourceLocation End = Var->getEndLoc();
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls())
    if (const auto *Other = dyn_cast<VarDecl>(D))
      if (Other->getBeginLoc() == Begin &&
          SM.isBeforeInTranslationUnit(End, Other->getEndLoc()))
        End = Other->getEndLoc();
  if (End.isMacroID()) {
    SourceLocation MacroEnd;
    if (!Lexer::isAtEndOfMacroExpansion(End, SM, LO, &MacroEnd))
      return std::nullopt;
    End = MacroEnd;
  }
  std::optional<Token> Semi = Lexer::findNextToken(End, SM, LO);
  if (!Semi || !Semi->is(tok::semi) || Semi->getLocation().isMacroID())
    return std::nullopt;
  CharSourceRange Lines = wholeLines(Begin, Semi->getEndLoc(), SM);
  // The comment describing the variable goes with it into the state.
  auto [File, Start] = SM.getDecomposedLoc(Lines.getBegin());
  unsigned EndOffset = SM.getFileOffset(Lines.getEnd());
  llvm::StringRef Buffer = SM.getBufferData(File);
  bool WholeLines = (Start == 0 || Buffer[Start - 1] == '\n') &&
                    EndOffset > 0 && Buffer[EndOffset - 1] == '\n';
  unsigned CommentStart = aboveAttachedComments(Buffer, Start);
  if (!WholeLines || CommentStart == Start)
    return Lines;
  if (Comment)
    *Comment = Buffer.slice(CommentStart, Start).str();
  return CharSourceRange::getCharRange(
      Lines.getBegin().getLocWithOffset(-int(Start - CommentStart)),
      Lines.getEnd());
}

std::string ModuleStatePlanner::fieldText(const VarDecl *Var,
                                          llvm::StringRef Field) {
  if (HeapTypes.count(Var))
    return "PyTypeObject *" + Field.str();
  PrintingPolicy Policy = Ctx.getPrintingPolicy();
  Policy.SuppressTagKeyword = false;
  std::string Text = AtomicFields.contains(Var) ? "_Atomic " : "";
  llvm::raw_string_ostream OS(Text);
  Var->getType().getUnqualifiedType().print(OS, Policy, Field);
  return OS.str();
}

} // namespace modulestate
} // namespace gilport
