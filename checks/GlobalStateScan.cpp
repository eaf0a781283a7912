//===--- GlobalStateScan.cpp ----------------------------------------------===//

#include "checks/GlobalStateScan.h"

#include "analysis/AstQueries.h"
#include "analysis/ImmortalObjects.h"
#include "analysis/InitOnlyFields.h"
#include "analysis/MutexGuards.h"
#include "analysis/PhaseCalls.h"
#include "analysis/StaticStorage.h"
#include "analysis/UnchangedStatics.h"
#include "rewrites/ModuleStateConversion.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchers.h"

#include <functional>
#include <map>
#include <set>

namespace gilport {

using namespace clang;
using namespace clang::ast_matchers;

namespace {

/// The pointer variable a write target is reached through: `p` in `*p`,
/// `p->f`, `p[i]`, `p->a[i].b`. Null for anything else.
const DeclRefExpr *dereferencedPointer(const Expr *E) {
  auto PointerVariable = [](const Expr *Pointer) -> const DeclRefExpr * {
    const auto *Ref = dyn_cast<DeclRefExpr>(Pointer->IgnoreParenImpCasts());
    return Ref && Ref->getType()->isPointerType() ? Ref : nullptr;
  };
  while (E) {
    E = E->IgnoreParens();
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      if (Member->isArrow())
        return PointerVariable(Member->getBase());
      E = Member->getBase();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      const auto *Decay =
          dyn_cast<ImplicitCastExpr>(Subscript->getBase()->IgnoreParens());
      if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay)
        return PointerVariable(Subscript->getBase());
      E = Decay->getSubExpr();
      continue;
    }
    if (const auto *Deref = dyn_cast<UnaryOperator>(E)) {
      if (Deref->getOpcode() != UO_Deref)
        return nullptr;
      return PointerVariable(Deref->getSubExpr());
    }
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(E)) {
      if (Cast->getCastKind() != CK_NoOp)
        return nullptr;
      E = Cast->getSubExpr();
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

/// A pointer variable passed by value (`memset(p, ...)`).
const DeclRefExpr *pointerValue(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  return Ref && Ref->getType()->isPointerType() ? Ref : nullptr;
}

/// An explicit `&x` (an output argument), but not a decayed array.
const DeclRefExpr *explicitAddressOf(const Expr *E) {
  const auto *AddrOf = dyn_cast<UnaryOperator>(E->IgnoreParenCasts());
  if (!AddrOf || AddrOf->getOpcode() != UO_AddrOf)
    return nullptr;
  return storageRoot(AddrOf->getSubExpr());
}

bool isReferenceToMutable(QualType Type) {
  const auto *Reference = Type->getAs<LValueReferenceType>();
  return Reference && !Reference->getPointeeType().isConstQualified();
}

llvm::StringRef scopeOf(const VarDecl *Var) {
  if (Var->isStaticLocal())
    return "function-static";
  if (Var->isStaticDataMember())
    return "static member";
  return "global";
}

/// The message of a finding: the interpreter-sharing wording when
/// \p Shared, else the data-race one (a write while the module is in use).
/// Shared C data that only init and teardown code write (\p WrittenInUse
/// false) is written again by each interpreter that loads the module.
std::string message(const VarDecl *Var, StaticStateKind Kind, bool Shared,
                    bool WrittenInUse) {
  std::string Name = Var->getName().str();
  std::string Scope = scopeOf(Var).str();
  if (!Shared) {
    switch (Kind) {
    case StaticStateKind::ObjectPointer:
      return Scope + " Python object pointer '" + Name +
             "' is written while the module is in use and shared by all "
             "threads, a data race without the GIL; move it to the module "
             "state, or set it once at module init";
    case StaticStateKind::ObjectPointers:
      return Scope + " variable '" + Name +
             "' holds Python object pointers written while the module is in "
             "use and shared by all threads, a data race without the GIL; "
             "move them to the module state, or guard them with a 'PyMutex'";
    case StaticStateKind::TypeObject:
      return "type object '" + Name +
             "' is statically allocated and modified while the module is in "
             "use, a data race without the GIL; fill in its fields before "
             "'PyType_Ready' at module init, or make it a heap type";
    case StaticStateKind::StaticObject:
      return "Python object '" + Name +
             "' is statically allocated and modified while the module is in "
             "use, a data race without the GIL; create it at module init and "
             "keep it in the module state";
    case StaticStateKind::MutableData:
      return Scope + " variable '" + Name +
             "' is modified at run time and shared by all threads, a data "
             "race without the GIL; move it to the module state, or guard "
             "it with a 'PyMutex' or atomics";
    case StaticStateKind::None:
      return {};
    }
  }
  switch (Kind) {
  case StaticStateKind::ObjectPointer:
    return Scope + " Python object pointer '" + Name +
           "' is shared by all interpreters and threads; move it to the "
           "module state";
  case StaticStateKind::ObjectPointers:
    return Scope + " variable '" + Name +
           "' holds Python object pointers shared by all interpreters and "
           "threads; move them to the module state";
  case StaticStateKind::TypeObject:
    return "type object '" + Name +
           "' is statically allocated and shared by all interpreters; create "
           "it as a heap type with 'PyType_FromModuleAndSpec' and keep it in "
           "the module state";
  case StaticStateKind::StaticObject:
    return "Python object '" + Name +
           "' is statically allocated and shared by all interpreters and "
           "threads; create it at module init and keep it in the module state";
  case StaticStateKind::MutableData:
    if (!WrittenInUse)
      return Scope + " variable '" + Name +
             "' is written each time an interpreter loads or unloads the "
             "module, while other interpreters may use it: a data race "
             "between interpreters; move it to the module state, or "
             "initialize it statically";
    return Scope + " variable '" + Name +
           "' is modified at run time and shared by all interpreters and "
           "threads, a data race without the GIL; move it to the module "
           "state, or guard it with a 'PyMutex' or atomics";
  case StaticStateKind::None:
    break;
  }
  return {};
}

} // namespace

char GlobalStateScan::ID;

GlobalStateScan::GlobalStateScan(CheckContext &Context)
    : Context(Context),
      IgnoreVariablesPattern(Context.getOption(CheckName, "IgnoreVariables")),
      ConvertToModuleState(
          isTrueOption(Context.getOption(CheckName, "ConvertToModuleState"))),
      ProcessWidePattern(Context.getOption(CheckName, "ProcessWideCounters")),
      AtomicCounters(
          isTrueOption(Context.getOption(CheckName, "AtomicCounters"))) {
  if (!llvm::StringRef(ProcessWidePattern).trim().empty()) {
    llvm::Regex Pattern("^(" + ProcessWidePattern + ")$");
    if (Pattern.isValid())
      ProcessWide.emplace(std::move(Pattern));
  }
  if (!llvm::StringRef(IgnoreVariablesPattern).trim().empty()) {
    llvm::Regex Pattern("^(" + IgnoreVariablesPattern + ")$");
    // An invalid pattern ignores nothing (options are validated when the
    // configuration is read).
    if (Pattern.isValid())
      IgnoreVariables.emplace(std::move(Pattern));
  }
}

void GlobalStateScan::registerMatchers(MatchFinder *Finder) {
  if (MatchersRegistered)
    return;
  MatchersRegistered = true;
  // The driver's traversal scope is the user's declarations already: no
  // test of each node's file (a lookup per node, a tenth of the matching).
  // Variables: the candidates, and local pointers into static data.
  Finder->addMatcher(varDecl(unless(parmVarDecl())).bind("var"), this);
  // Writes, collected in one pass and matched to candidates at the end.
  Finder->addMatcher(binaryOperator(isAssignmentOperator()).bind("assign"),
                     this);
  Finder->addMatcher(unaryOperator(hasAnyOperatorName("++", "--")).bind("step"),
                     this);
  Finder->addMatcher(callExpr().bind("call"), this);
  Finder->addMatcher(explicitCastExpr().bind("cast"), this);
}

void GlobalStateScan::run(const MatchFinder::MatchResult &Result) {
  if (const auto *Var = Result.Nodes.getNodeAs<VarDecl>("var")) {
    checkVariable(Var, *Result.Context);
    return;
  }
  if (const auto *Assign = Result.Nodes.getNodeAs<BinaryOperator>("assign")) {
    noteRecordWrite(Assign->getLHS());
    recordModification(Assign->getLHS());
    if (Assign->getOpcode() == BO_Assign &&
        isPointerToMutable(Assign->getLHS()->getType()))
      if (const DeclRefExpr *Target = addressedStorage(Assign->getRHS()))
        recordPointerTo(Target, Assign->getLHS());
    return;
  }
  if (const auto *Step = Result.Nodes.getNodeAs<UnaryOperator>("step")) {
    noteRecordWrite(Step->getSubExpr());
    recordModification(Step->getSubExpr());
    return;
  }
  if (const auto *Cast = Result.Nodes.getNodeAs<ExplicitCastExpr>("cast")) {
    // Through a pointer of another type anything may be written.
    if (!Cast->getType()->isPointerType() ||
        !Result.Context->hasSameType(Cast->getType(),
                                     Cast->getSubExpr()->getType()))
      noteRecordPointer(Cast->getSubExpr());
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call"))
    checkCall(Call, *Result.Context);
}

void GlobalStateScan::checkVariable(const VarDecl *Var, ASTContext &Ctx) {
  if (Var->hasLocalStorage()) {
    // `char *p = buffer;`: writes through p are writes to buffer.
    const Expr *Init = Var->getInit();
    if (!Init)
      return;
    if (isPointerToMutable(Var->getType())) {
      if (const DeclRefExpr *Target = addressedStorage(Init))
        if (isGlobal(Target))
          Aliases.push_back({Var, Target});
    } else if (isReferenceToMutable(Var->getType())) {
      if (const DeclRefExpr *Target = storageRoot(Init))
        recordWrite(Target,
                    {Target->getLocation(), WriteKind::PointerTaken, Target});
    }
    return;
  }
  if (!Var->hasGlobalStorage() || Var->isImplicit() || !Var->getIdentifier() ||
      Var->getTLSKind() != VarDecl::TLS_None)
    return;
  // Once per variable, at its definition; `extern` declarations are not.
  const VarDecl *Definition = Var->getDefinition();
  if (!Definition)
    Definition = Var->getActingDefinition();
  if (Definition != Var)
    return;
  // Template instantiations repeat their pattern.
  if (const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
      Function && Function->isTemplateInstantiation())
    return;
  if (Var->getInstantiatedFromStaticDataMember())
    return;
  if (!Types)
    Types = std::make_unique<GlobalStateTypes>(Ctx);
  StaticStateKind Kind = Types->classify(Var->getType());
  if (Kind == StaticStateKind::None || isIgnored(Var->getName()))
    return;
  Candidates.push_back({Var, Kind});
}

namespace {
/// The values assigned to a local variable in a function body.
class AssignedValues : public RecursiveASTVisitor<AssignedValues> {
public:
  explicit AssignedValues(const VarDecl *Var) : Var(Var) {}
  bool VisitBinaryOperator(BinaryOperator *Op) {
    if (Op->isAssignmentOp() && namedVariable(Op->getLHS()) == Var)
      Values.push_back(Op->getOpcode() == BO_Assign ? Op->getRHS() : nullptr);
    return true;
  }
  bool VisitUnaryOperator(UnaryOperator *Op) {
    if (Op->getOpcode() == UO_AddrOf && namedVariable(Op->getSubExpr()) == Var)
      Values.push_back(nullptr);
    return true;
  }
  const VarDecl *Var;
  std::vector<const Expr *> Values;
};
} // namespace

bool GlobalStateScan::callsDefinedFunctions(const CallExpr *Call,
                                            ASTContext &Ctx) {
  // `fn(args)` through a local function pointer that is only ever set to
  // functions defined here, whose bodies this scan sees.
  const auto *Pointer = dyn_cast_or_null<VarDecl>(
      namedVariable(Call->getCallee()->IgnoreParenImpCasts()));
  const FunctionDecl *Function = enclosingFunction(Call, Ctx);
  if (!Pointer || !Pointer->hasLocalStorage() || !Function ||
      !Function->getBody())
    return false;
  AssignedValues Assigned(Pointer);
  Assigned.TraverseStmt(Function->getBody());
  if (Pointer->getInit())
    Assigned.Values.push_back(Pointer->getInit());
  if (Assigned.Values.empty())
    return false;
  // A function of this file, or a choice between such functions.
  std::function<bool(const Expr *)> Defined = [&](const Expr *Value) {
    if (!Value)
      return false;
    Value = Value->IgnoreParenImpCasts();
    if (const auto *Choice = dyn_cast<ConditionalOperator>(Value))
      return Defined(Choice->getTrueExpr()) && Defined(Choice->getFalseExpr());
    const auto *Ref = dyn_cast<DeclRefExpr>(Value);
    const auto *Target = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    const FunctionDecl *Body = nullptr;
    return Target && Target->hasBody(Body);
  };
  return llvm::all_of(Assigned.Values, Defined);
}

void GlobalStateScan::checkCall(const CallExpr *Call, ASTContext &Ctx) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  unsigned FirstArg = 0;
  if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee)) {
    // `object.method()` and `object op= x` modify the object unless const.
    const Expr *Object = nullptr;
    if (const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(Call)) {
      Object = MemberCall->getImplicitObjectArgument();
    } else if (isa<CXXOperatorCallExpr>(Call) && Method->isInstance() &&
               Call->getNumArgs() > 0) {
      Object = Call->getArg(0);
      FirstArg = 1;
    }
    if (Object && Method->isInstance() && !Method->isConst())
      recordModification(Object);
  }
  if (!SawMutexLock && isMutexLockCall(*Call))
    SawMutexLock = true;
  // A function defined elsewhere may write through any pointer it gets.
  const FunctionDecl *Defined = nullptr;
  if (Callee ? !Callee->hasBody(Defined) : !callsDefinedFunctions(Call, Ctx))
    for (const Expr *Arg : Call->arguments())
      noteRecordPointer(Arg);
  const FunctionProtoType *Prototype = calleePrototype(Call);
  llvm::StringRef CalleeName =
      Callee && Callee->getIdentifier() ? Callee->getName() : "";
  for (unsigned ArgIndex = FirstArg; ArgIndex < Call->getNumArgs();
       ++ArgIndex) {
    const Expr *Arg = Call->getArg(ArgIndex);
    unsigned ParamIndex = ArgIndex - FirstArg;
    if (Prototype && ParamIndex < Prototype->getNumParams()) {
      QualType Param = Prototype->getParamType(ParamIndex);
      if (isReadOnlyParameter(CalleeName, ParamIndex))
        continue;
      if (isPointerToMutable(Param)) {
        if (const DeclRefExpr *Target = addressedStorage(Arg))
          recordPointerPassed(Target, Call, ParamIndex);
        else if (const DeclRefExpr *Pointer = pointerValue(Arg))
          recordWriteThrough(
              Pointer, {Arg->getBeginLoc(), WriteKind::PointerPassed, Arg});
      } else if (isReferenceToMutable(Param)) {
        if (const DeclRefExpr *Target = storageRoot(Arg))
          recordWrite(Target, {Target->getLocation(),
                               WriteKind::ReferencePassed, Target});
      }
      continue;
    }
    // Variadic: `&x` is an output argument (PyArg_ParseTuple); a decayed
    // array is almost always read (`%s`).
    if (const DeclRefExpr *Target = explicitAddressOf(Arg))
      recordWrite(Target,
                  {Target->getLocation(), WriteKind::PointerPassed, Target});
  }
}

