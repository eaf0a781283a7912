//===--- CriticalSectionFix.cpp -------------------------------------------===//

#include "rewrites/CriticalSectionPlanner.h"
#include "analysis/AstQueries.h"
#include "analysis/NewReferences.h"
#include "analysis/Parents.h"
#include "analysis/SectionSuspension.h"
#include "analysis/SourceRanges.h"
#include "rewrites/ContainerUses.h"
#include "rewrites/ItemReferences.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

#include <functional>
#include <map>
#include <optional>
#include <set>

namespace gilport {

using namespace clang;

namespace {

/// Where a statement sits: its enclosing blocks, outermost first, each with
/// the index of the child that holds the statement.
using BlockPath = std::vector<std::pair<const CompoundStmt *, unsigned>>;

struct Region {
  /// Statements that must be inside the section.
  std::vector<const Stmt *> Anchors;
  /// The containers, in order of first access.
  std::vector<std::string> Keys;
  std::vector<std::string> Texts;
  /// The variable each container is reached through.
  std::vector<const VarDecl *> Roots;
  /// Indices of the accesses the section guards.
  std::vector<size_t> Members;
  bool HasDictLoop = false;
  /// The strong references the code takes to items it uses across calls
  /// that can suspend the section.
  ItemReferences Holds;
  /// The span: Block's children First..Last.
  const CompoundStmt *Block = nullptr;
  unsigned First = 0, Last = 0;
};

class Planner {
public:
  Planner(const FunctionDecl &Function, ASTContext &Ctx)
      : Function(Function), Ctx(Ctx), SM(Ctx.getSourceManager()),
        LO(Ctx.getLangOpts()) {}

  std::vector<Rewrite> plan(llvm::ArrayRef<ContainerAccess> Accesses);

private:
  const Stmt *parentOf(const Stmt *S) const {
    auto Parents = parentsOf(*S, Ctx);
    return Parents.empty() ? nullptr : Parents[0].get<Stmt>();
  }
  /// Also climbs through declarations (`T *v = init;`).
  const Stmt *statementParentOf(const Stmt *S) const {
    auto Parents = parentsOf(*S, Ctx);
    if (Parents.empty())
      return nullptr;
    if (const auto *P = Parents[0].get<Stmt>())
      return P;
    if (const auto *D = Parents[0].get<Decl>()) {
      auto DeclParents = parentsOf(*D, Ctx);
      return DeclParents.empty() ? nullptr : DeclParents[0].get<Stmt>();
    }
    return nullptr;
  }
  BlockPath pathOf(const Stmt *S) const;
  bool computeSpan(Region &R) const;
  bool spanHolds(const Region &R, const Stmt *S) const;
  bool intersect(const Region &A, const Region &B) const;
  std::string initialAnchor(const ContainerAccess &Access, Region &R);
  std::string dictLoopAnchor(const ContainerAccess &Access, Region &R);
  std::string extend(Region &R);
  std::string validate(Region &R) const;
  /// Plans strong references (into R.Holds) to the items of \p Key that the
  /// code uses after, or hands to, a call that can suspend the section
  /// (\p ItemVars, and the key and value its PyDict_Next calls give).
  /// Returns why the section would not guard them otherwise, else "".
  std::string
  holdSuspendedItems(Region &R, llvm::StringRef Key,
                     const std::set<const VarDecl *> &ItemVars) const;
  /// Why the code's reads of \p Key's items (or of its item array in one of
  /// \p ItemVars) can outlive a size check: a call that can suspend the
  /// section runs between them and no check follows. Else "".
  std::string staleReads(const Region &R, llvm::StringRef Key,
                         const std::set<const VarDecl *> &ItemVars) const;
  /// Whether \p DS, in the code to guard, can declare its variable before
  /// the section instead, leaving an assignment (`PyObject *r =
  /// PyList_New(n);` -> `PyObject *r;` ... `r = PyList_New(n);`).
  bool hoistable(const DeclStmt *DS) const;
  /// The range `PyObject *r` of such a declaration.
  std::optional<CharSourceRange> declaratorText(const DeclStmt *DS) const;
  std::vector<FixItHint> hintsFor(const Region &R, std::string &Why) const;
  /// The text that replaces \p Exit: \p Jump, after the references the
  /// blocks it leaves release, in braces where it is not in a block.
  std::string exitText(const Stmt *Exit, const std::string &Jump,
                       const Region &R) const;
  mutable SectionSuspension Suspensions;
  bool survivesSection(const Expr *Value, SourceLocation Begin,
                       SourceLocation End) const;

