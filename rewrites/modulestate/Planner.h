//===--- Planner.h - Moves globals into the module state --------*- C++ -*-===//
//
// The private planner behind planModuleState()
// (rewrites/ModuleStateConversion.h, which describes the conversion). One
// class, ModuleStatePlanner, whose member functions are spread over the
// files of this directory by what they do:
//
//   ../ModuleStateConversion.cpp  planModuleState() and run(): the order of
//                                 the steps below
//   StateUses.cpp       finding the uses of the globals (also the names the
//                       compiler did not see), and whether each may move
//   ModuleReach.cpp     how each function reaches the module: exec, the
//                       method table, m_traverse/m_clear/m_free, helpers
//                       that get it as a new parameter
//   HeapTypeUses.cpp    static types that become heap types: their
//                       functions, uses and tp_dealloc counter updates
//   AtomicCounters.cpp  integer counters made C11 atomics
//   StateEmitter.cpp    the edits: the state struct and its functions, the
//                       uses rewritten, exec, the module definition
//   Helpers.cpp         the small functions declared at the top of this file
//   ModuleStatePlan.h   the public types (../ModuleStateConversion.h
//                       includes it)
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_MODULESTATE_PLANNER_H
#define GILPORT_REWRITES_MODULESTATE_PLANNER_H

#include "analysis/ModuleInit.h"
#include "rewrites/HeapTypeConversion.h"
#include "rewrites/Rewrite.h"
#include "rewrites/modulestate/ModuleStatePlan.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gilport {
namespace modulestate {

// Small helpers shared by the files of this directory (Helpers.cpp).

/// `line 12`, for messages.
std::string lineOf(clang::SourceLocation Loc, const clang::SourceManager &SM);
/// `'name'`, for messages.
std::string quoted(const clang::NamedDecl *D);
/// `'f' (line 12)`.
std::string place(const clang::FunctionDecl *F);
/// \p E as a braced list, in its semantic form when it has one; null when
/// it is not a list.
const clang::InitListExpr *semanticList(const clang::Expr *E);
/// Whether \p E is a null pointer constant (`NULL`, `0`).
bool isNullConstant(const clang::Expr *E, clang::ASTContext &Ctx);
/// Whether the initializer \p E stores nothing but zeros.
bool isZeroInitializer(const clang::Expr *E, clang::ASTContext &Ctx);
/// The declaration of the named type \p Type refers to, through pointers
/// and arrays, if it is a typedef or a tag.
const clang::Decl *namedTypeDecl(clang::QualType Type, clang::ASTContext &Ctx);

/// A reference and where it is: in a function body, or in the initializer
/// of a file-scope variable.
struct Use {
  const clang::DeclRefExpr *Ref;
  const clang::FunctionDecl *Function;
  const clang::VarDecl *Global;
};

/// Every reference to the candidates and to functions, with its place
/// (StateUses.cpp).
class UseCollector : public clang::RecursiveASTVisitor<UseCollector> {
public:
  UseCollector(const llvm::DenseSet<const clang::VarDecl *> &Wanted,
               const clang::SourceManager &SM)
      : Wanted(Wanted), SM(SM) {}

  bool TraverseFunctionDecl(clang::FunctionDecl *F);
  bool TraverseVarDecl(clang::VarDecl *V);
  bool VisitDeclRefExpr(clang::DeclRefExpr *Ref);
  bool VisitNamedDecl(clang::NamedDecl *D);
  bool VisitMemberExpr(clang::MemberExpr *Member);

  llvm::DenseMap<const clang::VarDecl *, std::vector<Use>> VarUses;
  llvm::DenseMap<const clang::FunctionDecl *, std::vector<Use>> FunctionUses;
  /// Main-file offsets of the names the compiler saw.
  llvm::DenseSet<unsigned> Spelled;

private:
  void spelled(clang::SourceLocation Loc);

