//===--- SectionSuspension.cpp --------------------------------------------===//

#include "analysis/SectionSuspension.h"

#include "analysis/AstQueries.h"
#include "analysis/NewReferences.h"
#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"

#include <utility>

namespace gilport {

using namespace clang;

namespace {

/// C-API functions that call into objects: a method, a descriptor, a hash,
/// a comparison, an iterator, an import. Any of them can run Python code.
constexpr llvm::StringLiteral RunsCodePrefixes[] = {"PyObject_Call",
                                                    "_PyObject_Call",
                                                    "PyObject_Vectorcall",
                                                    "PyVectorcall_Call",
                                                    "PyEval_Call",
                                                    "PyObject_GetAttr",
                                                    "PyObject_SetAttr",
                                                    "PyObject_DelAttr",
                                                    "PyObject_HasAttr",
                                                    "PyObject_GetOptionalAttr",
                                                    "_PyObject_LookupAttr",
                                                    "PyObject_GetItem",
                                                    "PyObject_SetItem",
                                                    "PyObject_DelItem",
                                                    "PyObject_Repr",
                                                    "PyObject_Str",
                                                    "PyObject_ASCII",
                                                    "PyObject_Bytes",
                                                    "PyObject_Hash",
                                                    "PyObject_RichCompare",
                                                    "PyObject_IsTrue",
                                                    "PyObject_Not",
                                                    "PyObject_IsInstance",
                                                    "PyObject_IsSubclass",
                                                    "PyObject_Format",
                                                    "PyObject_GetIter",
                                                    "PyObject_Length",
                                                    "PyObject_Size",
                                                    "PyObject_Print",
                                                    "PyObject_Dir",
                                                    "PyIter_Next",
                                                    "PyIter_Send",
                                                    "PyNumber_",
                                                    "PySequence_",
                                                    "PyMapping_",
                                                    "PyImport_",
                                                    "PyRun_",
                                                    "PyFile_",
                                                    "PyErr_Warn",
                                                    "PyErr_CheckSignals",
                                                    "PyErr_Print"};

/// Calls that detach the thread state.
constexpr llvm::StringLiteral DetachesNames[] = {"PyEval_SaveThread",
                                                 "PyEval_ReleaseThread"};
/// Calls that wait for a lock with the thread state detached.
constexpr llvm::StringLiteral WaitsNames[] = {
    "PyThread_acquire_lock", "PyThread_acquire_lock_timed", "PyMutex_Lock"};

/// Beginning a section waits for its lock with the thread detached: the
/// sections already held are suspended meanwhile.
constexpr llvm::StringLiteral NestedSectionNames[] = {
    "PyCriticalSection_Begin", "PyCriticalSection2_Begin"};

std::string apiReason(llvm::StringRef Name) {
  if (llvm::is_contained(DetachesNames, Name))
    return "releases the thread state";
  if (llvm::is_contained(WaitsNames, Name))
    return "can wait for a lock with the thread state released";
  if (llvm::is_contained(NestedSectionNames, Name))
    return "begins another critical section, which suspends the ones held "
           "while it waits";
  // Type tests never call into the object.
  if (Name.ends_with("_Check") || Name.ends_with("_CheckExact"))
    return "";
  for (llvm::StringRef Prefix : RunsCodePrefixes)
    if (Name.starts_with(Prefix))
      return "can run Python code";
  return "";
}

/// Where \p S starts and ends in its file (the ends of macro expansions).
unsigned beginOffset(const Stmt &S, const SourceManager &SM) {
  return expansionOffset(S.getBeginLoc(), SM);
}
unsigned endOffset(const Stmt &S, const SourceManager &SM) {
  return SM.getFileOffset(SM.getExpansionRange(S.getEndLoc()).getEnd());
}

/// Whether \p Ref is the left side of an assignment: what follows holds
/// another object.
bool isAssigned(const DeclRefExpr &Ref, ASTContext &Ctx) {
  auto Parents = parentsOf(Ref, Ctx);
  const auto *Assign =
      Parents.empty() ? nullptr : Parents[0].get<BinaryOperator>();
  return Assign && Assign->isAssignmentOp() && Assign->getLHS() == &Ref;
}

/// The call whose argument \p E is, through parentheses and casts, or null.
const CallExpr *callTakingArgument(const Expr &E, ASTContext &Ctx) {
  DynTypedNode Current = DynTypedNode::create(E);
  const Stmt *Child = &E;
  for (unsigned Depth = 0; Depth < 8; ++Depth) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.size() != 1)
      return nullptr;
    Current = Parents[0];
    const auto *Parent = Current.get<Stmt>();
    if (isa_and_nonnull<CastExpr, ParenExpr>(Parent)) {
      Child = Parent;
      continue;
    }
    const auto *Call = dyn_cast_or_null<CallExpr>(Parent);
    if (Call && Call->getCallee() != Child)
      return Call;
    return nullptr;
  }
  return nullptr;
}

