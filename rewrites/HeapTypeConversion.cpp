//===--- HeapTypeConversion.cpp -------------------------------------------===//

#include "rewrites/HeapTypeConversion.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/GilDeclarationFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>

namespace gilport {

using namespace clang;

namespace {

/// `{Py_tp_X, ...}` for the `tp_X` members a slot can carry.
std::optional<std::string> slotFor(llvm::StringRef Member) {
  static const char *const Slots[] = {
      "dealloc",     "repr",      "hash",     "call",     "str",
      "getattro",    "setattro",  "doc",      "traverse", "clear",
      "richcompare", "iter",      "iternext", "methods",  "members",
      "getset",      "init",      "alloc",    "new",      "free",
      "descr_get",   "descr_set", "finalize", "del",      "getattr",
      "setattr",     "is_gc"};
  for (const char *Slot : Slots)
    if (Member == std::string("tp_") + Slot)
      return std::string("Py_tp_") + Slot;
  return std::nullopt;
}

/// The slot of member \p Member of a sub-table (`nb_add` -> `Py_nb_add`),
/// for the members typeslots.h has in 3.11.
std::optional<std::string> subSlotFor(llvm::StringRef Member) {
  static const char *const Slots[] = {"bf_getbuffer",
                                      "bf_releasebuffer",
                                      "mp_ass_subscript",
                                      "mp_length",
                                      "mp_subscript",
                                      "nb_absolute",
                                      "nb_add",
                                      "nb_and",
                                      "nb_bool",
                                      "nb_divmod",
                                      "nb_float",
                                      "nb_floor_divide",
                                      "nb_index",
                                      "nb_inplace_add",
                                      "nb_inplace_and",
                                      "nb_inplace_floor_divide",
                                      "nb_inplace_lshift",
                                      "nb_inplace_multiply",
                                      "nb_inplace_or",
                                      "nb_inplace_power",
                                      "nb_inplace_remainder",
                                      "nb_inplace_rshift",
                                      "nb_inplace_subtract",
                                      "nb_inplace_true_divide",
                                      "nb_inplace_xor",
                                      "nb_int",
                                      "nb_invert",
                                      "nb_lshift",
                                      "nb_multiply",
                                      "nb_negative",
                                      "nb_or",
                                      "nb_positive",
                                      "nb_power",
                                      "nb_remainder",
                                      "nb_rshift",
                                      "nb_subtract",
                                      "nb_true_divide",
                                      "nb_xor",
                                      "sq_ass_item",
                                      "sq_concat",
                                      "sq_contains",
                                      "sq_inplace_concat",
                                      "sq_inplace_repeat",
                                      "sq_item",
                                      "sq_length",
                                      "sq_repeat",
                                      "nb_matrix_multiply",
                                      "nb_inplace_matrix_multiply",
                                      "am_await",
                                      "am_aiter",
                                      "am_anext",
                                      "am_send"};
  for (const char *Slot : Slots)
    if (Member == Slot)
      return std::string("Py_") + Slot;
  return std::nullopt;
}

/// Binary (and ternary) number slots: called with the instance as either
/// operand.
bool isOperandSlot(llvm::StringRef Member) {
  return llvm::is_contained(
      {"nb_add", "nb_subtract", "nb_multiply", "nb_remainder", "nb_divmod",
       "nb_power", "nb_lshift", "nb_rshift", "nb_and", "nb_xor", "nb_or",
       "nb_floor_divide", "nb_true_divide", "nb_matrix_multiply"},
      Member);
}

/// Whether \p E stores nothing (a null pointer or a zero).
bool isZero(const Expr *E, ASTContext &Ctx) {
  if (isa<ImplicitValueInitExpr>(E))
    return true;
  if (const auto *List = dyn_cast<InitListExpr>(E)) {
    if (List->isSyntacticForm() && List->getSemanticForm())
      List = List->getSemanticForm();
    return llvm::all_of(List->inits(),
                        [&](const Expr *I) { return isZero(I, Ctx); });
  }
  Expr::EvalResult Constant;
  if (E->EvaluateAsRValue(Constant, Ctx) && Constant.Val.isInt() &&
      Constant.Val.getInt() == 0)
    return true;
  return E->IgnoreParenCasts()->isNullPointerConstant(
             Ctx, Expr::NPC_ValueDependentIsNotNull) != Expr::NPCK_NotNull;
}

bool isTypeObject(const VarDecl *Var) {
  return Var->getType().getUnqualifiedType().getAsString() == "PyTypeObject";
}

const FunctionDecl *definedFunction(const Expr *E, const SourceManager &SM) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  const auto *F = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
  if (!F || !F->getDefinition() ||
      !SM.isInMainFile(SM.getExpansionLoc(F->getLocation())))
    return nullptr;
  return F->getDefinition();
}

const VarDecl *arrayNamed(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return Var ? Var->getDefinition() : nullptr;
}

const InitListExpr *semanticList(const Expr *E) {
  const auto *List = dyn_cast_or_null<InitListExpr>(E);
  if (List && List->isSyntacticForm() && List->getSemanticForm())
    List = List->getSemanticForm();
  return List;
}

/// [Begin, the ';' after End] extended to whole lines when alone on them.
std::optional<CharSourceRange> declarationLines(SourceLocation Begin,
                                                SourceLocation End,
                                                const SourceManager &SM,
                                                const LangOptions &LO) {
  if (Begin.isMacroID() || End.isMacroID())
    return std::nullopt;
  std::optional<Token> Semi = Lexer::findNextToken(End, SM, LO);
  if (!Semi || !Semi->is(tok::semi) || Semi->getLocation().isMacroID())
    return std::nullopt;
  auto [File, BeginOffset] = SM.getDecomposedLoc(Begin);
  unsigned EndOffset = SM.getFileOffset(Semi->getEndLoc());
  llvm::StringRef Buffer = SM.getBufferData(File);
  unsigned LineStart = BeginOffset, LineEnd = EndOffset;
  while (LineStart > 0 &&
         (Buffer[LineStart - 1] == ' ' || Buffer[LineStart - 1] == '\t'))
    --LineStart;
  while (LineEnd < Buffer.size() &&
         (Buffer[LineEnd] == ' ' || Buffer[LineEnd] == '\t'))
    ++LineEnd;
  // A comment ending the line goes with it (`static PyTypeObject T; /* Forward
  // */`).
  llvm::StringRef Rest = Buffer.substr(LineEnd);
  llvm::StringRef Line = Rest.take_until([](char C) { return C == '\n'; });
  if (Line.starts_with("//") ||
      (Line.starts_with("/*") && Line.rtrim().ends_with("*/") &&
       Line.find("*/") == Line.rtrim().size() - 2))
    LineEnd += Line.size();
  SourceLocation Start = SM.getLocForStartOfFile(File);
  if ((LineStart > 0 && Buffer[LineStart - 1] != '\n') ||
      (LineEnd < Buffer.size() && Buffer[LineEnd] != '\n'))
    return CharSourceRange::getCharRange(Begin, Semi->getEndLoc());
  if (LineEnd < Buffer.size())
    ++LineEnd;
  return CharSourceRange::getCharRange(Start.getLocWithOffset(LineStart),
                                       Start.getLocWithOffset(LineEnd));
}

/// METH_METHOD (Python 3.9).
constexpr uint64_t MethMethod = 0x0200;

/// Whether the PyCMethod \p F names its `PyTypeObject *defining_class`
/// parameter outside a macro (`Py_UNUSED` hides it).
bool namesDefiningClass(const FunctionDecl *F) {
  if (F->getNumParams() < 2)
    return false;
  const ParmVarDecl *Class = F->getParamDecl(1);
  const auto *Pointer = Class->getType()->getAs<PointerType>();
  return !Class->getName().empty() && !Class->getLocation().isMacroID() &&
         Pointer &&
         Pointer->getPointeeType().getUnqualifiedType().getAsString() ==
             "PyTypeObject";
}

} // namespace

