//===--- BorrowedApis.cpp -------------------------------------------------===//
//
// Sources: CPython Doc/howto/free-threading-extensions.rst,
// Doc/data/refcounts.dat and the C-API reference of 3.13 (3.15 for PySys).
//
//===----------------------------------------------------------------------===//

#include "analysis/BorrowedApis.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace gilport {

using Contract = ReplacementContract;
using Owner = BorrowOwner;

namespace {

constexpr PythonVersion Py3{3, 0};
constexpr PythonVersion Py39{3, 9};
constexpr PythonVersion Py311{3, 11};
constexpr PythonVersion Py313{3, 13};
constexpr PythonVersion Py315{3, 15};
constexpr PythonVersion NotDeprecated{};

// Sorted by name (ASCII: the private '_Py' names last). The third field is
// the runtime shim's slot (BorrowedApi::ShimSlot).
const BorrowedApi Table[] = {
    {"PyCell_GET", /*IsMacro=*/true, /*ShimSlot=*/0, "PyCell_Get", Py3,
     Contract::SameArgumentsNewReference, Owner::Cell, 0, "PyCell_Get($0)", "",
     NotDeprecated},
    {"PyDict_GetItem", false, 2, "PyDict_GetItemRef", Py313,
     Contract::LookupOutParameter, Owner::Dict, 0, "", "", NotDeprecated},
    {"PyDict_GetItemString", false, 4, "PyDict_GetItemStringRef", Py313,
     Contract::LookupOutParameter, Owner::Dict, 0, "", "", NotDeprecated},
    {"PyDict_GetItemWithError", false, 3, "PyDict_GetItemRef", Py313,
     Contract::LookupOutParameter, Owner::Dict, 0, "", "", NotDeprecated},
    {"PyDict_SetDefault", false, 5, "PyDict_SetDefaultRef", Py313,
     Contract::SetDefaultOutParameter, Owner::Dict, 0, "", "", NotDeprecated},
    {"PyEval_GetBuiltins", false, 12, "PyEval_GetFrameBuiltins", Py313,
     Contract::SameArgumentsNewReference, Owner::Frame, -1,
     "PyEval_GetFrameBuiltins()", "", Py313},
    {"PyEval_GetFrame", false, 13, "PyThreadState_GetFrame", Py39,
     Contract::DifferentArguments, Owner::Frame, -1,
     "PyThreadState_GetFrame(PyThreadState_Get())", "", NotDeprecated},
    {"PyEval_GetGlobals", false, 10, "PyEval_GetFrameGlobals", Py313,
     Contract::SameArgumentsNewReference, Owner::Frame, -1,
     "PyEval_GetFrameGlobals()", "", Py313},
    {"PyEval_GetLocals", false, 11, "PyEval_GetFrameLocals", Py313,
     Contract::SameArgumentsNewReference, Owner::Frame, -1, "", "", Py313},
    {"PyImport_AddModule", false, 7, "PyImport_AddModuleRef", Py313,
     Contract::SameArgumentsNewReference, Owner::ModulesDict, -1,
     "PyImport_AddModuleRef($0)", "", NotDeprecated},
    {"PyImport_AddModuleObject", false, 8, "PyImport_AddModuleRef", Py313,
     Contract::DifferentArguments, Owner::ModulesDict, -1, "",
     "use 'PyImport_AddModuleRef' (Python 3.13), which takes the name as a "
     "UTF-8 string and returns a strong reference",
     NotDeprecated},
    {"PyList_GET_ITEM", true, 0, "PyList_GetItemRef", Py313,
     Contract::SameArgumentsNewReference, Owner::List, 0,
     "PyList_GetItemRef($0, $1)", "", NotDeprecated},
    {"PyList_GetItem", false, 1, "PyList_GetItemRef", Py313,
     Contract::SameArgumentsNewReference, Owner::List, 0,
     "PyList_GetItemRef($0, $1)", "", NotDeprecated},
    // The module stays in the interpreter's list until another thread calls
    // PyState_RemoveModule; a module argument or the defining class keeps it
    // alive instead. PyType_GetModuleByDef is borrowed too, but from the type.
    {"PyState_FindModule", false, 14, "PyType_GetModuleByDef", Py311,
     Contract::NoDropInReplacement, Owner::InterpreterModules, -1, "",
     "use the module object passed to the function, or "
     "'PyType_GetModuleByDef' (Python 3.11) on the defining class, whose "
     "result the class keeps alive",
     NotDeprecated},
    {"PySys_GetObject", false, 9, "PySys_GetOptionalAttrString", Py315,
     Contract::LookupOutParameter, Owner::SysModule, -1, "", "", NotDeprecated},
    {"PyWeakref_GET_OBJECT", true, 0, "PyWeakref_GetRef", Py313,
     Contract::WeakrefOutParameter, Owner::WeakReferent, 0, "", "", Py313},
    {"PyWeakref_GetObject", false, 6, "PyWeakref_GetRef", Py313,
     Contract::WeakrefOutParameter, Owner::WeakReferent, 0, "", "", Py313},
    // CPython's private lookups (Include/cpython/dictobject.h in 3.11; the
    // Id and plain WithError variants moved to Include/internal in 3.13).
    // All return a borrowed reference, or NULL with an exception on error.
    {"_PyDict_GetItemIdWithError", false, 0, "PyDict_GetItemRef", Py313,
     Contract::DifferentArguments, Owner::Dict, 0, "",
     "use 'PyDict_GetItemRef' (Python 3.13) with the key as a string object "
     "(for example one interned at module init and kept in the module "
     "state), which returns a strong reference",
     NotDeprecated,
     "'PyDict_GetItemRef' takes the key as an object, not a "
     "'_Py_Identifier'"},
    {"_PyDict_GetItemStringWithError", false, 0, "PyDict_GetItemStringRef",
     Py313, Contract::LookupOutParameter, Owner::Dict, 0, "", "",
     NotDeprecated},
    {"_PyDict_GetItemWithError", false, 0, "PyDict_GetItemRef", Py313,
     Contract::LookupOutParameter, Owner::Dict, 0, "", "", NotDeprecated},
    // 3.13's strong variant, _PyDict_GetItemRef_KnownHash, is internal to
    // CPython (Py_BUILD_CORE only).
    {"_PyDict_GetItem_KnownHash", false, 0, "PyDict_GetItemRef", Py313,
     Contract::DifferentArguments, Owner::Dict, 0, "",
     "use 'PyDict_GetItemRef' (Python 3.13), which returns a strong "
     "reference; it takes no hash (CPython's strong known-hash lookup is "
     "internal)",
     NotDeprecated,
     "'PyDict_GetItemRef' takes no hash argument; there is no public "
     "strong-reference lookup with a known hash"},
};

} // namespace

