//===--- ItemReferences.cpp -----------------------------------------------===//

#include "rewrites/ItemReferences.h"
#include "analysis/AstQueries.h"
#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"
#include "rewrites/ContainerUses.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"

#include <functional>

namespace gilport {

using namespace clang;

namespace {

/// A block that owns items from one statement on.
struct Holder {
  const CompoundStmt *Block;
  unsigned From;
  std::vector<const VarDecl *> Items;
};

void forEachCall(const Stmt *S,
                 const std::function<void(const CallExpr &)> &Visit) {
  if (!S)
    return;
  if (const auto *Call = dyn_cast<CallExpr>(S))
    Visit(*Call);
  for (const Stmt *Child : S->children())
    forEachCall(Child, Visit);
}

/// The body of the loop or the `if` whose whole condition is \p Call.
const Stmt *bodyDrivenBy(const CallExpr &Call, ASTContext &Ctx) {
  const Stmt *Cond = nullptr;
  const Stmt *P = parentPastParensAndCasts(Call, Ctx, Cond);
  if (const auto *While = dyn_cast_or_null<WhileStmt>(P);
      While && While->getCond() == Cond)
    return While->getBody();
  if (const auto *For = dyn_cast_or_null<ForStmt>(P);
      For && For->getCond() == Cond)
    return For->getBody();
  if (const auto *If = dyn_cast_or_null<IfStmt>(P); If && If->getCond() == Cond)
    return If->getThen();
  return nullptr;
}

/// Whether a block in \p S declares a variable after a statement.
bool declaresAfterStatements(const Stmt *S) {
  if (!S)
    return false;
  if (const auto *Block = dyn_cast<CompoundStmt>(S)) {
    bool Statement = false;
    for (const Stmt *Child : Block->body()) {
      if (isa<DeclStmt>(Child) && Statement)
        return true;
      Statement |= !isa<DeclStmt>(Child);
    }
  }
  return llvm::any_of(S->children(), declaresAfterStatements);
}

unsigned indexIn(const CompoundStmt &Block, const Stmt *S) {
  unsigned Index = 0;
  for (const Stmt *Child : Block.body()) {
    if (Child == S)
      return Index;
    ++Index;
  }
  return Index;
}

class ItemPlanner {
public:
  ItemPlanner(llvm::ArrayRef<const Stmt *> Code,
              llvm::function_ref<bool(const CallExpr &)> Iterates,
              llvm::function_ref<bool(const CallExpr &)> Suspends,
              ASTContext &Ctx)
      : Code(Code), Iterates(Iterates), Suspends(Suspends), Ctx(Ctx),
        SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()) {
    const FunctionDecl *Function = enclosingFunction(Code.front(), Ctx);
    MixesDeclarations =
        LO.CPlusPlus ||
        (Function && declaresAfterStatements(Function->getBody()));
  }

