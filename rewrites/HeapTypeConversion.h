//===--- HeapTypeConversion.h - Static types to heap types ------*- C++ -*-===//
//
// Reads a statically allocated type written with designated initializers,
//
//   static PyTypeObject Foo_Type = {
//       PyVarObject_HEAD_INIT(NULL, 0)
//       .tp_name = "m.Foo", .tp_basicsize = sizeof(FooObject),
//       .tp_flags = Py_TPFLAGS_DEFAULT, .tp_dealloc = Foo_dealloc, ...
//   };
//
// and builds what replaces it: `PyType_Slot Foo_Type_slots[]` and
// `PyType_Spec Foo_Type_spec` (flags plus Py_TPFLAGS_IMMUTABLETYPE, as the
// static type was immutable, and Py_TPFLAGS_DISALLOW_INSTANTIATION when it
// had no tp_new). The module-state conversion creates the type in exec with
// PyType_FromModuleAndSpec, keeps it in the state, and uses the functions
// found here (the type's slots and methods) to reach the module with
// PyType_GetModuleByDef. Only shapes understood completely are planned;
// otherwise the plan says why.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_REWRITES_HEAPTYPECONVERSION_H
#define GILPORT_REWRITES_HEAPTYPECONVERSION_H

#include "clang/Basic/SourceLocation.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace gilport {

/// A function the type calls with an instance (or, for tp_new, the type)
/// as its first argument.
struct TypeFunction {
  const clang::FunctionDecl *Function = nullptr;
  /// tp_new: the first parameter is the type itself.
  bool ReceivesType = false;
  /// tp_dealloc, tp_clear, tp_traverse, tp_finalize, tp_del, tp_free: run
  /// while objects are destroyed, also when finalization has already
  /// cleared the type's MRO and module, so they cannot reach the state.
  bool Finalizing = false;
  /// A binary number slot (nb_add, nb_or, ...): either operand may be the
  /// instance, so the module is looked up from both.
  bool Operands = false;
  /// A METH_METHOD method: its second parameter, the defining class, leads
  /// to the module (PyType_GetModule) without a search of the MRO.
  bool DefiningClass = false;
};

struct HeapTypePlan {
  const clang::VarDecl *Type = nullptr;
  /// Why the type cannot be converted; empty when it can.
  std::string Reason;
  /// The slots array and the spec, replacing the definition.
  std::string SpecText;
  std::string SpecName;
  /// The definition's lines.
  clang::CharSourceRange Definition;
  /// Tentative declarations (`static PyTypeObject Foo_Type;`) to remove.
  std::vector<clang::CharSourceRange> Declarations;
  std::vector<TypeFunction> Functions;
  /// The method and getset arrays holding some of them.
  std::vector<const clang::VarDecl *> Tables;
  /// tp_dealloc (null: the default one releases the heap type) and, for a
  /// GC type, tp_traverse.
  const clang::FunctionDecl *Dealloc = nullptr;
  const clang::FunctionDecl *Traverse = nullptr;
  /// A type of this file the type derives from (its tp_base); the module
  /// state conversion passes it as the bases argument.
  const clang::VarDecl *BaseType = nullptr;
  /// The base set by a statement `Foo_Type.tp_base = &Base;` of the exec
  /// function (before the type is readied): the statement's lines, removed,
  /// and the reference to the type in it, which needs no other edit.
  clang::CharSourceRange BaseStatement;
  const clang::Expr *BaseStatementRef = nullptr;
  /// When that base is computed at run time (`T.tp_base =
  /// PyDateTimeAPI->TZInfoType;`): its text. The type is then created in
  /// place of the statement, from that base.
  std::string RuntimeBase;
  /// The sub-tables (tp_as_number, ...) whose members become slots; their
  /// definitions are removed.
  std::vector<const clang::VarDecl *> SubTables;
  /// Edits outside the definition: sub-table removals, offset members added
  /// to an existing tp_members array.
  std::vector<std::pair<clang::CharSourceRange, std::string>> ExtraEdits;
};

/// Plans the conversion of \p Type; \p Unit is the indentation unit;
/// \p Exec, the module's exec function, may set the type's tp_base.
HeapTypePlan planHeapType(const clang::VarDecl *Type, llvm::StringRef Unit,
                          clang::ASTContext &Ctx,
                          const clang::FunctionDecl *Exec = nullptr);

} // namespace gilport

#endif
