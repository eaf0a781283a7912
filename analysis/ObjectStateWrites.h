//===--- ObjectStateWrites.h - Writes to an extension object's fields -*- C++
//-*-===//
//
// An extension type's methods, getters and setters and slots run on objects
// that several threads may hold. Without the GIL, two threads calling
// `counter.add()` on one object at once both read `self->count`, and one
// increment is lost; two calls that grow `self->items` at once can free the
// buffer the other is writing.
//
// This finds the writes a function makes to the fields of the object it was
// given: the object is a parameter whose type points to an extension
// object's struct (one that starts with PyObject_HEAD), or a local set from
// a parameter by a cast (`Foo *self = (Foo *)op;`). A write is an
// assignment, a compound assignment, `++`/`--`, or an assignment to an
// element of an array or buffer the field holds (`self->items[i] = v`),
// spelled in the code or in a macro such as Py_SETREF. Fields of _Atomic
// type are not written racily.
//
// Objects a function makes itself are not shared yet, nor those a helper is
// only ever given by callers that have just made them (FreshObjects.h);
// neither is the object of a lifecycle slot: tp_new, tp_init, tp_alloc,
// tp_dealloc, tp_finalize, tp_del, tp_free, tp_clear and tp_traverse (in a
// static type's initializer, a PyType_Slot array, or assigned at run time), nor
// of a static function only they call.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_OBJECTSTATEWRITES_H
#define GILPORT_ANALYSIS_OBJECTSTATEWRITES_H

#include "llvm/ADT/SmallPtrSet.h"

#include <vector>

namespace clang {
class ASTContext;
class Expr;
class FieldDecl;
class FunctionDecl;
class ParmVarDecl;
class RecordDecl;
class VarDecl;
} // namespace clang

namespace gilport {

class CallSiteIndex;

/// Whether \p Record is an extension object's struct: its first field is
/// the object header (`PyObject ob_base`, `PyVarObject ob_base`), directly
/// or through a struct that starts with one (a subtype's).
bool isExtensionObjectStruct(const clang::RecordDecl &Record);

/// A write to a field of the object a function was given.
struct ObjectStateWrite {
  const clang::FunctionDecl *Function;
  /// The parameter, or the local cast from one, that names the object.
  const clang::VarDecl *Object;
  /// The object's struct.
  const clang::RecordDecl *Type;
  /// The field of the object's struct that is written (the outermost one
  /// for `self->state.count`).
  const clang::FieldDecl *Field;
  /// The assignment or increment.
  const clang::Expr *Write;
};

struct ObjectStateScan {
  /// The writes to the objects' own fields in the functions defined in the
  /// main file, in source order, leaving out lifecycle slots and the static
  /// functions only they call (by \p Callers).
  std::vector<ObjectStateWrite> Writes;
  /// The functions defined in the main file.
  std::vector<const clang::FunctionDecl *> Definitions;
  /// The lifecycle functions (canonical declarations): the slots and the
  /// static functions only they call.
  llvm::SmallPtrSet<const clang::FunctionDecl *, 16> Lifecycle;
};

/// The parameter of \p F that \p Var is: the parameter itself, or a local
/// initialised from one by a cast (`Foo *self = (Foo *)op;`); null for any
/// other variable.
const clang::ParmVarDecl *objectParameter(const clang::VarDecl &Var,
                                          const clang::FunctionDecl &F);

ObjectStateScan findObjectStateWrites(clang::ASTContext &Ctx,
                                      CallSiteIndex &Callers);

} // namespace gilport

#endif