  const FunctionDecl &Function;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LO;
  /// \p Base, or `Base_2`, ...: a name for an exit flag or label that
  /// neither the function nor another of its sections uses.
  std::string freshName(llvm::StringRef Base) const {
    std::string Name = Base.str();
    for (unsigned N = 2;
         UsedNames.count(Name) || declaresOrUsesName(&Function, Name); ++N)
      Name = (Base + "_" + llvm::Twine(N)).str();
    UsedNames.insert(Name);
    return Name;
  }
  /// The names of the exit flags and labels used in the function so far.
  mutable std::set<std::string> UsedNames;
};

BlockPath Planner::pathOf(const Stmt *S) const {
  BlockPath Path;
  const Stmt *Child = S;
  while (const Stmt *P = statementParentOf(Child)) {
    if (const auto *Block = dyn_cast<CompoundStmt>(P)) {
      unsigned Index = 0;
      for (const Stmt *Item : Block->body()) {
        if (Item == Child)
          break;
        ++Index;
      }
      Path.push_back({Block, Index});
    }
    if (P == Function.getBody())
      break;
    Child = P;
  }
  std::reverse(Path.begin(), Path.end());
  return Path;
}

bool Planner::computeSpan(Region &R) const {
  std::vector<BlockPath> Paths;
  for (const Stmt *Anchor : R.Anchors) {
    Paths.push_back(pathOf(Anchor));
    if (Paths.back().empty())
      return false;
  }
  // The deepest block on every path.
  size_t Depth = 0;
  while (llvm::all_of(Paths, [&](const BlockPath &P) {
    return Depth < P.size() && P[Depth].first == Paths[0][Depth].first;
  }))
    ++Depth;
  if (Depth == 0)
    return false;
  R.Block = Paths[0][Depth - 1].first;
  R.First = ~0u;
  R.Last = 0;
  for (const BlockPath &P : Paths) {
    R.First = std::min(R.First, P[Depth - 1].second);
    R.Last = std::max(R.Last, P[Depth - 1].second);
  }
  return R.Last < R.Block->size();
}

bool Planner::spanHolds(const Region &R, const Stmt *S) const {
  for (const auto &[Block, Index] : pathOf(S))
    if (Block == R.Block)
      return R.First <= Index && Index <= R.Last;
  return false;
}

bool Planner::intersect(const Region &A, const Region &B) const {
  if (A.Block == B.Block)
    return !(A.Last < B.First || B.Last < A.First);
  return spanHolds(A, B.Block->body_begin()[B.First]) ||
         spanHolds(B, A.Block->body_begin()[A.First]);
}

std::string Planner::dictLoopAnchor(const ContainerAccess &Access, Region &R) {
  // The loop whose condition holds the call, or an `if` whose condition is
  // the call: one step (`if (PyDict_Next(d, &pos, &key, NULL))` for the
  // first key).
  const Stmt *Child = Access.Node;
  const Stmt *Loop = nullptr;
  while (const Stmt *P = parentOf(Child)) {
    if (const auto *If = dyn_cast<IfStmt>(P)) {
      if (If->getCond() == Child &&
          If->getCond()->IgnoreParenImpCasts() == Access.Node)
        Loop = P;
      break;
    }
    if (const auto *While = dyn_cast<WhileStmt>(P)) {
      if (While->getCond() == Child)
        Loop = P;
      break;
    }
    if (const auto *For = dyn_cast<ForStmt>(P)) {
      if (For->getCond() == Child)
        Loop = P;
      break;
    }
    if (!isa<Expr>(P))
      break;
    Child = P;
  }
  if (!Loop)
    return "'PyDict_Next' is not the condition of a 'while' or 'for' loop, "
           "nor the whole condition of an 'if'; wrap the iteration by hand";
  // After one step, the key and value it borrowed must not be used outside
  // the section.
  if (const auto *Call = dyn_cast<CallExpr>(Access.Node);
      Call && isa<IfStmt>(Loop))
    for (unsigned I = 2; I < Call->getNumArgs() && I < 4; ++I) {
      const VarDecl *Var = namedVariable(Call->getArg(I));
      if (!Var || !Var->hasLocalStorage())
        continue;
      SourceLocation After = SM.getExpansionLoc(Loop->getEndLoc());
      for (const DeclRefExpr *Ref : referencesTo(*Var, Function.getBody()))
        if (SM.isBeforeInTranslationUnit(
                After, SM.getExpansionLoc(Ref->getBeginLoc())))
          return "'" + Var->getName().str() +
                 "', which 'PyDict_Next' borrowed from the dict, is used "
                 "after the 'if', where the dict's lock would no longer keep "
                 "it alive";
    }
  if (containerKey(Access.Container).empty())
    return "the dict is not a variable or a field, so it cannot be named in "
           "the critical section";
  const Stmt *Parent = parentOf(Loop);
  if (!Parent || !isa<CompoundStmt>(Parent))
    return "the loop is not a statement of its own in a block";
  std::optional<SourceLocation> Begin = statementBegin(*Loop, SM, LO);
  std::optional<SourceLocation> End = statementEnd(*Loop, SM, LO);
  if (!Begin || !End || Begin->isMacroID() || End->isMacroID())
    return "the loop is spelled through a macro";
  R.Anchors.push_back(Loop);
  R.HasDictLoop = true;
  return "";
}

std::string Planner::initialAnchor(const ContainerAccess &Access, Region &R) {
  std::string Key = containerKey(Access.Container);
  std::optional<CharSourceRange> Spelled =
      fileRangeOf(stripCasts(Access.Container)->getSourceRange(), SM, LO);
  std::string Why;
  if (Access.IsDictNext) {
    Why = dictLoopAnchor(Access, R);
  } else if (Key.empty()) {
    Why = "the container is not a variable or a field, so it cannot be "
          "named in the critical section";
  } else {
    // The innermost loop around the access, so that the section is entered
    // once and holds the loop's bound check; else the statement itself.
    const Stmt *Child = Access.Node;
    const Stmt *Statement = nullptr;
    const Stmt *Loop = nullptr;
    while (const Stmt *P = statementParentOf(Child)) {
      if (!Statement && isa<CompoundStmt>(P))
        Statement = Child;
      if (isa<ForStmt, WhileStmt, DoStmt>(P)) {
        Loop = P;
        break;
      }
      if (P == Function.getBody())
        break;
      Child = P;
    }
    // A loop that sets the container (`fast = PySequence_Fast(...)` each
    // time around) cannot be the section; the statement can.
    const VarDecl *Root = keyRoot(Access.Container);
    auto DeclaredIn = [&](const Stmt *S) {
      SourceLocation At = SM.getExpansionLoc(Root->getLocation());
      return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(S->getBeginLoc()),
                                          At) &&
             SM.isBeforeInTranslationUnit(At,
                                          SM.getExpansionLoc(S->getEndLoc()));
    };
    if (Loop && !assignsContainer(Loop, Key) && !DeclaredIn(Loop))
      R.Anchors.push_back(Loop);
    else if (Statement)
      R.Anchors.push_back(Statement);
    else
      Why = "the access is not in a statement of a block";
  }
  if (Why.empty() && !Spelled)
    Why = "the container is spelled through a macro, so it cannot be named "
          "in the critical section";
  if (!Why.empty())
    return Why;
  R.Keys.push_back(Key);
  R.Texts.push_back(Lexer::getSourceText(*Spelled, SM, LO).str());
  R.Roots.push_back(keyRoot(Access.Container));
  return "";
}

/// Pulls into the section what it relies on: the statements that compute a
/// variable holding the container's size, its item array or an item, when
/// the section uses that variable, and every use of a variable holding its
/// item array or an item.
std::string Planner::extend(Region &R) {
  struct Derived {
    const VarDecl *Var;
    Use Kind;
    std::vector<const Stmt *> Assignments;
    std::vector<const Stmt *> Mentions;
  };
  for (const std::string &Key : R.Keys) {
    std::map<const VarDecl *, Derived> Vars;
    std::function<void(const Stmt *)> Visit = [&](const Stmt *S) {
      if (!S)
        return;
      const VarDecl *Target = nullptr;
      const Expr *Value = nullptr;
      if (const auto *Assign = dyn_cast<BinaryOperator>(S);
          Assign && Assign->getOpcode() == BO_Assign) {
        Target = localVar(Assign->getLHS());
        Value = Assign->getRHS();
      } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
        for (const Decl *D : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(D);
              V && V->hasLocalStorage() && V->getInit()) {
            Target = V;
            Value = V->getInit();
          }
      }
      if (Target && Value) {
        const auto *Call = dyn_cast<CallExpr>(stripCasts(Value));
        bool NewReference =
            Call && llvm::is_contained(NewRefFunctions, calleeName(Call));
        Use Kind = useOf(Value, Key);
        // Only a pointer can hold an item or the item array; a number
        // computed from them is just a value.
        if (Kind == Use::Item && !Target->getType()->isPointerType())
          Kind = Use::Size;
        // A value computed from one (`result = PyList_New(n)` after `n =
        // PyDict_Size(d)`) relies on the container's state too: the loop
        // that fills it must see the size it was made for.
        if (Kind == Use::None && llvm::any_of(Vars, [&](const auto &Entry) {
              return Entry.first != Target &&
                     mentionsVariable(Value, Entry.first);
            }))
          Kind = Use::Size;
        if (Kind != Use::None && !NewReference) {
          Derived &D = Vars[Target];
          D.Var = Target;
          D.Kind = std::max(D.Kind, Kind);
          D.Assignments.push_back(S);
        }
      }
      for (const Stmt *Child : S->children())
        Visit(Child);
    };
    Visit(Function.getBody());
    for (auto &[Var, D] : Vars) {
      std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
        if (!S)
          return;
        if (const auto *Ref = dyn_cast<DeclRefExpr>(S);
            Ref && Ref->getDecl() == Var)
          D.Mentions.push_back(S);
        for (const Stmt *Child : S->children())
          Find(Child);
      };
      Find(Function.getBody());
    }
    // To a fixpoint: every addition can widen the span.
    for (bool Changed = true; Changed;) {
      Changed = false;
      if (!computeSpan(R))
        return "the section's statements are not in one block";
      for (auto &[Var, D] : Vars) {
        bool Touched = llvm::any_of(
            D.Mentions, [&](const Stmt *S) { return spanHolds(R, S); });
        if (D.Kind == Use::Item)
          Touched |= llvm::any_of(
              D.Assignments, [&](const Stmt *S) { return spanHolds(R, S); });
        if (!Touched)
          continue;
        std::vector<const Stmt *> Needed = D.Assignments;
        if (D.Kind == Use::Item)
          Needed.insert(Needed.end(), D.Mentions.begin(), D.Mentions.end());
        for (const Stmt *S : Needed)
          if (!spanHolds(R, S)) {
            R.Anchors.push_back(S);
            Changed = true;
          }
      }
      // A statement right before that reads the size (`if (PyList_GET_SIZE
      // (l) == 0) return NULL;`) is a check the section's reads rely on.
      if (!Changed && R.First > 0 &&
          useOf(R.Block->body_begin()[R.First - 1], Key) != Use::None) {
        R.Anchors.push_back(R.Block->body_begin()[R.First - 1]);
        Changed = true;
      }
    }
  }
  return "";
}