void GlobalStateScan::recordModification(const Expr *Target) {
  if (const DeclRefExpr *Ref = storageRoot(Target))
    recordWrite(Ref, {Ref->getLocation(), WriteKind::Modified, Ref});
  else if (const DeclRefExpr *Pointer = dereferencedPointer(Target))
    recordWriteThrough(
        Pointer, {Target->getBeginLoc(), WriteKind::ModifiedThrough, Target});
}

void GlobalStateScan::recordPointerPassed(const DeclRefExpr *Target,
                                           const CallExpr *Call,
                                           unsigned ParamIndex) {
  if (!isGlobal(Target))
    return;
  // A function defined here writes the global only if it writes through
  // its parameter (or passes it on as a pointer to non-const data).
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Definition = nullptr;
  if (Callee && Callee->hasBody(Definition) && Definition &&
      ParamIndex < Definition->getNumParams()) {
    Aliases.push_back({Definition->getParamDecl(ParamIndex), Target});
    return;
  }
  recordWrite(Target,
              {Target->getLocation(), WriteKind::PointerPassed, Target});
}

void GlobalStateScan::recordPointerTo(const DeclRefExpr *Target,
                                       const Expr *Destination) {
  if (!isGlobal(Target))
    return;
  // Into a local pointer: a write only if something writes through it.
  // Anywhere else (a global, a struct member) the pointer escapes.
  const auto *Local = dyn_cast<DeclRefExpr>(Destination->IgnoreParenImpCasts());
  const auto *LocalVar = Local ? dyn_cast<VarDecl>(Local->getDecl()) : nullptr;
  if (LocalVar && LocalVar->hasLocalStorage()) {
    Aliases.push_back({LocalVar, Target});
    return;
  }
  // A record's address: decided once it is known whether the file writes
  // objects of its type.
  QualType Pointee = Destination->getType()->getPointeeType();
  const auto *Var = cast<VarDecl>(Target->getDecl());
  const RecordDecl *Record = Var->getType()->getAsRecordDecl();
  const RecordDecl *Pointed =
      Pointee.isNull() ? nullptr : Pointee->getAsRecordDecl();
  if (Record && Pointed &&
      Pointed->getCanonicalDecl() == Record->getCanonicalDecl()) {
    RecordEscapes.push_back(
        {Target, cast<RecordDecl>(Record->getCanonicalDecl())});
    return;
  }
  recordWrite(Target, {Target->getLocation(), WriteKind::PointerTaken, Target});
}