  /// Read only while traversing (it does not outlive collectUses()).
  const llvm::DenseSet<const clang::VarDecl *> &Wanted;
  const clang::SourceManager &SM;
  const clang::FunctionDecl *Function = nullptr;
  const clang::VarDecl *Global = nullptr;
};

/// How a function reaches the module: the expression naming it, or why it
/// cannot.
struct ModuleAccess {
  std::string ModuleExpr;
  std::string Reason;
};

/// Plans moving the candidates into the module state; planModuleState()
/// makes one and calls run() once.
class ModuleStatePlanner {
public:
  ModuleStatePlanner(const ModuleInitInfo &Init,
                     const std::vector<StateCandidate> &Candidates,
                     DeclaredSlots Declared, clang::ASTContext &Ctx)
      : Init(Init), Candidates(Candidates), Declared(Declared), Ctx(Ctx),
        SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()) {}

  ModuleStatePlan run();
  /// Only the atomic fallback, because nothing can move (\p Why): the
  /// counters that may become atomics where they are.
  ModuleStatePlan runAtomicsOnly(const std::string &Why);

private:
  //===--- Member functions -----------------------------------------------===//

  // The steps of run() (ModuleStateConversion.cpp).

  /// Decides for each candidate why it cannot move (empty when it can),
  /// again whenever a type turns out to stay static.
  void checkCandidates(std::vector<std::string> &Reasons,
                       std::vector<clang::SourceLocation> &Places);
  /// Variables declared together move together.
  void keepDeclaredTogether(std::vector<std::string> &Reasons);
  /// Fills Plan.Outcomes and Moved (with the field names).
  void recordOutcomes(const std::vector<std::string> &Reasons,
                      const std::vector<clang::SourceLocation> &Places,
                      const std::vector<bool> &Atomic);
  /// The first function that uses the state (or exec): the state and its
  /// helpers go before it.
  const clang::FunctionDecl *firstStateUser();
  /// Why the state cannot go before \p First (empty when it can).
  std::string checkStatePlacement(const clang::FunctionDecl *First);
  /// Picks the names of the state and its functions, and InsertAt.
  void nameState(const clang::FunctionDecl *First);
  /// Nothing moves after all, because of \p Why.
  ModuleStatePlan fail(const std::string &Why);

  // The uses of the candidates, and whether each may move (StateUses.cpp).

  /// Fills Uses and HiddenUses.
  void collectUses();
  /// Names of candidates spelled where the compiler did not see them (an
  /// inactive preprocessor branch, an unexpanded macro argument such as
  /// assert() under NDEBUG), with the function around them.
  void findHiddenUses();
  /// Checks the hidden uses of \p Var; for a type, each must be `&T` or
  /// `T.member`.
  std::string checkHiddenUses(const clang::VarDecl *Var, bool IsType,
                              clang::SourceLocation &Where);
  /// Why \p Candidate cannot move (empty when it may); \p Where receives
  /// the place that keeps it.
  std::string checkVariable(const StateCandidate &Candidate,
                            clang::SourceLocation &Where);
  /// The same for a static type, which becomes a heap type in the state.
  std::string checkType(const StateCandidate &Candidate,
                        clang::SourceLocation &Where);

  // How each function reaches the module (ModuleReach.cpp).

  /// Why the module cannot get a state (empty when it can); finds exec.
  std::string checkModule();
  /// The definition's m_traverse, m_clear and m_free, and the functions of
  /// the method table.
  void findModuleFunctions();
  /// The module from exec, init and method-table functions.
  ModuleAccess baseAccess(const clang::FunctionDecl *F);
  /// The same, or from a helper that gets the module as a new parameter.
  ModuleAccess accessFrom(const clang::FunctionDecl *F);
  /// The call of which \p Ref is the callee, or null.
  const clang::CallExpr *directCall(const clang::DeclRefExpr *Ref);
  /// Static helpers called only from functions that reach the module.
  void findHelpers();
  /// Adds the module parameter to the helpers that need it, and the
  /// argument to their calls.
  std::string threadHelpers(Rewrite &Result);
  /// Whether \p F is the definition's m_traverse, m_clear or m_free.
  bool isUserStateFunction(const clang::FunctionDecl *F) const;
  /// Whether \p E is the first parameter of \p F (through casts).
  static bool isModuleParameterOf(const clang::Expr *E,
                                  const clang::FunctionDecl *F);
  /// The module in the body of the definition's own function \p F.
  static std::string userStateModule(const clang::FunctionDecl *F);