/// The statements from \p S up to the function, \p S first.
llvm::SmallVector<const Stmt *, 16> ancestry(const Stmt &S, ASTContext &Ctx) {
  llvm::SmallVector<const Stmt *, 16> Chain{&S};
  DynTypedNode Current = DynTypedNode::create(S);
  for (;;) {
    auto Parents = parentsOf(Current, Ctx);
    if (Parents.empty())
      break;
    Current = Parents[0];
    if (const auto *Parent = Current.get<Stmt>())
      Chain.push_back(Parent);
    else if (!Current.get<Decl>() || Current.get<FunctionDecl>())
      break;
  }
  return Chain;
}

/// Whether \p A and \p B lie on two branches of one `if` or `?:`, so that
/// no run reaches both.
bool onOtherBranches(const Stmt &A, const Stmt &B, ASTContext &Ctx) {
  llvm::SmallVector<const Stmt *, 16> OfA = ancestry(A, Ctx);
  llvm::SmallVector<const Stmt *, 16> OfB = ancestry(B, Ctx);
  for (size_t I = 1; I < OfB.size(); ++I) {
    auto Common = llvm::find(OfA, OfB[I]);
    if (Common == OfA.end())
      continue;
    if (Common == OfA.begin())
      return false;
    const Stmt *BranchOfA = *(Common - 1);
    const Stmt *BranchOfB = OfB[I - 1];
    if (const auto *If = dyn_cast<IfStmt>(OfB[I]))
      return If->getElse() && BranchOfA != BranchOfB &&
             (BranchOfA == If->getThen() || BranchOfA == If->getElse()) &&
             (BranchOfB == If->getThen() || BranchOfB == If->getElse());
    if (const auto *Choice = dyn_cast<ConditionalOperator>(OfB[I]))
      return BranchOfA != BranchOfB && BranchOfA != Choice->getCond() &&
             BranchOfB != Choice->getCond();
    return false;
  }
  return false;
}

} // namespace

const std::string &
SectionSuspension::reasonForHelper(const FunctionDecl &Function,
                                   ASTContext &Ctx) {
  auto [Known, Inserted] = HelperReasons.try_emplace(&Function);
  if (!Inserted)
    return Known->second; // Computed, or in progress (a cycle: no reason).
  std::string Reason;
  const std::vector<Site> &Calls = sitesOf(Function, Ctx);
  if (!Calls.empty()) {
    const FunctionDecl *Callee = Calls.front().Call->getDirectCallee();
    Reason = "calls '" + Callee->getName().str() + "', which " +
             reasonFor(*Calls.front().Call, Ctx);
  }
  std::string &Slot = HelperReasons[&Function];
  Slot = std::move(Reason);
  return Slot;
}

std::string SectionSuspension::reasonFor(const CallExpr &Call,
                                         ASTContext &Ctx) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || !Callee->getIdentifier())
    return "";
  std::string Reason = apiReason(Callee->getName());
  if (!Reason.empty())
    return Reason;
  const FunctionDecl *Definition = Callee->getDefinition();
  if (!Definition || !Definition->hasBody() ||
      Ctx.getSourceManager().isInSystemHeader(Definition->getLocation()))
    return "";
  return reasonForHelper(*Definition, Ctx);
}

