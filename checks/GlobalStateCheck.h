//===--- GlobalStateCheck.h - gilport-global-state --------------*- C++ -*-===//

#ifndef GILPORT_CHECKS_GLOBALSTATECHECK_H
#define GILPORT_CHECKS_GLOBALSTATECHECK_H

#include "checks/CheckRegistry.h"
#include "checks/GilportCheck.h"
#include "checks/utils/GlobalStateTypes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <optional>
#include <vector>

namespace clang {
class DeclRefExpr;
class VarDecl;
} // namespace clang

namespace gilport {

/// Finds file-scope and function-static state shared by every interpreter
/// and raced on by every thread.
///
/// Python object pointers, static objects and static types are reported
/// wherever they are defined; other mutable C data only when a function
/// writes it (assigns, increments, or passes its address as a pointer to
/// non-const data).
class GlobalStateCheck : public GilportCheck {
public:
  explicit GlobalStateCheck(CheckContext &Context);
  static llvm::ArrayRef<CheckOptionInfo> options();

  void registerMatchers(clang::ast_matchers::MatchFinder *Finder) override;
  void
  check(const clang::ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit(clang::ASTContext &Ctx) override;

private:
  enum class WriteKind {
    Modified,
    ModifiedThrough,
    PointerPassed,
    ReferencePassed,
    PointerTaken,
  };
  struct WriteSite {
    clang::SourceLocation Loc;
    WriteKind Kind;
  };
  struct Candidate {
    const clang::VarDecl *Var;
    StaticStateKind Kind;
  };

  /// A local pointer or parameter pointing into a global: writes through it
  /// write the global.
  struct Alias {
    const clang::VarDecl *Pointer;
    const clang::DeclRefExpr *Target;
  };

  void checkVariable(const clang::VarDecl *Var, clang::ASTContext &Ctx);
  void checkCall(const clang::CallExpr *Call);
  /// \p Target is assigned, incremented, ...
  void recordModification(const clang::Expr *Target);
  /// A pointer into \p Target's storage is stored to \p Destination.
  void recordPointerTo(const clang::DeclRefExpr *Target,
                       const clang::Expr *Destination);
  /// A pointer into \p Target's storage is passed to a call.
  void recordPointerPassed(const clang::DeclRefExpr *Target,
                           const clang::CallExpr *Call, unsigned ParamIndex);
  void recordWrite(const clang::DeclRefExpr *Target, WriteSite Site);
  void recordWriteThrough(const clang::DeclRefExpr *Pointer, WriteSite Site);
  void keepEarliest(llvm::DenseMap<const clang::VarDecl *, WriteSite> &Sites,
                    const clang::VarDecl *Var, WriteSite Site);
  static bool isGlobal(const clang::DeclRefExpr *Ref);
  bool isIgnored(llvm::StringRef Name) const;

  /// `IgnoreVariables`: a regular expression matched against whole names.
  const std::string IgnoreVariablesPattern;
  std::optional<llvm::Regex> IgnoreVariables;

  std::unique_ptr<GlobalStateTypes> Types;
  std::vector<Candidate> Candidates;
  /// The first write found for each variable, keyed by canonical decl.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> FirstWrites;
  std::vector<Alias> Aliases;
  /// The first write through each local pointer.
  llvm::DenseMap<const clang::VarDecl *, WriteSite> WritesThrough;
};

} // namespace gilport

#endif
