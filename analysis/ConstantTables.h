//===--- ConstantTables.h - Static tables filled with constants -*- C++ -*-===//
//
// A common way to export a C API to other extension modules is a static
// table of function pointers that the module's init or exec function fills
// and hands to PyCapsule_New:
//
//   static void *module_API[3];
//   ...
//   module_API[0] = (void *)write_bytes;
//   module_API[1] = (void *)write_dict;
//
// Every interpreter that imports the module fills the same table again,
// while another may read it: a data race, though every store writes the
// same constant. When the stores are all of this kind, the table can be
// initialised statically instead, and nothing writes it at all
// (rewrites/ConstantTableInit.h).
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_CONSTANTTABLES_H
#define GILPORT_ANALYSIS_CONSTANTTABLES_H

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class BinaryOperator;
class Expr;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace gilport {

/// The fill of a table with constants: its stores, in source order.
struct ConstantTableFill {
  struct Store {
    /// `table[Index] = Value;`, a statement of Function's body.
    const clang::BinaryOperator *Assignment;
    const clang::Expr *Index;
    const clang::Expr *Value;
  };
  const clang::FunctionDecl *Function = nullptr;
  std::vector<Store> Stores;
  /// Why the table is not filled that way; empty when it is.
  std::string Reason;
};

/// How \p Table, a static array of pointers or integers of a C file with no
/// initializer and no linkage outside the file, is filled: only by
/// statements `Table[i] = c;` of one function's body, outside macros, with
/// constant distinct indexes and values that may initialise a static
/// object, and otherwise only read, or handed to PyCapsule_New, and not
/// used in that function before its last store.
ConstantTableFill constantTableFill(const clang::VarDecl &Table,
                                    clang::ASTContext &Ctx);

} // namespace gilport

#endif
