//===--- ModuleStateConversion.cpp ----------------------------------------===//

#include "rewrites/ModuleStateConversion.h"

#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"
#include "rewrites/HeapTypeConversion.h"
#include "rewrites/MultiPhaseConversion.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

namespace gilport {

using namespace clang;

namespace {

std::string lineOf(SourceLocation Loc, const SourceManager &SM) {
  return "line " + std::to_string(SM.getExpansionLineNumber(Loc));
}

std::string quoted(const NamedDecl *D) {
  return "'" + D->getName().str() + "'";
}

/// `'f' (line 12)`.
std::string place(const FunctionDecl *F) {
  const SourceManager &SM = F->getASTContext().getSourceManager();
  return quoted(F) + " (" + lineOf(F->getLocation(), SM) + ")";
}

/// A reference and where it is: in a function body, or in the initializer
/// of a file-scope variable.
struct Use {
  const DeclRefExpr *Ref;
  const FunctionDecl *Function;
  const VarDecl *Global;
};

/// Every reference to the candidates and to functions, with its place.
class UseCollector : public RecursiveASTVisitor<UseCollector> {
public:
  UseCollector(const llvm::DenseSet<const VarDecl *> &Wanted,
               const SourceManager &SM)
      : Wanted(Wanted), SM(SM) {}

  bool TraverseFunctionDecl(FunctionDecl *F) {
    const FunctionDecl *Saved = Function;
    Function = F;
    bool Result = RecursiveASTVisitor::TraverseFunctionDecl(F);
    Function = Saved;
    return Result;
  }
  bool TraverseVarDecl(VarDecl *V) {
    if (!V->isFileVarDecl())
      return RecursiveASTVisitor::TraverseVarDecl(V);
    const VarDecl *Saved = Global;
    Global = V;
    bool Result = RecursiveASTVisitor::TraverseVarDecl(V);
    Global = Saved;
    return Result;
  }
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    spelled(Ref->getLocation());
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
      // The candidates, and file-scope tables (a type's sub-tables).
      if (Wanted.contains(Var->getCanonicalDecl()) || Var->isFileVarDecl())
        VarUses[Var->getCanonicalDecl()].push_back({Ref, Function, Global});
    } else if (const auto *F = dyn_cast<FunctionDecl>(Ref->getDecl())) {
      FunctionUses[F->getCanonicalDecl()].push_back({Ref, Function, Global});
    }
    return true;
  }

  bool VisitNamedDecl(NamedDecl *D) {
    spelled(D->getLocation());
    return true;
  }
  bool VisitMemberExpr(MemberExpr *Member) {
    spelled(Member->getMemberLoc());
    return true;
  }

  llvm::DenseMap<const VarDecl *, std::vector<Use>> VarUses;
  llvm::DenseMap<const FunctionDecl *, std::vector<Use>> FunctionUses;
  /// Main-file offsets of the names the compiler saw.
  llvm::DenseSet<unsigned> Spelled;

private:
  void spelled(SourceLocation Loc) {
    Loc = SM.getSpellingLoc(Loc);
    if (Loc.isValid() && SM.isInMainFile(Loc))
      Spelled.insert(SM.getFileOffset(Loc));
  }

  const llvm::DenseSet<const VarDecl *> &Wanted;
  const SourceManager &SM;
  const FunctionDecl *Function = nullptr;
  const VarDecl *Global = nullptr;
};

const InitListExpr *semanticList(const Expr *E) {
  const auto *List = dyn_cast_or_null<InitListExpr>(E);
  if (List && List->isSyntacticForm() && List->getSemanticForm())
    List = List->getSemanticForm();
  return List;
}

bool isNullConstant(const Expr *E, ASTContext &Ctx) {
  return E->IgnoreParenCasts()->isNullPointerConstant(
             Ctx, Expr::NPC_ValueDependentIsNotNull) != Expr::NPCK_NotNull;
}

/// Whether the initializer \p E stores nothing but zeros.
bool isZeroInitializer(const Expr *E, ASTContext &Ctx) {
  if (isa<ImplicitValueInitExpr>(E))
    return true;
  if (const auto *List = semanticList(E))
    return llvm::all_of(List->inits(), [&](const Expr *Element) {
      return isZeroInitializer(Element, Ctx);
    });
  if (E->getType()->isPointerType())
    return isNullConstant(E, Ctx);
  Expr::EvalResult Result;
  if (!E->EvaluateAsRValue(Result, Ctx) || !Result.Val.isInt())
    return false;
  return Result.Val.getInt() == 0;
}

/// The declaration of the named type \p Type refers to, through pointers
/// and arrays, if it is a typedef or a tag.
const Decl *namedTypeDecl(QualType Type, ASTContext &Ctx) {
  while (true) {
    if (const auto *Array = Ctx.getAsArrayType(Type)) {
      Type = Array->getElementType();
      continue;
    }
    if (const auto *Typedef = Type->getAs<TypedefType>())
      return Typedef->getDecl();
    if (const auto *Pointer = Type->getAs<PointerType>()) {
      Type = Pointer->getPointeeType();
      continue;
    }
    if (const auto *Tag = Type->getAsTagDecl())
      return Tag;
    return nullptr;
  }
}

/// Moves \p Offset up over the comment lines directly above it, so that text
/// inserted there does not separate a function from its comment.
unsigned aboveAttachedComments(llvm::StringRef Buffer, unsigned Offset) {
  while (Offset > 0) {
    size_t PreviousEnd = Offset - 1; // the newline ending the previous line
    size_t PreviousStart =
        Buffer.rfind('\n', PreviousEnd ? PreviousEnd - 1 : 0);
    PreviousStart =
        PreviousStart == llvm::StringRef::npos ? 0 : PreviousStart + 1;
    if (PreviousEnd == 0)
      PreviousStart = 0;
    llvm::StringRef Line = Buffer.slice(PreviousStart, PreviousEnd).trim();
    if (Line.starts_with("//")) {
      Offset = PreviousStart;
      continue;
    }
    if (!Line.ends_with("*/"))
      break;
    size_t Open = Buffer.take_front(PreviousEnd).rfind("/*");
    if (Open == llvm::StringRef::npos)
      break;
    size_t OpenLine = Buffer.rfind('\n', Open);
    OpenLine = OpenLine == llvm::StringRef::npos ? 0 : OpenLine + 1;
    // Only a comment that starts its line.
    if (!Buffer.slice(OpenLine, Open).trim().empty())
      break;
    Offset = OpenLine;
  }
  return Offset;
}

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

/// How a function reaches the module: the expression naming it, or why it
/// cannot.
struct ModuleAccess {
  std::string ModuleExpr;
  std::string Reason;
};

class Planner {
public:
  Planner(const ModuleInitInfo &Init,
          const std::vector<StateCandidate> &Candidates, DeclaredSlots Declared,
          ASTContext &Ctx)
      : Init(Init), Candidates(Candidates), Declared(Declared), Ctx(Ctx),
        SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()) {}

  ModuleStatePlan run();