  /// Where \p Item is read, and so where its reference is taken.
  std::string place(const VarDecl *Item, std::vector<Holder> &Holders) const;
  std::string edits(const Holder &H, ItemReferences &Out) const;

private:
  unsigned offset(SourceLocation Loc) const { return expansionOffset(Loc, SM); }
  bool inside(const Stmt *Outer, const Stmt *S) const {
    return offset(Outer->getBeginLoc()) <= offset(S->getBeginLoc()) &&
           offset(S->getEndLoc()) <= offset(Outer->getEndLoc());
  }
  /// Where \p Reader names \p Item (its end when it does not).
  unsigned readOffset(const VarDecl *Item, const Stmt *Reader) const {
    std::vector<const DeclRefExpr *> Refs = referencesTo(*Item, Reader);
    return offset(Refs.empty() ? Reader->getEndLoc() : Refs[0]->getBeginLoc());
  }
  llvm::ArrayRef<const Stmt *> Code;
  llvm::function_ref<bool(const CallExpr &)> Iterates;
  llvm::function_ref<bool(const CallExpr &)> Suspends;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LO;
  /// The function declares variables after statements: it is not C89.
  bool MixesDeclarations = false;
};

std::string ItemPlanner::place(const VarDecl *Item,
                               std::vector<Holder> &Holders) const {
  std::string Name = "'" + Item->getName().str() + "'";
  if (!Item->getType()->isPointerType() || holdsItemArray(*Item))
    return Name + " is an array of items, not one object";
  // The reading statement: an iteration that writes the item through its
  // address, or the one assignment of it.
  const CallExpr *Iteration = nullptr;
  for (const Stmt *S : Code)
    forEachCall(S, [&](const CallExpr &Call) {
      if (Iterates(Call) && Call.getNumArgs() == 4 &&
          (namedVariable(Call.getArg(2)) == Item ||
           namedVariable(Call.getArg(3)) == Item))
        Iteration = &Call;
    });
  std::vector<const DeclRefExpr *> Refs;
  for (const Stmt *S : Code)
    llvm::append_range(Refs, referencesTo(*Item, S));
  std::vector<const Stmt *> Assignments;
  for (const DeclRefExpr *Ref : Refs) {
    const Stmt *P = parentStmt(*Ref, Ctx);
    if (const auto *Assign = dyn_cast_or_null<BinaryOperator>(P);
        Assign && Assign->isAssignmentOp() && Assign->getLHS() == Ref)
      Assignments.push_back(Assign);
  }
  const Stmt *Reader = nullptr;
  const CompoundStmt *Block = nullptr;
  unsigned From = 0;
  if (Iteration) {
    if (!Assignments.empty())
      return Name + " is assigned in the loop that reads it";
    Reader = Iteration;
    Block = dyn_cast_or_null<CompoundStmt>(bodyDrivenBy(*Iteration, Ctx));
    if (!Block)
      return "the loop that reads " + Name + " has no block of its own";
  } else {
    if (const DeclStmt *DS = declarationOf(*Item, Ctx);
        DS && Item->getInit() &&
        llvm::any_of(Code, [&](const Stmt *S) { return inside(S, DS); }))
      Assignments.push_back(DS);
    if (Assignments.size() != 1)
      return Name + (Assignments.empty()
                         ? " is not assigned in the code to guard"
                         : " is assigned more than once");
    Reader = Assignments[0];
    Block = dyn_cast_or_null<CompoundStmt>(parentStmt(*Reader, Ctx));
    if (!Block)
      return Name + " is not assigned by a statement of its own";
    if (Block == parentStmt(*Code.front(), Ctx))
      return Name + " is read by the guarded statements themselves, not "
                    "inside a block of them";
    From = indexIn(*Block, Reader) + 1;
  }
  unsigned ReadEnd = offset(Reader->getEndLoc());
  for (const DeclRefExpr *Ref : Refs) {
    if (inside(Reader, Ref))
      continue;
    if (!inside(Block, Ref) || offset(Ref->getBeginLoc()) < ReadEnd)
      return Name + " is used outside the block that reads it";
    if (const auto *Address =
            dyn_cast_or_null<UnaryOperator>(parentStmt(*Ref, Ctx));
        Address && Address->getOpcode() == UO_AddrOf)
      return "the code passes the address of " + Name +
             ", which can replace the object it holds";
  }
  // C89 code declares first: the reference is taken after the
  // declarations, which must not run code meanwhile. Code that declares
  // after statements elsewhere takes it before them.
  for (; !MixesDeclarations && From < Block->size() &&
         isa<DeclStmt>(Block->body_begin()[From]);
       ++From) {
    const Stmt *Declaration = Block->body_begin()[From];
    bool Runs = false;
    forEachCall(Declaration,
                [&](const CallExpr &Call) { Runs |= Suspends(Call); });
    if (Runs || mentionsVariable(Declaration, Item))
      return "a declaration after the read of " + Name +
             " uses it or can run Python code, before a reference could be "
             "taken";
  }
  if (From == Block->size())
    return Name + " is not used after the declarations that follow its read";
  unsigned ReadAt = readOffset(Item, Reader);
  for (Holder &H : Holders)
    if (H.Block == Block && H.From == From) {
      // In the order the code reads them (PyDict_Next's key, then value).
      auto At = llvm::find_if(H.Items, [&](const VarDecl *Other) {
        return ReadAt < readOffset(Other, Reader);
      });
      H.Items.insert(At, Item);
      return "";
    }
  Holders.push_back({Block, From, {Item}});
  return "";
}

std::string ItemPlanner::edits(const Holder &H, ItemReferences &Out) const {
  std::string Name = "'" + H.Items.front()->getName().str() + "'";
  if (!labelsAndGotosIn(H.Block).Labels.empty())
    return "the block that uses " + Name + " has a label";
  llvm::ArrayRef<Stmt *> Body(H.Block->body_begin(), H.Block->body_end());
  // The references are taken on the line after the read (or the
  // declarations), or first in the block; dropped on a line at its end.
  const Stmt *Before = H.From ? Body[H.From - 1] : nullptr;
  const Stmt *Last = Body.back();
  std::optional<SourceLocation> Begin =
      statementBegin(Before ? *Before : *Body[H.From], SM, LO);
  std::optional<SourceLocation> LastBegin = statementBegin(*Last, SM, LO);
  std::optional<SourceLocation> Take =
      Before ? statementEnd(*Before, SM, LO) : Begin;
  std::optional<SourceLocation> End = statementEnd(*Last, SM, LO);
  if (!Begin || Begin->isMacroID() || !Take || Take->isMacroID() || !End ||
      End->isMacroID() || !LastBegin)
    return "the block that uses " + Name + " is spelled through a macro";
  if (Before)
    Take = endOfLineAfter(*Take, SM).value_or(*Take);
  End = endOfLineAfter(*End, SM).value_or(*End);
  std::string Indent = indentationAt(*Begin, SM);
  std::string Takes, Drops;
  std::vector<std::string> Releases;
  for (const VarDecl *Item : H.Items) {
    std::string Taken = "Py_INCREF(" + Item->getName().str() + ");";
    Takes += Before ? "\n" + Indent + Taken : Taken + "\n" + Indent;
    Drops += "\n" + indentationAt(*LastBegin, SM) + "Py_DECREF(" +
             Item->getName().str() + ");";
    Releases.push_back("Py_DECREF(" + Item->getName().str() + ");");
  }
  std::vector<const Stmt *> Exits;
  for (const Stmt *S : Body.drop_front(H.From))
    if (std::string Why = collectExits(S, Exits); !Why.empty())
      return Why;
  for (const Stmt *Exit : Exits) {
    std::optional<CharSourceRange> Range = statementRange(*Exit, SM, LO);
    if (!Range || Range->getBegin().isMacroID() ||
        Lexer::getSourceText(*Range, SM, LO).contains('\n'))
      return "an exit of the block that uses " + Name +
             " is spelled inside a macro or across lines";
    llvm::append_range(Out.Releases[Exit], Releases);
  }
  Out.Hints.push_back(FixItHint::CreateInsertion(*Take, Takes));
  // A block that ends by leaving has released the items already.
  if (!isa<ReturnStmt, GotoStmt, BreakStmt, ContinueStmt>(Last))
    Out.Hints.push_back(FixItHint::CreateInsertion(*End, Drops));
  return "";
}

} // namespace

