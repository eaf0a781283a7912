//===--- ContainerPrivacy.cpp ---------------------------------------------===//

#include "analysis/ContainerPrivacy.h"

#include "analysis/AstQueries.h"
#include "analysis/KeptOperands.h"
#include "analysis/MacroLocations.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace gilport {

using namespace clang;

namespace {

/// A span of file locations, both ends included.
struct Span {
  SourceLocation Begin;
  SourceLocation End;

  bool isValid() const { return Begin.isValid(); }
  bool contains(SourceLocation Loc, const SourceManager &SM) const;
};

/// One value given to a tracked variable.
struct Assignment {
  SourceLocation Loc;
  /// The call that created a new container, or null.
  const CallExpr *Creator = nullptr;
  std::optional<ContainerKind> Kind;
  bool IsNull = false;
  /// The innermost branch, loop or switch the assignment is in; invalid at
  /// the top level of the function.
  Span Region;
};

struct VariableFacts {
  llvm::SmallVector<Assignment, 2> Assignments;
  /// Where the variable's value may reach other code.
  llvm::SmallVector<SourceLocation, 2> Escapes;
};

/// What the privacy analysis knows about the functions of the translation
/// unit: which static functions return a new container, and which do not
/// let a parameter escape.
using HelperQueries = ContainerPrivacy::HelperQueries;

const CallExpr *asCreatorCall(const Expr *E, std::optional<ContainerKind> &Kind,
                              HelperQueries *Helpers) {
  const auto *Call = dyn_cast_or_null<CallExpr>(stripCasts(E));
  if (!Call)
    return nullptr;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->getIdentifier())
    return nullptr;
  Kind = createdContainerKind(Callee->getName());
  if (!Kind && Helpers)
    Kind = Helpers->freshResultKind(*Callee);
  return Kind ? Call : nullptr;
}

bool isPyObjectPointer(QualType Type) {
  const auto *Pointer = Type->getAs<PointerType>();
  if (!Pointer)
    return false;
  QualType Pointee = Pointer->getPointeeType();
  if (const auto *Typedef = Pointee->getAs<TypedefType>())
    if (Typedef->getDecl()->getName() == "PyObject")
      return true;
  const RecordDecl *Record = Pointee->getAsRecordDecl();
  return Record && Record->getName() == "_object";
}

} // namespace

struct ContainerPrivacy::FunctionFacts {
  // Kept for every function the unit asks about, and most track only a few
  // variables: a plain DenseMap's 64 first buckets of VariableFacts made
  // these facts a fifth of the memory on a file of many small functions.
  llvm::MapVector<const VarDecl *, VariableFacts,
                  llvm::SmallDenseMap<const VarDecl *, unsigned, 4>>
      Variables;
  llvm::SmallVector<Span, 4> Loops;
  /// Labels, case and default labels: a jump can enter there.
  llvm::SmallVector<SourceLocation, 4> Labels;
};

namespace {

/// Collects, for every local pointer variable of one function, the values it
/// is given and the places where it may escape. A use escapes unless its
/// context is known to keep the object private (sound by default).
class FactsCollector : public RecursiveASTVisitor<FactsCollector> {
public:
  FactsCollector(ContainerPrivacy::FunctionFacts &Facts, ASTContext &Ctx,
                 const SourceManager &SM, HelperQueries *Helpers)
      : Facts(Facts), Ctx(Ctx), SM(SM), Helpers(Helpers) {}

  // Regions: statements that may not run (branches, loops, switch bodies, the
  // right operand of && and ||). An assignment inside one does not reach
  // code after it on every path.
  bool dataTraverseStmtPre(Stmt *S) {
    forEachKeptOperand(
        *S, Ctx,
        [&](const FunctionDecl &Callee, unsigned Index) {
          return Helpers && Helpers->keepsParameterPrivate(Callee, Index);
        },
        [&](const Expr *E) { markSafe(E); });
    if (isa<ForStmt, WhileStmt, DoStmt, SwitchStmt>(S) || RegionRoots.count(S))
      Regions.push_back({S, spanOf(S)});
    // Nothing runs after a return: what it hands out cannot reach a use.
    if (isa<ReturnStmt>(S))
      ++ReturnDepth;
    return true;
  }
  bool dataTraverseStmtPost(Stmt *S) {
    if (!Regions.empty() && Regions.back().first == S)
      Regions.pop_back();
    if (isa<ReturnStmt>(S))
      --ReturnDepth;
    return true;
  }