private:
  std::string checkModule();
  void findModuleFunctions();
  /// The module from exec, init and method-table functions.
  ModuleAccess baseAccess(const FunctionDecl *F);
  /// The same, or from a helper that gets the module as a new parameter.
  ModuleAccess accessFrom(const FunctionDecl *F);
  /// The call of which \p Ref is the callee, or null.
  const CallExpr *directCall(const DeclRefExpr *Ref);
  /// Static helpers called only from functions that reach the module.
  void findHelpers();
  /// Adds the module parameter to the helpers that need it, and the
  /// argument to their calls.
  std::string threadHelpers(Rewrite &Result);
  /// tp_traverse visits the heap type, tp_dealloc releases it.
  std::string
  adjustTypeFunctions(const HeapTypePlan &HeapType, Rewrite &Result,
                      llvm::DenseSet<const FunctionDecl *> &Adjusted);
  std::string checkVariable(const StateCandidate &Candidate,
                            SourceLocation &Where);
  std::string checkType(const StateCandidate &Candidate, SourceLocation &Where);
  /// How a use of a converted type is rewritten: `&T` (its address) or
  /// `T.` (a member read, which becomes `...->T->`).
  struct TypeUseEdit {
    CharSourceRange Range;
    bool Member;
  };
  std::optional<TypeUseEdit> typeUseEdit(const DeclRefExpr *Ref);
  /// The declaration of \p Var to remove; \p Comment receives the comment
  /// lines directly above a file-scope declaration, removed with it.
  std::optional<CharSourceRange>
  declarationRange(const VarDecl *Var, std::string *Comment = nullptr);
  Rewrite buildEdits(bool WithGil);
  std::string fieldText(const VarDecl *Var, llvm::StringRef Field);

  const ModuleInitInfo &Init;
  const std::vector<StateCandidate> &Candidates;
  DeclaredSlots Declared;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LO;

  bool SinglePhase = false;
  const FunctionDecl *Exec = nullptr;
  std::string ExecModule;
  const VarDecl *MethodsArray = nullptr;
  llvm::DenseSet<const FunctionDecl *> MethodTable;
  /// The definition's own m_traverse, m_clear and m_free functions (their
  /// first parameter is the module); null where it has none.
  const FunctionDecl *UserTraverse = nullptr, *UserClear = nullptr,
                     *UserFree = nullptr;
  /// Why one of them cannot be used (empty when all can).
  std::string UserStateFunctions;
  bool isUserStateFunction(const FunctionDecl *F) const {
    return llvm::any_of(
        std::initializer_list<const FunctionDecl *>{UserTraverse, UserClear,
                                                    UserFree},
        [&](const FunctionDecl *D) {
          return D && D->getCanonicalDecl() == F->getCanonicalDecl();
        });
  }
  /// Whether \p E is the first parameter of \p F (through casts).
  static bool isModuleParameterOf(const Expr *E, const FunctionDecl *F) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
    return Ref && F->getNumParams() > 0 && Ref->getDecl() == F->getParamDecl(0);
  }
  /// The module in the body of the definition's own function \p F.
  static std::string userStateModule(const FunctionDecl *F) {
    const ParmVarDecl *Param = F->getParamDecl(0);
    return Param->getType()->isVoidPointerType()
               ? "(PyObject *)" + Param->getName().str()
               : Param->getName().str();
  }
  std::unique_ptr<UseCollector> Uses;
  llvm::DenseMap<const FunctionDecl *, ModuleAccess> Accesses;
  /// Helpers that can get the module, with the new parameter's name.
  llvm::DenseMap<const FunctionDecl *, std::string> HelperParameters;
  /// Static types that convert, and the functions they call with an
  /// instance (or the type): those reach the module through the type.
  llvm::DenseMap<const VarDecl *, HeapTypePlan> HeapTypes;
  struct TypeUse {
    const VarDecl *Type;
    bool ReceivesType;
    bool Operands = false;
    /// Every registration is a METH_METHOD method naming its defining class.
    bool DefiningClass = false;
  };
  llvm::DenseMap<const FunctionDecl *, TypeUse> TypeFunctions;
  /// Slots that run while objects are destroyed.
  llvm::DenseSet<const FunctionDecl *> Finalizing;
  /// Types that stay static (a use cannot reach the module).
  llvm::DenseMap<const VarDecl *, std::string> Inactive;
  void planHeapTypes();
  /// Names of candidates spelled where the compiler did not see them (an
  /// inactive preprocessor branch, an unexpanded macro argument such as
  /// assert() under NDEBUG), with the function around them.
  void findHiddenUses();
  struct HiddenUse {
    /// The name, or `&name` / `name.` around it.
    unsigned Begin, End;
    const FunctionDecl *Function;
    bool Address = false, Member = false;
  };
  llvm::DenseMap<const VarDecl *, std::vector<HiddenUse>> HiddenUses;
  /// Checks the hidden uses of \p Var; for a type, each must be `&T` or
  /// `T.member`.
  std::string checkHiddenUses(const VarDecl *Var, bool IsType,
                              SourceLocation &Where);
  /// Whether a binary number slot needs the operand helper.
  bool UsesOperandModule = false;
  std::string OperandModule;
  /// The statement of a C counter update in the tp_dealloc of a converted
  /// type (`n--;`, `n += k;`), which reaches the state through the type
  /// when the module is still there; null for any other use.
  const Stmt *deallocUpdate(const Use &U);
  /// The names of the locals tp_dealloc gets: the type and the state.
  std::pair<std::string, std::string> deallocLocals(const FunctionDecl *F);
  /// Whether the tp_dealloc \p F updates a moved counter.
  bool updatesState(const FunctionDecl *F);
  /// Why \p Candidate cannot become an atomic where it is; on success its
  /// edits are added to AtomicEdits. With \p InState, why it cannot be an
  /// `_Atomic` field of the state, where C11 makes each of the accepted
  /// uses one atomic operation as written; nothing is added then.
  std::string checkAtomic(const StateCandidate &Candidate,
                          bool InState = false);
  /// Moved counters that are `_Atomic` fields.
  llvm::DenseSet<const VarDecl *> AtomicFields;
  /// Whether \p E reads or writes a candidate.
  bool usesCandidate(const Expr *E);
  /// Variables made atomic, and their edits.
  std::vector<const VarDecl *> Atomics;
  std::vector<FixItHint> AtomicEdits;
  bool IncludeAdded = false;
  /// The tp_dealloc functions of converted types.
  llvm::DenseSet<const FunctionDecl *> Deallocs;
  /// The accepted uses in them, with their statements.
  llvm::DenseMap<const DeclRefExpr *, const Stmt *> DeallocUses;
  /// The function table variables of converted types and the types.
  bool isTypeTable(const VarDecl *Var);

  std::string StateName, Accessor, Traverse, Clear, Free, TypeAccessor;
  /// Where the state and its helpers are inserted (an offset in the main
  /// file).
  unsigned InsertAt = 0;
  /// Moved variables in declaration order, with their field names.
  std::vector<std::pair<const StateCandidate *, std::string>> Moved;
  ModuleStatePlan Plan;
};

std::string Planner::checkModule() {
  if (!Init.Def)
    return "the module definition is not in this translation unit";
  const ModuleDefInfo &Def = *Init.Def;
  if (!Def.Init)
    return "the module definition has no braced initializer";
  if (!SM.isInMainFile(SM.getExpansionLoc(Def.Def->getLocation())))
    return "the module definition is in a header";
  if (!Def.Size)
    return "its 'm_size' is not a constant";
  if (Init.Kind == ModuleInitKind::SinglePhase) {
    SinglePhase = true;
    if (*Def.Size > 0)
      return "the module already has module state ('m_size' is " +
             std::to_string(*Def.Size) + "); add the fields to it by hand";
    return {};
  }
  if (Init.Kind != ModuleInitKind::MultiPhase)
    return "the module is created where gilport cannot see it";
  if (*Def.Size != 0 || !Def.SizeExpr)
    return "the module already has module state or an unusual 'm_size'; "
           "add the fields to it by hand";
  if (!Def.Slots || !Def.Slots->sentinel())
    return "its slots array is not a braced list ending in '{0, NULL}'";
  const ModuleSlot *ExecSlot = Def.Slots->find(ModuleSlotExec);
  unsigned ExecSlots =
      llvm::count_if(Def.Slots->Slots, [](const ModuleSlot &S) {
        return S.ID && *S.ID == ModuleSlotExec;
      });
  if (!ExecSlot || ExecSlots != 1)
    return "the module does not have exactly one 'Py_mod_exec' slot";
  const FunctionDecl *F = namedFunction(ExecSlot->ValueExpr);
  Exec = F ? F->getDefinition() : nullptr;
  if (!Exec || Exec->getNumParams() != 1)
    return "its exec function is not defined in this translation unit";
  const ParmVarDecl *Param = Exec->getParamDecl(0);
  if (Param->getName().empty() || Param->getLocation().isMacroID())
    return "the parameter of its exec function is unnamed";
  ExecModule = Param->getName().str();
  return {};
}

void Planner::findModuleFunctions() {
  const ModuleDefInfo &Def = *Init.Def;
  const std::pair<const Expr *, const FunctionDecl **> Members[] = {
      {Def.TraverseExpr, &UserTraverse},
      {Def.ClearExpr, &UserClear},
      {Def.FreeExpr, &UserFree}};
  for (const auto &[Value, Function] : Members) {
    if (!Value || isNullConstant(Value, Ctx))
      continue;
    const FunctionDecl *F = namedFunction(Value);
    F = F ? F->getDefinition() : nullptr;
    const auto *Body =
        F ? dyn_cast_or_null<CompoundStmt>(F->getBody()) : nullptr;
    if (!F || !Body || Body->getLBracLoc().isMacroID() ||
        !SM.isInMainFile(F->getLocation()) || F->getNumParams() < 1 ||
        F->getParamDecl(0)->getName().empty()) {
      UserStateFunctions = "the module definition's m_traverse, m_clear or "
                           "m_free is not a function of this file gilport "
                           "can extend";
      continue;
    }
    if (Function == &UserTraverse &&
        (F->getNumParams() != 3 || F->getParamDecl(1)->getName() != "visit" ||
         F->getParamDecl(2)->getName() != "arg")) {
      UserStateFunctions = "the module definition's m_traverse does not name "
                           "its parameters (module, visit, arg)";
      continue;
    }
    *Function = F;
  }
  MethodsArray = namedVariable(Init.Def->MethodsExpr);
  if (MethodsArray)
    MethodsArray = MethodsArray->getDefinition();
  if (!MethodsArray)
    return;
  const InitListExpr *Entries = semanticList(MethodsArray->getInit());
  if (!Entries)
    return;
  for (const Expr *Element : Entries->inits()) {
    const InitListExpr *Entry = semanticList(Element);
    if (!Entry || Entry->getNumInits() < 2)
      continue;
    if (const FunctionDecl *F = namedFunction(Entry->getInit(1)))
      MethodTable.insert(F->getCanonicalDecl());
  }
}