void GlobalStateScan::noteRecordWrite(const Expr *Target) {
  // Every record an lvalue is part of: `a.b->c = x` writes objects of the
  // types of `a.b->c`, `*a.b` and `a`.
  const Expr *E = Target->IgnoreParenImpCasts();
  while (E) {
    if (const RecordDecl *Record = E->getType()->getAsRecordDecl())
      WrittenRecords.insert(cast<RecordDecl>(Record->getCanonicalDecl()));
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const Expr *Base = Member->getBase();
      QualType Type = Base->getType();
      if (Member->isArrow())
        Type = Type->getPointeeType();
      if (const RecordDecl *Record =
              Type.isNull() ? nullptr : Type->getAsRecordDecl())
        WrittenRecords.insert(cast<RecordDecl>(Record->getCanonicalDecl()));
      E = Base->IgnoreParenImpCasts();
    } else if (const auto *Element = dyn_cast<ArraySubscriptExpr>(E)) {
      E = Element->getBase()->IgnoreParenImpCasts();
    } else if (const auto *Deref = dyn_cast<UnaryOperator>(E);
               Deref && Deref->getOpcode() == UO_Deref) {
      E = Deref->getSubExpr()->IgnoreParenImpCasts();
    } else {
      E = nullptr;
    }
  }
}