const std::vector<SectionSuspension::Site> &
SectionSuspension::sitesOf(const FunctionDecl &Function, ASTContext &Ctx) {
  std::unique_ptr<std::vector<Site>> &Slot = Sites[&Function];
  if (Slot)
    return *Slot;
  auto Found = std::make_unique<std::vector<Site>>();
  std::vector<const CallExpr *> Calls;
  llvm::SmallVector<const Stmt *, 64> Work{Function.getBody()};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S)
      continue;
    if (const auto *Call = dyn_cast<CallExpr>(S))
      Calls.push_back(Call);
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
  // Reasons may walk other functions' bodies, which can grow Sites: the
  // slot is filled only when they are done.
  const SourceManager &SM = Ctx.getSourceManager();
  for (const CallExpr *Call : Calls)
    if (!reasonFor(*Call, Ctx).empty())
      Found->push_back({Call, beginOffset(*Call, SM), endOffset(*Call, SM)});
  llvm::sort(*Found,
             [](const Site &A, const Site &B) { return A.Begin < B.Begin; });
  std::unique_ptr<std::vector<Site>> &Filled = Sites[&Function];
  Filled = std::move(Found);
  return *Filled;
}

std::string Suspender::spelledName(const SourceManager &SM,
                                   const LangOptions &LangOpts) const {
  // A call that a macro's body makes is known by the macro the code names
  // (Py_BEGIN_ALLOW_THREADS); one written in a macro's argument, by itself.
  SourceLocation Loc = Call->getBeginLoc();
  llvm::StringRef Macro;
  while (Loc.isMacroID() && !SM.isMacroArgExpansion(Loc)) {
    Macro = Lexer::getImmediateMacroName(Loc, SM, LangOpts);
    Loc = SM.getImmediateMacroCallerLoc(Loc);
  }
  if (!Macro.empty())
    return Macro.str();
  return Call->getDirectCallee()->getName().str();
}

std::optional<Suspender> SectionSuspension::heldAcross(
    const CallExpr &Borrow, const FunctionDecl &Function, ASTContext &Ctx,
    llvm::function_ref<bool(const DeclRefExpr &)> Uses,
    llvm::function_ref<bool(SourceLocation)> Held) {
  // Passed straight to a call that can suspend: the callee works with it
  // while another thread may free it.
  if (const CallExpr *Taker = callTakingArgument(Borrow, Ctx)) {
    std::string Reason = reasonFor(*Taker, Ctx);
    if (!Reason.empty())
      return Suspender{Taker, std::move(Reason)};
  }
  const VarDecl *Holder = storedInLocal(&Borrow, Ctx);
  if (!Holder || !Function.getBody())
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  unsigned Stored = endOffset(Borrow, SM);
  const std::vector<Site> &Calls = sitesOf(Function, Ctx);
  for (const DeclRefExpr *Ref : referencesTo(*Holder, Function.getBody())) {
    unsigned At = beginOffset(*Ref, SM);
    if (At <= Stored)
      continue;
    if (isAssigned(*Ref, Ctx))
      break;
    if (!Held(Ref->getBeginLoc()) || !Uses(*Ref))
      continue;
    for (const Site &Call : Calls) {
      if (Call.Begin <= Stored)
        continue;
      if (Call.End >= At)
        break;
      if (Held(Call.Call->getBeginLoc()) &&
          !onOtherBranches(*Call.Call, *Ref, Ctx))
        return Suspender{Call.Call, reasonFor(*Call.Call, Ctx)};
    }
    if (const CallExpr *Taker = callTakingArgument(*Ref, Ctx)) {
      std::string Reason = reasonFor(*Taker, Ctx);
      if (!Reason.empty())
        return Suspender{Taker, std::move(Reason)};
    }
  }
  return std::nullopt;
}