  // Operands of sizeof and typeof are not evaluated.
  bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *) {
    return true;
  }
  bool TraverseTypeOfExprTypeLoc(TypeOfExprTypeLoc) { return true; }

  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (Op->getOpcode() == BO_Assign) {
      if (const VarDecl *Var = trackedVariable(Op->getLHS())) {
        markSafe(Op->getLHS());
        record(Var, Op->getOperatorLoc(), Op->getRHS());
      }
      return true;
    }
    if (Op->isLogicalOp())
      RegionRoots.insert(Op->getRHS());
    return true;
  }

  bool VisitConditionalOperator(ConditionalOperator *Op) {
    RegionRoots.insert(Op->getTrueExpr());
    RegionRoots.insert(Op->getFalseExpr());
    return true;
  }
  bool VisitIfStmt(IfStmt *If) {
    RegionRoots.insert(If->getThen());
    if (If->getElse())
      RegionRoots.insert(If->getElse());
    return true;
  }
  bool VisitWhileStmt(WhileStmt *While) {
    Facts.Loops.push_back(spanOf(While));
    return true;
  }
  bool VisitDoStmt(DoStmt *Do) {
    Facts.Loops.push_back(spanOf(Do));
    return true;
  }
  bool VisitForStmt(ForStmt *For) {
    Facts.Loops.push_back(spanOf(For));
    return true;
  }
  bool VisitLabelStmt(LabelStmt *Label) {
    Facts.Labels.push_back(SM.getFileLoc(Label->getBeginLoc()));
    return true;
  }
  bool VisitSwitchCase(SwitchCase *Case) {
    Facts.Labels.push_back(SM.getFileLoc(Case->getBeginLoc()));
    return true;
  }

  bool VisitVarDecl(VarDecl *Var) {
    if (isTracked(Var) && Var->hasInit())
      record(Var, Var->getLocation(), Var->getInit());
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    // A returned local is handed over, not shared; a returned parameter
    // goes back to a caller that may keep it (keepsParameterPrivate).
    if (!Var || !isTracked(Var) || Safe.count(Ref) ||
        (ReturnDepth > 0 && !isa<ParmVarDecl>(Var)))
      return true;
    if (isWithinExpansionOf(Ref->getLocation(), "Py_CLEAR", SM,
                            Ctx.getLangOpts()))
      return true;
    Facts.Variables[Var].Escapes.push_back(SM.getFileLoc(Ref->getLocation()));
    return true;
  }

private:
  // Parameters too, for keepsParameterPrivate(); their own privacy is
  // decided by classifyParameter().
  static bool isTracked(const VarDecl *Var) {
    return Var->hasLocalStorage() && Var->getType()->isPointerType();
  }

  static const VarDecl *trackedVariable(const Expr *E) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripCasts(E));
    if (!Ref)
      return nullptr;
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    return Var && isTracked(Var) ? Var : nullptr;
  }

  void markSafe(const Expr *E) {
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripCasts(E)))
      Safe.insert(Ref);
  }

  void record(const VarDecl *Var, SourceLocation Loc, const Expr *Value) {
    Assignment A;
    A.Loc = SM.getFileLoc(Loc);
    A.Creator = asCreatorCall(Value, A.Kind, Helpers);
    A.IsNull = !A.Creator && Value->IgnoreParenCasts()->isNullPointerConstant(
                                 Ctx, Expr::NPC_ValueDependentIsNotNull);
    if (!Regions.empty())
      A.Region = Regions.back().second;
    Facts.Variables[Var].Assignments.push_back(A);
  }

  Span spanOf(const Stmt *S) const {
    return {SM.getFileLoc(S->getBeginLoc()), SM.getFileLoc(S->getEndLoc())};
  }

  ContainerPrivacy::FunctionFacts &Facts;
  ASTContext &Ctx;
  const SourceManager &SM;
  HelperQueries *Helpers;
  llvm::SmallPtrSet<const DeclRefExpr *, 32> Safe;
  llvm::SmallPtrSet<const Stmt *, 16> RegionRoots;
  llvm::SmallVector<std::pair<const Stmt *, Span>, 8> Regions;
  unsigned ReturnDepth = 0;
};