void GlobalStateScan::noteRecordPointer(const Expr *Pointer) {
  QualType Pointee =
      Pointer->IgnoreParenImpCasts()->getType()->getPointeeType();
  if (Pointee.isNull() || Pointee.isConstQualified())
    return;
  if (const RecordDecl *Record = Pointee->getAsRecordDecl())
    WrittenRecords.insert(cast<RecordDecl>(Record->getCanonicalDecl()));
}

bool GlobalStateScan::isGlobal(const DeclRefExpr *Ref) {
  const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
  return Var && Var->hasGlobalStorage();
}

void GlobalStateScan::recordWrite(const DeclRefExpr *Target, WriteSite Site) {
  if (!isGlobal(Target))
    return;
  const VarDecl *Var = cast<VarDecl>(Target->getDecl())->getCanonicalDecl();
  keepEarliest(FirstWrites, Var, Site);
  AllWrites[Var].push_back(Site);
}

bool GlobalStateScan::changesVariable(StaticStateKind Kind, WriteKind Write) {
  // A type or static object handed to the C API (`PyObject_New(T, &Type)`,
  // `Py_INCREF(&obj)`) is not changed by the extension: the runtime
  // synchronises what it writes there.
  if (Kind != StaticStateKind::TypeObject &&
      Kind != StaticStateKind::StaticObject)
    return true;
  return Write == WriteKind::Modified || Write == WriteKind::ModifiedThrough;
}