ModuleAccess Planner::baseAccess(const FunctionDecl *F) {
  ModuleAccess Access;
  if (SinglePhase ? F->getCanonicalDecl() == Init.Function->getCanonicalDecl()
                  : F->getCanonicalDecl() == Exec->getCanonicalDecl()) {
    Access.ModuleExpr = ExecModule;
  } else if (auto Typed = TypeFunctions.find(F->getCanonicalDecl());
             Typed != TypeFunctions.end() &&
             !MethodTable.contains(F->getCanonicalDecl())) {
    for (const Use &U : Uses->FunctionUses[F->getCanonicalDecl()])
      if (U.Global && !isTypeTable(U.Global)) {
        Access.Reason = "is used by a type but also stored at " +
                        lineOf(U.Ref->getLocation(), SM);
        break;
      }
    if (Access.Reason.empty() && Typed->second.Operands) {
      // Either operand is the instance.
      Access.ModuleExpr = OperandModule + "(" +
                          F->getParamDecl(0)->getName().str() + ", " +
                          F->getParamDecl(1)->getName().str() + ")";
    } else if (Access.Reason.empty()) {
      std::string Self = F->getParamDecl(0)->getName().str();
      // A class method may declare its class as `PyObject *cls`.
      QualType Class = F->getParamDecl(0)->getType();
      if (Typed->second.ReceivesType &&
          !(Class->isPointerType() &&
            Class->getPointeeType().getUnqualifiedType().getAsString() ==
                "PyTypeObject"))
        Self = "(PyTypeObject *)" + Self;
      if (Typed->second.DefiningClass)
        Access.ModuleExpr =
            "PyType_GetModule(" + F->getParamDecl(1)->getName().str() + ")";
      else
        Access.ModuleExpr =
            "PyType_GetModuleByDef(" +
            (Typed->second.ReceivesType ? Self : "Py_TYPE(" + Self + ")") +
            ", &" + Init.Def->Def->getName().str() + ")";
    }
  } else if (isUserStateFunction(F)) {
    // The definition's own m_traverse, m_clear or m_free: called with the
    // module, when only the definition names it (or another of them calls
    // it with its module: m_free calling m_clear).
    for (const Use &U : Uses->FunctionUses[F->getCanonicalDecl()]) {
      const CallExpr *Call = U.Function ? directCall(U.Ref) : nullptr;
      if (U.Global != Init.Def->Def &&
          !(Call && isUserStateFunction(U.Function) && Call->getNumArgs() > 0 &&
            isModuleParameterOf(Call->getArg(0), U.Function))) {
        Access.Reason = "is the module's m_traverse, m_clear or m_free but "
                        "is also used at " +
                        lineOf(U.Ref->getLocation(), SM);
        break;
      }
    }
    if (Access.Reason.empty())
      Access.ModuleExpr = userStateModule(F);
  } else if (Finalizing.contains(F->getCanonicalDecl())) {
    Access.Reason = "runs while objects of its type are destroyed, also "
                    "during interpreter finalization after the type's MRO "
                    "and module were cleared, so it cannot reach the module "
                    "state safely";
  } else if (!MethodTable.contains(F->getCanonicalDecl())) {
    Access.Reason = "has no way to the module: it is neither a function of "
                    "the module's method table nor its exec function, nor a "
                    "static helper called only where the module is known, "
                    "nor a slot or method of a type that is converted";
  } else {
    for (const Use &U : Uses->FunctionUses[F->getCanonicalDecl()])
      if (U.Global != MethodsArray) {
        Access.Reason = "is in the module's method table but is also used "
                        "at " +
                        lineOf(U.Ref->getLocation(), SM) +
                        ", where its first argument may not be the module";
        break;
      }
    const ParmVarDecl *Param =
        F->getNumParams() > 0 ? F->getParamDecl(0) : nullptr;
    if (Access.Reason.empty() && (!Param || Param->getName().empty() ||
                                  Param->getLocation().isMacroID() ||
                                  !Param->getType()->isPointerType()))
      Access.Reason = "names its first parameter, the module, through a "
                      "macro ('Py_UNUSED') or not at all";
    if (Access.Reason.empty())
      Access.ModuleExpr = Param->getName().str();
  }
  return Access;
}

ModuleAccess Planner::accessFrom(const FunctionDecl *F) {
  auto Known = Accesses.find(F->getCanonicalDecl());
  if (Known != Accesses.end())
    return Known->second;
  ModuleAccess Access = baseAccess(F);
  auto Helper = HelperParameters.find(F->getCanonicalDecl());
  if (!Access.Reason.empty() && Helper != HelperParameters.end()) {
    Access.Reason.clear();
    Access.ModuleExpr = Helper->second;
  }
  Accesses[F->getCanonicalDecl()] = Access;
  return Access;
}

const CallExpr *Planner::directCall(const DeclRefExpr *Ref) {
  const Expr *Callee = Ref;
  while (true) {
    DynTypedNodeList Parents = Ctx.getParents(*Callee);
    if (Parents.empty())
      return nullptr;
    if (const auto *Call = Parents[0].get<CallExpr>())
      return Call->getCallee() == Callee ? Call : nullptr;
    const auto *Parent = Parents[0].get<Expr>();
    if (!Parent || !(isa<ParenExpr>(Parent) || isa<ImplicitCastExpr>(Parent)))
      return nullptr;
    Callee = Parent;
  }
}

bool Planner::isTypeTable(const VarDecl *Var) {
  // The type itself, or its method and getset arrays.
  for (const auto &[Type, HeapType] : HeapTypes)
    if (HeapType.Reason.empty() &&
        (Var == Type || llvm::is_contained(HeapType.Tables, Var)))
      return true;
  return false;
}

void Planner::planHeapTypes() {
  SourceLocation FileStart = SM.getLocForStartOfFile(
      SM.getFileID(SM.getExpansionLoc(Init.Def->Def->getLocation())));
  std::string Unit = text::indentUnit(FileStart, SM);
  // Every type is planned, so that the functions of those that stay static
  // are known too.
  llvm::DenseMap<const VarDecl *, HeapTypePlan> Static;
  for (const StateCandidate &C : Candidates) {
    if (!C.IsType)
      continue;
    HeapTypePlan Planned = planHeapType(C.Var, Unit, Ctx, Exec);
    if (Inactive.contains(C.Var))
      Static[C.Var] = std::move(Planned);
    else
      HeapTypes[C.Var] = std::move(Planned);
  }
  // A type derived from a type of this file that stays static stays too.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &[Type, HeapType] : HeapTypes) {
      const VarDecl *Base = HeapType.BaseType;
      if (!HeapType.Reason.empty() || !Base)
        continue;
      auto BasePlan = HeapTypes.find(Base);
      if (BasePlan == HeapTypes.end() || !BasePlan->second.Reason.empty()) {
        HeapType.Reason =
            "its base type '" + Base->getName().str() + "' is not converted";
        Changed = true;
      } else if (!BasePlan->second.RuntimeBase.empty()) {
        HeapType.Reason = "its base type '" + Base->getName().str() +
                          "' is created late in exec, from a base known "
                          "only then";
        Changed = true;
      }
    }
  }
  llvm::DenseMap<const FunctionDecl *, const VarDecl *> Owner;
  TypeFunctions.clear();
  Finalizing.clear();
  Deallocs.clear();
  DeallocUses.clear();
  for (auto &[Type, HeapType] : HeapTypes) {
    if (!HeapType.Reason.empty())
      continue;
    for (const TypeFunction &F : HeapType.Functions) {
      const FunctionDecl *Key = F.Function->getCanonicalDecl();
      // Types of one module may share a function: it reaches the module
      // from any of them, given the same kind of first argument.
      auto Known = TypeFunctions.find(Key);
      if (Known != TypeFunctions.end() &&
          (Known->second.ReceivesType != F.ReceivesType ||
           Known->second.Operands != F.Operands))
        HeapType.Reason = "'" + F.Function->getName().str() +
                          "' is used by another type with other arguments";
      Owner.try_emplace(Key, Type);
      if (F.Finalizing) {
        Finalizing.insert(Key);
      } else {
        bool DefiningClass = F.DefiningClass;
        if (Known != TypeFunctions.end())
          DefiningClass &= Known->second.DefiningClass;
        TypeFunctions[Key] = {Type, F.ReceivesType, F.Operands, DefiningClass};
      }
    }
  }
  // A function also used by a type that stays static reaches no module
  // through its argument; a tp_dealloc or tp_traverse shared with such a
  // type cannot release or visit the heap type.
  llvm::DenseSet<const FunctionDecl *> Blocked;
  for (const auto *Plans : {&HeapTypes, &Static})
    for (const auto &[Type, HeapType] : *Plans)
      if (Plans == &Static || !HeapType.Reason.empty())
        for (const TypeFunction &F : HeapType.Functions)
          Blocked.insert(F.Function->getCanonicalDecl());
  for (auto &[Type, HeapType] : HeapTypes) {
    if (!HeapType.Reason.empty())
      continue;
    for (const FunctionDecl *F : {HeapType.Dealloc, HeapType.Traverse})
      if (F && Blocked.contains(F->getCanonicalDecl()))
        HeapType.Reason = "'" + F->getName().str() +
                          "' is shared with a type that stays static";
  }
  for (auto &[Type, HeapType] : HeapTypes)
    if (!HeapType.Reason.empty())
      for (const TypeFunction &F : HeapType.Functions)
        Blocked.insert(F.Function->getCanonicalDecl());
  for (const FunctionDecl *F : Blocked)
    TypeFunctions.erase(F);
  for (auto &[Type, HeapType] : HeapTypes)
    if (HeapType.Reason.empty() && HeapType.Dealloc)
      Deallocs.insert(HeapType.Dealloc->getCanonicalDecl());
}

void Planner::findHelpers() {
  // Static functions of this file, only ever called directly.
  llvm::DenseSet<const FunctionDecl *> Reach;
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *F = dyn_cast<FunctionDecl>(D);
    // (Its prototypes, in this file, get the new parameter too.)
    if (!F || !F->doesThisDeclarationHaveABody() ||
        F->getCanonicalDecl()->getStorageClass() != SC_Static ||
        F->isVariadic() ||
        llvm::any_of(F->redecls(),
                     [&](const FunctionDecl *R) {
                       return R->getLocation().isMacroID() ||
                              !SM.isInMainFile(R->getLocation());
                     }) ||
        baseAccess(F).Reason.empty() ||
        MethodTable.contains(F->getCanonicalDecl()))
      continue;
    auto UsesOf = Uses->FunctionUses.find(F->getCanonicalDecl());
    if (UsesOf == Uses->FunctionUses.end())
      continue;
    bool OnlyCalled = llvm::all_of(UsesOf->second, [&](const Use &U) {
      return U.Function && directCall(U.Ref);
    });
    if (OnlyCalled)
      Reach.insert(F->getCanonicalDecl());
  }
  // ... from functions that know the module.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const FunctionDecl *F : llvm::to_vector(Reach)) {
      bool Reached = llvm::all_of(Uses->FunctionUses[F], [&](const Use &U) {
        const FunctionDecl *Caller = U.Function->getCanonicalDecl();
        return Reach.contains(Caller) || baseAccess(Caller).Reason.empty();
      });
      if (!Reached) {
        Reach.erase(F);
        Changed = true;
      }
    }
  }
  for (const FunctionDecl *F : Reach) {
    // A name the helper does not use yet.
    llvm::StringSet<> Taken;
    for (const Decl *D : F->getDefinition()->decls())
      if (const auto *Named = dyn_cast<NamedDecl>(D))
        if (Named->getIdentifier())
          Taken.insert(Named->getName());
    for (const auto &[Target, Refs] : Uses->VarUses)
      for (const Use &U : Refs)
        if (U.Function && U.Function->getCanonicalDecl() == F)
          Taken.insert(Target->getName());
    std::string Name = "module";
    for (unsigned Suffix = 2; Taken.contains(Name); ++Suffix)
      Name = "module" + std::to_string(Suffix);
    HelperParameters[F] = Name;
  }
}

