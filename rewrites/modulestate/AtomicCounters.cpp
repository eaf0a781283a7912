//===--- AtomicCounters.cpp -----------------------------------------------===//
//
// Integer counters made C11 atomics instead of moving (declared
// process-wide, or with AtomicCounters when they cannot move), and moved
// counters that are `_Atomic` fields of the state: checkAtomic() and the
// <stdatomic.h> edits.
//
//===----------------------------------------------------------------------===//

#include "rewrites/modulestate/Planner.h"

#include "analysis/AstQueries.h"
#include "analysis/Parents.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <functional>

namespace gilport {
namespace modulestate {

using namespace clang;

namespace {

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

} // namespace

std::vector<bool>
ModuleStatePlanner::makeCountersAtomic(std::vector<std::string> &Reasons,
                                       std::vector<SourceLocation> &Places) {
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
  return Atomic;
}

void ModuleStatePlanner::chooseAtomicFields() {
  // With AtomicCounters, moved counters are atomic fields where every use
  // is one atomic operation.
  for (const auto &[Candidate, Field] : Moved)
    if (Candidate->AtomicFallback && !Candidate->IsObject &&
        !Candidate->IsType && checkAtomic(*Candidate, true).empty())
      AtomicFields.insert(Candidate->Var);
}

std::string ModuleStatePlanner::checkAtomic(const StateCandidate &Candidate,
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
  // Every declaration of the variable becomes `_Atomic`.
  std::vector<SourceLocation> TypeStarts;
  if (!InState) {
    if (TypeStart.isInvalid() || !TypeStart.isFileID() ||
        Var->getLocation().isMacroID() || !SM.isInMainFile(TypeStart))
      return Name + " is declared inside a macro expansion or in a header";
    if (std::string Problem = checkSharedDeclarations(*Var, TypeStarts);
        !Problem.empty())
      return Problem;
    if (!Var->isFileVarDecl()) {
      const DeclStmt *Statement = declarationOf(*Var, Ctx);
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
  // In the order of the uses, so that a refusal names the same function
  // on every run.
  llvm::SetVector<const FunctionDecl *> Updating;
  llvm::DenseSet<const FunctionDecl *> Reading;
  auto Text = [&](const Expr *E) {
    return spelledText(E->getSourceRange(), SM, LO);
  };
  // Whether the value of \p E is thrown away: it is a statement, or the
  // increment of a for loop.
  auto Unused = [&](const Expr *E) {
    DynTypedNodeList Parents = parentsOf(*E, Ctx);
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
    const Expr *Target = U.Ref;
    DynTypedNodeList Parents = parentsOf(*Target, Ctx);
    while (!Parents.empty() && Parents[0].get<ParenExpr>()) {
      Target = Parents[0].get<ParenExpr>();
      Parents = parentsOf(*Target, Ctx);
    }
    const auto *Cast =
        Parents.empty() ? nullptr : Parents[0].get<ImplicitCastExpr>();
    bool Read = Cast && Cast->getCastKind() == CK_LValueToRValue;
    if (!U.Ref->getLocation().isFileID()) {
      if (!Read || InState)
        return Name + " is used inside a macro expansion" + At;
      // A read spelled in a macro stays as it is: reading an `_Atomic`
      // variable is an atomic load.
      Reading.insert(U.Function->getCanonicalDecl());
      continue;
    }
    if (Parents.empty())
      return Name + " is used" + At + " in a way gilport cannot make atomic";
    const Expr *Operation = nullptr;
    std::string Replacement;
    if (Read) {
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
  for (SourceLocation Start : TypeStarts)
    Edits.push_back(FixItHint::CreateInsertion(Start, "_Atomic "));
  if (Include && !IncludeAdded)
    Edits.push_back(*Include);
  IncludeAdded |= Include.has_value();
  AtomicEdits.insert(AtomicEdits.end(), Edits.begin(), Edits.end());
  return {};
}

std::string ModuleStatePlanner::checkSharedDeclarations(
    const VarDecl &Var, std::vector<SourceLocation> &Starts) {
  // A variable other files may use is made atomic only when they see it
  // through the project's own headers: their `extern` declarations change
  // with it, and their reads and stores are then atomic as written.
  std::string Name = quoted(&Var);
  bool Shared = Var.isFileVarDecl() && Var.getStorageClass() != SC_Static;
  bool InHeader = false;
  for (const VarDecl *D : Var.redecls()) {
    SourceLocation Start = D->getTypeSpecStartLoc();
    if (D != &Var) {
      if (!Shared)
        return Name + " is declared more than once";
      if (D->getStorageClass() != SC_Extern || D->hasInit())
        return Name + " is defined more than once";
      if (Start.isInvalid() || !Start.isFileID() ||
          D->getLocation().isMacroID() || SM.isInSystemHeader(Start))
        return Name + " is declared inside a macro expansion or in a system "
                      "header";
      InHeader |= !SM.isInMainFile(Start);
    }
    for (const Decl *Other : D->getDeclContext()->decls())
      if (const auto *OtherVar = dyn_cast<VarDecl>(Other);
          OtherVar && OtherVar != D &&
          OtherVar->getBeginLoc() == D->getBeginLoc())
        return Name + " is declared together with " + quoted(OtherVar);
    Starts.push_back(Start);
  }
  if (Shared && !InHeader)
    return Name + " is not 'static', and no header declares it, so other "
                  "files may declare it as they like";
  return {};
}

bool ModuleStatePlanner::usesCandidate(const Expr *E) {
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

} // namespace modulestate
} // namespace gilport