const std::vector<ModuleInitInfo> &
GlobalStateScan::moduleInits(ASTContext &Ctx) {
  if (!ModuleInits)
    ModuleInits = Analyzer.findModuleInits(Ctx);
  return *ModuleInits;
}

bool GlobalStateScan::targetsSubinterpreters(ASTContext &Ctx) {
  bool Targets = targetsSubinterpretersHere(Ctx);
  if (Targets && !ModuleUnknown)
    Context.setModuleLoadableByInterpreters();
  return Targets;
}

bool GlobalStateScan::targetsSubinterpretersHere(ASTContext &Ctx) {
  if (std::optional<bool> Configured = Context.targetsSubinterpreters())
    return *Configured;
  // By default, what the module declares: only a module that several
  // interpreters can load shares its globals between them.
  bool SeenInit = false;
  for (const ModuleInitInfo &Init : moduleInits(Ctx)) {
    if (!Ctx.getSourceManager().isInMainFile(Init.Function->getLocation()))
      continue;
    SeenInit = true;
    if (Init.Kind == ModuleInitKind::SinglePhase)
      continue;
    if (Init.Kind == ModuleInitKind::MultiPhase && Init.Def && Init.Def->Slots)
      if (const ModuleSlot *Slot =
              Init.Def->Slots->find(ModuleSlotMultipleInterpreters))
        if (Slot->Value &&
            *Slot->Value == ModuleMultipleInterpretersNotSupported)
          continue;
    return true;
  }
  // Without an init function in this file the module is not known.
  ModuleUnknown = !SeenInit;
  return !SeenInit;
}

void GlobalStateScan::keepHazards(ASTContext &Ctx) {
  bool Interpreters = targetsSubinterpreters(Ctx);
  const SourceManager &SM = Ctx.getSourceManager();
  InitOnlyFields &Lifecycle = Context.initOnlyFields();
  Context.setPhaseCalls(callsByPhase(Ctx, Lifecycle, Context.callSites()));
  const PhaseCalls &Calls = Context.phaseCalls();
  std::vector<Candidate> Kept;
  for (Candidate &Found : Candidates) {
    const VarDecl *Var = Found.Var->getCanonicalDecl();
    std::set<std::string> Writers;
    bool WritersUncalled = ModuleUnknown;
    for (const WriteSite &Site : AllWrites.lookup(Var)) {
      if (!changesVariable(Found.Kind, Site.Kind) || !Site.Node)
        continue;
      // Outside any function (a static initializer) nothing runs later.
      const FunctionDecl *Function = enclosingFunction(Site.Node, Ctx);
      if (!Function || Lifecycle.isLifecycle(*Function, Ctx))
        continue;
      if (!Found.RunTimeWrite ||
          SM.isBeforeInTranslationUnit(Site.Loc, Found.RunTimeWrite->Loc))
        Found.RunTimeWrite = Site;
      std::string Name =
          Function->getIdentifier() ? Function->getName().str() : std::string();
      WritersUncalled &= Function->isExternallyVisible() && !Name.empty() &&
                         !Calls.AtInit.count(Name) &&
                         !Calls.AtRunTime.count(Name);
      Writers.insert(Name);
    }
    if (WritersUncalled && Found.RunTimeWrite)
      Found.UncalledWriters.assign(Writers.begin(), Writers.end());
    // A first-use fill already under a PyMutex is not a race.
    if (Found.RunTimeWrite && Found.Kind == StaticStateKind::ObjectPointer &&
        Found.Var->isStaticLocal()) {
      Found.Lazy = findLazyInit(*Found.Var, Ctx);
      if (Found.Lazy->Mutex || isPublishedCache(*Found.Var, Ctx))
        Found.RunTimeWrite.reset();
      else if (!Found.Lazy->Fill)
        Found.Publish = findPublishableFill(*Found.Var, Ctx);
    }
    // So is a file-scope one that an accessor publishes.
    if (Found.RunTimeWrite && Found.Kind == StaticStateKind::ObjectPointer &&
        Found.Var->isFileVarDecl()) {
      PublishableGlobal Global =
          findPublishableGlobal(*Found.Var, Ctx, Lifecycle);
      if (Global.Published)
        Found.RunTimeWrite.reset();
      else
        Found.PublishGlobal = std::move(Global);
    }
    if (Found.RunTimeWrite && Found.Kind == StaticStateKind::MutableData &&
        Found.Var->isStaticLocal()) {
      Found.Cache = findStaticCache(*Found.Var, Ctx);
      // Nor is a fill of number tables under a flag set once: the lock
      // serves every thread of every interpreter, and the numbers are the
      // same for all.
      if (Found.Cache->found() && Found.Cache->Mutex)
        continue;
    }
    // Plain C data is state only once something writes it.
    bool Shared = Found.Kind != StaticStateKind::MutableData ||
                  FirstWrites.count(Var) != 0;
    Found.SharedByInterpreters = Shared && Interpreters;
    if (Found.SharedByInterpreters || Found.RunTimeWrite)
      Kept.push_back(Found);
    else if (Shared)
      Finished->UnreportedShared.push_back(Found.Var);
  }
  Candidates = std::move(Kept);
}