std::optional<CharSourceRange>
Planner::declaratorText(const DeclStmt *DS) const {
  const auto *V = cast<VarDecl>(DS->getSingleDecl());
  SourceLocation Begin = DS->getBeginLoc();
  SourceLocation NameEnd =
      Lexer::getLocForEndOfToken(V->getLocation(), 0, SM, LO);
  if (Begin.isMacroID() || V->getLocation().isMacroID() ||
      NameEnd.isInvalid() || SM.getFileID(Begin) != SM.getFileID(NameEnd))
    return std::nullopt;
  return CharSourceRange::getCharRange(Begin, NameEnd);
}

std::string
Planner::holdSuspendedItems(Region &R, llvm::StringRef Key,
                            const std::set<const VarDecl *> &ItemVars) const {
  llvm::ArrayRef<Stmt *> Body(R.Block->body_begin(), R.Block->body_end());
  std::vector<const Stmt *> Code(Body.begin() + R.First,
                                 Body.begin() + R.Last + 1);
  llvm::SmallPtrSet<const VarDecl *, 8> Items(ItemVars.begin(), ItemVars.end());
  HeldItems Found = ownHeldItems(
      Code, Items, [&](const Expr &E) { return useOf(&E, Key) == Use::Item; },
      [&](const CallExpr &Call) {
        return calleeName(&Call) == "PyDict_Next" && Call.getNumArgs() == 4 &&
               containerKey(Call.getArg(0)) == Key;
      },
      Suspensions, Ctx, R.Holds);
  if (Found.Why.empty())
    return "";
  const HeldItem &First = Found.Held.front();
  return "the code to guard calls '" + First.Suspended.spelledName(SM, LO) +
         "', which " + First.Suspended.Reason + ", while it still uses " +
         (First.Item ? "'" + First.Item->getName().str() + "'"
                     : std::string("an item it reads")) +
         ", an item of the container: the section is suspended during the "
         "call, and another thread can remove and free the item; take a "
         "strong reference to it (Py_INCREF) before the call, then add the "
         "section (not automatic: " +
         Found.Why + ")";
}

