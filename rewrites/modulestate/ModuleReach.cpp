//===--- ModuleReach.cpp --------------------------------------------------===//
//
// How each function reaches the module, and so the state: the exec (or
// single-phase init) function has it, the functions of the method table
// get it as their first parameter, the definition's m_traverse, m_clear and
// m_free too, a slot of a converted type asks the type, and a static helper
// called only from those gets it as a new parameter (threadHelpers()).
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "analysis/AstQueries.h"
#include "analysis/Parents.h"
#include "rewrites/GilDeclarationFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <initializer_list>

namespace gilport {
namespace modulestate {

using namespace clang;

std::string ModuleStatePlanner::checkModule() {
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

void ModuleStatePlanner::findModuleFunctions() {
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

ModuleAccess ModuleStatePlanner::baseAccess(const FunctionDecl *F) {
  ModuleAccess Access;
  if (F->getCanonicalDecl() == Exec->getCanonicalDecl()) {
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

ModuleAccess ModuleStatePlanner::accessFrom(const FunctionDecl *F) {
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

const CallExpr *ModuleStatePlanner::directCall(const DeclRefExpr *Ref) {
  const Expr *Callee = Ref;
  while (true) {
    DynTypedNodeList Parents = parentsOf(*Callee, Ctx);
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

bool ModuleStatePlanner::isUserStateFunction(const FunctionDecl *F) const {
  return llvm::any_of(
      std::initializer_list<const FunctionDecl *>{UserTraverse, UserClear,
                                                  UserFree},
      [&](const FunctionDecl *D) {
        return D && D->getCanonicalDecl() == F->getCanonicalDecl();
      });
}

bool ModuleStatePlanner::isModuleParameterOf(const Expr *E,
                                             const FunctionDecl *F) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  return Ref && F->getNumParams() > 0 && Ref->getDecl() == F->getParamDecl(0);
}

std::string ModuleStatePlanner::userStateModule(const FunctionDecl *F) {
  const ParmVarDecl *Param = F->getParamDecl(0);
  return Param->getType()->isVoidPointerType()
             ? "(PyObject *)" + Param->getName().str()
             : Param->getName().str();
}

void ModuleStatePlanner::findHelpers() {
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

std::string ModuleStatePlanner::threadHelpers(Rewrite &Result) {
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

} // namespace modulestate
} // namespace gilport
