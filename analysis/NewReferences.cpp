//===--- NewReferences.cpp ------------------------------------------------===//

#include "analysis/NewReferences.h"

#include "analysis/AstQueries.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"

#include <vector>

namespace gilport {

using namespace clang;

namespace {

/// C-API calls that return a new reference (Doc/data/refcounts.dat), or
/// NULL with an exception set.
constexpr llvm::StringLiteral NewReferenceApis[] = {
    "PyImport_ImportModule",
    "PyImport_Import",
    "PyImport_ImportModuleLevel",
    "PyImport_ImportModuleLevelObject",
    "PyImport_GetModule",
    "PyObject_GetAttr",
    "PyObject_GetAttrString",
    "PyObject_GetItem",
    "PyObject_Call",
    "PyObject_CallObject",
    "PyObject_CallFunction",
    "PyObject_CallFunctionObjArgs",
    "PyObject_CallMethod",
    "PyObject_CallMethodObjArgs",
    "PyObject_CallNoArgs",
    "PyObject_CallOneArg",
    "PyObject_Str",
    "PyObject_Repr",
    "PyObject_ASCII",
    "PyObject_Bytes",
    "PyObject_Type",
    "PyObject_GetIter",
    "PyObject_RichCompare",
    "PyObject_CallMethodNoArgs",
    "PyObject_CallMethodOneArg",
    "PyObject_Vectorcall",
    "PyObject_VectorcallMethod",
    "PySequence_List",
    "PySequence_Tuple",
    "PySequence_Fast",
    "PyNumber_Long",
    "PyNumber_Float",
    "PyNumber_Index",
    "PyUnicode_FromObject",
    "PyUnicode_AsUTF8String",
    "PyUnicode_AsEncodedString",
    "PyUnicode_DecodeUTF8",
    "PyUnicode_Concat",
    "PyUnicode_Join",
    "PyDict_Copy",
    "PyDict_Keys",
    "PyDict_Values",
    "PyDict_Items",
    "PyList_AsTuple",
    "PyLong_FromLongLong",
    "PyLong_FromUnsignedLong",
    "PyLong_FromUnsignedLongLong",
    "PyLong_FromSize_t",
    "PyCapsule_New",
    "Py_BuildValue",
    "PyErr_NewException",
    "PyErr_NewExceptionWithDoc",
    "PyUnicode_InternFromString",
    "PyUnicode_FromString",
    "PyUnicode_FromStringAndSize",
    "PyUnicode_FromFormat",
    "PyBytes_FromString",
    "PyBytes_FromStringAndSize",
    "PyLong_FromLong",
    "PyLong_FromSsize_t",
    "PyFloat_FromDouble",
    "PyTuple_New",
    "PyTuple_Pack",
    "PyList_New",
    "PyDict_New",
    "PySet_New",
    "PyFrozenSet_New",
    "PyType_FromSpec",
    "PyType_FromSpecWithBases",
};

bool isNewReference(const Expr *E, ASTContext &Ctx, int Depth);

/// Whether every `return` of \p Function gives NULL or a new reference: a
/// call of that kind, or a local only ever assigned one and only tested
/// and returned.
bool returnsNewReference(const FunctionDecl &Function, ASTContext &Ctx,
                         int Depth) {
  const FunctionDecl *Definition = Function.getDefinition();
  if (!Definition || !Definition->hasBody() || Depth > 2)
    return false;
  struct Returns : RecursiveASTVisitor<Returns> {
    bool VisitReturnStmt(ReturnStmt *S) {
      List.push_back(S);
      return true;
    }
    std::vector<const ReturnStmt *> List;
  } Found;
  Found.TraverseStmt(Definition->getBody());
  if (Found.List.empty())
    return false;
  auto IsNull = [&](const Expr *E) {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
           Expr::NPCK_NotNull;
  };
  for (const ReturnStmt *Return : Found.List) {
    const Expr *Value = Return->getRetValue();
    if (!Value)
      return false;
    if (IsNull(Value) || isNewReference(Value, Ctx, Depth + 1))
      continue;
    const VarDecl *Local = referencedLocal(Value);
    if (!Local || Local->isStaticLocal() || isa<ParmVarDecl>(Local))
      return false;
    // Every use of the local: its initializer or an assignment of a new
    // reference, a NULL test, or a return.
    std::vector<const DeclRefExpr *> Refs =
        referencesTo(*Local, Definition->getBody());
    if (const Expr *Init = Local->getInit())
      if (!IsNull(Init) && !isNewReference(Init, Ctx, Depth + 1))
        return false;
    for (const DeclRefExpr *Ref : Refs) {
      const Stmt *Up = parentStmt(*Ref, Ctx);
      while (Up && (isa<ParenExpr>(Up) || isa<ImplicitCastExpr>(Up)))
        Up = parentStmt(*Up, Ctx);
      if (isa_and_nonnull<ReturnStmt>(Up) || isa_and_nonnull<IfStmt>(Up))
        continue;
      if (const auto *Not = dyn_cast_or_null<UnaryOperator>(Up))
        if (Not->getOpcode() == UO_LNot)
          continue;
      if (const auto *Binary = dyn_cast_or_null<BinaryOperator>(Up)) {
        if (Binary->getOpcode() == BO_EQ || Binary->getOpcode() == BO_NE)
          continue;
        if (Binary->getOpcode() == BO_Assign &&
            referencedLocal(Binary->getLHS()) == Local &&
            (IsNull(Binary->getRHS()) ||
             isNewReference(Binary->getRHS(), Ctx, Depth + 1)))
          continue;
      }
      return false;
    }
  }
  return true;
}

/// Whether \p E is a call that returns a new reference (or NULL).
bool isNewReference(const Expr *E, ASTContext &Ctx, int Depth) {
  const auto *Call = dyn_cast<CallExpr>(E->IgnoreParenCasts());
  if (!Call)
    return false;
  llvm::StringRef Name = calleeName(Call);
  if (llvm::is_contained(NewReferenceApis, Name))
    return true;
  // Or a function of the project's own that returns one.
  const FunctionDecl *Callee = Call->getDirectCallee();
  return Callee && !Name.empty() &&
         !Ctx.getSourceManager().isInSystemHeader(Callee->getLocation()) &&
         returnsNewReference(*Callee, Ctx, Depth);
}

} // namespace

bool makesNewReference(const Expr *E, ASTContext &Ctx) {
  return E && isNewReference(E, Ctx, 0);
}

} // namespace gilport
