//===--- GlobalStateTypes.h - What a static variable holds ------*- C++ -*-===//
//
// Classifies the type of a variable with static storage: Python object
// pointers, statically allocated objects and types, definition tables,
// synchronization primitives and plain C data. Used by gilport-global-state;
// the module-state rewrite needs the same answers.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_GLOBALSTATETYPES_H
#define GILPORT_ANALYSIS_GLOBALSTATETYPES_H

#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"

namespace clang {
class ASTContext;
class RecordDecl;
} // namespace clang

namespace gilport {

/// What a variable with static storage holds, as far as sharing goes.
enum class StaticStateKind {
  /// Not state: constant data, definition tables, synchronization
  /// primitives, references.
  None,
  /// A pointer to a Python object (`PyObject *`, `PyTypeObject *`, ...).
  ObjectPointer,
  /// An array or struct holding Python object pointers.
  ObjectPointers,
  /// A statically allocated type (`PyTypeObject` or a struct extending it).
  TypeObject,
  /// A statically allocated object that is not a type.
  StaticObject,
  /// Other mutable C data (counters, flags, buffers, C pointers).
  MutableData,
};

/// Answers questions about types; caches per record. One per translation
/// unit.
class GlobalStateTypes {
public:
  explicit GlobalStateTypes(const clang::ASTContext &Ctx) : Ctx(Ctx) {}

  /// Classifies the type of a variable with static storage.
  StaticStateKind classify(clang::QualType Type);

  /// `PyObject *`, `PyTypeObject *`, `PyListObject *`, pointers to user
  /// object structs (whose first member is an object, i.e. `PyObject_HEAD`).
  bool isObjectPointer(clang::QualType Type);

  /// Tables the runtime reads (PyMethodDef, PyModuleDef, PyType_Spec, ...).
  bool isDefinitionTable(clang::QualType Type);

  /// Locks, once-flags, thread-specific-storage keys and atomics: shared on
  /// purpose.
  bool isSynchronization(clang::QualType Type);

  enum class RecordKind { Plain, Object, TypeObject };
  /// Whether \p Record is a Python object layout: `struct _object`, or a
  /// struct whose first member (or C++ base) is one.
  RecordKind recordKind(const clang::RecordDecl *Record);

private:
  /// Whether \p Record has a (nested) member holding object pointers.
  bool holdsObjectPointers(const clang::RecordDecl *Record, unsigned Depth);
  RecordKind recordKindImpl(const clang::RecordDecl *Record, unsigned Depth);
  /// Calls \p Fn on each typedef and tag name in \p Type's sugar, outermost
  /// first, until it returns true.
  template <typename Fn> bool anyName(clang::QualType Type, Fn Predicate);

  const clang::ASTContext &Ctx;
  llvm::DenseMap<const clang::RecordDecl *, RecordKind> RecordKinds;
  llvm::DenseMap<const clang::RecordDecl *, bool> HoldsObjectPointers;
};

} // namespace gilport

#endif