std::string PythonVersion::str() const {
  return std::to_string(Major) + "." + std::to_string(Minor);
}

std::string PythonVersion::hexGuard() const {
  std::string Result;
  llvm::raw_string_ostream OS(Result);
  OS << llvm::format("0x%02X%02X0000", Major, Minor);
  return Result;
}

llvm::ArrayRef<BorrowedApi> borrowedApis() { return Table; }

const BorrowedApi *findBorrowedApi(llvm::StringRef Name) {
  for (const BorrowedApi &Api : Table)
    if (Api.Name == Name)
      return &Api;
  return nullptr;
}

std::string replacementAdvice(const BorrowedApi &Api) {
  if (!Api.Advice.empty())
    return Api.Advice.str();
  std::string Since = Api.ReplacementAddedIn.Minor == 0
                          ? "every Python 3 version"
                          : "Python " + Api.ReplacementAddedIn.str();
  return ("use '" + Api.Replacement + "' (" + Since +
          "), which returns a strong reference")
      .str();
}

std::string replacementContractNote(const BorrowedApi &Api) {
  std::string Replacement = ("'" + Api.Replacement + "'").str();
  switch (Api.Contract) {
  case Contract::LookupOutParameter:
    return Replacement +
           " stores a strong reference in its last argument and returns 1 "
           "when found, 0 when missing (no exception) and -1 on error";
  case Contract::SetDefaultOutParameter:
    return Replacement +
           " stores a strong reference to the value in its last argument and "
           "returns 1 when the key was present, 0 when it inserted the "
           "default and -1 on error";
  case Contract::WeakrefOutParameter:
    return Replacement +
           " stores a strong reference in '*pobj' and returns 1 while the "
           "referent is alive, 0 (with NULL, not Py_None) once it is dead and "
           "-1 on error";
  case Contract::DifferentArguments:
    if (!Api.FixTemplate.empty())
      return ("call it as '" + Api.FixTemplate + "'").str();
    return "";
  case Contract::SameArgumentsNewReference:
    if (Api.Owner == Owner::List && Api.IsMacro)
      return Replacement + " checks the index and the type: it returns NULL "
                           "with an exception instead of reading out of bounds";
    if (Api.Name == "PyEval_GetLocals")
      return Replacement + " returns an independent snapshot in optimized "
                           "scopes; writing to it does not change the "
                           "function's variables";
    return "";
  case Contract::NoDropInReplacement:
    return "";
  }
  return "";
}

} // namespace gilport
