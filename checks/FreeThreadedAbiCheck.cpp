//===--- FreeThreadedAbiCheck.cpp -----------------------------------------===//

#include "checks/FreeThreadedAbiCheck.h"

#include "analysis/ObjectLayout.h"
#include "checks/CheckContext.h"
#include "rewrites/StaticObjectHeader.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

namespace gilport {

using namespace clang;

namespace {

/// Whether \p Var's header is initialised by hand: a brace the user wrote
/// for the header itself, not PyObject_HEAD_INIT's. Against the
/// free-threaded headers such an initializer is an error (the declaration
/// is invalid, or its initializer holds one).
bool headerInitialisedByHand(const VarDecl &Var, ASTContext &Ctx) {
  if (Var.isInvalidDecl())
    return true;
  const Expr *Init = Var.getInit();
  if (!Init)
    return false;
  if (Init->containsErrors())
    return true;
  const auto *List = dyn_cast<InitListExpr>(Init->IgnoreImplicit());
  if (!List)
    return false;
  if (const InitListExpr *Syntactic = List->getSyntacticForm())
    List = Syntactic;
  // PyVarObject: its first member is the PyObject header.
  const auto *Record = Var.getType()->getAsRecordDecl();
  bool VarObject = Record && Record->getName() != "_object";
  if (VarObject) {
    if (List->getNumInits() == 0)
      return false;
    const auto *Header =
        dyn_cast<InitListExpr>(List->getInit(0)->IgnoreImplicit());
    if (!Header)
      return false;
    List = Header->getSyntacticForm() ? Header->getSyntacticForm() : Header;
  }
  SourceLocation Brace = List->getLBraceLoc();
  if (Brace.isInvalid())
    return false;
  if (!Brace.isMacroID())
    return true;
  // A brace of PyObject_HEAD_INIT's is right on every build; one of the
  // project's own macros is written by hand.
  llvm::StringRef Macro = Lexer::getImmediateMacroName(
      Brace, Ctx.getSourceManager(), Ctx.getLangOpts());
  return Macro != "PyObject_HEAD_INIT" && Macro != "PyVarObject_HEAD_INIT" &&
         Macro != "_PyObject_HEAD_INIT";
}

} // namespace

FreeThreadedAbiCheck::FreeThreadedAbiCheck(CheckContext &Context)
    : GilportCheck("gilport-free-threaded-abi", Context) {}

void FreeThreadedAbiCheck::onEndOfTranslationUnit(ASTContext &Ctx) {
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *Var = dyn_cast<VarDecl>(D);
    if (!Var || !Var->isThisDeclarationADefinition() ||
        !isObjectHeaderType(Var->getType()) ||
        !context().wouldReport(Var->getLocation(), name()) ||
        !headerInitialisedByHand(*Var, Ctx))
      continue;
    FindingBuilder Finding =
        diag(Var->getLocation(),
             "static object '" + Var->getName().str() +
                 "' has its header initialised for the GIL build's object "
                 "layout, which the free-threaded build changes: it does not "
                 "compile there");
    Finding.fix(initialiseHeaderPortably(*Var, Ctx));
  }
}

} // namespace gilport