std::optional<CharSourceRange> Planner::declarationRange(const VarDecl *Var,
                                                         std::string *Comment) {
  if (Var->isStaticLocal()) {
    DynTypedNodeList Parents = Ctx.getParents(*Var);
    const auto *Statement =
        Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
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

std::string Planner::checkType(const StateCandidate &Candidate,
                               SourceLocation &Where) {
  const VarDecl *Var = Candidate.Var;
  std::string Name = quoted(Var);
  if (auto Stays = Inactive.find(Var); Stays != Inactive.end())
    return Stays->second;
  auto Planned = HeapTypes.find(Var);
  if (Planned == HeapTypes.end() || !Planned->second.Reason.empty())
    return "not converted to a heap type: " + (Planned == HeapTypes.end()
                                                   ? std::string("unknown")
                                                   : Planned->second.Reason);
  if (!Var->isFileVarDecl() || Var->getStorageClass() != SC_Static)
    return Name + " is not 'static', so other files may use it";
  const HeapTypePlan &HeapType = Planned->second;
  for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()]) {
    SourceLocation Loc = U.Ref->getLocation();
    // `T.tp_base = &Base;` in exec becomes the spec's base.
    if (U.Ref == HeapType.BaseStatementRef)
      continue;
    // The tp_base of a derived type that is converted too.
    if (!U.Function && U.Global && U.Global != Var) {
      auto Derived = HeapTypes.find(U.Global);
      if (Derived != HeapTypes.end() && Derived->second.Reason.empty() &&
          Derived->second.BaseType == Var->getDefinition())
        continue;
    }
    if (!SM.isInMainFile(SM.getExpansionLoc(Loc))) {
      Where = Loc;
      return Name + " is used in the header " +
             llvm::sys::path::filename(SM.getFilename(SM.getExpansionLoc(Loc)))
                 .str() +
             " (" + lineOf(Loc, SM) + "), which gilport does not edit";
    }
    if (!typeUseEdit(U.Ref)) {
      Where = Loc;
      return Name + " is used other than by its address or a member read at " +
             lineOf(Loc, SM);
    }
    if (!U.Function) {
      Where = Loc;
      return Name + " is used outside a function at " + lineOf(Loc, SM);
    }
    ModuleAccess Access = accessFrom(U.Function);
    if (!Access.Reason.empty()) {
      Where = U.Function->getLocation();
      return Name + " is used in " + place(U.Function) + ", which " +
             Access.Reason;
    }
    if (!(Loc.isFileID() || SM.isMacroArgExpansion(Loc))) {
      Where = Loc;
      return Name + " is used inside a macro expansion at " + lineOf(Loc, SM);
    }
    // A type created where its base is set is not used in exec before.
    if (!HeapType.RuntimeBase.empty() && U.Function &&
        U.Function->getCanonicalDecl() == Exec->getCanonicalDecl() &&
        SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Loc),
                                     HeapType.BaseStatement.getBegin())) {
      Where = Loc;
      return Name + " is used at " + lineOf(Loc, SM) +
             " before exec sets its base, where it is created";
    }
  }
  // Its sub-tables go with it: only the type may use them.
  for (const VarDecl *Table : HeapType.SubTables)
    for (const Use &U : Uses->VarUses[Table->getCanonicalDecl()])
      if (U.Global != Var) {
        Where = U.Ref->getLocation();
        return "its table " + quoted(Table) + " is also used at " +
               lineOf(U.Ref->getLocation(), SM);
      }
  return checkHiddenUses(Var, /*IsType=*/true, Where);
}

void Planner::findHiddenUses() {
  HiddenUses.clear();
  FileID Main = SM.getMainFileID();
  llvm::StringRef Buffer = SM.getBufferData(Main);
  llvm::StringMap<std::vector<const VarDecl *>> Names;
  for (const StateCandidate &C : Candidates)
    Names[C.Var->getName()].push_back(C.Var);
  // The bodies of the functions of this file.
  std::vector<std::pair<std::pair<unsigned, unsigned>, const FunctionDecl *>>
      Bodies;
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *F = dyn_cast<FunctionDecl>(D);
    const auto *Body =
        F && F->doesThisDeclarationHaveABody() ? F->getBody() : nullptr;
    if (!Body || !Body->getBeginLoc().isFileID() ||
        !Body->getEndLoc().isFileID() || !SM.isInMainFile(Body->getBeginLoc()))
      continue;
    Bodies.push_back({{SM.getFileOffset(Body->getBeginLoc()),
                       SM.getFileOffset(Body->getEndLoc())},
                      F});
  }
  Lexer Raw(SM.getLocForStartOfFile(Main), LO, Buffer.begin(), Buffer.begin(),
            Buffer.end());
  Token Previous, Tok;
  Previous.startToken();
  while (!Raw.LexFromRawLexer(Tok) || Tok.isNot(tok::eof)) {
    if (Tok.is(tok::eof))
      break;
    Token Before = Previous;
    Previous = Tok;
    if (!Tok.is(tok::raw_identifier))
      continue;
    auto Named = Names.find(Tok.getRawIdentifier());
    unsigned Offset = SM.getFileOffset(Tok.getLocation());
    // Not a member's name (`x.name`, `p->name`).
    if (Named == Names.end() || Uses->Spelled.contains(Offset) ||
        Before.isOneOf(tok::period, tok::arrow))
      continue;
    const FunctionDecl *Function = nullptr;
    for (const auto &[Range, F] : Bodies)
      if (Range.first <= Offset && Offset <= Range.second)
        Function = F;
    HiddenUse Hidden{Offset, Offset + Tok.getLength(), Function};
    if (Before.is(tok::amp)) {
      Hidden.Address = true;
      Hidden.Begin = SM.getFileOffset(Before.getLocation());
    } else {
      // A member read: the next token is '.'.
      unsigned After = Hidden.End;
      while (After < Buffer.size() &&
             (Buffer[After] == ' ' || Buffer[After] == '\t'))
        ++After;
      if (After < Buffer.size() && Buffer[After] == '.' &&
          !(After + 1 < Buffer.size() && isdigit(Buffer[After + 1]))) {
        Hidden.Member = true;
        Hidden.End = After + 1;
      }
    }
    for (const VarDecl *Var : Named->second) {
      // A function-static variable is only named in its function.
      if (Var->isStaticLocal() &&
          (!Function || Var->getParentFunctionOrMethod() != Function))
        continue;
      HiddenUses[Var].push_back(Hidden);
    }
  }
}

std::string Planner::checkHiddenUses(const VarDecl *Var, bool IsType,
                                     SourceLocation &Where) {
  auto Hidden = HiddenUses.find(Var);
  if (Hidden == HiddenUses.end())
    return {};
  SourceLocation Start = SM.getLocForStartOfFile(SM.getMainFileID());
  for (const HiddenUse &H : Hidden->second) {
    SourceLocation Loc = Start.getLocWithOffset(H.Begin);
    std::string At = quoted(Var) + " is named at " + lineOf(Loc, SM) +
                     " where the compiler did not see it (an inactive "
                     "preprocessor branch or an unexpanded macro argument)";
    if (!H.Function) {
      Where = Loc;
      return At + ", outside a function";
    }
    if (IsType && !H.Address && !H.Member) {
      Where = Loc;
      return At + ", other than by its address or a member read";
    }
    ModuleAccess Access = accessFrom(H.Function);
    if (!Access.Reason.empty()) {
      Where = Loc;
      return At + ", in " + place(H.Function) + ", which " + Access.Reason;
    }
  }
  return {};
}

std::optional<Planner::TypeUseEdit>
Planner::typeUseEdit(const DeclRefExpr *Ref) {
  DynTypedNodeList Parents = Ctx.getParents(*Ref);
  if (Parents.empty())
    return std::nullopt;
  if (const auto *AddressOf = Parents[0].get<UnaryOperator>()) {
    if (AddressOf->getOpcode() != UO_AddrOf)
      return std::nullopt;
    std::optional<CharSourceRange> Range =
        fileRangeOf(AddressOf->getSourceRange(), SM, LO);
    if (!Range)
      return std::nullopt;
    return TypeUseEdit{*Range, false};
  }
  // A member read: `T.tp_init`.
  const auto *Member = Parents[0].get<MemberExpr>();
  if (!Member || Member->isArrow())
    return std::nullopt;
  DynTypedNodeList Above = Ctx.getParents(*Member);
  const auto *Read = Above.empty() ? nullptr : Above[0].get<ImplicitCastExpr>();
  if (!Read || Read->getCastKind() != CK_LValueToRValue)
    return std::nullopt;
  std::optional<CharSourceRange> Range = fileRangeOf(
      SourceRange(Ref->getBeginLoc(), Member->getOperatorLoc()), SM, LO);
  if (!Range)
    return std::nullopt;
  return TypeUseEdit{*Range, true};
}