std::string
Planner::staleReads(const Region &R, llvm::StringRef Key,
                    const std::set<const VarDecl *> &ItemVars) const {
  llvm::ArrayRef<Stmt *> Body(R.Block->body_begin(), R.Block->body_end());
  std::vector<const CallExpr *> Suspending;
  std::vector<const Stmt *> Reads;
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *Call = dyn_cast<CallExpr>(S);
        Call && !Suspensions.reasonFor(*Call, Ctx).empty())
      Suspending.push_back(Call);
    if (isa<CallExpr, MemberExpr>(S) && useOf(S, Key) == Use::Item &&
        llvm::none_of(S->children(), [&](const Stmt *Child) {
          return useOf(Child, Key) == Use::Item;
        }))
      Reads.push_back(S);
    for (const Stmt *Child : S->children())
      Walk(Child);
  };
  for (unsigned I = R.First; I <= R.Last; ++I)
    Walk(Body[I]);
  if (Suspending.empty())
    return "";
  auto Offset = [&](SourceLocation Loc) { return expansionOffset(Loc, SM); };
  Suspender First{Suspending.front(),
                  Suspensions.reasonFor(*Suspending.front(), Ctx)};
  std::string Call = "'" + First.spelledName(SM, LO) + "'";
  std::string Suspends = ", which " + First.Reason +
                         ": the section is suspended during the call, and "
                         "another thread can ";
  for (const VarDecl *V : ItemVars)
    if (holdsItemArray(*V))
      return "the code to guard keeps the item array '" + V->getName().str() +
             "' across calls such as " + Call + Suspends +
             "resize the container and free the array";
  for (const Stmt *Read : Reads) {
    if (llvm::any_of(Suspending, [&](const CallExpr *C) {
          return Offset(C->getEndLoc()) < Offset(Read->getBeginLoc());
        }))
      return "the code to guard reads an item of the container after " + Call +
             Suspends + "shrink the container meanwhile";
    // A loop around the read that makes such a call must check the index
    // again each time round.
    for (const Stmt *P = statementParentOf(Read); P && P != R.Block;
         P = statementParentOf(P)) {
      const Expr *Cond = nullptr;
      if (const auto *For = dyn_cast<ForStmt>(P))
        Cond = For->getCond();
      else if (const auto *While = dyn_cast<WhileStmt>(P))
        Cond = While->getCond();
      else if (const auto *Do = dyn_cast<DoStmt>(P))
        Cond = Do->getCond();
      else
        continue;
      bool Calls = llvm::any_of(Suspending, [&](const CallExpr *C) {
        return Offset(P->getBeginLoc()) <= Offset(C->getBeginLoc()) &&
               Offset(C->getEndLoc()) <= Offset(P->getEndLoc());
      });
      if (Calls && useOf(Cond, Key) != Use::Size)
        return "the loop reads items at an index that its condition does not "
               "check against the container's size again, and it calls " +
               Call + Suspends + "shrink the container meanwhile";
    }
  }
  return "";
}

