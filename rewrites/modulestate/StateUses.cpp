//===--- StateUses.cpp ----------------------------------------------------===//
//
// Where the candidates are used, and whether each may move: every
// reference the compiler saw (UseCollector), the names it did not see (in
// inactive preprocessor branches, found with the raw lexer), and
// checkVariable()/checkType() on each.
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

namespace gilport {
namespace modulestate {

using namespace clang;

bool UseCollector::TraverseFunctionDecl(FunctionDecl *F) {
  const FunctionDecl *Saved = Function;
  Function = F;
  bool Result = RecursiveASTVisitor::TraverseFunctionDecl(F);
  Function = Saved;
  return Result;
}

bool UseCollector::TraverseVarDecl(VarDecl *V) {
  if (!V->isFileVarDecl())
    return RecursiveASTVisitor::TraverseVarDecl(V);
  const VarDecl *Saved = Global;
  Global = V;
  bool Result = RecursiveASTVisitor::TraverseVarDecl(V);
  Global = Saved;
  return Result;
}

bool UseCollector::VisitDeclRefExpr(DeclRefExpr *Ref) {
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

bool UseCollector::VisitNamedDecl(NamedDecl *D) {
  spelled(D->getLocation());
  return true;
}

bool UseCollector::VisitMemberExpr(MemberExpr *Member) {
  spelled(Member->getMemberLoc());
  return true;
}

void UseCollector::spelled(SourceLocation Loc) {
  Loc = SM.getSpellingLoc(Loc);
  if (Loc.isValid() && SM.isInMainFile(Loc))
    Spelled.insert(SM.getFileOffset(Loc));
}

void ModuleStatePlanner::collectUses() {
  llvm::DenseSet<const VarDecl *> Wanted;
  for (const StateCandidate &C : Candidates)
    Wanted.insert(C.Var->getCanonicalDecl());
  Uses = std::make_unique<UseCollector>(Wanted, SM);
  Uses->TraverseDecl(Ctx.getTranslationUnitDecl());
  findHiddenUses();
}

void ModuleStatePlanner::findHiddenUses() {
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

std::string ModuleStatePlanner::checkHiddenUses(const VarDecl *Var, bool IsType,
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

std::string ModuleStatePlanner::checkVariable(const StateCandidate &Candidate,
                                              SourceLocation &Where) {
  const VarDecl *Var = Candidate.Var;
  std::string Name = quoted(Var);
  if (!Candidate.NotMovable.empty())
    return Candidate.NotMovable;
  if (Candidate.FixedInPlace)
    return Name + " is fixed where it is";
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
  // Module state does not end a race between the module's threads.
  if (Candidate.WrittenWhileInUse &&
      !(Candidate.AtomicFallback && checkAtomic(Candidate, true).empty()))
    return Name +
           " is written while the module is in use, and the module's threads "
           "share its state as well: moved there, it would still race";
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

std::string ModuleStatePlanner::checkType(const StateCandidate &Candidate,
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

} // namespace modulestate
} // namespace gilport