std::string Planner::checkVariable(const StateCandidate &Candidate,
                                   SourceLocation &Where) {
  const VarDecl *Var = Candidate.Var;
  std::string Name = quoted(Var);
  if (!Candidate.NotMovable.empty())
    return Candidate.NotMovable;
  if (Candidate.IsType)
    return checkType(Candidate, Where);
  if (Var->getPreviousDecl() || Var->getMostRecentDecl() != Var)
    return Name + " is declared more than once";
  if (Var->isFileVarDecl() && Var->getStorageClass() != SC_Static)
    return Name + " is not 'static', so other files may use it";
  if (Var->getLocation().isMacroID() || !SM.isInMainFile(Var->getLocation()))
    return Name + " is declared inside a macro expansion or in a header";
  if (Var->getTLSKind() != VarDecl::TLS_None)
    return Name + " is thread-local";
  if (const Decl *Named = namedTypeDecl(Var->getType(), Ctx))
    if (const auto *Tag = dyn_cast<TagDecl>(Named))
      if (!Tag->getIdentifier() && !Tag->getTypedefNameForAnonDecl())
        return Name + " has an unnamed struct or union type";
  if (const Expr *Initial = Var->getInit()) {
    if (!isZeroInitializer(Initial, Ctx)) {
      if (Candidate.IsObject)
        return Name + " is initialised with a value other than NULL";
      if (!Var->getType()->isScalarType())
        return Name + " is an array or record with a non-zero initializer";
      if (!fileRangeOf(Initial->getSourceRange(), SM, LO))
        return "the initializer of " + Name +
               " is spelled inside a macro expansion";
    }
  }
  if (Var->isStaticLocal()) {
    const auto *Owner =
        dyn_cast_or_null<FunctionDecl>(Var->getParentFunctionOrMethod());
    if (!Owner)
      return Name + " is not in a function";
    ModuleAccess Access = accessFrom(Owner);
    if (!Access.Reason.empty()) {
      Where = Owner->getLocation();
      return Name + " is in " + place(Owner) + ", which " + Access.Reason;
    }
  }
  if (!declarationRange(Var))
    return "the declaration of " + Name +
           " is shared with other declarations or spelled in a macro";
  for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()]) {
    SourceLocation Loc = U.Ref->getLocation();
    if (!U.Function) {
      Where = Loc;
      return Name + " is used outside a function at " + lineOf(Loc, SM);
    }
    const Stmt *DeallocStatement = nullptr;
    if (!Candidate.IsObject)
      DeallocStatement = deallocUpdate(U);
    ModuleAccess Access = accessFrom(U.Function);
    if (!Access.Reason.empty() && !DeallocStatement) {
      Where = U.Function->getLocation();
      std::string Reason = Name + " is used in " + place(U.Function) +
                           ", which " + Access.Reason;
      if (Deallocs.contains(U.Function->getCanonicalDecl()))
        Reason += "; only a statement of its own that updates it ('" +
                  Var->getName().str() + "--;', '" + Var->getName().str() +
                  " += n;') can reach the state there";
      return Reason;
    }
    if (!(Loc.isFileID() || SM.isMacroArgExpansion(Loc)) ||
        !fileRangeOf(U.Ref->getSourceRange(), SM, LO)) {
      Where = Loc;
      return Name + " is used inside a macro expansion at " + lineOf(Loc, SM);
    }
    if (DeallocStatement)
      DeallocUses[U.Ref] = DeallocStatement;
  }
  return checkHiddenUses(Var, /*IsType=*/false, Where);
}

bool Planner::usesCandidate(const Expr *E) {
  bool Found = false;
  std::function<void(const Stmt *)> Visit = [&](const Stmt *S) {
    if (!S || Found)
      return;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        Found |= llvm::any_of(Candidates, [&](const StateCandidate &C) {
          return C.Var->getCanonicalDecl() == Var->getCanonicalDecl();
        });
    for (const Stmt *Child : S->children())
      Visit(Child);
  };
  Visit(E);
  return Found;
}

/// `#include <stdatomic.h>` on the line after `#include <Python.h>` (or
/// "Python.h"); none when the file has no such line or has the include
/// (\p Present is then set).
std::optional<FixItHint> stdatomicInclude(const SourceManager &SM, FileID File,
                                          bool &Present) {
  Present = false;
  llvm::StringRef Buffer = SM.getBufferData(File);
  std::optional<size_t> InsertAt;
  for (size_t Pos = 0; Pos < Buffer.size();) {
    size_t End = std::min(Buffer.find('\n', Pos), Buffer.size());
    llvm::StringRef Line = Buffer.slice(Pos, End).trim();
    Line.consume_front("#");
    Line = Line.ltrim();
    if (Buffer.slice(Pos, End).trim().starts_with("#") &&
        Line.consume_front("include")) {
      Line = Line.trim();
      if (Line == "<stdatomic.h>") {
        Present = true;
        return std::nullopt;
      }
      if (!InsertAt && (Line == "<Python.h>" || Line == "\"Python.h\"") &&
          End < Buffer.size())
        InsertAt = End + 1;
    }
    Pos = End + 1;
  }
  if (!InsertAt)
    return std::nullopt;
  return FixItHint::CreateInsertion(
      SM.getLocForStartOfFile(File).getLocWithOffset(*InsertAt),
      "#include <stdatomic.h>\n");
}

std::string Planner::checkAtomic(const StateCandidate &Candidate,
                                 bool InState) {
  const VarDecl *Var = Candidate.Var;
  std::string Name = quoted(Var);
  if (LO.CPlusPlus)
    return "atomics are written for C only (use std::atomic in C++)";
  QualType Type = Var->getType();
  if (Candidate.IsObject || Candidate.IsType || !Type->isIntegerType() ||
      Type->isBooleanType() || Type->isEnumeralType() ||
      Type.isVolatileQualified())
    return Name + " is not a plain integer";
  std::optional<FixItHint> Include;
  SourceLocation TypeStart = Var->getTypeSpecStartLoc();
  if (!InState) {
    if (Var->getPreviousDecl() || Var->getMostRecentDecl() != Var)
      return Name + " is declared more than once";
    if (Var->isFileVarDecl() && Var->getStorageClass() != SC_Static)
      return Name + " is not 'static', so other files may use it";
    if (TypeStart.isInvalid() || !TypeStart.isFileID() ||
        Var->getLocation().isMacroID() || !SM.isInMainFile(TypeStart))
      return Name + " is declared inside a macro expansion or in a header";
    if (Var->isFileVarDecl()) {
      for (const Decl *D : Ctx.getTranslationUnitDecl()->decls())
        if (const auto *Other = dyn_cast<VarDecl>(D))
          if (Other != Var && Other->getBeginLoc() == Var->getBeginLoc())
            return Name + " is declared together with " + quoted(Other);
    } else {
      DynTypedNodeList Parents = Ctx.getParents(*Var);
      const auto *Statement =
          Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
      if (!Statement || !Statement->isSingleDecl())
        return Name + " is declared together with other variables";
    }
    bool Included = false;
    Include = stdatomicInclude(SM, SM.getFileID(TypeStart), Included);
    if (!Include && !Included)
      return "the file has no '#include <Python.h>' line to add "
             "'#include <stdatomic.h>' after";
  }

  std::string Address = "&" + Var->getName().str();
  std::vector<FixItHint> Edits;
  struct Read {
    const Use *At;
    FixItHint Edit;
  };
  std::vector<Read> Reads;
  llvm::DenseSet<const DeclRefExpr *> Covered;
  llvm::DenseSet<const FunctionDecl *> Updating, Reading;
  auto Text = [&](const Expr *E) {
    return spelledText(E->getSourceRange(), SM, LO);
  };
  // Whether the value of \p E is thrown away: it is a statement, or the
  // increment of a for loop.
  auto Unused = [&](const Expr *E) {
    DynTypedNodeList Parents = Ctx.getParents(*E);
    if (Parents.empty())
      return false;
    if (Parents[0].get<CompoundStmt>() || Parents[0].get<LabelStmt>() ||
        Parents[0].get<SwitchCase>())
      return true;
    if (const auto *If = Parents[0].get<IfStmt>())
      return If->getThen() == E || If->getElse() == E;
    if (const auto *While = Parents[0].get<WhileStmt>())
      return While->getBody() == E;
    if (const auto *Do = Parents[0].get<DoStmt>())
      return Do->getBody() == E;
    if (const auto *For = Parents[0].get<ForStmt>())
      return For->getInc() == E || For->getBody() == E;
    return false;
  };
  for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()]) {
    std::string At = " at " + lineOf(U.Ref->getLocation(), SM);
    if (!U.Function)
      return Name + " is used outside a function" + At;
    if (!U.Ref->getLocation().isFileID())
      return Name + " is used inside a macro expansion" + At;
    const Expr *Target = U.Ref;
    DynTypedNodeList Parents = Ctx.getParents(*Target);
    while (!Parents.empty() && Parents[0].get<ParenExpr>()) {
      Target = Parents[0].get<ParenExpr>();
      Parents = Ctx.getParents(*Target);
    }
    if (Parents.empty())
      return Name + " is used" + At + " in a way gilport cannot make atomic";
    const Expr *Operation = nullptr;
    std::string Replacement;
    if (const auto *Cast = Parents[0].get<ImplicitCastExpr>();
        Cast && Cast->getCastKind() == CK_LValueToRValue) {
      std::optional<CharSourceRange> Range =
          fileRangeOf(U.Ref->getSourceRange(), SM, LO);
      if (!Range)
        return Name + " is used inside a macro expansion" + At;
      Reads.push_back({&U, FixItHint::CreateReplacement(
                               *Range, "atomic_load(" + Address + ")")});
      continue;
    }
    if (const auto *Step = Parents[0].get<UnaryOperator>();
        Step && Step->isIncrementDecrementOp()) {
      if (Step->isPrefix() && !Unused(Step))
        return "the new value of " + Name + " is used" + At +
               "; an atomic increment gives the old one";
      Operation = Step;
      Replacement = std::string("atomic_fetch_") +
                    (Step->isIncrementOp() ? "add" : "sub") + "(" + Address +
                    ", 1)";
    } else if (const auto *Assign = Parents[0].get<BinaryOperator>();
               Assign && Assign->isAssignmentOp() &&
               Assign->getLHS() == Target) {
      if (!Unused(Assign))
        return "the value of an assignment to " + Name + " is used" + At;
      const Expr *Value = Assign->getRHS();
      const char *Function = nullptr;
      switch (Assign->getOpcode()) {
      case BO_Assign: {
        // `x = x + n` and `x = x - n` are one atomic operation.
        const auto *Sum =
            dyn_cast<BinaryOperator>(Value->IgnoreParenImpCasts());
        const auto *Self =
            Sum ? dyn_cast<DeclRefExpr>(Sum->getLHS()->IgnoreParenImpCasts())
                : nullptr;
        if (Self && Self->getDecl() == U.Ref->getDecl() && InState)
          return "'" + Var->getName().str() + " = " + Var->getName().str() +
                 " ...' at " + lineOf(U.Ref->getLocation(), SM) +
                 " reads and stores the field in two steps";
        if (Self && Self->getDecl() == U.Ref->getDecl() &&
            (Sum->getOpcode() == BO_Add || Sum->getOpcode() == BO_Sub) &&
            Sum->getRHS()->getType()->isIntegerType()) {
          Function = Sum->getOpcode() == BO_Add ? "atomic_fetch_add"
                                                : "atomic_fetch_sub";
          Value = Sum->getRHS();
          Covered.insert(Self);
        } else {
          Function = "atomic_store";
        }
        break;
      }
      case BO_AddAssign:
        Function = "atomic_fetch_add";
        break;
      case BO_SubAssign:
        Function = "atomic_fetch_sub";
        break;
      case BO_OrAssign:
        Function = "atomic_fetch_or";
        break;
      case BO_AndAssign:
        Function = "atomic_fetch_and";
        break;
      case BO_XorAssign:
        Function = "atomic_fetch_xor";
        break;
      default:
        return "'" + Assign->getOpcodeStr().str() + "' on " + Name + At +
               " has no atomic operation";
      }
      if (!Value->getType()->isIntegerType())
        return "a value that is not an integer is stored to " + Name + At;
      if (usesCandidate(Value))
        return "the value stored to " + Name + At +
               " reads it or another global; an atomic store cannot "
               "update it from its own value";
      std::optional<std::string> ValueText = Text(Value);
      if (!ValueText)
        return "the value stored to " + Name + At +
               " is spelled inside a macro expansion";
      Operation = Assign;
      Replacement =
          std::string(Function) + "(" + Address + ", " + *ValueText + ")";
    } else {
      return Name + " is used" + At +
             " other than by reading, incrementing or storing it (its "
             "address is taken, or it is updated as part of an expression)";
    }
    std::optional<CharSourceRange> Range =
        fileRangeOf(Operation->getSourceRange(), SM, LO);
    if (!Range)
      return "the update of " + Name + At +
             " is spelled inside a macro expansion";
    Edits.push_back(FixItHint::CreateReplacement(*Range, Replacement));
    Updating.insert(U.Function->getCanonicalDecl());
  }
  // Reads covered by an update (`x = x + 1`) are part of it.
  for (const Read &R : Reads) {
    if (Covered.contains(R.At->Ref))
      continue;
    Reading.insert(R.At->Function->getCanonicalDecl());
    Edits.push_back(R.Edit);
  }
  // A function that reads what it updates wants one step: a lock, not an
  // atomic.
  for (const FunctionDecl *F : Updating)
    if (Reading.contains(F))
      return place(F) + " both reads and updates " + Name +
             ": atomics would not make that one step; guard it with a "
             "'PyMutex'";
  if (InState)
    return {};
  Edits.push_back(FixItHint::CreateInsertion(TypeStart, "_Atomic "));
  if (Include && !IncludeAdded)
    Edits.push_back(*Include);
  IncludeAdded |= Include.has_value();
  AtomicEdits.insert(AtomicEdits.end(), Edits.begin(), Edits.end());
  return {};
}

