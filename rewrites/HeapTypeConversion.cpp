//===--- HeapTypeConversion.cpp -------------------------------------------===//

#include "rewrites/HeapTypeConversion.h"

#include "rewrites/RewriteUtils.h"

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
                          ASTContext &Ctx) {
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
  if (Type->getType().getUnqualifiedType().getAsString() != "PyTypeObject")
    return Fail(Name + " is not a plain 'PyTypeObject'");
  const auto *Written = dyn_cast_or_null<InitListExpr>(Type->getInit());
  if (Written && !Written->isSyntacticForm() && Written->getSyntacticForm())
    Written = Written->getSyntacticForm();
  if (!Written)
    return Fail(Name + " has no braced initializer");

  std::string Slots, SpecName, SlotsName;
  std::string TypeName, BasicSize, ItemSize = "0", Flags;
  bool HasNew = false;
  // The semantic form gives every member its value, designated or
  // positional.
  const InitListExpr *Members = semanticList(Type->getInit());
  const RecordDecl *Record = Type->getType()->getAsRecordDecl();
  if (!Members || !Record)
    return Fail(Name + " has no braced initializer");
  for (const FieldDecl *Field : Record->fields()) {
    unsigned Index = Field->getFieldIndex();
    if (Index >= Members->getNumInits())
      break;
    const Expr *Value = Members->getInit(Index);
    llvm::StringRef Member = Field->getName();
    // The object header (PyVarObject_HEAD_INIT), and members left out.
    if (Member == "ob_base" || isa<ImplicitValueInitExpr>(Value))
      continue;
    // A zero slot is no slot; the spec's own members are kept as written
    // (Py_TPFLAGS_DEFAULT is 0 in 3.13).
    if (!llvm::is_contained(
            {"tp_name", "tp_basicsize", "tp_itemsize", "tp_flags"}, Member)) {
      Expr::EvalResult Constant;
      if (Value->EvaluateAsRValue(Constant, Ctx) && Constant.Val.isInt() &&
          Constant.Val.getInt() == 0)
        continue;
      if (Value->IgnoreParenCasts()->isNullPointerConstant(
              Ctx, Expr::NPC_ValueDependentIsNotNull))
        continue;
    }
    std::optional<CharSourceRange> Range =
        fileRangeOf(Value->getSourceRange(), SM, LO);
    if (!Range)
      return Fail("'" + Member.str() + "' of " + Name +
                  " is spelled inside a macro expansion");
    std::string Text = Lexer::getSourceText(*Range, SM, LO).str();
    if (Member == "tp_name") {
      TypeName = Text;
    } else if (Member == "tp_basicsize") {
      BasicSize = Text;
    } else if (Member == "tp_itemsize") {
      ItemSize = Text;
    } else if (Member == "tp_flags") {
      Flags = Text;
    } else if (std::optional<std::string> Slot = slotFor(Member)) {
      if (Value->IgnoreParenCasts()->isNullPointerConstant(
              Ctx, Expr::NPC_ValueDependentIsNotNull))
        continue;
      HasNew |= Member == "tp_new";
      Slots += Unit.str() + "{" + *Slot + ", (void *)" + Text + "},\n";
      if (const FunctionDecl *F = definedFunction(Value, SM)) {
        bool Finalizing =
            llvm::is_contained({"tp_dealloc", "tp_clear", "tp_traverse",
                                "tp_finalize", "tp_del", "tp_free"},
                               Member);
        Plan.Functions.push_back({F, Member == "tp_new", Finalizing});
        if (Member == "tp_dealloc")
          Plan.Dealloc = F;
        if (Member == "tp_traverse")
          Plan.Traverse = F;
      }
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
            // METH_CLASS and METH_STATIC functions get no instance.
            if (FlagsValue.Val.getInt().getZExtValue() & (0x10 | 0x20))
              return Fail(Name + " has class or static methods");
            if (const FunctionDecl *F = definedFunction(Entry->getInit(1), SM))
              Plan.Functions.push_back(
                  {F, false, false,
                   (FlagsValue.Val.getInt().getZExtValue() & MethMethod) &&
                       namesDefiningClass(F)});
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
  if (TypeName.empty() || BasicSize.empty() || Flags.empty())
    return Fail(Name + " does not set " +
                (TypeName.empty()    ? "tp_name"
                 : BasicSize.empty() ? "tp_basicsize"
                                     : "tp_flags"));
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
    if (D->getNumParams() == 0 || D->getParamDecl(0)->getName().empty() ||
        D->getParamDecl(0)->getLocation().isMacroID())
      return Fail("'" + D->getName().str() + "', used by " + Name +
                  ", does not name its first parameter");
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
  if (!HasNew)
    Extra += " | Py_TPFLAGS_DISALLOW_INSTANTIATION";
  Plan.SpecText =
      "static PyType_Slot " + SlotsArray + "[] = {\n" + Slots + Unit.str() +
      "{0, NULL},\n};\n\nstatic PyType_Spec " + Plan.SpecName + " = {\n" +
      Unit.str() + ".name = " + TypeName + ",\n" + Unit.str() +
      ".basicsize = " + BasicSize + ",\n" + Unit.str() +
      ".itemsize = " + ItemSize + ",\n" + Unit.str() + ".flags = " + Flags +
      Extra + ",\n" + Unit.str() + ".slots = " + SlotsArray + ",\n};\n";
  return Plan;
}

} // namespace gilport