bool Planner::hoistable(const DeclStmt *DS) const {
  const auto *V =
      DS->isSingleDecl() ? dyn_cast<VarDecl>(DS->getSingleDecl()) : nullptr;
  return V && !LO.CPlusPlus && V->hasLocalStorage() && V->getInit() &&
         !isa<InitListExpr>(V->getInit()) && !V->getType().isConstQualified() &&
         !V->getType()->isArrayType() && declaratorText(DS).has_value();
}

std::string Planner::validate(Region &R) const {
  llvm::ArrayRef<Stmt *> Body(R.Block->body_begin(), R.Block->body_end());
  for (const std::string &Key : R.Keys)
    for (unsigned I = R.First; I <= R.Last; ++I) {
      bool Assigned = assignsContainer(Body[I], Key);
      if (Assigned)
        return "the container is assigned inside the code to guard";
      if (releasesContainer(Body[I], Key))
        return "the code to guard releases the container (or passes its "
               "address on), which would free the object whose lock the "
               "section holds";
    }
  // An item read in the section is valid only while the section holds: its
  // index must be checked against the size read inside it (not a size kept
  // from earlier), and the item must not be kept where it outlives it.
  for (const std::string &Key : R.Keys) {
    std::set<const VarDecl *> ItemVars;
    Uses Found;
    for (unsigned I = R.First; I <= R.Last; ++I) {
      collectUses(Body[I], Key, Found);
      if (const BinaryOperator *Away = storesItemAway(Body[I], Key, ItemVars)) {
        std::optional<CharSourceRange> Where =
            fileRangeOf(Away->getLHS()->getSourceRange(), SM, LO);
        return "an item is stored in " +
               (Where ? "'" + Lexer::getSourceText(*Where, SM, LO).str() + "'"
                      : std::string("a field or through a pointer")) +
               ", where it outlives the critical section and another thread "
               "can remove and free it; keep a strong reference there "
               "instead";
      }
    }
    if (Found.Item && !Found.Size)
      return "no size of the container is read in the code to guard, so "
             "the index it reads at was checked before the section (or "
             "never), and another thread can shrink the container in "
             "between; check the index against the size inside the section";
    if (std::string Why = staleReads(R, Key, ItemVars); !Why.empty())
      return Why;
    if (std::string Why = holdSuspendedItems(R, Key, ItemVars); !Why.empty())
      return Why;
  }
  // The section names the container before its first statement.
  SourceLocation Start = SM.getExpansionLoc(Body[R.First]->getBeginLoc());
  for (const VarDecl *Root : R.Roots)
    if (Root && !SM.isBeforeInTranslationUnit(
                    SM.getExpansionLoc(Root->getLocation()), Start))
      return "the container is declared inside the code to guard";
  // The macros open a block: declarations inside end with it.
  for (unsigned I = R.First; I <= R.Last; ++I) {
    const auto *DS = dyn_cast<DeclStmt>(Body[I]);
    if (!DS)
      continue;
    for (const Decl *D : DS->decls()) {
      const auto *V = dyn_cast<VarDecl>(D);
      if (!V || hoistable(DS))
        continue;
      for (unsigned J = R.Last + 1; J < Body.size(); ++J)
        if (mentionsVariable(Body[J], V))
          return "'" + V->getName().str() +
                 "' is declared in the code to guard and used after it";
    }
  }
  return "";
}