const Stmt *Planner::deallocUpdate(const Use &U) {
  if (!U.Function || !Deallocs.contains(U.Function->getCanonicalDecl()))
    return nullptr;
  // The variable, in parentheses or not, is what the statement updates.
  const Expr *Target = U.Ref;
  const Stmt *Update = nullptr;
  while (!Update) {
    DynTypedNodeList Parents = Ctx.getParents(*Target);
    if (Parents.empty())
      return nullptr;
    if (const auto *Paren = Parents[0].get<ParenExpr>()) {
      Target = Paren;
    } else if (const auto *Step = Parents[0].get<UnaryOperator>()) {
      if (!Step->isIncrementDecrementOp())
        return nullptr;
      Update = Step;
    } else if (const auto *Assign = Parents[0].get<BinaryOperator>()) {
      if (!Assign->isAssignmentOp() || Assign->getLHS() != Target ||
          Assign->getRHS()->HasSideEffects(Ctx))
        return nullptr;
      // The value reads no other global that may move.
      bool ReadsGlobal = false;
      std::function<void(const Stmt *)> Visit = [&](const Stmt *S) {
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(S))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
            ReadsGlobal |= Var->hasGlobalStorage();
        if (S)
          for (const Stmt *Child : S->children())
            Visit(Child);
      };
      Visit(Assign->getRHS());
      if (ReadsGlobal)
        return nullptr;
      Update = Assign;
    } else {
      return nullptr;
    }
  }
  // A statement of its own in a block, so that it can be guarded.
  DynTypedNodeList Parents = Ctx.getParents(*Update);
  if (Parents.empty() || !Parents[0].get<CompoundStmt>() ||
      !statementRange(*Update, SM, LO) ||
      !fileRangeOf(Update->getSourceRange(), SM, LO))
    return nullptr;
  return Update;
}

bool Planner::updatesState(const FunctionDecl *F) {
  for (const auto &[Candidate, Field] : Moved)
    for (const Use &U : Uses->VarUses[Candidate->Var->getCanonicalDecl()])
      if (U.Function &&
          U.Function->getCanonicalDecl() == F->getCanonicalDecl() &&
          DeallocUses.count(U.Ref))
        return true;
  return false;
}

std::pair<std::string, std::string>
Planner::deallocLocals(const FunctionDecl *F) {
  llvm::StringSet<> Taken;
  for (const Decl *D : F->decls())
    if (const auto *Named = dyn_cast<NamedDecl>(D))
      if (Named->getIdentifier())
        Taken.insert(Named->getName());
  auto Unused = [&](const std::string &Preferred) {
    std::string Name = Preferred;
    for (unsigned Suffix = 2; Taken.contains(Name); ++Suffix)
      Name = Preferred + std::to_string(Suffix);
    Taken.insert(Name);
    return Name;
  };
  std::string Tp = Unused("tp");
  return {Tp, Unused("state")};
}

std::string Planner::fieldText(const VarDecl *Var, llvm::StringRef Field) {
  if (HeapTypes.count(Var))
    return "PyTypeObject *" + Field.str();
  PrintingPolicy Policy = Ctx.getPrintingPolicy();
  Policy.SuppressTagKeyword = false;
  std::string Text = AtomicFields.contains(Var) ? "_Atomic " : "";
  llvm::raw_string_ostream OS(Text);
  Var->getType().getUnqualifiedType().print(OS, Policy, Field);
  return OS.str();
}

