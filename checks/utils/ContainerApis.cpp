//===--- ContainerApis.cpp ------------------------------------------------===//

#include "checks/utils/ContainerApis.h"

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

constexpr unsigned FirstArgument = 1u;
constexpr unsigned FirstTwoArguments = 3u;
constexpr unsigned AllArguments = ~0u;

struct NonEscapingEntry {
  llvm::StringLiteral Name;
  /// Bit I set: argument I does not escape.
  unsigned Arguments;
};

const NonEscapingEntry NonEscaping[] = {
    // Reference counting and type tests (the functions behind the macros).
    {"Py_DECREF", AllArguments},
    {"Py_INCREF", AllArguments},
    {"Py_IS_TYPE", FirstArgument},
    {"Py_REFCNT", FirstArgument},
    {"Py_SIZE", FirstArgument},
    {"Py_TYPE", FirstArgument},
    {"Py_XDECREF", AllArguments},
    {"Py_XINCREF", AllArguments},
    {"PyObject_TypeCheck", FirstArgument},
    {"_Py_DECREF", AllArguments},
    {"_Py_INCREF", AllArguments},
    {"_Py_IsImmortal", FirstArgument},
    {"_Py_XDECREF", AllArguments},
    // Generic size and truth queries.
    {"PyObject_IsTrue", FirstArgument},
    {"PyObject_Length", FirstArgument},
    {"PyObject_Size", FirstArgument},
    {"PySequence_Contains", FirstArgument},
    {"PySequence_Length", FirstArgument},
    {"PySequence_Size", FirstArgument},
    // Lists: the list argument; items escape into the list.
    {"PyList_Append", FirstArgument},
    {"PyList_AsTuple", FirstArgument},
    {"PyList_Clear", FirstArgument},
    {"PyList_Extend", FirstTwoArguments},
    {"PyList_GET_SIZE", FirstArgument},
    {"PyList_GetItem", FirstArgument},
    {"PyList_GetItemRef", FirstArgument},
    {"PyList_GetSlice", FirstArgument},
    {"PyList_Insert", FirstArgument},
    {"PyList_Reverse", FirstArgument},
    {"PyList_SET_ITEM", FirstArgument},
    {"PyList_SetItem", FirstArgument},
    {"PyList_SetSlice", FirstArgument},
    {"PyList_Size", FirstArgument},
    {"PyList_Sort", FirstArgument},
    // Dicts: the dict argument; keys and values escape into the dict.
    {"PyDict_Clear", FirstArgument},
    {"PyDict_Contains", FirstArgument},
    {"PyDict_ContainsString", FirstArgument},
    {"PyDict_Copy", FirstArgument},
    {"PyDict_DelItem", FirstArgument},
    {"PyDict_DelItemString", FirstArgument},
    {"PyDict_GET_SIZE", FirstArgument},
    {"PyDict_GetItem", FirstArgument},
    {"PyDict_GetItemRef", FirstArgument},
    {"PyDict_GetItemString", FirstArgument},
    {"PyDict_GetItemStringRef", FirstArgument},
    {"PyDict_GetItemWithError", FirstArgument},
    {"PyDict_Items", FirstArgument},
    {"PyDict_Keys", FirstArgument},
    {"PyDict_Merge", FirstTwoArguments},
    {"PyDict_MergeFromSeq2", FirstTwoArguments},
    {"PyDict_Next", FirstArgument},
    {"PyDict_Pop", FirstArgument},
    {"PyDict_PopString", FirstArgument},
    {"PyDict_SetDefault", FirstArgument},
    {"PyDict_SetDefaultRef", FirstArgument},
    {"PyDict_SetItem", FirstArgument},
    {"PyDict_SetItemString", FirstArgument},
    {"PyDict_Size", FirstArgument},
    {"PyDict_Update", FirstTwoArguments},
    {"PyDict_Values", FirstArgument},
    {"_PyDict_GetItemIdWithError", FirstArgument},
    {"_PyDict_GetItemStringWithError", FirstArgument},
    {"_PyDict_GetItemWithError", FirstArgument},
    {"_PyDict_GetItem_KnownHash", FirstArgument},
    // Tuples.
    {"PyTuple_GET_SIZE", FirstArgument},
    {"PyTuple_GetItem", FirstArgument},
    {"PyTuple_GetSlice", FirstArgument},
    {"PyTuple_SET_ITEM", FirstArgument},
    {"PyTuple_SetItem", FirstArgument},
    {"PyTuple_Size", FirstArgument},
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

const llvm::StringMap<unsigned> &nonEscapingMap() {
  static const llvm::StringMap<unsigned> Map = [] {
    llvm::StringMap<unsigned> Result;
    for (const NonEscapingEntry &Entry : NonEscaping)
      Result[Entry.Name] = Entry.Arguments;
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
  const llvm::StringMap<unsigned> &Map = nonEscapingMap();
  auto It = Map.find(Callee);
  return It != Map.end() && Index < 32 && (It->second >> Index) & 1u;
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
