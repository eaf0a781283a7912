//===--- LockHeldSplit.cpp ------------------------------------------------===//

#include "rewrites/LockHeldSplit.h"
#include "analysis/AstQueries.h"
#include "analysis/SourceRanges.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace gilport {

using namespace clang;

namespace {

/// Whether \p Body names \p Function (a recursive call).
bool namesItself(const FunctionDecl &Function, const Stmt *Body) {
  struct Finder : RecursiveASTVisitor<Finder> {
    const FunctionDecl *Target;
    bool Found = false;
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (const auto *F = dyn_cast<FunctionDecl>(Ref->getDecl()))
        Found |= F->getCanonicalDecl() == Target;
      return !Found;
    }
  } Find;
  Find.Target = Function.getCanonicalDecl();
  Find.TraverseStmt(const_cast<Stmt *>(Body));
  return Find.Found;
}

} // namespace

Rewrite splitLockHeld(const FunctionDecl &Function,
                      llvm::ArrayRef<const ParmVarDecl *> Objects,
                      ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::string Name = Function.getName().str();
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Function.getBody());
  if (!Body || Objects.empty() || Objects.size() > 2)
    return Rewrite::failure("'" + Name + "' has no body to move");
  if (LO.CPlusPlus)
    return Rewrite::failure("'" + Name +
                            "' is C++, where a second function of the same "
                            "signature needs more care; lock it by hand");
  if (Function.isVariadic())
    return Rewrite::failure("'" + Name +
                            "' is variadic, so a wrapper "
                            "cannot pass its arguments on");
  std::string Held = Name + "_lock_held";
  if (declaresOrUsesName(Ctx.getTranslationUnitDecl(), Held))
    return Rewrite::failure("the file already has a '" + Held + "'");
  if (!Function.getPreviousDecl() && namesItself(Function, Body))
    return Rewrite::failure("'" + Name +
                            "' calls itself and has no "
                            "declaration before it for the wrapper");

  SourceLocation Start = Function.getOuterLocStart();
  SourceLocation NameLoc = Function.getLocation();
  SourceLocation LBrace = Body->getLBracLoc();
  SourceLocation RBrace = Body->getRBracLoc();
  if (Start.isMacroID() || NameLoc.isMacroID() || LBrace.isMacroID() ||
      RBrace.isMacroID() || SM.getFileID(Start) != SM.getFileID(RBrace))
    return Rewrite::failure("the definition of '" + Name +
                            "' is spelled through a macro");
  llvm::StringRef Signature = Lexer::getSourceText(
      CharSourceRange::getCharRange(Start, LBrace), SM, LO);
  if (Signature.contains('#'))
    return Rewrite::failure("the signature of '" + Name +
                            "' has preprocessor lines in it");
  // The wrapper's brace goes where the project puts a function's.
  FunctionTypeLoc Proto = Function.getFunctionTypeLoc();
  SourceLocation RParen = Proto ? Proto.getRParenLoc() : SourceLocation();
  bool BraceOnOwnLine =
      RParen.isInvalid() || RParen.isMacroID() ||
      SM.getSpellingLineNumber(LBrace) != SM.getSpellingLineNumber(RParen);

  std::string Args;
  for (const ParmVarDecl *Param : Function.parameters()) {
    std::string Arg;
    if (Param->getLocation().isMacroID() && Param->getType()->isPointerType())
      Arg = "NULL"; // Py_UNUSED(name): the callee does not use it either.
    else if (!Param->getIdentifier() || Param->getLocation().isMacroID())
      return Rewrite::failure("a parameter of '" + Name +
                              "' has no name to pass on");
    else
      Arg = Param->getName().str();
    Args += (Args.empty() ? "" : ", ") + Arg;
  }

  std::string Indent =
      Body->body_empty()
          ? "    "
          : indentationAt(SM.getExpansionLoc(Body->body_front()->getBeginLoc()),
                          SM);
  if (Indent.empty())
    Indent = "    ";
  bool Two = Objects.size() == 2;
  std::string Locked = Objects[0]->getName().str() +
                       (Two ? ", " + Objects[1]->getName().str() : "");
  QualType Result = Function.getReturnType();
  bool Void = Result->isVoidType();
  // Argument Clinic's name for the result, unless a parameter has it.
  std::string ResultName = "return_value";
  while (llvm::any_of(Function.parameters(), [&](const ParmVarDecl *P) {
    return P->getName() == ResultName;
  }))
    ResultName += "_";
  std::string Declaration;
  if (!Void) {
    llvm::raw_string_ostream OS(Declaration);
    Result.print(OS, Ctx.getPrintingPolicy(), ResultName);
  }
  std::string Wrapper =
      "\n\n" + Signature.rtrim().str() + (BraceOnOwnLine ? "\n{\n" : " {\n");
  if (!Void)
    Wrapper += Indent + Declaration + ";\n\n";
  Wrapper += Indent + "Py_BEGIN_CRITICAL_SECTION" + (Two ? "2" : "") + "(" +
             Locked + ");\n" + Indent + (Void ? "" : ResultName + " = ") +
             Held + "(" + Args + ");\n" + Indent + "Py_END_CRITICAL_SECTION" +
             (Two ? "2" : "") + "();\n";
  if (!Void)
    Wrapper += "\n" + Indent + "return " + ResultName + ";\n";
  Wrapper += "}";

  Rewrite Edits;
  // Only the wrapper calls the moved body: it becomes static.
  if (Function.getStorageClass() != SC_Static)
    Edits.Hints.push_back(FixItHint::CreateInsertion(Start, "static "));
  Edits.Hints.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getTokenRange(NameLoc, NameLoc), Held));
  Edits.Hints.push_back(FixItHint::CreateInsertion(
      Lexer::getLocForEndOfToken(RBrace, 0, SM, LO), Wrapper));
  return Edits;
}

} // namespace gilport