std::string withReleases(const Stmt &Exit, const std::string &Jump,
                         llvm::ArrayRef<std::string> Releases,
                         ASTContext &Ctx) {
  std::vector<std::string> Statements(Releases.begin(), Releases.end());
  const SourceManager &SM = Ctx.getSourceManager();
  const Stmt *Parent = parentStmt(Exit, Ctx);
  if (Parent && isa<CompoundStmt>(Parent)) {
    // A block written on one line (`{ error = 1; break; }`) stays on it.
    bool OneLine = SM.getExpansionLineNumber(Parent->getBeginLoc()) ==
                   SM.getExpansionLineNumber(Parent->getEndLoc());
    std::string Indent =
        OneLine ? " " : "\n" + indentationAt(Exit.getBeginLoc(), SM);
    return llvm::join(Statements, Indent) + (Statements.empty() ? "" : Indent) +
           Jump;
  }
  Statements.push_back(Jump);
  std::string Text = llvm::join(Statements, " ");
  return Statements.size() == 1 && Jump.find(';') == Jump.size() - 1
             ? Text
             : "{ " + Text + " }";
}

std::vector<FixItHint>
releasingExits(const ItemReferences &Refs, ASTContext &Ctx,
               llvm::function_ref<bool(const Stmt &)> Skip) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::vector<FixItHint> Hints;
  for (const auto &[Exit, Releases] : Refs.Releases) {
    if (Skip(*Exit))
      continue;
    CharSourceRange Range = *statementRange(*Exit, SM, LO);
    Hints.push_back(FixItHint::CreateReplacement(
        Range, withReleases(*Exit, Lexer::getSourceText(Range, SM, LO).str(),
                            Releases, Ctx)));
  }
  return Hints;
}