ModuleStatePlan Planner::run() {
  Plan.Reason = checkModule();
  if (!Plan.Reason.empty()) {
    for (const StateCandidate &C : Candidates)
      Plan.Outcomes.push_back({C.Var, false, Plan.Reason, {}});
    return std::move(Plan);
  }
  if (SinglePhase) {
    // The module variable becomes the exec function's parameter.
    MultiPhaseOptions Options;
    Options.ModuleVariable = &ExecModule;
    Rewrite Trial = convertToMultiPhase(Init, {}, Ctx, Options);
    if (!Trial.Reason.empty()) {
      Plan.Reason = "the module cannot be converted to multi-phase init, "
                    "which module state needs: " +
                    Trial.Reason;
      for (const StateCandidate &C : Candidates)
        Plan.Outcomes.push_back({C.Var, false, Plan.Reason, {}});
      return std::move(Plan);
    }
    Exec = Init.Function;
  }
  findModuleFunctions();
  OperandModule =
      unusedFileScopeName(Init.ModuleName.str() + "_operands_module", Ctx);
  llvm::DenseSet<const VarDecl *> Wanted;
  for (const StateCandidate &C : Candidates)
    Wanted.insert(C.Var->getCanonicalDecl());
  Uses = std::make_unique<UseCollector>(Wanted, SM);
  Uses->TraverseDecl(Ctx.getTranslationUnitDecl());
  findHiddenUses();

  std::vector<std::string> Reasons(Candidates.size());
  std::vector<SourceLocation> Places(Candidates.size());
  // A type that stays static takes the way to the module from its
  // functions, so what they use is decided again without it.
  for (bool Changed = true; Changed;) {
    Changed = false;
    HeapTypes.clear();
    Accesses.clear();
    HelperParameters.clear();
    planHeapTypes();
    findHelpers();
    for (size_t I = 0; I < Candidates.size(); ++I) {
      Places[I] = SourceLocation();
      Reasons[I] = Candidates[I].ProcessWide
                       ? "it is declared process-wide (ProcessWideCounters)"
                       : checkVariable(Candidates[I], Places[I]);
      if (Candidates[I].IsType && !Reasons[I].empty() &&
          Inactive.try_emplace(Candidates[I].Var, Reasons[I]).second)
        Changed = true;
    }
  }
  // Variables declared together move together.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (size_t I = 0; I < Candidates.size(); ++I) {
      const VarDecl *Var = Candidates[I].Var;
      if (!Reasons[I].empty() || !Var->isFileVarDecl())
        continue;
      for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
        const auto *Other = dyn_cast<VarDecl>(D);
        if (!Other || Other == Var ||
            Other->getBeginLoc() != Var->getBeginLoc())
          continue;
        auto It = llvm::find_if(Candidates, [&](const StateCandidate &C) {
          return C.Var == Other;
        });
        if (It == Candidates.end() ||
            !Reasons[It - Candidates.begin()].empty()) {
          Reasons[I] = quoted(Var) + " is declared together with " +
                       quoted(Other) + ", which stays global";
          Changed = true;
          break;
        }
      }
    }
  }

  // Process-wide counters, and with AtomicCounters those that cannot move,
  // become atomics where they are.
  std::vector<bool> Atomic(Candidates.size());
  for (size_t I = 0; I < Candidates.size(); ++I) {
    const StateCandidate &C = Candidates[I];
    if (!C.ProcessWide && (Reasons[I].empty() || !C.AtomicFallback))
      continue;
    std::string Problem = checkAtomic(C);
    if (Problem.empty()) {
      Atomic[I] = true;
      Atomics.push_back(C.Var);
      Reasons[I].clear();
      Places[I] = SourceLocation();
    } else if (C.ProcessWide) {
      Reasons[I] =
          "it is declared process-wide but cannot be made atomic: " + Problem;
    } else {
      Reasons[I] += "; nor can it be made atomic: " + Problem;
    }
  }

  // The state and its helpers go before the first function that uses it.
  std::set<std::string> FieldNames;
  std::optional<unsigned> InsertOffset;
  const FunctionDecl *First = nullptr;
  auto Consider = [&](const FunctionDecl *F) {
    const FunctionDecl *Definition = F->getDefinition();
    if (!Definition)
      return;
    SourceLocation Begin = SM.getExpansionLoc(Definition->getBeginLoc());
    unsigned Offset = SM.getFileOffset(Begin);
    if (!InsertOffset || Offset < *InsertOffset) {
      InsertOffset = Offset;
      First = Definition;
    }
  };
  for (size_t I = 0; I < Candidates.size(); ++I) {
    Plan.Outcomes.push_back({Candidates[I].Var, Reasons[I].empty(), Reasons[I],
                             Places[I], Atomic[I]});
    if (!Reasons[I].empty() || Atomic[I])
      continue;
    const VarDecl *Var = Candidates[I].Var;
    std::string Field = Var->getName().str();
    if (Var->isStaticLocal() && FieldNames.count(Field))
      Field = cast<FunctionDecl>(Var->getParentFunctionOrMethod())
                  ->getName()
                  .str() +
              "_" + Field;
    FieldNames.insert(Field);
    Moved.emplace_back(&Candidates[I], Field);
    for (const Use &U : Uses->VarUses[Var->getCanonicalDecl()])
      if (U.Function)
        Consider(U.Function);
    for (const HiddenUse &H : HiddenUses[Var])
      Consider(H.Function);
    if (Var->isStaticLocal())
      Consider(cast<FunctionDecl>(Var->getParentFunctionOrMethod()));
  }
  if (Moved.empty() && !Atomics.empty()) {
    // Only atomics: the module itself is left as it is.
    Plan.Edits.Hints = AtomicEdits;
    Plan.EditsWithoutGil.Hints = AtomicEdits;
    return std::move(Plan);
  }
  if (Moved.empty()) {
    Plan.Reason = "no variable can move to the module state";
    return std::move(Plan);
  }
  Consider(Exec);
  Plan.Complete = Moved.size() + Atomics.size() == Candidates.size();
  // With AtomicCounters, moved counters are atomic fields where every use
  // is one atomic operation.
  for (const auto &[Candidate, Field] : Moved)
    if (Candidate->AtomicFallback && !Candidate->IsObject &&
        !Candidate->IsType && checkAtomic(*Candidate, true).empty())
      AtomicFields.insert(Candidate->Var);

  // Everything the state needs is declared before it.
  auto Fail = [&](const std::string &Why) {
    Plan.Reason = Why;
    for (StateVariableOutcome &O : Plan.Outcomes)
      if (O.Moved) {
        O.Moved = false;
        O.Reason = Why;
      }
    Plan.Complete = false;
    return std::move(Plan);
  };
  if (!SM.isInMainFile(SM.getExpansionLoc(First->getBeginLoc())))
    return Fail("the functions using the state are not in the main file");
  SourceLocation FirstBegin = SM.getExpansionLoc(First->getBeginLoc());
  for (const auto &[Candidate, Field] : Moved) {
    const VarDecl *Var = Candidate->Var;
    // A type's definition becomes its spec, which stays where it is.
    if (Var->isFileVarDecl() && !Candidate->IsType &&
        !SM.isBeforeInTranslationUnit(Var->getBeginLoc(), FirstBegin))
      return Fail(quoted(Var) + " is declared after " + quoted(First) +
                  ", which uses the module state");
    if (const Decl *Type = namedTypeDecl(Var->getType(), Ctx))
      if (SM.isInMainFile(SM.getExpansionLoc(Type->getLocation())) &&
          !SM.isBeforeInTranslationUnit(Type->getLocation(), FirstBegin))
        return Fail("the type of " + quoted(Var) + " is declared after " +
                    quoted(First) + ", where the module state goes");
  }
  if (!SM.isBeforeInTranslationUnit(FirstBegin, Init.Def->Def->getBeginLoc()))
    return Fail("the module definition comes before " + quoted(First) +
                ", which uses the module state");

  std::string Prefix = Init.ModuleName.str();
  StateName = unusedFileScopeName(Prefix + "_state", Ctx);
  Accessor = unusedFileScopeName("get_" + Prefix + "_state", Ctx);
  Traverse = unusedFileScopeName(Prefix + "_state_traverse", Ctx);
  Clear = unusedFileScopeName(Prefix + "_state_clear", Ctx);
  Free = unusedFileScopeName(Prefix + "_state_free", Ctx);
  TypeAccessor = unusedFileScopeName("get_" + Prefix + "_state_of_type", Ctx);
  InsertAt =
      aboveAttachedComments(SM.getBufferData(SM.getFileID(FirstBegin)),
                            SM.getFileOffset(text::lineStart(FirstBegin, SM)));

  Plan.Edits = buildEdits(/*WithGil=*/Plan.Complete);
  if (!Plan.Edits.Reason.empty())
    return Fail(Plan.Edits.Reason);
  Plan.EditsWithoutGil = buildEdits(/*WithGil=*/false);
  if (!Plan.EditsWithoutGil.Reason.empty())
    return Fail(Plan.EditsWithoutGil.Reason);
  return std::move(Plan);
}

std::string Planner::threadHelpers(Rewrite &Result) {
  // The helpers that use the state, and the helpers calling them.
  llvm::DenseSet<const FunctionDecl *> Needed;
  std::vector<const FunctionDecl *> Work;
  auto Need = [&](const FunctionDecl *F) {
    if (!F)
      return;
    F = F->getCanonicalDecl();
    if (HelperParameters.count(F) && baseAccess(F).Reason.size() &&
        Needed.insert(F).second)
      Work.push_back(F);
  };
  for (const auto &[Candidate, Field] : Moved) {
    for (const Use &U : Uses->VarUses[Candidate->Var->getCanonicalDecl()])
      Need(U.Function);
    for (const HiddenUse &H : HiddenUses[Candidate->Var])
      Need(H.Function);
    if (Candidate->Var->isStaticLocal())
      Need(dyn_cast<FunctionDecl>(Candidate->Var->getParentFunctionOrMethod()));
  }
  while (!Work.empty()) {
    const FunctionDecl *F = Work.back();
    Work.pop_back();
    for (const Use &U : Uses->FunctionUses[F])
      Need(U.Function);
  }
  // In source order, so that the edits are the same on every run.
  std::vector<const FunctionDecl *> Ordered(Needed.begin(), Needed.end());
  llvm::sort(Ordered, [&](const FunctionDecl *A, const FunctionDecl *B) {
    return SM.isBeforeInTranslationUnit(A->getLocation(), B->getLocation());
  });
  for (const FunctionDecl *F : Ordered) {
    std::string Parameter = "PyObject *" + HelperParameters[F];
    for (const FunctionDecl *Declaration : F->redecls()) {
      FunctionTypeLoc TypeLoc = Declaration->getFunctionTypeLoc();
      if (!TypeLoc || TypeLoc.getLParenLoc().isMacroID() ||
          TypeLoc.getRParenLoc().isMacroID())
        return "the parameters of " + quoted(F) +
               " are spelled inside a macro expansion";
      SourceLocation AfterLParen = TypeLoc.getLParenLoc().getLocWithOffset(1);
      CharSourceRange Inside =
          CharSourceRange::getCharRange(AfterLParen, TypeLoc.getRParenLoc());
      llvm::StringRef Written = Lexer::getSourceText(Inside, SM, LO);
      if (Declaration->getNumParams() == 0)
        Result.Hints.push_back(FixItHint::CreateReplacement(Inside, Parameter));
      else if (!Written.trim().empty())
        Result.Hints.push_back(
            FixItHint::CreateInsertion(AfterLParen, Parameter + ", "));
    }
    for (const Use &U : Uses->FunctionUses[F]) {
      const CallExpr *Call = directCall(U.Ref);
      std::optional<Token> LParen =
          Call ? Lexer::findNextToken(
                     SM.getSpellingLoc(Call->getCallee()->getEndLoc()), SM, LO)
               : std::nullopt;
      if (!Call || Call->getCallee()->getEndLoc().isMacroID() || !LParen ||
          !LParen->is(tok::l_paren) || LParen->getLocation().isMacroID())
        return "the call of " + quoted(F) + " at " +
               lineOf(U.Ref->getLocation(), SM) +
               " is spelled inside a macro expansion";
      std::string Argument = accessFrom(U.Function).ModuleExpr;
      Result.Hints.push_back(FixItHint::CreateInsertion(
          LParen->getEndLoc(),
          Call->getNumArgs() == 0 ? Argument : Argument + ", "));
    }
  }
  return {};
}