HeapTypePlan planHeapType(const VarDecl *Type, llvm::StringRef Unit,
                          ASTContext &Ctx, const FunctionDecl *Exec) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  HeapTypePlan Plan;
  Plan.Type = Type;
  auto Fail = [&](const std::string &Why) {
    Plan.Reason = Why;
    return Plan;
  };
  std::string Name = "'" + Type->getName().str() + "'";
  if (LO.CPlusPlus)
    return Fail("static types in C++ are not converted to heap types");
  if (!isTypeObject(Type))
    return Fail(Name + " is not a plain 'PyTypeObject'");
  const auto *Written = dyn_cast_or_null<InitListExpr>(Type->getInit());
  if (Written && !Written->isSyntacticForm() && Written->getSyntacticForm())
    Written = Written->getSyntacticForm();
  if (!Written)
    return Fail(Name + " has no braced initializer");

  std::string Slots, SpecName, SlotsName;
  std::string TypeName, BasicSize, ItemSize = "0", Flags;
  bool HasNew = false, HasBase = false;
  const VarDecl *Members = nullptr;
  // Offset members (tp_weaklistoffset, ...) as PyMemberDef entries.
  std::string OffsetMembers;
  auto SpellingOf = [&](const Expr *Value) {
    return spelledText(Value->getSourceRange(), SM, LO);
  };
  // A function the type's slot calls with an instance, the type, or either
  // operand.
  auto AddFunction = [&](const Expr *Value, llvm::StringRef Member) {
    const FunctionDecl *F = definedFunction(Value, SM);
    if (!F)
      return;
    bool Finalizing =
        llvm::is_contained({"tp_dealloc", "tp_clear", "tp_traverse",
                            "tp_finalize", "tp_del", "tp_free"},
                           Member);
    TypeFunction Function{F, Member == "tp_new", Finalizing};
    Function.Operands = isOperandSlot(Member);
    Plan.Functions.push_back(Function);
    if (Member == "tp_dealloc")
      Plan.Dealloc = F;
    if (Member == "tp_traverse")
      Plan.Traverse = F;
  };
  // The semantic form gives every member its value, designated or
  // positional.
  const InitListExpr *Values = semanticList(Type->getInit());
  const RecordDecl *Record = Type->getType()->getAsRecordDecl();
  if (!Values || !Record)
    return Fail(Name + " has no braced initializer");
  for (const FieldDecl *Field : Record->fields()) {
    unsigned Index = Field->getFieldIndex();
    if (Index >= Values->getNumInits())
      break;
    const Expr *Value = Values->getInit(Index);
    llvm::StringRef Member = Field->getName();
    // The object header (PyVarObject_HEAD_INIT), and members left out.
    if (Member == "ob_base" || isa<ImplicitValueInitExpr>(Value))
      continue;
    // A zero slot is no slot; the spec's own members are kept as written
    // (Py_TPFLAGS_DEFAULT is 0 in 3.13).
    if (!llvm::is_contained(
            {"tp_name", "tp_basicsize", "tp_itemsize", "tp_flags"}, Member) &&
        isZero(Value, Ctx))
      continue;
    std::optional<std::string> Spelled = SpellingOf(Value);
    if (!Spelled)
      return Fail("'" + Member.str() + "' of " + Name +
                  " is spelled inside a macro expansion");
    std::string Text = *Spelled;
    if (Member == "tp_name") {
      TypeName = Text;
    } else if (Member == "tp_basicsize") {
      BasicSize = Text;
    } else if (Member == "tp_itemsize") {
      ItemSize = Text;
    } else if (Member == "tp_flags") {
      Flags = Text;
    } else if (Member == "tp_base") {
      const VarDecl *Base = namedVariable(Value);
      if (Base && isTypeObject(Base) && Base->getDefinition() &&
          SM.isInMainFile(
              SM.getExpansionLoc(Base->getDefinition()->getLocation()))) {
        Plan.BaseType = Base->getDefinition();
      } else {
        Slots += Unit.str() + "{Py_tp_base, (void *)" + Text + "},\n";
      }
      HasBase = true;
    } else if (llvm::is_contained({"tp_weaklistoffset", "tp_dictoffset",
                                   "tp_vectorcall_offset"},
                                  Member)) {
      std::string Attribute =
          Member == "tp_weaklistoffset" ? "__weaklistoffset__"
          : Member == "tp_dictoffset"   ? "__dictoffset__"
                                        : "__vectorcalloffset__";
      OffsetMembers +=
          "{\"" + Attribute + "\", T_PYSSIZET, " + Text + ", READONLY},\n";
    } else if (Member.starts_with("tp_as_")) {
      // The sub-table's members become slots of their own.
      const VarDecl *Table = namedVariable(Value);
      Table = Table ? Table->getDefinition() : nullptr;
      const InitListExpr *Entries =
          Table ? semanticList(Table->getInit()) : nullptr;
      const RecordDecl *TableRecord =
          Table ? Table->getType()->getAsRecordDecl() : nullptr;
      if (!Entries || !TableRecord ||
          !SM.isInMainFile(SM.getExpansionLoc(Table->getLocation())))
        return Fail("the '" + Member.str() + "' table of " + Name +
                    " is not defined in this file");
      for (const FieldDecl *Entry : TableRecord->fields()) {
        if (Entry->getFieldIndex() >= Entries->getNumInits())
          break;
        const Expr *EntryValue = Entries->getInit(Entry->getFieldIndex());
        if (isZero(EntryValue, Ctx))
          continue;
        std::optional<std::string> Slot = subSlotFor(Entry->getName());
        if (!Slot)
          return Fail(Name + " sets '" + Entry->getName().str() + "' in '" +
                      Member.str() + "', which has no type slot");
        std::optional<std::string> EntryText = SpellingOf(EntryValue);
        if (!EntryText)
          return Fail("'" + Entry->getName().str() + "' of " + Name +
                      " is spelled inside a macro expansion");
        Slots += Unit.str() + "{" + *Slot + ", (void *)" + *EntryText + "},\n";
        AddFunction(EntryValue, Entry->getName());
      }
      std::optional<CharSourceRange> Lines =
          declarationLines(Table->getBeginLoc(), Table->getEndLoc(), SM, LO);
      if (!Lines)
        return Fail("the '" + Member.str() + "' table of " + Name +
                    " is spelled in a macro");
      Plan.SubTables.push_back(Table);
      Plan.Tables.push_back(Table);
      Plan.ExtraEdits.emplace_back(*Lines, "");
    } else if (std::optional<std::string> Slot = slotFor(Member)) {
      HasNew |= Member == "tp_new";
      Slots += Unit.str() + "{" + *Slot + ", (void *)" + Text + "},\n";
      AddFunction(Value, Member);
      if (Member == "tp_members")
        Members = arrayNamed(Value);
      if (Member == "tp_methods" || Member == "tp_getset") {
        const VarDecl *Array = arrayNamed(Value);
        const InitListExpr *Entries =
            Array ? semanticList(Array->getInit()) : nullptr;
        if (!Entries)
          return Fail("the '" + Member.str() + "' array of " + Name +
                      " is not defined in this file");
        Plan.Tables.push_back(Array);
        for (const Expr *Element : Entries->inits()) {
          const InitListExpr *Entry = semanticList(Element);
          if (!Entry || Entry->getNumInits() < 3)
            continue;
          if (Member == "tp_methods") {
            Expr::EvalResult FlagsValue;
            if (!Entry->getInit(2)->EvaluateAsRValue(FlagsValue, Ctx) ||
                !FlagsValue.Val.isInt())
              return Fail("a method of " + Name + " has non-constant flags");
            // METH_CLASS functions get the type, METH_STATIC ones nothing
            // that leads to the module.
            uint64_t MethodFlags = FlagsValue.Val.getInt().getZExtValue();
            if (MethodFlags & 0x20)
              continue;
            if (const FunctionDecl *F = definedFunction(Entry->getInit(1), SM))
              {
                TypeFunction Method{F, (MethodFlags & 0x10) != 0, false};
                Method.DefiningClass =
                    (MethodFlags & MethMethod) && namesDefiningClass(F);
                Plan.Functions.push_back(Method);
              }
          } else {
            for (unsigned Index : {1u, 2u})
              if (const FunctionDecl *F =
                      definedFunction(Entry->getInit(Index), SM))
                Plan.Functions.push_back({F, false, false});
          }
        }
      }
    } else {
      return Fail(Name + " sets '" + Member.str() +
                  "', which the heap type conversion does not handle");
    }
  }
  if (TypeName.empty() || BasicSize.empty())
    return Fail(Name + " does not set " +
                (TypeName.empty() ? "tp_name" : "tp_basicsize"));
  // A static type without tp_flags has the flags Py_TPFLAGS_DEFAULT names.
  if (Flags.empty())
    Flags = "Py_TPFLAGS_DEFAULT";

  // `Foo_Type.tp_base = &Base;` in exec, before the type is readied (the
  // static initializer cannot take the address of a type of another
  // library).
  const auto *ExecBody =
      Exec ? dyn_cast_or_null<CompoundStmt>(Exec->getBody()) : nullptr;
  llvm::ArrayRef<Stmt *> ExecStatements;
  if (ExecBody)
    ExecStatements =
        llvm::ArrayRef(ExecBody->body_begin(), ExecBody->body_end());
  for (const Stmt *S : ExecStatements)
    if (const auto *Assign = dyn_cast<BinaryOperator>(S))
      if (const auto *Target =
              dyn_cast<MemberExpr>(Assign->getLHS()->IgnoreParens()))
        if (const auto *Ref =
                dyn_cast<DeclRefExpr>(Target->getBase()->IgnoreParenImpCasts()))
          if (Assign->getOpcode() == BO_Assign && !Target->isArrow() &&
              Ref->getDecl()->getCanonicalDecl() == Type->getCanonicalDecl() &&
              Target->getMemberDecl()->getName() == "tp_base") {
            const Expr *Value = Assign->getRHS();
            const VarDecl *Base = namedVariable(Value);
            std::optional<std::string> Text = SpellingOf(Value);
            std::optional<CharSourceRange> Lines =
                wholeStatementLines(*S, SM, LO);
            std::string Line =
                "line " + std::to_string(
                              SM.getExpansionLineNumber(Assign->getBeginLoc()));
            if (HasBase || !Text || !Lines)
              return Fail(Name + " gets its base at " + Line +
                          " in a way gilport cannot rewrite");
            if (!Base || !Base->hasGlobalStorage() || !isTypeObject(Base)) {
              // Known only when exec runs: the type is created there.
              Plan.RuntimeBase = *Text;
            } else if (Base->getDefinition() &&
                       SM.isInMainFile(SM.getExpansionLoc(
                           Base->getDefinition()->getLocation())))
              Plan.BaseType = Base->getDefinition();
            else
              Slots += Unit.str() + "{Py_tp_base, (void *)" + *Text + "},\n";
            HasBase = true;
            Plan.BaseStatement = *Lines;
            Plan.BaseStatementRef = Ref;
          }

  if (!OffsetMembers.empty()) {
    // T_PYSSIZET and READONLY: structmember.h in 3.11 (Py_T_PYSSIZET is
    // 3.12+); 3.13 still has the header.
    llvm::StringRef Buffer = SM.getBufferData(SM.getMainFileID());
    llvm::SmallVector<llvm::StringRef, 64> Lines;
    Buffer.split(Lines, '\n');
    bool Included = llvm::any_of(Lines, [](llvm::StringRef Line) {
      Line = Line.ltrim();
      if (!Line.consume_front("#"))
        return false;
      Line = Line.ltrim();
      return Line.starts_with("include") && Line.contains("structmember.h");
    });
    if (!Included) {
      // Included after Python.h (every type of the file adds the same
      // edit, applied once).
      size_t Include = Buffer.find("#include \"Python.h\"");
      if (Include == llvm::StringRef::npos)
        Include = Buffer.find("#include <Python.h>");
      size_t LineEnd = Include == llvm::StringRef::npos
                           ? llvm::StringRef::npos
                           : Buffer.find('\n', Include);
      if (LineEnd == llvm::StringRef::npos)
        return Fail(Name + " sets an offset (tp_weaklistoffset, "
                           "tp_dictoffset or tp_vectorcall_offset), which a "
                           "heap type gives as a member, and gilport finds "
                           "no '#include \"Python.h\"' line to include "
                           "\"structmember.h\" after");
      SourceLocation At = SM.getLocForStartOfFile(SM.getMainFileID())
                              .getLocWithOffset(LineEnd + 1);
      Plan.ExtraEdits.emplace_back(
          CharSourceRange::getCharRange(At, At),
          "#include \"structmember.h\"         // PyMemberDef, T_PYSSIZET\n");
    }
    if (Members) {
      // Before the sentinel of its own members array.
      const InitListExpr *Entries = semanticList(
          Members->getDefinition() ? Members->getDefinition()->getInit()
                                   : nullptr);
      const InitListExpr *WrittenEntries =
          Entries && Entries->getSyntacticForm() ? Entries->getSyntacticForm()
                                                 : Entries;
      if (!WrittenEntries || WrittenEntries->getNumInits() == 0)
        return Fail("the tp_members array of " + Name +
                    " is not defined in this file");
      const Expr *Sentinel =
          WrittenEntries->getInit(WrittenEntries->getNumInits() - 1);
      SourceLocation At = Sentinel->getBeginLoc();
      if (At.isMacroID() || !isZero(Sentinel, Ctx))
        return Fail("the tp_members array of " + Name +
                    " does not end in a sentinel gilport can find");
      std::string Indent = text::lineIndent(At, SM);
      std::string Inserted;
      llvm::SmallVector<llvm::StringRef, 3> Lines;
      llvm::StringRef(OffsetMembers).split(Lines, '\n', -1, false);
      for (llvm::StringRef Line : Lines)
        Inserted += Line.str() + "\n" + Indent;
      Plan.ExtraEdits.emplace_back(CharSourceRange::getCharRange(At, At),
                                   Inserted);
    } else {
      std::string Array = Type->getName().str() + "_members";
      std::string Text = "static PyMemberDef " + Array + "[] = {\n";
      llvm::SmallVector<llvm::StringRef, 3> Lines;
      llvm::StringRef(OffsetMembers).split(Lines, '\n', -1, false);
      for (llvm::StringRef Line : Lines)
        Text += Unit.str() + Line.str() + "\n";
      Text += Unit.str() + "{NULL},\n};\n\n";
      OffsetMembers = Text;
      Slots += Unit.str() + "{Py_tp_members, " + Array + "},\n";
    }
  }

  bool Gc = llvm::StringRef(Flags).contains("Py_TPFLAGS_HAVE_GC");
  if (Gc && !Plan.Traverse)
    return Fail(Name + " is a GC type without a tp_traverse of this file");
  if (Plan.Traverse) {
    const FunctionDecl *T = Plan.Traverse;
    if (T->getNumParams() != 3 || T->getParamDecl(0)->getName().empty() ||
        T->getParamDecl(1)->getName() != "visit" ||
        T->getParamDecl(2)->getName() != "arg")
      return Fail("the tp_traverse of " + Name +
                  " does not name its parameters (self, visit, arg)");
  }
  if (Plan.Dealloc && (Plan.Dealloc->getNumParams() != 1 ||
                       Plan.Dealloc->getParamDecl(0)->getName().empty()))
    return Fail("the tp_dealloc of " + Name + " has an unnamed parameter");
  for (const TypeFunction &F : Plan.Functions) {
    const FunctionDecl *D = F.Function;
    unsigned Needed = F.Operands ? 2 : 1;
    bool Named = D->getNumParams() >= Needed;
    for (unsigned I = 0; Named && I < Needed; ++I)
      Named = !D->getParamDecl(I)->getName().empty() &&
              !D->getParamDecl(I)->getLocation().isMacroID();
    if (!Named)
      return Fail("'" + D->getName().str() + "', used by " + Name +
                  ", does not name its " +
                  (F.Operands ? "operands" : "first parameter"));
  }

  std::optional<CharSourceRange> Definition =
      declarationLines(Type->getBeginLoc(), Type->getEndLoc(), SM, LO);
  if (!Definition)
    return Fail("the definition of " + Name + " is spelled in a macro");
  Plan.Definition = *Definition;
  for (const VarDecl *Redeclaration : Type->redecls()) {
    if (Redeclaration == Type)
      continue;
    std::optional<CharSourceRange> Lines = declarationLines(
        Redeclaration->getBeginLoc(), Redeclaration->getEndLoc(), SM, LO);
    if (!Lines || Redeclaration->getInit())
      return Fail("a declaration of " + Name + " is spelled in a macro");
    Plan.Declarations.push_back(*Lines);
  }

  Plan.SpecName = Type->getName().str() + "_spec";
  std::string SlotsArray = Type->getName().str() + "_slots";
  std::string Extra = " | Py_TPFLAGS_IMMUTABLETYPE";
  // A static type without tp_new whose base is object cannot be
  // instantiated; with another base it inherits the base's tp_new.
  if (!HasNew && !HasBase)
    Extra += " | Py_TPFLAGS_DISALLOW_INSTANTIATION";
  Plan.SpecText =
      (Members ? std::string() : OffsetMembers) + "static PyType_Slot " +
      SlotsArray + "[] = {\n" + Slots + Unit.str() +
      "{0, NULL},\n};\n\nstatic PyType_Spec " + Plan.SpecName + " = {\n" +
      Unit.str() + ".name = " + TypeName + ",\n" + Unit.str() +
      ".basicsize = " + BasicSize + ",\n" + Unit.str() +
      ".itemsize = " + ItemSize + ",\n" + Unit.str() + ".flags = " + Flags +
      Extra + ",\n" + Unit.str() + ".slots = " + SlotsArray + ",\n};\n";
  return Plan;
}

} // namespace gilport