  // Static types that become heap types (HeapTypeUses.cpp).

  /// How a use of a converted type is rewritten: `&T` (its address) or
  /// `T.` (a member read, which becomes `...->T->`).
  struct TypeUseEdit {
    clang::CharSourceRange Range;
    bool Member;
  };
  /// Fills HeapTypes, TypeFunctions, Finalizing and Deallocs.
  void planHeapTypes();
  /// The function table variables of converted types and the types.
  bool isTypeTable(const clang::VarDecl *Var);
  std::optional<TypeUseEdit> typeUseEdit(const clang::DeclRefExpr *Ref);
  /// tp_traverse visits the heap type, tp_dealloc releases it.
  std::string
  adjustTypeFunctions(const HeapTypePlan &HeapType, Rewrite &Result,
                      llvm::DenseSet<const clang::FunctionDecl *> &Adjusted);
  /// The statement of a C counter update in the tp_dealloc of a converted
  /// type (`n--;`, `n += k;`), which reaches the state through the type
  /// when the module is still there; null for any other use.
  const clang::Stmt *deallocUpdate(const Use &U);
  /// The names of the locals tp_dealloc gets: the type and the state.
  std::pair<std::string, std::string>
  deallocLocals(const clang::FunctionDecl *F);
  /// Whether the tp_dealloc \p F updates a moved counter.
  bool updatesState(const clang::FunctionDecl *F);

  // Integer counters made atomic (AtomicCounters.cpp).

  /// Why \p Candidate cannot become an atomic where it is; on success its
  /// edits are added to AtomicEdits. With \p InState, why it cannot be an
  /// `_Atomic` field of the state, where C11 makes each of the accepted
  /// uses one atomic operation as written; nothing is added then.
  std::string checkAtomic(const StateCandidate &Candidate,
                          bool InState = false);
  /// Whether \p E reads or writes a candidate.
  bool usesCandidate(const clang::Expr *E);
  /// Why the declarations of \p Var cannot all become `_Atomic` (empty when
  /// they can); \p Starts receives where each one's type starts. A variable
  /// other files may use must be declared `extern` in a project header.
  std::string
  checkSharedDeclarations(const clang::VarDecl &Var,
                          std::vector<clang::SourceLocation> &Starts);
  /// Makes atomic where they are the process-wide counters and, with
  /// AtomicCounters, those that cannot move; which did.
  std::vector<bool>
  makeCountersAtomic(std::vector<std::string> &Reasons,
                     std::vector<clang::SourceLocation> &Places);
  /// Fills AtomicFields.
  void chooseAtomicFields();

  // The edits (StateEmitter.cpp).

  /// Every edit, with the `Py_mod_gil` slot when \p WithGil.
  Rewrite buildEdits(bool WithGil);
  /// The state's typedef, its accessor, and the type accessor tp_dealloc
  /// uses.
  std::string stateDeclarations(const std::string &Unit);
  /// The state's m_traverse, m_clear and m_free the definition lacks.
  std::string stateFunctions(const std::string &Unit);
  /// The definition's own m_traverse, m_clear and m_free visit and clear
  /// the fields first.
  void extendUserStateFunctions(const std::string &Unit, Rewrite &Result);
  /// Removes the declarations and makes every use read the state.
  std::string replaceDeclarationsAndUses(const std::string &Unit,
                                         Rewrite &Result);
  /// Creates the heap types and sets the initial values in exec.
  std::string initializeInExec(const std::string &Unit, Rewrite &Result);
  /// The operand helper, when a binary number slot uses it.
  void insertOperandHelper(const std::string &Unit, size_t StateBlock,
                           size_t OperandHelperAt, Rewrite &Result);
  /// Sets m_traverse, m_clear and m_free in the module definition;
  /// \p PositionalTail receives the members that go after a new m_slots.
  std::string setDefinitionFunctions(const std::string &Unit,
                                     std::string &PositionalTail,
                                     Rewrite &Result);
  /// Sets m_size and declares the slots.
  Rewrite setSizeAndSlots(bool WithGil, const std::string &PositionalTail,
                          Rewrite Result);
  /// The declaration of \p Var to remove; \p Comment receives the comment
  /// lines directly above a file-scope declaration, removed with it.
  std::optional<clang::CharSourceRange>
  declarationRange(const clang::VarDecl *Var, std::string *Comment = nullptr);
  /// The declaration of \p Var's field \p Field in the state.
  std::string fieldText(const clang::VarDecl *Var, llvm::StringRef Field);

