//===--- ModuleInit.cpp ---------------------------------------------------===//

#include "analysis/ModuleInit.h"
#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace gilport {

using namespace clang;

namespace {

/// How far module creation and `PyUnstable_Module_SetGIL` are searched for
/// in the helpers a `PyInit_*` function calls.
constexpr unsigned MaxHelperDepth = 3;
constexpr unsigned MaxSearchedFunctions = 32;

class SkippedRangeRecorder : public PPCallbacks {
public:
  SkippedRangeRecorder(const SourceManager &SM,
                       std::vector<ModuleInitAnalyzer::SkippedRange> &Out)
      : SM(SM), Out(Out) {}

  void SourceRangeSkipped(SourceRange Range, SourceLocation EndifLoc) override {
    if (Range.getBegin().isInvalid() || SM.isInSystemHeader(Range.getBegin()))
      return;
    std::pair<FileID, unsigned> Begin = SM.getDecomposedLoc(Range.getBegin());
    std::pair<FileID, unsigned> End = SM.getDecomposedLoc(Range.getEnd());
    if (Begin.first != End.first || Begin.second > End.second)
      return;
    Out.push_back({Begin.first, Begin.second, End.second});
  }

private:
  const SourceManager &SM;
  std::vector<ModuleInitAnalyzer::SkippedRange> &Out;
};

/// Calls \p OnToken(Tok, InDirective) for every raw token that starts in
/// [Begin, End) of \p File; InDirective is set on the line of a `#`
/// directive. Comments are skipped.
template <typename TokenFn>
void forEachRawToken(const SourceManager &SM, const LangOptions &LO,
                     FileID File, unsigned Begin, unsigned End,
                     TokenFn OnToken) {
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid || Begin > Buffer.size())
    return;
  Lexer Lex(SM.getLocForStartOfFile(File), LO, Buffer.begin(),
            Buffer.begin() + Begin, Buffer.end());
  Lex.SetCommentRetentionState(false);
  bool InDirective = false;
  Token Tok;
  while (!Lex.LexFromRawLexer(Tok)) {
    if (SM.getFileOffset(Tok.getLocation()) >= End)
      break;
    if (Tok.isAtStartOfLine())
      InDirective = Tok.is(tok::hash);
    OnToken(Tok, InDirective);
  }
}

bool isIdentifier(const Token &Tok, llvm::StringRef Name) {
  return Tok.is(tok::raw_identifier) && Tok.getRawIdentifier() == Name;
}

bool isMultiPhaseInitCall(llvm::StringRef Name) {
  return Name == "PyModuleDef_Init";
}

bool isSinglePhaseCreateCall(llvm::StringRef Name) {
  // PyModule_Create is a macro for PyModule_Create2, itself renamed to
  // PyModule_Create2TraceRefs in Py_TRACE_REFS builds of 3.11.
  return Name == "PyModule_Create2" || Name == "PyModule_Create2TraceRefs" ||
         Name == "PyModule_Create" || Name == "_PyModule_CreateInitialized" ||
         Name == "PyModule_New" || Name == "PyModule_NewObject";
}