/// Whether \p Value, returned from inside the section, has the same value
/// when the `return` is moved after the section's end: a constant, a
/// variable declared outside the section, the address of a global
/// (Py_None), or a new reference to one (Py_RETURN_NONE before 3.12).
bool Planner::survivesSection(const Expr *Value, SourceLocation Begin,
                              SourceLocation End) const {
  const Expr *E = Value->IgnoreParenCasts();
  if (E->isEvaluatable(Ctx))
    return true;
  if (const auto *Call = dyn_cast<CallExpr>(E);
      Call && Call->getNumArgs() == 1 &&
      llvm::is_contained(NewRefFunctions, calleeName(Call)))
    E = Call->getArg(0)->IgnoreParenCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(E);
      U && U->getOpcode() == UO_AddrOf) {
    const auto *Ref = dyn_cast<DeclRefExpr>(U->getSubExpr()->IgnoreParens());
    const auto *V = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return V && V->hasGlobalStorage();
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  if (!Ref)
    return false;
  if (isa<EnumConstantDecl>(Ref->getDecl()))
    return true;
  const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
  if (!V)
    return false;
  SourceLocation Declared = SM.getExpansionLoc(V->getLocation());
  return !(SM.isBeforeInTranslationUnit(Begin, Declared) &&
           SM.isBeforeInTranslationUnit(Declared, End));
}

std::string Planner::exitText(const Stmt *Exit, const std::string &Jump,
                              const Region &R) const {
  auto Releases = R.Holds.Releases.find(Exit);
  return withReleases(*Exit, Jump,
                      Releases == R.Holds.Releases.end()
                          ? llvm::ArrayRef<std::string>()
                          : llvm::ArrayRef<std::string>(Releases->second),
                      Ctx);
}