HeldItems ownHeldItems(llvm::ArrayRef<const Stmt *> Code,
                       llvm::SmallPtrSetImpl<const VarDecl *> &ItemVars,
                       llvm::function_ref<bool(const Expr &)> IsItemRead,
                       llvm::function_ref<bool(const CallExpr &)> Iterates,
                       SectionSuspension &Suspensions, ASTContext &Ctx,
                       ItemReferences &Out) {
  HeldItems Found;
  Found.Held =
      Suspensions.itemsHeldAcross(Code, ItemVars, IsItemRead, Iterates, Ctx);
  if (Found.Held.empty())
    return Found;
  std::vector<const VarDecl *> Locals;
  for (const HeldItem &H : Found.Held)
    if (H.Item)
      Locals.push_back(H.Item);
    else
      Found.Why = "the item is handed to the call straight from the container";
  if (Found.Why.empty())
    Found.Why = planItemReferences(
        Locals, Code, Iterates,
        [&](const CallExpr &Call) {
          return !Suspensions.reasonFor(Call, Ctx).empty();
        },
        Ctx, Out);
  return Found;
}

std::optional<SuspendedIteration>
suspendedIteration(const CallExpr &Next, SectionSuspension &Suspensions,
                   ASTContext &Ctx) {
  const Stmt *Body = bodyDrivenBy(Next, Ctx);
  const Stmt *Cond = nullptr;
  const Stmt *Loop = Body ? parentPastParensAndCasts(Next, Ctx, Cond) : nullptr;
  if (!Loop || Next.getNumArgs() != 4)
    return std::nullopt;
  const Stmt *Code[] = {Loop};
  llvm::SmallPtrSet<const VarDecl *, 8> ItemVars;
  ItemReferences Planned;
  HeldItems Found = ownHeldItems(
      Code, ItemVars, [](const Expr &) { return false; },
      [&](const CallExpr &Call) { return &Call == &Next; }, Suspensions, Ctx,
      Planned);
  if (Found.Held.empty())
    return std::nullopt;
  SuspendedIteration Result{std::move(Found.Held), {}};
  if (!Found.Why.empty()) {
    Result.Fix = Rewrite::failure(Found.Why);
    return Result;
  }
  Result.Fix.Hints = std::move(Planned.Hints);
  llvm::append_range(Result.Fix.Hints, releasingExits(Planned, Ctx));
  return Result;
}

std::string
planItemReferences(llvm::ArrayRef<const VarDecl *> Items,
                   llvm::ArrayRef<const Stmt *> Code,
                   llvm::function_ref<bool(const CallExpr &)> Iterates,
                   llvm::function_ref<bool(const CallExpr &)> Suspends,
                   ASTContext &Ctx, ItemReferences &Out) {
  if (Code.empty())
    return "there is no code to guard";
  ItemPlanner Planner(Code, Iterates, Suspends, Ctx);
  std::vector<Holder> Holders;
  for (const VarDecl *Item : Items)
    if (std::string Why = Planner.place(Item, Holders); !Why.empty())
      return Why;
  ItemReferences Planned;
  for (const Holder &H : Holders)
    if (std::string Why = Planner.edits(H, Planned); !Why.empty())
      return Why;
  llvm::append_range(Out.Hints, Planned.Hints);
  for (auto &[Exit, Releases] : Planned.Releases)
    llvm::append_range(Out.Releases[Exit], Releases);
  return "";
}

} // namespace gilport
