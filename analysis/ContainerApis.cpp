//===--- ContainerApis.cpp ------------------------------------------------===//

#include "analysis/ContainerApis.h"

#include "llvm/ADT/StringMap.h"

namespace gilport {

namespace {

struct CreatorEntry {
  llvm::StringLiteral Name;
  ContainerKind Kind;
};

// Each always returns a new object. Not PySequence_Fast or
// PySequence_GetSlice: they may return their (shared) argument or whatever a
// __getitem__ returns.
const CreatorEntry Creators[] = {
    {"PyDict_Copy", ContainerKind::Dict},
    {"PyDict_Items", ContainerKind::List},
    {"PyDict_Keys", ContainerKind::List},
    {"PyDict_New", ContainerKind::Dict},
    {"PyDict_Values", ContainerKind::List},
    {"PyList_AsTuple", ContainerKind::Tuple},
    {"PyList_GetSlice", ContainerKind::List},
    {"PyList_New", ContainerKind::List},
    {"PyMapping_Items", ContainerKind::List},
    {"PyMapping_Keys", ContainerKind::List},
    {"PyMapping_Values", ContainerKind::List},
    {"PyObject_Dir", ContainerKind::List},
    {"PySequence_List", ContainerKind::List},
    {"PySequence_Tuple", ContainerKind::Tuple},
    {"PyTuple_GetSlice", ContainerKind::Tuple},
    {"PyTuple_New", ContainerKind::Tuple},
    {"PyTuple_Pack", ContainerKind::Tuple},
    {"PyUnicode_RSplit", ContainerKind::List},
    {"PyUnicode_Split", ContainerKind::List},
    {"PyUnicode_Splitlines", ContainerKind::List},
    {"_PyDict_NewPresized", ContainerKind::Dict},
};

constexpr unsigned NoArguments = 0u;
constexpr unsigned FirstArgument = 1u;
constexpr unsigned SecondArgument = 2u;
constexpr unsigned FirstTwoArguments = 3u;
constexpr unsigned AllArguments = ~0u;

struct NonEscapingEntry {
  llvm::StringLiteral Name;
  /// Bit I set: argument I does not escape.
  unsigned Arguments;
  /// Bit I set: argument I is only read in place, not changed.
  unsigned ReadOnlyArguments;
};

const NonEscapingEntry NonEscaping[] = {
    // Reference counting and type tests (the functions behind the macros).
    {"Py_DECREF", AllArguments, NoArguments},
    {"Py_INCREF", AllArguments, AllArguments},
    {"Py_IS_TYPE", FirstArgument, FirstArgument},
    {"Py_REFCNT", FirstArgument, FirstArgument},
    {"Py_SIZE", FirstArgument, FirstArgument},
    {"Py_TYPE", FirstArgument, FirstArgument},
    {"Py_XDECREF", AllArguments, NoArguments},
    {"Py_XINCREF", AllArguments, AllArguments},
    {"PyObject_TypeCheck", FirstArgument, FirstArgument},
    {"_Py_DECREF", AllArguments, NoArguments},
    {"_Py_INCREF", AllArguments, AllArguments},
    {"_Py_IsImmortal", FirstArgument, FirstArgument},
    // 3.14's functions behind Py_REFCNT and Py_TYPE.
    {"_Py_REFCNT", FirstArgument, FirstArgument},
    {"_Py_TYPE", FirstArgument, FirstArgument},
    {"_Py_XDECREF", AllArguments, NoArguments},
    // Generic size and truth queries.
    {"PyObject_IsTrue", FirstArgument, FirstArgument},
    {"PyObject_Length", FirstArgument, FirstArgument},
    {"PyObject_Size", FirstArgument, FirstArgument},
    {"PySequence_Contains", FirstArgument, FirstArgument},
    {"PySequence_Length", FirstArgument, FirstArgument},
    {"PySequence_Size", FirstArgument, FirstArgument},
    // Lists: the list argument; items escape into the list.
    {"PyList_Append", FirstArgument, NoArguments},
    {"PyList_AsTuple", FirstArgument, FirstArgument},
    {"PyList_Clear", FirstArgument, NoArguments},
    {"PyList_Extend", FirstTwoArguments, SecondArgument},
    {"PyList_GET_SIZE", FirstArgument, FirstArgument},
    {"PyList_GetItem", FirstArgument, FirstArgument},
    {"PyList_GetItemRef", FirstArgument, FirstArgument},
    {"PyList_GetSlice", FirstArgument, FirstArgument},
    {"PyList_Insert", FirstArgument, NoArguments},
    {"PyList_Reverse", FirstArgument, NoArguments},
    {"PyList_SET_ITEM", FirstArgument, NoArguments},
    {"PyList_SetItem", FirstArgument, NoArguments},
    {"PyList_SetSlice", FirstArgument, NoArguments},
    {"PyList_Size", FirstArgument, FirstArgument},
    {"PyList_Sort", FirstArgument, NoArguments},
    // Dicts: the dict argument; keys and values escape into the dict.
    {"PyDict_Clear", FirstArgument, NoArguments},
    {"PyDict_Contains", FirstArgument, FirstArgument},
    {"PyDict_ContainsString", FirstArgument, FirstArgument},
    {"PyDict_Copy", FirstArgument, FirstArgument},
    {"PyDict_DelItem", FirstArgument, NoArguments},
    {"PyDict_DelItemString", FirstArgument, NoArguments},
    {"PyDict_GET_SIZE", FirstArgument, FirstArgument},
    {"PyDict_GetItem", FirstArgument, FirstArgument},
    {"PyDict_GetItemRef", FirstArgument, FirstArgument},
    {"PyDict_GetItemString", FirstArgument, FirstArgument},
    {"PyDict_GetItemStringRef", FirstArgument, FirstArgument},
    {"PyDict_GetItemWithError", FirstArgument, FirstArgument},
    {"PyDict_Items", FirstArgument, FirstArgument},
    {"PyDict_Keys", FirstArgument, FirstArgument},
    {"PyDict_Merge", FirstTwoArguments, SecondArgument},
    {"PyDict_MergeFromSeq2", FirstTwoArguments, SecondArgument},
    {"PyDict_Next", FirstArgument, FirstArgument},
    {"PyDict_Pop", FirstArgument, NoArguments},
    {"PyDict_PopString", FirstArgument, NoArguments},
    {"PyDict_SetDefault", FirstArgument, NoArguments},
    {"PyDict_SetDefaultRef", FirstArgument, NoArguments},
    {"PyDict_SetItem", FirstArgument, NoArguments},
    {"PyDict_SetItemString", FirstArgument, NoArguments},
    {"PyDict_Size", FirstArgument, FirstArgument},
    {"PyDict_Update", FirstTwoArguments, SecondArgument},
    {"PyDict_Values", FirstArgument, FirstArgument},
    {"_PyDict_GetItemIdWithError", FirstArgument, FirstArgument},
    {"_PyDict_GetItemStringWithError", FirstArgument, FirstArgument},
    {"_PyDict_GetItemWithError", FirstArgument, FirstArgument},
    {"_PyDict_GetItem_KnownHash", FirstArgument, FirstArgument},
    // Tuples.
    {"PyTuple_GET_SIZE", FirstArgument, FirstArgument},
    {"PyTuple_GetItem", FirstArgument, FirstArgument},
    {"PyTuple_GetSlice", FirstArgument, FirstArgument},
    {"PyTuple_SET_ITEM", FirstArgument, NoArguments},
    {"PyTuple_SetItem", FirstArgument, NoArguments},
    {"PyTuple_Size", FirstArgument, FirstArgument},
};

const UnlockedContainerOp UnlockedOps[] = {
    {"PyDict_Next", false, ContainerKind::Dict, 0, "iterates over a dict",
     "the whole loop"},
    {"PyList_GET_ITEM", true, ContainerKind::List, 0,
     "reads the item array of a list", "the access"},
    {"PyList_SET_ITEM", true, ContainerKind::List, 0,
     "writes into the item array of a list", "the write"},
    {"PySequence_Fast_GET_ITEM", true, ContainerKind::Sequence, 0,
     "reads the item array of a sequence", "the access"},
    {"PySequence_Fast_ITEMS", true, ContainerKind::Sequence, 0,
     "exposes the item array of a sequence", "every use of the array"},
};

const llvm::StringMap<const NonEscapingEntry *> &nonEscapingMap() {
  static const llvm::StringMap<const NonEscapingEntry *> Map = [] {
    llvm::StringMap<const NonEscapingEntry *> Result;
    for (const NonEscapingEntry &Entry : NonEscaping)
      Result[Entry.Name] = &Entry;
    return Result;
  }();
  return Map;
}

} // namespace

llvm::StringRef containerKindName(ContainerKind Kind) {
  switch (Kind) {
  case ContainerKind::List:
    return "list";
  case ContainerKind::Dict:
    return "dict";
  case ContainerKind::Tuple:
    return "tuple";
  case ContainerKind::Sequence:
    return "sequence";
  }
  return "container";
}

std::optional<ContainerKind> createdContainerKind(llvm::StringRef Callee) {
  for (const CreatorEntry &Entry : Creators)
    if (Entry.Name == Callee)
      return Entry.Kind;
  return std::nullopt;
}

bool isNonEscapingArgument(llvm::StringRef Callee, unsigned Index) {
  auto It = nonEscapingMap().find(Callee);
  return It != nonEscapingMap().end() && Index < 32 &&
         (It->second->Arguments >> Index) & 1u;
}

bool isReadOnlyArgument(llvm::StringRef Callee, unsigned Index) {
  auto It = nonEscapingMap().find(Callee);
  return It != nonEscapingMap().end() && Index < 32 &&
         (It->second->ReadOnlyArguments >> Index) & 1u;
}

llvm::ArrayRef<UnlockedContainerOp> unlockedContainerOps() {
  return UnlockedOps;
}

const UnlockedContainerOp *findUnlockedContainerOp(llvm::StringRef Name) {
  for (const UnlockedContainerOp &Op : UnlockedOps)
    if (Op.Name == Name)
      return &Op;
  return nullptr;
}

} // namespace gilport