std::vector<FixItHint> Planner::hintsFor(const Region &R,
                                         std::string &Why) const {
  llvm::ArrayRef<Stmt *> Body(R.Block->body_begin(), R.Block->body_end());
  const Stmt *FirstStmt = Body[R.First];
  const Stmt *LastStmt = Body[R.Last];
  auto SpelledByMacro = [&](const Stmt *S) {
    // A call spelled by a macro (`Py_DECREF(item);`) is bracketed from
    // outside the expansion; a loop or branch written by one is not.
    return isa<ForStmt, WhileStmt, DoStmt, IfStmt, SwitchStmt, CompoundStmt>(
               S) &&
           S->getBeginLoc().isMacroID();
  };

  std::optional<SourceLocation> Begin = statementBegin(*FirstStmt, SM, LO);
  std::optional<SourceLocation> End = statementEnd(*LastStmt, SM, LO);
  if (SpelledByMacro(FirstStmt) || SpelledByMacro(LastStmt) || !Begin || !End ||
      Begin->isMacroID() || End->isMacroID() ||
      SM.getFileID(*Begin) != SM.getFileID(*End)) {
    Why = "the code to guard is spelled through a macro";
    return {};
  }
  std::vector<const Stmt *> Exits;
  for (unsigned I = R.First; I <= R.Last && Why.empty(); ++I)
    Why = collectExits(Body[I], Exits);
  if (!Why.empty())
    return {};

  std::string Indent = indentationAt(*Begin, SM);
  bool Two = R.Texts.size() == 2;
  std::string Objects = R.Texts[0] + (Two ? ", " + R.Texts[1] : "");
  std::string BeginText = std::string("Py_BEGIN_CRITICAL_SECTION") +
                          (Two ? "2" : "") + "(" + Objects + ");\n" + Indent;
  std::string EndText =
      "\n" + Indent + "Py_END_CRITICAL_SECTION" + (Two ? "2" : "") + "();";
  std::vector<FixItHint> Hints;
  if (!Exits.empty() && LO.CPlusPlus) {
    Why = "the code to guard has exits, and in C++ the jump to the "
          "section's end could cross initialisations; restructure the exits, "
          "then add the section";
    return {};
  }
  // The text of each exit; a returned value must be the same after the end.
  std::vector<std::string> ExitTexts;
  for (const Stmt *Exit : Exits) {
    if (const auto *Return = dyn_cast<ReturnStmt>(Exit);
        Return && Return->getRetValue() &&
        !survivesSection(Return->getRetValue(), *Begin, *End)) {
      Why = "the code to guard returns a value computed inside it; the "
            "critical section would not be ended (restructure the exits, "
            "then add the section)";
      return {};
    }
    std::optional<CharSourceRange> Range = statementRange(*Exit, SM, LO);
    if (!Range || Range->getBegin().isMacroID() ||
        SM.getFileID(Range->getBegin()) != SM.getFileID(*Begin)) {
      Why = "an exit of the code to guard is spelled inside a macro";
      return {};
    }
    std::string Text = Lexer::getSourceText(*Range, SM, LO).str();
    if (Text.find('\n') != std::string::npos) {
      Why = "an exit of the code to guard spans several lines";
      return {};
    }
    ExitTexts.push_back(Text);
  }
  // The code ends with its only exit (`...; return x;`): the section ends
  // before it.
  if (Exits.size() == 1 && Exits[0] == LastStmt && R.Last > R.First) {
    End = statementEnd(*Body[R.Last - 1], SM, LO);
    if (!End || End->isMacroID()) {
      Why = "the code to guard is spelled through a macro";
      return {};
    }
    Exits.clear();
  }
  if (!Exits.empty()) {
    // The macros open and close a block, so every exit first goes to the
    // section's end, and is taken there. An exit from the guarded loop
    // itself breaks out of it; others jump to a label before the end:
    //   return NULL;  ->  { error = 1; break; }   (or goto unlock;)
    // and after the end `if (error) return NULL;`. Several different exits
    // are told apart by a code (`exit_code == 2`). When the code ends with
    // an exit, that one is taken last without a test (the label takes its
    // place), and so are the exits like it.
    bool EndsInExit = Exits.back() == LastStmt;
    const Stmt *Loop = R.First == R.Last && !EndsInExit &&
                               isa<ForStmt, WhileStmt, DoStmt>(LastStmt)
                           ? LastStmt
                           : nullptr;
    auto BreaksOut = [&](const Stmt *Exit) {
      for (const Stmt *P = parentOf(Exit); P; P = parentOf(P)) {
        if (P == Loop)
          return true;
        if (isa<ForStmt, WhileStmt, DoStmt, SwitchStmt>(P))
          return false;
      }
      return false;
    };
    bool UseBreak = Loop && llvm::all_of(Exits, BreaksOut);
    std::string Final = EndsInExit ? ExitTexts.back() : "";
    std::vector<std::string> Taken;
    for (size_t I = 0; I < Exits.size(); ++I)
      if (Exits[I] != LastStmt && ExitTexts[I] != Final &&
          !llvm::is_contained(Taken, ExitTexts[I]))
        Taken.push_back(ExitTexts[I]);
    auto IsErrorExit = [](llvm::StringRef Text) {
      return Text == "return NULL;" || Text == "return -1;" ||
             Text.starts_with("goto ");
    };
    std::string Flag = Taken.empty() ? ""
                       : Taken.size() == 1 && IsErrorExit(Taken[0])
                           ? freshName("error")
                           : freshName("exit_code");
    std::string Label = UseBreak ? "" : freshName("unlock");
    for (size_t I = 0; I < Exits.size(); ++I) {
      const Stmt *Exit = Exits[I];
      CharSourceRange Range = *statementRange(*Exit, SM, LO);
      if (Exit == LastStmt) {
        Hints.push_back(FixItHint::CreateReplacement(Range, Label + ":;"));
        continue;
      }
      std::string Jump = UseBreak ? "break;" : "goto " + Label + ";";
      if (ExitTexts[I] != Final) {
        size_t Code = llvm::find(Taken, ExitTexts[I]) - Taken.begin() + 1;
        Jump = Flag + " = " + std::to_string(Taken.size() == 1 ? 1 : Code) +
               "; " + Jump;
      }
      Hints.push_back(
          FixItHint::CreateReplacement(Range, exitText(Exit, Jump, R)));
    }
    std::string Dispatch;
    for (size_t K = 0; K < Taken.size(); ++K)
      Dispatch += "\n" + Indent + "if (" + Flag +
                  (Taken.size() == 1 ? "" : " == " + std::to_string(K + 1)) +
                  ")\n" + Indent + "    " + Taken[K];
    if (EndsInExit)
      Dispatch += "\n" + Indent + Final;
    if (!Taken.empty())
      BeginText = "int " + Flag + " = 0;\n" + Indent + BeginText;
    EndText = (EndsInExit || UseBreak ? "" : "\n" + Indent + Label + ":;") +
              EndText + Dispatch;
  }
  // The other exits of blocks that own items (a `continue`, a `break` out
  // of the guarded loop) drop them first too.
  llvm::append_range(Hints, releasingExits(R.Holds, Ctx, [&](const Stmt &Exit) {
                       return llvm::is_contained(Exits, &Exit);
                     }));
  llvm::append_range(Hints, R.Holds.Hints);
  // Declarations used after the section move before it; their
  // initializers stay inside as assignments.
  std::string Hoisted;
  std::vector<std::pair<CharSourceRange, std::string>> Declarators;
  for (unsigned I = R.First; I <= R.Last; ++I) {
    const auto *DS = dyn_cast<DeclStmt>(Body[I]);
    if (!DS || !hoistable(DS) ||
        llvm::none_of(Body.drop_front(R.Last + 1), [&](const Stmt *After) {
          return mentionsVariable(After, cast<VarDecl>(DS->getSingleDecl()));
        }))
      continue;
    CharSourceRange Range = *declaratorText(DS);
    Hoisted += Lexer::getSourceText(Range, SM, LO).str() + ";\n" + Indent;
    Declarators.push_back(
        {Range, cast<VarDecl>(DS->getSingleDecl())->getName().str()});
  }
  BeginText = Hoisted + BeginText;
  bool BeginMerged = false;
  for (auto &[Range, Name] : Declarators) {
    // The first statement: the section begins in the same edit.
    if (Range.getBegin() == *Begin) {
      Name = BeginText + Name;
      BeginMerged = true;
    }
    Hints.push_back(FixItHint::CreateReplacement(Range, Name));
  }
  if (!BeginMerged)
    Hints.insert(Hints.begin(), FixItHint::CreateInsertion(*Begin, BeginText));
  Hints.push_back(FixItHint::CreateInsertion(*End, EndText));
  return Hints;
}