/// The variable whose address \p Arg is (`&def`), or null.
const VarDecl *addressedVariable(const Expr *Arg) {
  if (!Arg)
    return nullptr;
  const Expr *E = Arg->IgnoreParenCasts();
  if (const auto *AddrOf = dyn_cast<UnaryOperator>(E)) {
    if (AddrOf->getOpcode() != UO_AddrOf)
      return nullptr;
    E = AddrOf->getSubExpr()->IgnoreParenImpCasts();
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

/// The array an `m_slots` initializer points to: `slots`, `&slots[0]`,
/// `(PyModuleDef_Slot *)slots`.
const VarDecl *pointedToArray(const Expr *Init) {
  const Expr *E = Init->IgnoreParenCasts();
  if (const auto *AddrOf = dyn_cast<UnaryOperator>(E)) {
    if (AddrOf->getOpcode() != UO_AddrOf)
      return nullptr;
    E = AddrOf->getSubExpr()->IgnoreParenImpCasts();
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
      E = Subscript->getBase()->IgnoreParenImpCasts();
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

/// The function definitions at file scope whose names start with \p Prefix
/// (`PyInit_`): extern "C" at global scope, which in C++ is a linkage
/// specification.
std::vector<const FunctionDecl *> entryPoints(ASTContext &Ctx,
                                              llvm::StringRef Prefix) {
  std::vector<const FunctionDecl *> Found;
  std::vector<const DeclContext *> Contexts = {Ctx.getTranslationUnitDecl()};
  while (!Contexts.empty()) {
    const DeclContext *DC = Contexts.back();
    Contexts.pop_back();
    for (const Decl *D : DC->decls()) {
      if (const auto *Linkage = dyn_cast<LinkageSpecDecl>(D)) {
        Contexts.push_back(Linkage);
        continue;
      }
      const auto *Function = dyn_cast<FunctionDecl>(D);
      if (Function && Function->getIdentifier() &&
          Function->doesThisDeclarationHaveABody() &&
          Function->getName().starts_with(Prefix))
        Found.push_back(Function);
    }
  }
  return Found;
}

const InitListExpr *semanticInitList(const Expr *Init) {
  if (!Init)
    return nullptr;
  const auto *List = dyn_cast<InitListExpr>(Init->IgnoreImplicit());
  if (List && List->isSyntacticForm() && List->getSemanticForm())
    List = List->getSemanticForm();
  return List;
}

std::optional<int64_t> integerValue(const Expr *E, const ASTContext &Ctx) {
  if (!E)
    return std::nullopt;
  // `((void *)1)`: look through the cast to the integer.
  E = E->IgnoreParenCasts();
  if (isa<ImplicitValueInitExpr>(E))
    return 0;
  if (E->isValueDependent() || !E->getType()->isIntegralOrEnumerationType())
    return std::nullopt;
  Expr::EvalResult Result;
  if (!E->EvaluateAsInt(Result, Ctx))
    return std::nullopt;
  return Result.Val.getInt().getExtValue();
}

const VarDecl *definitionOf(const VarDecl *Var) {
  if (const VarDecl *Def = Var->getDefinition())
    return Def;
  return Var->getActingDefinition();
}

/// The calls in one function body, in source order (CallSiteIndex indexes
/// the whole unit; this is for the few functions the init search visits).
class BodyCalls : public RecursiveASTVisitor<BodyCalls> {
public:
  bool VisitCallExpr(CallExpr *Call) {
    Calls.push_back(Call);
    return true;
  }
  std::vector<const CallExpr *> Calls;
};

} // namespace

llvm::StringRef moduleSlotName(int64_t ID) {
  switch (ID) {
  case ModuleSlotCreate:
    return "Py_mod_create";
  case ModuleSlotExec:
    return "Py_mod_exec";
  case ModuleSlotMultipleInterpreters:
    return "Py_mod_multiple_interpreters";
  case ModuleSlotGil:
    return "Py_mod_gil";
  default:
    return {};
  }
}

const ModuleSlot *ModuleSlotsInfo::find(int64_t ID) const {
  for (const ModuleSlot &Slot : Slots) {
    if (Slot.isSentinel())
      return nullptr;
    if (Slot.ID && *Slot.ID == ID)
      return &Slot;
  }
  return nullptr;
}

const ModuleSlot *ModuleSlotsInfo::sentinel() const {
  for (const ModuleSlot &Slot : Slots)
    if (Slot.isSentinel())
      return &Slot;
  return nullptr;
}

ModuleInitAnalyzer::ModuleInitAnalyzer() = default;
ModuleInitAnalyzer::~ModuleInitAnalyzer() = default;

void ModuleInitAnalyzer::registerPPCallbacks(const SourceManager &SM,
                                             Preprocessor *PP) {
  PP->addPPCallbacks(std::make_unique<SkippedRangeRecorder>(SM, Skipped));
}

std::vector<ModuleInitInfo>
ModuleInitAnalyzer::findModuleInits(ASTContext &Ctx) const {
  std::vector<ModuleInitInfo> Inits;
  for (const FunctionDecl *Function : entryPoints(Ctx, "PyInit_"))
    Inits.push_back(analyzeModuleInit(Function, Ctx));
  return Inits;
}

std::vector<ModuleExportInfo>
ModuleInitAnalyzer::findModuleExports(ASTContext &Ctx) const {
  std::vector<ModuleExportInfo> Exports;
  for (const FunctionDecl *Function : entryPoints(Ctx, "PyModExport_")) {
    ModuleExportInfo Info;
    Info.Function = Function;
    Info.ModuleName =
        Function->getName().drop_front(llvm::StringRef("PyModExport_").size());
    // `static PySlot slots[] = {...}; return slots;`: one array returned.
    const VarDecl *Returned = nullptr;
    bool Other = false;
    for (const Stmt *Exit : controlTransfersIn(Function->getBody()).Exits) {
      const auto *Return = dyn_cast<ReturnStmt>(Exit);
      if (!Return)
        continue;
      const VarDecl *Var = namedVariable(Return->getRetValue());
      if (Var && (!Returned || Returned == Var))
        Returned = Var;
      else
        Other = true;
    }
    if (Returned && !Other)
      Info.Slots = analyzeSlots(Returned, Ctx);
    Exports.push_back(std::move(Info));
  }
  return Exports;
}

ModuleInitInfo ModuleInitAnalyzer::analyzeModuleInit(const FunctionDecl *Init,
                                                     ASTContext &Ctx) {
  ModuleInitInfo Info;
  Info.Function = Init;
  Info.ModuleName =
      Init->getName().drop_front(llvm::StringRef("PyInit_").size());
  const SourceManager &SM = Ctx.getSourceManager();

  // Breadth first, so that what PyInit_* does itself wins over helpers.
  std::vector<std::pair<const FunctionDecl *, unsigned>> Queue = {{Init, 0}};
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen = {Init};
  for (size_t Index = 0; Index < Queue.size(); ++Index) {
    auto [Function, Depth] = Queue[Index];
    Info.SearchedFunctions.push_back(Function);
    BodyCalls Collector;
    Collector.TraverseStmt(Function->getBody());
    const CallExpr *MultiPhase = nullptr;
    const CallExpr *SinglePhase = nullptr;
    for (const CallExpr *Call : Collector.Calls) {
      llvm::StringRef Name = calleeName(Call);
      if (isMultiPhaseInitCall(Name)) {
        if (!MultiPhase)
          MultiPhase = Call;
      } else if (isSinglePhaseCreateCall(Name)) {
        if (!SinglePhase)
          SinglePhase = Call;
      } else if (Name == "PyUnstable_Module_SetGIL") {
        Info.SetGilCalls.push_back(Call);
      } else if (Depth < MaxHelperDepth &&
                 Queue.size() < MaxSearchedFunctions) {
        const FunctionDecl *Callee = Call->getDirectCallee();
        const FunctionDecl *Definition = nullptr;
        if (Callee && Callee->hasBody(Definition) && Definition &&
            !SM.isInSystemHeader(Definition->getLocation()) &&
            Seen.insert(Definition).second)
          Queue.push_back({Definition, Depth + 1});
      }
    }
    if (Info.Kind != ModuleInitKind::Unknown || (!MultiPhase && !SinglePhase))
      continue;
    Info.Kind =
        MultiPhase ? ModuleInitKind::MultiPhase : ModuleInitKind::SinglePhase;
    Info.CreateCall = MultiPhase ? MultiPhase : SinglePhase;
    Info.CreateCaller = Function;
    if (Info.CreateCall->getNumArgs() > 0)
      if (const VarDecl *Def = addressedVariable(Info.CreateCall->getArg(0)))
        Info.Def = analyzeModuleDef(Def, Ctx);
  }
  return Info;
}

std::optional<ModuleDefInfo>
ModuleInitAnalyzer::analyzeModuleDef(const VarDecl *Def, ASTContext &Ctx) {
  const VarDecl *Definition = definitionOf(Def);
  if (!Definition)
    return std::nullopt;
  const RecordDecl *Record = Definition->getType()->getAsRecordDecl();
  if (!Record)
    return std::nullopt;
  ModuleDefInfo Info;
  Info.Def = Definition;
  Info.Init = semanticInitList(Definition->getInit());
  // Without a braced initializer (a copy, or fields set at run time)
  // nothing is known.
  if (!Info.Init)
    return Info;
  for (const FieldDecl *Field : Record->fields()) {
    unsigned Index = Field->getFieldIndex();
    const Expr *Init =
        Index < Info.Init->getNumInits() ? Info.Init->getInit(Index) : nullptr;
    if (Init && isa<ImplicitValueInitExpr>(Init))
      Init = nullptr;
    llvm::StringRef Name = Field->getName();
    if (Name == "m_name") {
      Info.NameExpr = Init;
    } else if (Name == "m_size") {
      Info.SizeExpr = Init;
      Info.Size = Init ? integerValue(Init, Ctx) : std::optional<int64_t>(0);
    } else if (Name == "m_methods") {
      Info.MethodsExpr = Init;
    } else if (Name == "m_traverse") {
      Info.TraverseExpr = Init;
    } else if (Name == "m_clear") {
      Info.ClearExpr = Init;
    } else if (Name == "m_free") {
      Info.FreeExpr = Init;
    } else if (Name == "m_slots") {
      Info.SlotsExpr = Init;
      if (!Init || Init->IgnoreParenCasts()->isNullPointerConstant(
                       Ctx, Expr::NPC_ValueDependentIsNotNull)) {
        Info.SlotsNull = true;
        continue;
      }
      if (const VarDecl *Array = pointedToArray(Init))
        Info.Slots = analyzeSlots(Array, Ctx);
    }
  }
  return Info;
}

std::optional<ModuleSlotsInfo>
ModuleInitAnalyzer::analyzeSlots(const VarDecl *Array, ASTContext &Ctx) {
  const VarDecl *Definition = definitionOf(Array);
  if (!Definition)
    return std::nullopt;
  const InitListExpr *List = semanticInitList(Definition->getInit());
  if (!List || !Definition->getType()->isArrayType())
    return std::nullopt;
  ModuleSlotsInfo Info;
  Info.Array = Definition;
  Info.Init = List;
  for (const Expr *Element : List->inits()) {
    const InitListExpr *Entry = semanticInitList(Element);
    if (!Entry)
      continue;
    ModuleSlot Slot;
    Slot.Entry = Entry;
    if (Entry->getNumInits() > 0)
      Slot.IDExpr = Entry->getInit(0);
    const RecordDecl *Record = Entry->getType()->getAsRecordDecl();
    if (Record && Record->getName() == "PySlot") {
      // {sl_id, sl_flags, {sl_reserved}, {sl_ptr, sl_func, ...}}
      if (Entry->getNumInits() > 3)
        if (const InitListExpr *Union = semanticInitList(Entry->getInit(3));
            Union && Union->getNumInits() > 0)
          Slot.ValueExpr = Union->getInit(0);
    } else if (Entry->getNumInits() > 1) {
      Slot.ValueExpr = Entry->getInit(1);
    }
    // A missing member (`{0}`) is zero.
    Slot.ID = Slot.IDExpr ? integerValue(Slot.IDExpr, Ctx) : 0;
    // Python 3.15's headers number the module slots anew (PEP 793:
    // Py_mod_gil is 87 outside the limited API), and accept both numbers in
    // a PyModuleDef_Slot array: the old number names the slot here.
    if (Slot.ID && *Slot.ID >= ModuleSlot315Create &&
        *Slot.ID <= ModuleSlot315Gil)
      *Slot.ID -= ModuleSlot315Create - ModuleSlotCreate;
    Slot.Value = Slot.ValueExpr ? integerValue(Slot.ValueExpr, Ctx) : 0;
    Info.Slots.push_back(Slot);
  }
  return Info;
}

const llvm::StringSet<> &
ModuleInitAnalyzer::macrosMentioning(llvm::StringRef Identifier,
                                     const SourceManager &SM,
                                     const LangOptions &LO) const {
  auto [It, Inserted] = MacrosMentioningCache.try_emplace(Identifier);
  if (!Inserted)
    return It->second;
  llvm::StringSet<> &Names = It->second;
  for (const SkippedRange &Range : Skipped) {
    llvm::StringRef Text =
        SM.getBufferData(Range.File).slice(Range.Begin, Range.End);
    if (!Text.contains(Identifier))
      continue;
    // `#define NAME ... Identifier ...`: remember NAME.
    enum { None, SawHash, SawDefine, InBody } State = None;
    llvm::StringRef MacroName;
    forEachRawToken(
        SM, LO, Range.File, Range.Begin, Range.End,
        [&](const Token &Tok, bool InDirective) {
          if (!InDirective) {
            State = None;
            return;
          }
          if (Tok.isAtStartOfLine()) {
            State = SawHash;
            return;
          }
          if (State == SawHash) {
            State = isIdentifier(Tok, "define") ? SawDefine : None;
          } else if (State == SawDefine) {
            MacroName = Tok.is(tok::raw_identifier) ? Tok.getRawIdentifier()
                                                    : llvm::StringRef();
            State = MacroName.empty() ? None : InBody;
          } else if (State == InBody && isIdentifier(Tok, Identifier)) {
            Names.insert(MacroName);
          }
        });
  }
  return Names;
}

bool ModuleInitAnalyzer::inactiveCodeMentions(SourceRange Range,
                                              llvm::StringRef Identifier,
                                              const ASTContext &Ctx) const {
  if (Range.isInvalid())
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  SourceLocation BeginLoc = SM.getExpansionLoc(Range.getBegin());
  SourceLocation EndLoc = SM.getExpansionRange(Range.getEnd()).getEnd();
  auto [File, Begin] = SM.getDecomposedLoc(BeginLoc);
  auto [EndFile, End] = SM.getDecomposedLoc(EndLoc);
  if (File != EndFile || Begin > End)
    return false;

  bool Found = false;
  auto FindIdentifier = [&](llvm::StringRef Name) {
    return [&Found, Name](const Token &Tok, bool InDirective) {
      if (!InDirective && isIdentifier(Tok, Name))
        Found = true;
    };
  };
  for (const SkippedRange &Skip : Skipped) {
    if (Skip.File != File || Skip.Begin < Begin || Skip.Begin > End)
      continue;
    llvm::StringRef Text = SM.getBufferData(File).slice(Skip.Begin, Skip.End);
    if (!Text.contains(Identifier))
      continue;
    forEachRawToken(SM, LO, File, Skip.Begin, Skip.End,
                    FindIdentifier(Identifier));
    if (Found)
      return true;
  }

  const llvm::StringSet<> &Macros = macrosMentioning(Identifier, SM, LO);
  if (Macros.empty())
    return false;
  forEachRawToken(SM, LO, File, Begin, End + 1,
                  [&](const Token &Tok, bool InDirective) {
                    if (Tok.is(tok::raw_identifier) &&
                        Macros.contains(Tok.getRawIdentifier()))
                      Found = true;
                  });
  return Found;
}

bool ModuleInitAnalyzer::declaresSlot(const ModuleSlotsInfo &Slots, int64_t ID,
                                      llvm::StringRef SlotMacro,
                                      const ASTContext &Ctx) const {
  if (Slots.find(ID))
    return true;
  if (Slots.Init &&
      inactiveCodeMentions(Slots.Init->getSourceRange(), SlotMacro, Ctx))
    return true;
  // The whole array defined again in a skipped branch (`#if PY_VERSION_HEX
  // >= 0x030D0000` / `slots[] = {..., {Py_mod_gil, ...}}` / `#else` / ...).
  return skippedRangeMentionsBoth(Slots.Array->getName(), SlotMacro, Ctx);
}

bool ModuleInitAnalyzer::skippedRangeMentionsBoth(llvm::StringRef First,
                                                  llvm::StringRef Second,
                                                  const ASTContext &Ctx) const {
  const SourceManager &SM = Ctx.getSourceManager();
  for (const SkippedRange &Skip : Skipped) {
    llvm::StringRef Text =
        SM.getBufferData(Skip.File).slice(Skip.Begin, Skip.End);
    if (!Text.contains(First) || !Text.contains(Second))
      continue;
    bool SawFirst = false;
    bool SawSecond = false;
    forEachRawToken(SM, Ctx.getLangOpts(), Skip.File, Skip.Begin, Skip.End,
                    [&](const Token &Tok, bool InDirective) {
                      if (InDirective)
                        return;
                      SawFirst |= isIdentifier(Tok, First);
                      SawSecond |= isIdentifier(Tok, Second);
                    });
    if (SawFirst && SawSecond)
      return true;
  }
  return false;
}

bool ModuleInitAnalyzer::declaresGilBySetGil(const ModuleInitInfo &Info,
                                             const ASTContext &Ctx) const {
  if (!Info.SetGilCalls.empty())
    return true;
  for (const FunctionDecl *Function : Info.SearchedFunctions)
    if (const Stmt *Body = Function->getBody())
      if (inactiveCodeMentions(Body->getSourceRange(),
                               "PyUnstable_Module_SetGIL", Ctx))
        return true;
  return false;
}

} // namespace gilport