std::vector<HeldItem> SectionSuspension::itemsHeldAcross(
    llvm::ArrayRef<const Stmt *> Code,
    llvm::SmallPtrSetImpl<const VarDecl *> &ItemVars,
    llvm::function_ref<bool(const Expr &)> IsItemRead,
    llvm::function_ref<bool(const CallExpr &)> IteratesContainer,
    ASTContext &Ctx) {
  std::vector<const CallExpr *> Calls;
  std::vector<const DeclRefExpr *> Refs;
  llvm::SmallVector<const Stmt *, 64> Work(Code.rbegin(), Code.rend());
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S)
      continue;
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      Calls.push_back(Call);
      // PyDict_Next hands out the dict's own key and value.
      if (IteratesContainer(*Call))
        for (unsigned I : {2u, 3u})
          if (const VarDecl *V = namedVariable(Call->getArg(I));
              V && V->hasLocalStorage())
            ItemVars.insert(V);
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      Refs.push_back(Ref);
    llvm::SmallVector<const Stmt *, 8> Children(S->children());
    Work.append(Children.rbegin(), Children.rend());
  }
  const SourceManager &SM = Ctx.getSourceManager();
  // An item local, or an element of one that points into the item array
  // (`items[i]` after `items = PySequence_Fast_ITEMS(fast)`).
  auto ItemOf = [&](const Expr *E) -> const VarDecl * {
    E = stripCasts(E);
    if (const auto *Element = dyn_cast<ArraySubscriptExpr>(E))
      E = Element->getBase();
    const VarDecl *V = referencedLocal(E);
    return V && ItemVars.count(V) ? V : nullptr;
  };
  // Reads of an item variable: not the `&v` PyDict_Next writes through, nor
  // the left side of an assignment.
  auto IsRead = [&](const DeclRefExpr &Ref) {
    auto Parents = parentsOf(Ref, Ctx);
    const auto *U = Parents.empty() ? nullptr : Parents[0].get<UnaryOperator>();
    return !(U && U->getOpcode() == UO_AddrOf) && !isAssigned(Ref, Ctx);
  };
  // An item the code takes a strong reference to is its own from then on.
  llvm::DenseMap<const VarDecl *, unsigned> StrongFrom;
  for (const CallExpr *Call : Calls)
    if (Call->getNumArgs() == 1 &&
        (llvm::is_contained(IncRefFunctions, calleeName(Call)) ||
         llvm::is_contained(NewRefFunctions, calleeName(Call))))
      if (const VarDecl *V = ItemOf(Call->getArg(0)))
        StrongFrom.try_emplace(V, beginOffset(*Call, SM));
  auto Borrowed = [&](const VarDecl *V, unsigned At) {
    auto Strong = StrongFrom.find(V);
    return Strong == StrongFrom.end() || Strong->second > At;
  };
  std::vector<HeldItem> Held;
  llvm::SmallPtrSet<const VarDecl *, 8> Found;
  bool FoundInPlace = false;
  auto Add = [&](const CallExpr *Call, const std::string &Reason,
                 const VarDecl *V) {
    if (V ? Found.insert(V).second : !std::exchange(FoundInPlace, true))
      Held.push_back(HeldItem{{Call, Reason}, V});
  };
  for (const CallExpr *Call : Calls) {
    std::string Reason = reasonFor(*Call, Ctx);
    if (Reason.empty())
      continue;
    unsigned Begin = beginOffset(*Call, SM), End = endOffset(*Call, SM);
    for (const Expr *Arg : Call->arguments()) {
      if (const VarDecl *V = ItemOf(Arg); V && Borrowed(V, Begin))
        Add(Call, Reason, V);
      else if (IsItemRead(*Arg))
        Add(Call, Reason, nullptr);
    }
    for (const DeclRefExpr *Ref : Refs) {
      const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
      if (V && ItemVars.count(V) && beginOffset(*Ref, SM) > End &&
          Borrowed(V, Begin) && IsRead(*Ref))
        Add(Call, Reason, V);
    }
  }
  return Held;
}

} // namespace gilport
