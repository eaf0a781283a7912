//===--- AnalysisTestSupport.h - Parsing C snippets for analysis tests ----===//
//
// The analysis tests parse small C files in memory, with the few C-API
// declarations each analysis looks at written in the snippet itself, so that
// they need no Python installation.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_UNITTESTS_ANALYSISTESTSUPPORT_H
#define GILPORT_UNITTESTS_ANALYSISTESTSUPPORT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"

#include "gtest/gtest.h"

#include <memory>
#include <string>

namespace gilport {
namespace testing {

/// Parses \p Code as C; \p Headers are extra in-memory files it may include
/// (paths relative to the directory of \p FileName).
/// The C API's module definition types and init calls, with the names and
/// fields the analyses read; each test adds the calls it looks at.
inline constexpr char ModuleDefPrelude[] = R"c(
#define NULL ((void *)0)
typedef struct _object PyObject;
typedef long Py_ssize_t;
typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef struct PyMethodDef {
  const char *ml_name; PyCFunction ml_meth; int ml_flags; const char *ml_doc;
} PyMethodDef;
typedef struct PyModuleDef_Slot { int slot; void *value; } PyModuleDef_Slot;
typedef int (*visitproc)(PyObject *, void *);
typedef struct PyModuleDef {
  int m_base; const char *m_name; const char *m_doc; Py_ssize_t m_size;
  PyMethodDef *m_methods; PyModuleDef_Slot *m_slots;
  int (*m_traverse)(PyObject *, visitproc, void *);
  int (*m_clear)(PyObject *); void (*m_free)(void *);
} PyModuleDef;
#define PyModuleDef_HEAD_INIT 0
#define PyMODINIT_FUNC PyObject *
#define Py_mod_exec 2
PyObject *PyModuleDef_Init(PyModuleDef *);
PyObject *PyModule_Create2(PyModuleDef *, int);
#define PyModule_Create(def) PyModule_Create2(def, 1013)
)c";

inline std::unique_ptr<clang::ASTUnit>
parseC(llvm::StringRef Code, llvm::StringRef FileName = "/src/mod.c",
       const clang::tooling::FileContentMappings &Headers = {}) {
  std::unique_ptr<clang::ASTUnit> AST =
      clang::tooling::buildASTFromCodeWithArgs(
          Code, {"-xc", "-std=c11", "-Wno-everything"}, FileName,
          "gilport-test", std::make_shared<clang::PCHContainerOperations>(),
          clang::tooling::getClangStripDependencyFileAdjuster(), Headers);
  EXPECT_TRUE(AST);
  if (AST)
    EXPECT_FALSE(AST->getDiagnostics().hasErrorOccurred())
        << "the snippet does not compile";
  return AST;
}

/// The one node of kind \p T that \p Matcher accepts.
template <typename T, typename MatcherT>
const T *findOne(clang::ASTContext &Ctx, MatcherT Matcher) {
  auto Found = clang::ast_matchers::match(Matcher.bind("x"), Ctx);
  EXPECT_EQ(Found.size(), 1u);
  return Found.empty() ? nullptr : Found.front().template getNodeAs<T>("x");
}

/// The definition of function \p Name.
inline const clang::FunctionDecl *function(clang::ASTContext &Ctx,
                                           llvm::StringRef Name) {
  using namespace clang::ast_matchers;
  return findOne<clang::FunctionDecl>(
      Ctx, functionDecl(hasName(Name), isDefinition()));
}

/// The variable \p Name (the definition when there are several).
inline const clang::VarDecl *variable(clang::ASTContext &Ctx,
                                      llvm::StringRef Name) {
  using namespace clang::ast_matchers;
  return findOne<clang::VarDecl>(Ctx, varDecl(hasName(Name), isDefinition()));
}

/// The field \p Name of any struct.
inline const clang::FieldDecl *field(clang::ASTContext &Ctx,
                                     llvm::StringRef Name) {
  using namespace clang::ast_matchers;
  return findOne<clang::FieldDecl>(Ctx, fieldDecl(hasName(Name)));
}

/// The calls of \p Callee in the body of \p Caller, in source order.
inline std::vector<const clang::CallExpr *>
callsIn(const clang::FunctionDecl &Caller, llvm::StringRef Callee) {
  struct Collector : clang::RecursiveASTVisitor<Collector> {
    llvm::StringRef Name;
    std::vector<const clang::CallExpr *> Calls;
    bool VisitCallExpr(clang::CallExpr *Call) {
      if (const clang::FunctionDecl *F = Call->getDirectCallee())
        if (F->getIdentifier() && F->getName() == Name)
          Calls.push_back(Call);
      return true;
    }
  } C;
  C.Name = Callee;
  C.TraverseStmt(Caller.getBody());
  return C.Calls;
}

} // namespace testing
} // namespace gilport

#endif