/// The `args` tuple of `(self, args[, kwds])` functions, which CPython
/// fills for each call.
///
/// The keyword-argument dict is not private, although the free-threading
/// HOWTO calls it "effectively private": Python code always passes a new
/// dict (the compiler emits BUILD_MAP + DICT_MERGE for `f(**d)`), but
/// `PyObject_Call(f, args, d)` hands a C caller's own dict `d` unchanged to a
/// METH_VARARGS|METH_KEYWORDS function (cfunction_call) and to tp_new and
/// tp_init (type_call), and a helper's parameter named `kw...` may be any
/// dict. CPython 3.13 ported such lookups too (_elementtree.c,
/// _ctypes.c).
PrivacyVerdict classifyParameter(const FunctionDecl &Function,
                                 const ParmVarDecl &Param) {
  PrivacyVerdict Verdict;
  if (!isPyObjectPointer(Param.getType()))
    return Verdict;
  unsigned NumParams = Function.getNumParams();
  if (Param.getName() == "args" && Param.getFunctionScopeIndex() == 1 &&
      (NumParams == 2 || NumParams == 3)) {
    Verdict.Why = PrivacyVerdict::Reason::Tuple;
    Verdict.Variable = &Param;
  }
  return Verdict;
}

bool isBeforeOrAt(SourceLocation A, SourceLocation B, const SourceManager &SM) {
  return A == B || SM.isBeforeInTranslationUnit(A, B);
}

bool Span::contains(SourceLocation Loc, const SourceManager &SM) const {
  return isBeforeOrAt(Begin, Loc, SM) && isBeforeOrAt(Loc, End, SM);
}

} // namespace

std::string PrivacyVerdict::explanation() const {
  std::string Name = Variable ? ("'" + Variable->getName() + "'").str()
                              : std::string("the container");
  std::string CreatorName;
  if (Creator)
    if (const FunctionDecl *Callee = Creator->getDirectCallee())
      CreatorName = Callee->getName().str();
  switch (Why) {
  case Reason::Shared:
    return "";
  case Reason::CreatedLocally:
    return Name + " is private to this function: it was created by '" +
           CreatorName + "' and has not been shared before this use";
  case Reason::NewTemporary:
    return "the container is a new object returned by '" + CreatorName + "'";
  case Reason::Tuple:
    return Name + " is a tuple, whose items cannot change";
  case Reason::PassedPrivate:
    return Name + " is private to this call: every caller passes a " +
           "container it created and has not shared" +
           (CreatorName.empty()
                ? std::string()
                : " (one was created by '" + CreatorName + "')");
  case Reason::FilledAtInit:
    return "'" +
           (Field ? Field->getName() : llvm::StringRef("the field")).str() +
           "' only changes while the module initialises or is torn down, and "
           "is never handed out: nothing removes its items while the module "
           "is in use";
  case Reason::HeldByCallStruct:
    return "'" +
           (Field ? Field->getName() : llvm::StringRef("the field")).str() +
           "' belongs to a struct that only lives on the stack of one call, "
           "and only ever holds a container its code created with '" +
           CreatorName + "' and never hands out";
  }
  return "";
}

ContainerPrivacy::ContainerPrivacy(CallSiteIndex &Callers,
                                   InitOnlyFields &FilledOnce)
    : Callers(Callers), FilledOnce(FilledOnce) {}
ContainerPrivacy::~ContainerPrivacy() = default;

const ContainerPrivacy::FunctionFacts &
ContainerPrivacy::factsFor(const FunctionDecl &Function,
                           const SourceManager &SM) {
  auto It = Facts.find(&Function);
  if (It != Facts.end())
    return *It->second;
  // Collecting may ask about helpers, which collects their facts: the map
  // may grow meanwhile.
  auto Collected = std::make_unique<FunctionFacts>();
  CurrentSM = &SM;
  Computing.insert(&Function);
  FactsCollector Collector(*Collected, Function.getASTContext(), SM, this);
  Collector.TraverseStmt(Function.getBody());
  Computing.erase(&Function);
  std::unique_ptr<FunctionFacts> &Slot = Facts[&Function];
  if (!Slot)
    Slot = std::move(Collected);
  return *Slot;
}