std::string
Planner::adjustTypeFunctions(const HeapTypePlan &HeapType, Rewrite &Result,
                             llvm::DenseSet<const FunctionDecl *> &Adjusted) {
  auto BodyOf = [&](const FunctionDecl *F) -> const CompoundStmt * {
    const auto *Body = dyn_cast_or_null<CompoundStmt>(F->getBody());
    return Body && Body->getLBracLoc().isFileID() ? Body : nullptr;
  };
  // Types may share them: each is adjusted once.
  const FunctionDecl *Traverse =
      HeapType.Traverse &&
              Adjusted.insert(HeapType.Traverse->getCanonicalDecl()).second
          ? HeapType.Traverse
          : nullptr;
  const FunctionDecl *Dealloc =
      HeapType.Dealloc &&
              Adjusted.insert(HeapType.Dealloc->getCanonicalDecl()).second
          ? HeapType.Dealloc
          : nullptr;
  if (Traverse) {
    const CompoundStmt *Body = BodyOf(Traverse);
    if (!Body)
      return "the tp_traverse body is spelled in a macro";
    std::string Indent = text::lineIndent(Body->getLBracLoc(), SM) +
                         text::indentUnit(Body->getLBracLoc(), SM);
    Result.Hints.push_back(FixItHint::CreateInsertion(
        Body->getLBracLoc().getLocWithOffset(1),
        "\n" + Indent + "Py_VISIT(Py_TYPE(" +
            Traverse->getParamDecl(0)->getName().str() + "));"));
  }
  if (Dealloc) {
    const CompoundStmt *Body = BodyOf(Dealloc);
    if (!Body)
      return "the tp_dealloc body is spelled in a macro";
    // The one statement that frees the object, at the top of the body:
    // through tp_free, the base type's tp_dealloc, or the GC or object
    // allocator.
    const Stmt *Free = nullptr;
    for (const Stmt *S : Body->body()) {
      std::optional<CharSourceRange> Range = statementRange(*S, SM, LO);
      llvm::StringRef Spelled =
          Range ? Lexer::getSourceText(*Range, SM, LO) : "";
      if (llvm::any_of(
              std::initializer_list<llvm::StringRef>{
                  "tp_free", "tp_dealloc", "PyObject_GC_Del", "PyObject_Del",
                  "PyObject_Free"},
              [&](llvm::StringRef F) { return Spelled.contains(F); })) {
        if (Free)
          return "the tp_dealloc frees the object twice";
        Free = S;
      }
    }
    std::optional<CharSourceRange> FreeRange =
        Free ? statementRange(*Free, SM, LO) : std::nullopt;
    if (!FreeRange || !isa<Expr>(Free))
      return "the tp_dealloc does not call tp_free in a statement of its own";
    std::string Indent = text::lineIndent(Body->getLBracLoc(), SM) +
                         text::indentUnit(Body->getLBracLoc(), SM);
    auto [Tp, State] = deallocLocals(Dealloc);
    std::string Locals = "\n" + Indent + "PyTypeObject *" + Tp + " = Py_TYPE(" +
                         Dealloc->getParamDecl(0)->getName().str() + ");";
    // Counters it updates: the state while the module is there.
    if (updatesState(Dealloc))
      Locals += "\n" + Indent + StateName + " *" + State + " = " +
                TypeAccessor + "(" + Tp + ");";
    Result.Hints.push_back(FixItHint::CreateInsertion(
        Body->getLBracLoc().getLocWithOffset(1), Locals));
    Result.Hints.push_back(FixItHint::CreateInsertion(
        FreeRange->getEnd(), "\n" + Indent + "Py_DECREF(" + Tp + ");"));
  }
  return {};
}

Rewrite Planner::buildEdits(bool WithGil) {
  Rewrite Result;
  auto Add = [&](FixItHint Hint) { Result.Hints.push_back(std::move(Hint)); };
  Result.Hints = AtomicEdits;
  SourceLocation FileStart = SM.getLocForStartOfFile(
      SM.getFileID(SM.getExpansionLoc(Init.Def->Def->getLocation())));
  std::string Unit = text::indentUnit(FileStart, SM);
  bool HasObjects =
      llvm::any_of(Moved, [](const auto &M) { return M.first->IsObject; });

  // The state, its accessor and the GC functions.
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
  // Binary number slots look the module up from either operand (one of
  // them is an instance of the slot's type).
  size_t OperandHelperAt = Text.size();
  if (HasObjects) {
    // m_traverse and m_clear: one statement per object field.
    auto StateFunction = [&](const std::string &Name,
                             llvm::StringRef Parameters,
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
      Text +=
          StateFunction(Traverse, ", visitproc visit, void *arg", "Py_VISIT");
    if (!UserClear)
      Text += StateFunction(Clear, "", "Py_CLEAR");
    if (!UserFree && !UserClear) {
      Text += "static void\n" + Free + "(void *module)\n{\n" + Unit + "(void)" +
              Clear + "((PyObject *)module);\n}\n\n";
    } else if (!UserFree) {
      Text += "static void\n" + Free + "(void *module)\n{\n" + Unit +
              StateName + " *state = " + Accessor + "((PyObject *)module);\n";
      for (const auto &[Candidate, Field] : Moved)
        if (Candidate->IsObject)
          Text += Unit + "Py_CLEAR(state->" + Field + ");\n";
      Text += "}\n\n";
    }
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
  size_t StateBlock = Result.Hints.size();
  Add(FixItHint::CreateInsertion(FileStart.getLocWithOffset(InsertAt), Text));

  // The declarations go; every use reads the state.
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
        return Rewrite::failure("the declaration of " + quoted(Var) +
                                " cannot be removed");
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
          return Rewrite::failure("an update of " + quoted(Var) +
                                  " is spelled inside a macro");
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

  std::string HelperProblem = threadHelpers(Result);
  if (!HelperProblem.empty())
    return Rewrite::failure(HelperProblem);

  // Initial values are set when the module is executed.
  std::string Initial;
  const auto *ExecBody = dyn_cast_or_null<CompoundStmt>(Exec->getBody());
  if (!ExecBody || ExecBody->getLBracLoc().isMacroID())
    return Rewrite::failure("the exec function's body is spelled "
                            "inside a macro expansion");
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
      return Rewrite::failure("an initializer is spelled inside a "
                              "macro expansion");
    Initial += "\n" + BodyIndent + Accessor + "(" + ExecModule + ")->" + Field +
               " = " + Lexer::getSourceText(*Range, SM, LO).str() + ";";
  }
  if (!Initial.empty())
    Add(FixItHint::CreateInsertion(ExecBody->getLBracLoc().getLocWithOffset(1),
                                   Initial));

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

  // The definition: m_traverse, m_clear and m_free.
  const ModuleDefInfo &Def = *Init.Def;
  const InitListExpr *Written =
      Def.Init->isSyntacticForm()
          ? Def.Init
          : (Def.Init->getSyntacticForm() ? Def.Init->getSyntacticForm()
                                          : Def.Init);
  bool Designated = llvm::any_of(Written->inits(), [](const Expr *E) {
    return isa<DesignatedInitExpr>(E);
  });
  std::string PositionalTail;
  if (HasObjects) {
    const std::pair<const Expr *, std::pair<const char *, std::string>>
        Fields[] = {{Def.TraverseExpr, {"m_traverse", Traverse}},
                    {Def.ClearExpr, {"m_clear", Clear}},
                    {Def.FreeExpr, {"m_free", Free}}};
    std::string Tail, TailLines;
    std::string MemberIndent =
        Written->getNumInits() > 0
            ? text::lineIndent(SM.getExpansionLoc(
                                   Written->getInit(Written->getNumInits() - 1)
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
          return Rewrite::failure(
              std::string("the module definition already has '") + Member +
              "'");
        std::optional<CharSourceRange> Range =
            fileRangeOf(Value->getSourceRange(), SM, LO);
        if (!Range)
          return Rewrite::failure(std::string("'") + Member +
                                  "' is spelled inside a macro");
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
        return Rewrite::failure(
            "the module definition uses designated initializers and omits "
            "'m_slots'; set its fields by hand");
      if (Written->getNumInits() == 0)
        return Rewrite::failure("the module definition is empty");
      const Expr *Last = Written->getInit(Written->getNumInits() - 1);
      std::optional<CharSourceRange> Range =
          fileRangeOf(Last->getSourceRange(), SM, LO);
      SourceLocation RBrace = Written->getRBraceLoc();
      if (!Range || RBrace.isMacroID())
        return Rewrite::failure(
            "the module definition is spelled inside a macro expansion");
      // One member a line, as written, when the list ends in a comma.
      llvm::StringRef Between = Lexer::getSourceText(
          CharSourceRange::getCharRange(Range->getEnd(), RBrace), SM, LO);
      if (Designated && text::startsLine(RBrace, SM) && Between.trim() == ",")
        Add(FixItHint::CreateInsertion(text::lineStart(RBrace, SM), TailLines));
      else
        Add(FixItHint::CreateInsertion(Range->getEnd(), Tail));
    }
  }

  // m_size, and the slots.
  std::string Size = "sizeof(" + StateName + ")";
  if (SinglePhase) {
    SlotDeclarations Slots;
    Slots.Gil = WithGil;
    Slots.PerInterpreterGil = Plan.Complete;
    Slots.MultipleInterpretersNotSupported = !Plan.Complete;
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
  Slots.PerInterpreterGil = Plan.Complete && !Declared.MultipleInterpreters;
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

} // namespace

ModuleStatePlan planModuleState(const ModuleInitInfo &Init,
                                const std::vector<StateCandidate> &Candidates,
                                DeclaredSlots Declared, ASTContext &Ctx) {
  return Planner(Init, Candidates, Declared, Ctx).run();
}

} // namespace gilport