void GlobalStateScan::recordWriteThrough(const DeclRefExpr *Pointer,
                                          WriteSite Site) {
  const auto *Var = dyn_cast<VarDecl>(Pointer->getDecl());
  if (Var && Var->hasLocalStorage())
    keepEarliest(WritesThrough, Var, Site);
}

void GlobalStateScan::keepEarliest(
    llvm::DenseMap<const VarDecl *, WriteSite> &Sites, const VarDecl *Var,
    WriteSite Site) {
  // Matches do not arrive in source order (a declaration is matched after
  // the statements of its scope): keep the earliest.
  auto [It, Inserted] = Sites.try_emplace(Var, Site);
  if (!Inserted && Context.getSourceManager().isBeforeInTranslationUnit(
                       Site.Loc, It->second.Loc))
    It->second = Site;
}

bool GlobalStateScan::isIgnored(llvm::StringRef Name) const {
  return IgnoreVariables && IgnoreVariables->match(Name);
}

void GlobalStateScan::dropImmortalTuples(ASTContext &Ctx) {
  if (!Types)
    return;
  llvm::SmallVector<const VarDecl *, 8> Tuples;
  for (const Candidate &Found : Candidates)
    if ((Found.Kind == StaticStateKind::StaticObject ||
         Found.Kind == StaticStateKind::ObjectPointers) &&
        !FirstWrites.count(Found.Var->getCanonicalDecl()) &&
        isImmortalStaticTuple(*Found.Var, *Types, Ctx, Context))
      Tuples.push_back(Found.Var);
  llvm::SmallPtrSet<const VarDecl *, 8> Unwritten =
      onlyAddressedByTables(Tuples, *Types, Ctx);
  llvm::erase_if(Candidates, [&](const Candidate &Found) {
    return Unwritten.count(Found.Var) != 0;
  });
}

void GlobalStateScan::dropUnsharedState(ASTContext &Ctx) {
  llvm::SmallVector<const VarDecl *, 8> Unwritten, Written;
  for (const Candidate &Found : Candidates) {
    bool IsWritten = FirstWrites.count(Found.Var->getCanonicalDecl()) != 0;
    // A lone object pointer nothing writes is kept: it is usually state
    // whose writes are still to come (or to be found by the reader).
    if (Found.Kind == StaticStateKind::ObjectPointers && !IsWritten)
      Unwritten.push_back(Found.Var);
    else if (Found.Kind == StaticStateKind::MutableData && IsWritten)
      Written.push_back(Found.Var);
  }
  llvm::SmallPtrSet<const VarDecl *, 8> Unshared;
  if (!Unwritten.empty())
    Unshared = onlyReadInPlace(Unwritten, Ctx, Context);
  if (!Written.empty() && SawMutexLock)
    for (const VarDecl *Var : alwaysUnderOneLock(Written, Ctx, Context))
      Unshared.insert(Var);
  llvm::erase_if(Candidates, [&](const Candidate &Found) {
    return Unshared.count(Found.Var) != 0;
  });
}

void GlobalStateScan::registerPPCallbacks(const SourceManager &SM,
                                          Preprocessor *PP) {
  if (CallbacksRegistered)
    return;
  CallbacksRegistered = true;
  Analyzer.registerPPCallbacks(SM, PP);
}

const GlobalStateScan::Results &GlobalStateScan::finish(ASTContext &Ctx) {
  if (Finished)
    return *Finished;
  Finished.emplace();
  for (const Alias &Taken : Aliases) {
    auto Through = WritesThrough.find(Taken.Pointer);
    if (Through == WritesThrough.end())
      continue;
    // The write happens when the code that takes the address runs (a
    // helper written through its parameter writes the global only when
    // called with it): that code decides the phase; the note shows the
    // store.
    WriteSite Site = Through->second;
    Site.Node = Taken.Target;
    recordWrite(Taken.Target, Site);
  }
  for (const RecordEscape &Escape : RecordEscapes)
    if (WrittenRecords.count(Escape.Record))
      recordWrite(Escape.Target, {Escape.Target->getLocation(),
                                  WriteKind::PointerTaken, Escape.Target});
  dropImmortalTuples(Ctx);
  dropUnsharedState(Ctx);
  keepHazards(Ctx);
  addLazyFillFixes(Ctx);
  addTableFillFixes(Ctx);
  addConstantTableFixes(Ctx);
  addCapsulePointerFixes(Ctx);
  if (ConvertToModuleState) {
    reportWithModuleState(Ctx);
    return *Finished;
  }
  for (const Candidate &Found : Candidates) {
    FindingBuilder Finding =
        diag(Found.Var->getLocation(),
             message(Found.Var, Found.Kind, Found.SharedByInterpreters,
                     Found.RunTimeWrite.has_value()));
    if (std::optional<WriteNote> Note = writeNote(Found))
      Finding.note(Note->first, Note->second);
    auto Fix = InPlaceFixes.find(Found.Var);
    if (Fix != InPlaceFixes.end() && Fix->second.ok()) {
      attachInPlaceFix(Finding, Found, Fix->second, Ctx);
    } else if (std::string Reason = Fix != InPlaceFixes.end()
                                        ? Fix->second.Reason
                                        : Found.inPlaceReason();
               !Reason.empty()) {
      Finding.noFix(inPlaceFailure(Found, Reason, /*Nor=*/false));
    } else {
      // Name the option that would fix it.
      Finding.noFix(
          Found.Kind == StaticStateKind::MutableData
              ? "the fix moves globals to the module state, or makes integer "
                "counters C11 atomics; enable it with the options "
                "gilport-global-state.ConvertToModuleState and AtomicCounters"
              : "the fix moves globals to the module state; enable it with the "
                "option gilport-global-state.ConvertToModuleState");
    }
    Finished->Findings.push_back(
        {Found.Var->getLocation(), markShared(Finding.take(), Found)});
  }
  return *Finished;
}