namespace {

/// The static function defined in this translation unit that \p Callee
/// names, or null: only its own definition can run (an external one could
/// be interposed by another library).
const FunctionDecl *staticDefinition(const FunctionDecl &Callee) {
  const FunctionDecl *Definition = Callee.getDefinition();
  if (!Definition || !Definition->hasBody() ||
      Definition->isExternallyVisible() || Definition->isVariadic())
    return nullptr;
  return Definition;
}

class ReturnCollector : public RecursiveASTVisitor<ReturnCollector> {
public:
  bool VisitReturnStmt(ReturnStmt *Return) {
    Returns.push_back(Return);
    return true;
  }
  llvm::SmallVector<const ReturnStmt *, 4> Returns;
};

} // namespace

std::optional<ContainerKind>
ContainerPrivacy::freshResultKind(const FunctionDecl &Callee) {
  const FunctionDecl *Helper = staticDefinition(Callee);
  if (!Helper || !CurrentSM || !Helper->getReturnType()->isPointerType())
    return std::nullopt;
  auto Known = FreshResults.find(Helper);
  if (Known != FreshResults.end())
    return Known->second;
  if (!InProgress.insert(Helper).second)
    return std::nullopt;
  const SourceManager &SM = *CurrentSM;
  ASTContext &Ctx = Helper->getASTContext();
  ReturnCollector Collector;
  Collector.TraverseStmt(Helper->getBody());
  // Every return hands out NULL or a container that is new and has not been
  // shared: what the caller receives is as private as a PyList_New result.
  std::optional<ContainerKind> Result;
  bool AllFresh = !Collector.Returns.empty();
  for (const ReturnStmt *Return : Collector.Returns) {
    const Expr *Value = Return->getRetValue();
    if (!Value) {
      AllFresh = false;
      break;
    }
    if (stripCasts(Value)->isNullPointerConstant(
            Ctx, Expr::NPC_ValueDependentIsNotNull))
      continue;
    PrivacyVerdict Verdict =
        classify(*Helper, *Value, Return->getBeginLoc(), SM);
    CurrentSM = &SM;
    std::optional<ContainerKind> Kind;
    if (Verdict.Creator)
      asCreatorCall(Verdict.Creator, Kind, this);
    if ((Verdict.Why != PrivacyVerdict::Reason::CreatedLocally &&
         Verdict.Why != PrivacyVerdict::Reason::NewTemporary &&
         Verdict.Why != PrivacyVerdict::Reason::Tuple) ||
        !Verdict.Creator || !Kind) {
      AllFresh = false;
      break;
    }
    // A tuple only when every fresh result is one.
    if (!Result || *Kind != ContainerKind::Tuple)
      Result = Kind;
  }
  InProgress.erase(Helper);
  if (!AllFresh)
    Result.reset();
  FreshResults[Helper] = Result;
  return Result;
}

bool ContainerPrivacy::keepsParameterPrivate(const FunctionDecl &Callee,
                                             unsigned Index) {
  const FunctionDecl *Helper = staticDefinition(Callee);
  if (!Helper || !CurrentSM || Index >= Helper->getNumParams() ||
      Computing.count(Helper))
    return false;
  const ParmVarDecl *Param = Helper->getParamDecl(Index);
  if (!Param->getType()->isPointerType())
    return false;
  const SourceManager &SM = *CurrentSM;
  const FunctionFacts &Known = factsFor(*Helper, SM);
  CurrentSM = &SM;
  auto It = Known.Variables.find(Param);
  // Stored, returned, passed on or reassigned: the caller's container may
  // now be reachable elsewhere.
  return It == Known.Variables.end() ||
         (It->second.Escapes.empty() && It->second.Assignments.empty());
}

