//===--- GlobalStateTypes.cpp ---------------------------------------------===//

#include "analysis/GlobalStateTypes.h"
#include "analysis/AstQueries.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <string>

namespace gilport {

using namespace clang;

namespace {

constexpr unsigned MaxRecordDepth = 6;

/// `PyObject`, `PyListObject`, `PyFrameObject` (opaque in the public API).
bool isObjectTypedefName(llvm::StringRef Name) {
  return Name.size() >= 8 && Name.starts_with("Py") &&
         Name.ends_with("Object") && llvm::all_of(Name, [](char C) {
           return llvm::isAlnum(C) || C == '_';
         });
}

bool isTableName(llvm::StringRef Name) {
  return llvm::StringSwitch<bool>(Name)
      .Cases("PyMethodDef", "PyMemberDef", "PyGetSetDef", "PyModuleDef",
             "PyModuleDef_Base", "PyModuleDef_Slot", "PyType_Slot",
             "PyType_Spec", true)
      .Cases("PyNumberMethods", "PySequenceMethods", "PyMappingMethods",
             "PyAsyncMethods", "PyBufferProcs", true)
      .Cases("PyStructSequence_Desc", "PyStructSequence_Field", true)
      // Filled in lazily by the runtime, which synchronizes it.
      .Cases("_PyArg_Parser", "_Py_Identifier", "wrapperbase", true)
      .Default(false);
}

bool isSynchronizationName(llvm::StringRef Name) {
  bool Known = llvm::StringSwitch<bool>(Name)
                   .Cases("Py_tss_t", "pthread_key_t", "tss_t", true)
                   .Cases("CRITICAL_SECTION", "SRWLOCK", "INIT_ONCE", true)
                   .Default(false);
  if (Known)
    return true;
  // Judge by the last word: PyMutex, PyThread_type_lock, pthread_mutex_t,
  // Tcl_Mutex, mtx_t, pthread_once_t, once_flag, cnd_t, sem_t, ...
  llvm::SmallVector<std::string, 4> Words;
  std::string Word;
  for (size_t I = 0; I < Name.size(); ++I) {
    char C = Name[I];
    bool CamelBreak = I > 0 && llvm::isUpper(C) && llvm::isLower(Name[I - 1]);
    if (C == '_' || CamelBreak) {
      if (!Word.empty())
        Words.push_back(Word);
      Word.clear();
      if (C == '_')
        continue;
    }
    Word += llvm::toLower(C);
  }
  if (!Word.empty())
    Words.push_back(Word);
  if (!Words.empty() && Words.back() == "t")
    Words.pop_back();
  if (Words.empty())
    return false;
  llvm::StringRef Last = Words.back();
  if (Last == "flag" && Words.size() > 1)
    return Words[Words.size() - 2] == "once";
  return llvm::StringSwitch<bool>(Last)
      .Cases("mutex", "mtx", "lock", "rwlock", "spinlock", true)
      .Cases("once", "cond", "cnd", "sema", "semaphore", "sem", true)
      .Default(false);
}

bool isStdSynchronizationRecord(const RecordDecl *Record) {
  if (!Record->isInStdNamespace() || !Record->getIdentifier())
    return false;
  return llvm::StringSwitch<bool>(Record->getName())
      .Cases("atomic", "atomic_flag", "atomic_ref", "mutex", "recursive_mutex",
             true)
      .Cases("timed_mutex", "shared_mutex", "once_flag", "condition_variable",
             true)
      .Default(false);
}

} // namespace

template <typename Fn>
bool GlobalStateTypes::anyName(QualType Type, Fn Predicate) {
  for (QualType Current = Type;;) {
    if (const auto *Typedef = dyn_cast<TypedefType>(Current.getTypePtr()))
      if (Predicate(Typedef->getDecl()->getName()))
        return true;
    QualType Next = Current.getSingleStepDesugaredType(Ctx);
    if (Next == Current)
      break;
    Current = Next;
  }
  if (const RecordDecl *Record = Type->getAsRecordDecl())
    return Predicate(recordName(Record));
  return false;
}

GlobalStateTypes::RecordKind
GlobalStateTypes::recordKind(const RecordDecl *Record) {
  return recordKindImpl(Record, 0);
}

GlobalStateTypes::RecordKind
GlobalStateTypes::recordKindImpl(const RecordDecl *Record, unsigned Depth) {
  if (const RecordDecl *Definition = Record->getDefinition())
    Record = Definition;
  auto It = RecordKinds.find(Record);
  if (It != RecordKinds.end())
    return It->second;
  llvm::StringRef Name = recordName(Record);
  RecordKind Kind = RecordKind::Plain;
  if (Name == "_typeobject") {
    Kind = RecordKind::TypeObject;
  } else if (Name == "_object") {
    Kind = RecordKind::Object;
  } else if (Depth < MaxRecordDepth && Record->isCompleteDefinition()) {
    // An object struct starts with its base object (PyObject_HEAD expands to
    // `PyObject ob_base;`); in C++ it may derive from one instead.
    const RecordDecl *First = nullptr;
    if (const auto *Class = dyn_cast<CXXRecordDecl>(Record);
        Class && Class->getNumBases() > 0) {
      First = Class->bases_begin()->getType()->getAsRecordDecl();
    } else if (!Record->field_empty()) {
      QualType FieldType = Record->field_begin()->getType();
      if (!FieldType->isArrayType())
        First = FieldType->getAsRecordDecl();
    }
    if (First && !Record->isUnion())
      Kind = recordKindImpl(First, Depth + 1);
  }
  RecordKinds[Record] = Kind;
  return Kind;
}

bool GlobalStateTypes::isObjectPointer(QualType Type) {
  const auto *Pointer = Type->getAs<PointerType>();
  if (!Pointer)
    return false;
  QualType Pointee = Pointer->getPointeeType();
  if (const RecordDecl *Record = Pointee->getAsRecordDecl())
    if (recordKind(Record) != RecordKind::Plain)
      return true;
  // Opaque object types (PyFrameObject in the public API) are only known by
  // their typedef name.
  return anyName(Pointee, isObjectTypedefName);
}

bool GlobalStateTypes::isDefinitionTable(QualType Type) {
  return anyName(Type, isTableName);
}

bool GlobalStateTypes::isSynchronization(QualType Type) {
  if (Type->isAtomicType())
    return true;
  if (anyName(Type, isSynchronizationName))
    return true;
  const RecordDecl *Record = Type->getAsRecordDecl();
  return Record && isStdSynchronizationRecord(Record);
}

bool GlobalStateTypes::holdsObjectPointers(const RecordDecl *Record,
                                           unsigned Depth) {
  if (const RecordDecl *Definition = Record->getDefinition())
    Record = Definition;
  auto [It, Inserted] = HoldsObjectPointers.try_emplace(Record, false);
  if (!Inserted || Depth > MaxRecordDepth)
    return It->second;
  bool Holds = false;
  for (const FieldDecl *Field : Record->fields()) {
    QualType FieldType = Ctx.getBaseElementType(Field->getType());
    if (FieldType.isConstQualified())
      continue;
    if (isObjectPointer(FieldType)) {
      Holds = true;
      break;
    }
    const RecordDecl *Nested = FieldType->getAsRecordDecl();
    if (Nested && !isDefinitionTable(FieldType) &&
        holdsObjectPointers(Nested, Depth + 1)) {
      Holds = true;
      break;
    }
  }
  // Look up again: the recursion may have grown the map.
  HoldsObjectPointers[Record] = Holds;
  return Holds;
}

StaticStateKind GlobalStateTypes::classify(QualType Type) {
  if (Type->isReferenceType() || Type->isDependentType())
    return StaticStateKind::None;
  QualType Element = Ctx.getBaseElementType(Type);
  if (Element.isConstQualified() || isSynchronization(Element))
    return StaticStateKind::None;
  if (isObjectPointer(Element))
    return Type->isArrayType() ? StaticStateKind::ObjectPointers
                               : StaticStateKind::ObjectPointer;
  if (const RecordDecl *Record = Element->getAsRecordDecl()) {
    if (isDefinitionTable(Element))
      return StaticStateKind::None;
    switch (recordKind(Record)) {
    case RecordKind::TypeObject:
      return StaticStateKind::TypeObject;
    case RecordKind::Object:
      return StaticStateKind::StaticObject;
    case RecordKind::Plain:
      break;
    }
    if (holdsObjectPointers(Record, 0))
      return StaticStateKind::ObjectPointers;
  }
  return StaticStateKind::MutableData;
}

} // namespace gilport