std::vector<Rewrite> Planner::plan(llvm::ArrayRef<ContainerAccess> Accesses) {
  std::vector<Rewrite> Results(Accesses.size());
  std::vector<Region> Regions;
  for (size_t I = 0; I < Accesses.size(); ++I) {
    Region R;
    std::string Why = initialAnchor(Accesses[I], R);
    if (Why.empty() && !computeSpan(R))
      Why = "the access is not in a statement of a block";
    if (!Why.empty()) {
      Results[I].Reason = Why;
      continue;
    }
    R.Members.push_back(I);
    Regions.push_back(std::move(R));
  }
  // Merge overlapping regions (one section per place), widen each to what
  // it relies on, and repeat until nothing changes.
  std::vector<std::string> Failures(Regions.size());
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (size_t I = 0; I < Regions.size(); ++I)
      if (!Regions[I].Members.empty() && Failures[I].empty())
        Failures[I] = extend(Regions[I]);
    for (size_t I = 0; I < Regions.size(); ++I) {
      for (size_t J = I + 1; J < Regions.size(); ++J) {
        if (Regions[I].Members.empty() || !Failures[I].empty() ||
            Regions[J].Members.empty() || !Failures[J].empty() ||
            !intersect(Regions[I], Regions[J]))
          continue;
        Region &Into = Regions[I];
        Region &From = Regions[J];
        llvm::append_range(Into.Anchors, From.Anchors);
        llvm::append_range(Into.Members, From.Members);
        for (size_t K = 0; K < From.Keys.size(); ++K)
          if (!llvm::is_contained(Into.Keys, From.Keys[K])) {
            Into.Keys.push_back(From.Keys[K]);
            Into.Texts.push_back(From.Texts[K]);
            Into.Roots.push_back(From.Roots[K]);
          }
        Into.HasDictLoop |= From.HasDictLoop;
        From.Members.clear();
        computeSpan(Into);
        Changed = true;
      }
    }
  }
  for (size_t I = 0; I < Regions.size(); ++I) {
    Region &R = Regions[I];
    if (R.Members.empty())
      continue;
    std::string Why = Failures[I];
    if (Why.empty() && R.Keys.size() > 2) {
      Why = "the code to guard uses more than two containers (";
      for (size_t K = 0; K < R.Texts.size(); ++K)
        Why += (K ? ", '" : "'") + R.Texts[K] + "'";
      Why += "), and a critical section locks at most two";
    }
    if (Why.empty())
      Why = validate(R);
    std::vector<FixItHint> Hints;
    if (Why.empty())
      Hints = hintsFor(R, Why);
    for (size_t Member : R.Members) {
      Results[Member].Reason = Why;
      if (Why.empty())
        Results[Member].Hints = Hints;
    }
  }
  return Results;
}

} // namespace

std::vector<Rewrite>
planCriticalSections(llvm::ArrayRef<ContainerAccess> Accesses,
                     const FunctionDecl &Function, ASTContext &Ctx) {
  return Planner(Function, Ctx).plan(Accesses);
}

} // namespace gilport