std::optional<GlobalStateScan::WriteNote>
GlobalStateScan::writeNote(const Candidate &Found) const {
  // A data race shows the write that races; shared state its first write,
  // except for types and objects, which are shared however they are used.
  std::optional<WriteSite> Write = Found.RunTimeWrite;
  if (Found.SharedByInterpreters) {
    Write.reset();
    auto First = FirstWrites.find(Found.Var->getCanonicalDecl());
    if (First != FirstWrites.end() &&
        Found.Kind != StaticStateKind::TypeObject &&
        Found.Kind != StaticStateKind::StaticObject)
      Write = First->second;
  }
  if (!Write)
    return std::nullopt;
  std::string Name = "'" + Found.Var->getName().str() + "'";
  switch (Write->Kind) {
  case WriteKind::Modified:
    return WriteNote(Write->Loc, Name + " is modified here");
  case WriteKind::PointerPassed:
    return WriteNote(Write->Loc,
                     Name + " may be modified through the pointer passed here");
  case WriteKind::ReferencePassed:
    return WriteNote(Write->Loc,
                     Name +
                         " may be modified through the reference passed here");
  case WriteKind::ModifiedThrough:
    return WriteNote(Write->Loc,
                     Name + " is modified here through a pointer to it");
  case WriteKind::PointerTaken:
    return WriteNote(Write->Loc,
                     Name + " may be modified through the pointer taken here");
  }
  return std::nullopt;
}

Finding GlobalStateScan::markShared(Finding Built,
                                    const Candidate &Found) const {
  // Written while in use, unless the functions that write it turn out to
  // run only at init.
  Built.SharedIfModuleAllows =
      ModuleUnknown && Found.SharedByInterpreters &&
      (!Found.RunTimeWrite || !Found.UncalledWriters.empty());
  Built.WrittenOnlyBy = Found.UncalledWriters;
  return Built;
}

FindingBuilder GlobalStateScan::diag(SourceLocation Loc,
                                     llvm::StringRef Message) {
  Finding Draft;
  Draft.Check = CheckName;
  Draft.Message = Message.str();
  return FindingBuilder(Context, Loc, std::move(Draft));
}

Finding GlobalStateScan::draft(const Candidate &Found) const {
  Finding Draft;
  Draft.Check = CheckName;
  Draft.Message = message(Found.Var, Found.Kind, Found.SharedByInterpreters,
                          Found.RunTimeWrite.has_value());
  return Draft;
}