PrivacyVerdict ContainerPrivacy::classifyField(const FieldDecl &Field,
                                               const SourceManager &SM) {
  PrivacyVerdict Verdict;
  const InitOnlyFields::FieldFacts *Facts =
      FilledOnce.filledAtInit(Field, Field.getASTContext());
  if (!Facts)
    return Verdict;
  // Every value stored is a container the init code created itself: one
  // fetched from elsewhere (another module's dict) may be changed there.
  for (const InitOnlyFields::Store &Store : Facts->Stores) {
    if (!Store.Function)
      return Verdict;
    if (stripCasts(Store.Value)
            ->isNullPointerConstant(Field.getASTContext(),
                                    Expr::NPC_ValueDependentIsNotNull))
      continue;
    PrivacyVerdict Stored =
        classify(*Store.Function, *Store.Value, Store.Loc, SM);
    CurrentSM = &SM;
    if (Stored.Why == PrivacyVerdict::Reason::NewTemporary)
      continue;
    if (Stored.Why != PrivacyVerdict::Reason::CreatedLocally)
      return Verdict;
    // A local that held the new container must not hand it out either,
    // before or after the store: the store must be its only escape.
    const FunctionFacts &Known = factsFor(*Store.Function, SM);
    auto It = Known.Variables.find(Stored.Variable);
    SourceLocation StoreLoc =
        SM.getFileLoc(stripCasts(Store.Value)->getExprLoc());
    if (It != Known.Variables.end() &&
        llvm::any_of(It->second.Escapes,
                     [&](SourceLocation Escape) { return Escape != StoreLoc; }))
      return Verdict;
  }
  Verdict.Why = PrivacyVerdict::Reason::FilledAtInit;
  Verdict.Field = &Field;
  Verdict.FilledAt = Facts->Stores.front().Loc;
  return Verdict;
}

PrivacyVerdict
ContainerPrivacy::callersPassPrivate(const FunctionDecl &Function,
                                     unsigned Index, const SourceManager &SM) {
  PrivacyVerdict Shared;
  auto Key = std::make_pair(Function.getCanonicalDecl(), Index);
  auto Known = PassedToParameter.find(Key);
  if (Known != PassedToParameter.end())
    return Known->second;
  const auto *Sites = Callers.knownCallers(Function);
  if (!Sites || Sites->empty())
    return Shared;
  // Cheap first: only a variable or a call can be a private container.
  for (const CallSiteIndex::Site &Site : *Sites)
    if (Index >= Site.Call->getNumArgs() ||
        !isa<DeclRefExpr, CallExpr>(stripCasts(Site.Call->getArg(Index))))
      return PassedToParameter[Key] = Shared;
  if (!ParametersInProgress.insert(Key).second)
    return Shared; // Recursion: not cached, the outer question decides.
  PrivacyVerdict Verdict;
  Verdict.Why = PrivacyVerdict::Reason::PassedPrivate;
  Verdict.Variable = Function.getParamDecl(Index);
  for (const CallSiteIndex::Site &Site : *Sites) {
    PrivacyVerdict AtCall = classify(*Site.Caller, *Site.Call->getArg(Index),
                                     Site.Call->getBeginLoc(), SM);
    CurrentSM = &SM;
    if (!AtCall.isPrivate()) {
      Verdict = Shared;
      break;
    }
    if (!Verdict.Creator)
      Verdict.Creator = AtCall.Creator;
  }
  ParametersInProgress.erase(Key);
  return PassedToParameter[Key] = Verdict;
}

PrivacyVerdict ContainerPrivacy::classifyPassedIn(const FunctionDecl &Function,
                                                  const ParmVarDecl &Param,
                                                  SourceLocation UseLoc,
                                                  const SourceManager &SM) {
  PrivacyVerdict Shared;
  if (!Param.getType()->isPointerType())
    return Shared;
  PrivacyVerdict Verdict =
      callersPassPrivate(Function, Param.getFunctionScopeIndex(), SM);
  if (!Verdict.isPrivate())
    return Shared;
  // Inside the function: never reassigned, and not let out before the use
  // (or later in a loop around it).
  const FunctionFacts &Known = factsFor(Function, SM);
  CurrentSM = &SM;
  auto It = Known.Variables.find(&Param);
  if (It == Known.Variables.end())
    return Verdict;
  if (!It->second.Assignments.empty())
    return Shared;
  SourceLocation Use = SM.getFileLoc(UseLoc);
  for (SourceLocation Escape : It->second.Escapes) {
    if (isBeforeOrAt(Escape, Use, SM))
      return Shared;
    if (llvm::any_of(Known.Loops, [&](const Span &Loop) {
          return Loop.contains(Use, SM) && Loop.contains(Escape, SM);
        }))
      return Shared;
  }
  return Verdict;
}