  //===--- Data -----------------------------------------------------------===//

  // What planModuleState() was given.
  const ModuleInitInfo &Init;
  const std::vector<StateCandidate> &Candidates;
  DeclaredSlots Declared;
  clang::ASTContext &Ctx;
  const clang::SourceManager &SM;
  const clang::LangOptions &LO;

  // The module (checkModule, findModuleFunctions).
  bool SinglePhase = false;
  const clang::FunctionDecl *Exec = nullptr;
  std::string ExecModule;
  const clang::VarDecl *MethodsArray = nullptr;
  llvm::DenseSet<const clang::FunctionDecl *> MethodTable;
  /// The definition's own m_traverse, m_clear and m_free functions (their
  /// first parameter is the module); null where it has none.
  const clang::FunctionDecl *UserTraverse = nullptr, *UserClear = nullptr,
                            *UserFree = nullptr;
  /// Why one of them cannot be used (empty when all can).
  std::string UserStateFunctions;

  // The uses of the candidates (collectUses).
  std::unique_ptr<UseCollector> Uses;
  struct HiddenUse {
    /// The name, or `&name` / `name.` around it.
    unsigned Begin, End;
    const clang::FunctionDecl *Function;
    bool Address = false, Member = false;
  };
  llvm::DenseMap<const clang::VarDecl *, std::vector<HiddenUse>> HiddenUses;

  // How functions reach the module (baseAccess, accessFrom, findHelpers).
  llvm::DenseMap<const clang::FunctionDecl *, ModuleAccess> Accesses;
  /// Helpers that can get the module, with the new parameter's name.
  llvm::DenseMap<const clang::FunctionDecl *, std::string> HelperParameters;

  // Heap types (planHeapTypes).
  /// Static types that convert, and the functions they call with an
  /// instance (or the type): those reach the module through the type.
  llvm::DenseMap<const clang::VarDecl *, HeapTypePlan> HeapTypes;
  struct TypeUse {
    const clang::VarDecl *Type;
    bool ReceivesType;
    bool Operands = false;
    /// Every registration is a METH_METHOD method naming its defining class.
    bool DefiningClass = false;
  };
  llvm::DenseMap<const clang::FunctionDecl *, TypeUse> TypeFunctions;
  /// Slots that run while objects are destroyed.
  llvm::DenseSet<const clang::FunctionDecl *> Finalizing;
  /// Types that stay static (a use cannot reach the module).
  llvm::DenseMap<const clang::VarDecl *, std::string> Inactive;
  /// The tp_dealloc functions of converted types.
  llvm::DenseSet<const clang::FunctionDecl *> Deallocs;
  /// The accepted uses in them, with their statements.
  llvm::DenseMap<const clang::DeclRefExpr *, const clang::Stmt *> DeallocUses;
  /// Whether a binary number slot needs the operand helper.
  bool UsesOperandModule = false;
  std::string OperandModule;

  // Atomics (checkAtomic).
  /// Moved counters that are `_Atomic` fields.
  llvm::DenseSet<const clang::VarDecl *> AtomicFields;
  /// Variables made atomic, and their edits.
  std::vector<const clang::VarDecl *> Atomics;
  std::vector<clang::FixItHint> AtomicEdits;
  bool IncludeAdded = false;

  // The state (recordOutcomes, nameState).
  std::string StateName, Accessor, Traverse, Clear, Free, TypeAccessor;
  /// Where the state and its helpers are inserted (an offset in the main
  /// file).
  unsigned InsertAt = 0;
  /// Moved variables in declaration order, with their field names.
  std::vector<std::pair<const StateCandidate *, std::string>> Moved;
  ModuleStatePlan Plan;
};

} // namespace modulestate
} // namespace gilport

#endif