void GlobalStateScan::reportWithModuleState(ASTContext &Ctx) {
  // The findings (keepHazards kept only those).
  std::vector<const Candidate *> Reported;
  std::vector<StateCandidate> StateCandidates;
  for (const Candidate &Found : Candidates) {
    Reported.push_back(&Found);
    StateCandidate State;
    State.Var = Found.Var;
    State.IsObject = Found.Kind == StaticStateKind::ObjectPointer;
    State.WrittenWhileInUse = Found.RunTimeWrite.has_value();
    auto Fix = InPlaceFixes.find(Found.Var);
    State.FixedInPlace = Fix != InPlaceFixes.end() && Fix->second.ok();
    if (Found.Kind == StaticStateKind::MutableData) {
      State.ProcessWide =
          ProcessWide && ProcessWide->match(Found.Var->getName());
      State.AtomicFallback = AtomicCounters;
    }
    switch (Found.Kind) {
    case StaticStateKind::ObjectPointers:
      State.NotMovable = "arrays and records of object pointers are not moved "
                         "automatically; move them by hand";
      break;
    case StaticStateKind::TypeObject:
      State.IsType = true;
      State.IsObject = true;
      break;
    case StaticStateKind::StaticObject:
      State.NotMovable = "statically allocated objects are not moved "
                         "automatically";
      break;
    default:
      break;
    }
    StateCandidates.push_back(State);
  }
  // Shared state that is not reported stays where it is, but keeps the
  // conversion from declaring per-interpreter support (after the findings,
  // so that the plan's outcomes still line up with them).
  for (const VarDecl *Var : Finished->UnreportedShared) {
    StateCandidate State;
    State.Var = Var;
    State.NotMovable = "it is not a hazard for the module's targets";
    StateCandidates.push_back(State);
  }
  if (Reported.empty())
    return;

  // The module of this file: its only init function.
  std::optional<ModuleInitInfo> Module;
  std::string NoModule = "no module init function in this file";
  for (const ModuleInitInfo &Init : moduleInits(Ctx)) {
    if (!Ctx.getSourceManager().isInMainFile(Init.Function->getLocation()))
      continue;
    if (Module) {
      NoModule = "the file defines more than one module";
      Module.reset();
      break;
    }
    Module = Init;
  }
  std::optional<ModuleStatePlan> Plan;
  if (Module) {
    DeclaredSlots Declared;
    if (Module->Def && Module->Def->Slots) {
      const ModuleSlotsInfo &Slots = *Module->Def->Slots;
      Declared.Gil = Analyzer.declaresSlot(Slots, ModuleSlotGil, "Py_mod_gil",
                                           Ctx);
      Declared.MultipleInterpreters = Analyzer.declaresSlot(
          Slots, ModuleSlotMultipleInterpreters, "Py_mod_multiple_interpreters",
          Ctx);
    }
    Plan = planModuleState(*Module, StateCandidates, Declared, Ctx);
  } else {
    Plan = planAtomicCounters(StateCandidates, NoModule, Ctx);
  }

  // Both fix sets, mapped to files as the findings' own fixes are. As
  // before this scan was shared, the conversion is offered only when the
  // first finding is reported (not suppressed, in the user's code).
  auto Mapped = [&](const Rewrite &Edits, std::string &Problem) {
    SourceLocation Loc = Reported.front()->Var->getLocation();
    if (!Context.wouldReport(Loc, CheckName))
      return std::vector<tooling::Replacement>();
    FindingBuilder Builder(Context, Loc, draft(*Reported.front()));
    for (const FixItHint &Hint : Edits.Hints)
      Builder.fix(Hint);
    Finding Built = Builder.take();
    Problem = Built.NoFixReason;
    return Built.Fixes;
  };
  std::string Problem;
  if (Plan && Plan->converts()) {
    ModuleStateFixes Fixes;
    Fixes.Init = Module ? Module->Function : nullptr;
    Fixes.Complete = Plan->Complete;
    Fixes.Fixes = Mapped(Plan->Edits, Problem);
    Fixes.FixesWithoutGil = Mapped(Plan->EditsWithoutGil, Problem);
    if (!Fixes.Fixes.empty() && !Fixes.FixesWithoutGil.empty())
      Finished->StateFixes = std::move(Fixes);
  }

  for (size_t I = 0; I < Reported.size(); ++I) {
    const Candidate &Found = *Reported[I];
    Finding Draft = draft(Found);
    const StateVariableOutcome *Outcome =
        Plan && I < Plan->Outcomes.size() ? &Plan->Outcomes[I] : nullptr;
    std::vector<std::pair<SourceLocation, std::string>> Notes;
    if (std::optional<WriteNote> Note = writeNote(Found))
      Notes.push_back(*Note);
    auto FixIt = InPlaceFixes.find(Found.Var);
    const Rewrite *InPlaceFix =
        FixIt != InPlaceFixes.end() ? &FixIt->second : nullptr;
    const std::optional<ModuleStateFixes> &StateFixes = Finished->StateFixes;
    if (StateFixes && Outcome && Outcome->Moved) {
      Draft.Fixes = StateFixes->Fixes;
      // Atomics alone declare nothing.
      if (StateFixes->FixesWithoutGil != StateFixes->Fixes)
        Draft.FixesWithoutGilDeclaration = StateFixes->FixesWithoutGil;
      if (Outcome->Atomic)
        Notes.emplace_back(Found.Var->getLocation(),
                           "'" + Found.Var->getName().str() +
                               "' is made a process-wide C11 atomic");

    } else if (InPlaceFix && InPlaceFix->ok()) {
      // Not moved, but the race is fixed where it is.
    } else {
      std::string Reason = !Problem.empty() ? Problem
                           : Outcome        ? Outcome->Reason
                                            : std::string();
      if (Reason.empty())
        Reason = "the module state conversion failed";
      Draft.NoFixReason = "not moved to the module state: " + Reason;
      // A racing fill also says why it is not fixed where it is.
      std::string InPlace =
          InPlaceFix ? InPlaceFix->Reason : Found.inPlaceReason();
      if (!InPlace.empty())
        Draft.NoFixReason += inPlaceFailure(Found, InPlace, /*Nor=*/true);
      if (Outcome && Outcome->Where.isValid())
        Notes.emplace_back(Outcome->Where, Draft.NoFixReason);
    }
    FindingBuilder Builder(Context, Found.Var->getLocation(),
                           std::move(Draft));
    for (const auto &[Loc, Text] : Notes)
      Builder.note(Loc, Text);
    if (InPlaceFix && InPlaceFix->ok() &&
        !(StateFixes && Outcome && Outcome->Moved))
      attachInPlaceFix(Builder, Found, *InPlaceFix, Ctx);
    Finished->Findings.push_back(
        {Found.Var->getLocation(), markShared(Builder.take(), Found)});
  }
}

} // namespace gilport