PrivacyVerdict ContainerPrivacy::classify(const FunctionDecl &Function,
                                          const Expr &Container,
                                          SourceLocation UseLoc,
                                          const SourceManager &SM) {
  PrivacyVerdict Verdict;
  const Expr *E = stripCasts(&Container);
  std::optional<ContainerKind> Kind;
  CurrentSM = &SM;
  if (const CallExpr *Creator = asCreatorCall(E, Kind, this)) {
    Verdict.Why = *Kind == ContainerKind::Tuple
                      ? PrivacyVerdict::Reason::Tuple
                      : PrivacyVerdict::Reason::NewTemporary;
    Verdict.Creator = Creator;
    return Verdict;
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return Verdict;
    Verdict = classifyField(*Field, SM);
    CurrentSM = &SM;
    if (Verdict.isPrivate())
      return Verdict;
    if (const CallExpr *Creator = OnTheStack.privateContainerCreator(
            *Field, Field->getASTContext())) {
      Verdict.Why = PrivacyVerdict::Reason::HeldByCallStruct;
      Verdict.Field = Field;
      Verdict.Creator = Creator;
    }
    return Verdict;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  if (!Ref)
    return Verdict;
  if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl())) {
    Verdict = classifyParameter(Function, *Param);
    if (Verdict.isPrivate())
      return Verdict;
    return classifyPassedIn(Function, *Param, UseLoc, SM);
  }
  const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
  if (!Var || !Var->hasLocalStorage())
    return Verdict;

  const FunctionFacts &Known = factsFor(Function, SM);
  auto It = Known.Variables.find(Var);
  if (It == Known.Variables.end())
    return Verdict;
  const VariableFacts &Facts = It->second;
  SourceLocation Use = SM.getFileLoc(UseLoc);
  auto Before = [&](SourceLocation A, SourceLocation B) {
    return isBeforeOrAt(A, B, SM);
  };

  // Without a control-flow graph: the last assignment before the use that is
  // not in a branch the use is outside of, with no label in between, runs on
  // every path to the use and hides the earlier ones.
  const Assignment *Dominating = nullptr;
  for (const Assignment &A : Facts.Assignments) {
    if (!Before(A.Loc, Use) ||
        (A.Region.isValid() && !A.Region.contains(Use, SM)))
      continue;
    if (llvm::any_of(Known.Labels, [&](SourceLocation Label) {
          return Before(A.Loc, Label) && Before(Label, Use);
        }))
      continue;
    if (!Dominating || Before(Dominating->Loc, A.Loc))
      Dominating = &A;
  }
  // A loop around the use brings back values given later in its body,
  // unless the dominating assignment is in the loop too.
  auto CarriedByLoop = [&](SourceLocation Later) {
    return llvm::any_of(Known.Loops, [&](const Span &Loop) {
      return Loop.contains(Use, SM) && Loop.contains(Later, SM) &&
             !(Dominating && Loop.contains(Dominating->Loc, SM));
    });
  };

  // Every value that may reach the use must be a new container (or NULL).
  llvm::SmallVector<const Assignment *, 4> Reaching;
  for (const Assignment &A : Facts.Assignments) {
    bool Reaches = Before(A.Loc, Use)
                       ? !Dominating || Before(Dominating->Loc, A.Loc)
                       : CarriedByLoop(A.Loc);
    if (Reaches)
      Reaching.push_back(&A);
  }
  const Assignment *Creation = nullptr;
  bool OnlyTuples = true;
  for (const Assignment *A : Reaching) {
    if (!A->Creator) {
      if (A->IsNull)
        continue;
      return Verdict;
    }
    OnlyTuples &= *A->Kind == ContainerKind::Tuple;
    if (!Creation || Before(Creation->Loc, A->Loc))
      Creation = A;
  }
  if (!Creation)
    return Verdict;
  Verdict.Variable = Var;
  Verdict.Creator = Creation->Creator;
  if (OnlyTuples) {
    Verdict.Why = PrivacyVerdict::Reason::Tuple;
    return Verdict;
  }

  // An escape between a creation and the use, or later in a loop that
  // brings values back to the use, makes the container shared.
  for (SourceLocation Escape : Facts.Escapes) {
    if (!Before(Escape, Use)) {
      if (CarriedByLoop(Escape))
        return PrivacyVerdict();
      continue;
    }
    for (const Assignment *A : Reaching)
      if (A->Creator && Before(A->Loc, Escape))
        return PrivacyVerdict();
  }
  Verdict.Why = PrivacyVerdict::Reason::CreatedLocally;
  return Verdict;
}

} // namespace gilport
