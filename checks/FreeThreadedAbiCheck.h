//===--- FreeThreadedAbiCheck.h - gilport-free-threaded-abi -----*- C++ -*-===//

#ifndef GILPORT_CHECKS_FREETHREADEDABICHECK_H
#define GILPORT_CHECKS_FREETHREADEDABICHECK_H

#include "checks/GilportCheck.h"

namespace gilport {

/// Finds code written for the GIL build's object layout: static objects
/// (PyObject, PyVarObject) whose header is initialised by hand, as
/// `{_PyObject_EXTRA_INIT 1, &Type}`. The free-threaded header starts with
/// the owning thread's id and splits the reference count, so such an
/// initializer does not compile there. Analysed against the free-threaded
/// headers the initializer is a compile error, which would stop the
/// analysis of the file; gilport analyses the rest of it and reports the
/// object here (analysis/ObjectLayout.h).
///
/// The fix initialises the header with `PyObject_HEAD_INIT(type)`; a
/// PyObject becomes a struct holding one (rewrites/StaticObjectHeader.h).
class FreeThreadedAbiCheck : public GilportCheck {
public:
  explicit FreeThreadedAbiCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options() { return {}; }

  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;
};

} // namespace gilport

#endif
