//===--- ObjectLayout.cpp -------------------------------------------------===//

#include "analysis/ObjectLayout.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Type.h"
#include "clang/Basic/SourceManager.h"

namespace gilport {

using namespace clang;

bool isObjectHeaderType(QualType Type) {
  // By the typedef's name: PyVarObject is an unnamed struct.
  for (QualType T = Type; !T.isNull();) {
    const auto *Typedef = T->getAs<TypedefType>();
    if (!Typedef)
      break;
    llvm::StringRef Name = Typedef->getDecl()->getName();
    if (Name == "PyObject" || Name == "PyVarObject")
      return true;
    T = Typedef->getDecl()->getUnderlyingType();
  }
  const auto *Record = Type->getAsRecordDecl();
  return Record && Record->getName() == "_object";
}

size_t declarationEnd(llvm::StringRef Text, size_t Begin) {
  int Depth = 0;
  for (size_t I = Begin; I < Text.size(); ++I) {
    char C = Text[I];
    if (C == '"' || C == '\'') {
      for (++I; I < Text.size() && Text[I] != C; ++I)
        if (Text[I] == '\\')
          ++I;
    } else if (C == '{' || C == '(' || C == '[') {
      ++Depth;
    } else if (C == '}' || C == ')' || C == ']') {
      --Depth;
    } else if (C == ';' && Depth == 0) {
      return I;
    }
  }
  return llvm::StringRef::npos;
}

const VarDecl *objectInitializerAt(SourceLocation Loc, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (Loc.isInvalid())
    return nullptr;
  Loc = SM.getExpansionLoc(Loc);
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *Var = dyn_cast<VarDecl>(D);
    if (!Var || !isObjectHeaderType(Var->getType()))
      continue;
    SourceLocation Name = SM.getExpansionLoc(Var->getLocation());
    auto [VarFile, Start] = SM.getDecomposedLoc(Name);
    if (VarFile != File || Start > Offset)
      continue;
    size_t End = declarationEnd(SM.getBufferData(File), Start);
    if (End != llvm::StringRef::npos && Offset <= End)
      return Var;
  }
  return nullptr;
}

bool onlyObjectInitializerErrors(llvm::ArrayRef<SourceLocation> Errors,
                                 ASTContext &Ctx) {
  return !Errors.empty() && llvm::all_of(Errors, [&](SourceLocation Loc) {
    return objectInitializerAt(Loc, Ctx) != nullptr;
  });
}

} // namespace gilport
