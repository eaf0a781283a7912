//===--- ContainerPrivacy.h - Containers no other thread can see -*- C++
//-*-===//
//
// A list or dict that the function created itself and has not yet stored,
// returned or passed to a call that may keep it cannot be changed by another
// thread: borrowing from it and reading its items without a lock are safe.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_CONTAINERPRIVACY_H
#define GILPORT_ANALYSIS_CONTAINERPRIVACY_H

#include "analysis/CallSites.h"
#include "analysis/ContainerApis.h"
#include "analysis/InitOnlyFields.h"
#include "analysis/StackStructs.h"

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <memory>
#include <optional>
#include <string>

namespace clang {
class CallExpr;
class Expr;
class FieldDecl;
class FunctionDecl;
class ParmVarDecl;
class SourceManager;
class VarDecl;
} // namespace clang

namespace gilport {

struct PrivacyVerdict {
  enum class Reason {
    /// Another thread may reach the container (or it cannot be proven not).
    Shared,
    /// A local variable holding a container the function created and has not
    /// let escape before the use.
    CreatedLocally,
    /// The container expression is itself a call that returns a new one.
    NewTemporary,
    /// A tuple: immutable, so its items cannot change.
    Tuple,
    /// A parameter of a static function to which every caller passes a
    /// private container, not let out before the use.
    PassedPrivate,
    /// A struct field whose container only changes while the module
    /// initialises or is torn down, and is never handed out.
    FilledAtInit,
    /// A field of a struct that only lives on the stack of one call, holding
    /// a container that call's code created and never hands out
    /// (StackStructs).
    HeldByCallStruct,
  };
  Reason Why = Reason::Shared;
  /// The variable, when the container is one.
  const clang::VarDecl *Variable = nullptr;
  /// The call that created the container, when known.
  const clang::CallExpr *Creator = nullptr;
  /// FilledAtInit and HeldByCallStruct: the field; FilledAtInit: where the
  /// module fills it.
  const clang::FieldDecl *Field = nullptr;
  clang::SourceLocation FilledAt;

  bool isPrivate() const { return Why != Reason::Shared; }
  /// Explains a private verdict, for a note; empty when shared.
  std::string explanation() const;
};

/// Answers privacy questions about the containers used in function bodies.
/// Facts about a function are computed on its first question and cached.
class ContainerPrivacy {
public:
  /// \p Callers and \p FilledOnce are the translation unit's, shared with
  /// other checks (UnitFacts).
  ContainerPrivacy(CallSiteIndex &Callers, InitOnlyFields &FilledOnce);
  ~ContainerPrivacy();

  /// Whether \p Container, used by an operation at \p UseLoc inside
  /// \p Function, is provably private to the function at that point.
  PrivacyVerdict classify(const clang::FunctionDecl &Function,
                          const clang::Expr &Container,
                          clang::SourceLocation UseLoc,
                          const clang::SourceManager &SM);

  struct FunctionFacts;
  using HelperQueries = ContainerPrivacy;

  /// The kind of container a static function defined in this translation
  /// unit returns when every return hands out NULL or a container it
  /// created and did not share (get_dotted_path in _pickle.c): a call of it
  /// creates a private container, as PyList_New does. None otherwise.
  std::optional<ContainerKind>
  freshResultKind(const clang::FunctionDecl &Callee);

  /// Whether a static function defined in this translation unit neither
  /// stores, returns, passes on (except to calls that keep nothing) nor
  /// reassigns its parameter \p Index: passing a private container to it
  /// keeps the container private.
  bool keepsParameterPrivate(const clang::FunctionDecl &Callee, unsigned Index);

private:
  PrivacyVerdict classifyField(const clang::FieldDecl &Field,
                               const clang::SourceManager &SM);
  /// Whether every call of \p Function passes a private container as its
  /// argument \p Index (cached).
  PrivacyVerdict callersPassPrivate(const clang::FunctionDecl &Function,
                                    unsigned Index,
                                    const clang::SourceManager &SM);
  PrivacyVerdict classifyPassedIn(const clang::FunctionDecl &Function,
                                  const clang::ParmVarDecl &Param,
                                  clang::SourceLocation UseLoc,
                                  const clang::SourceManager &SM);
  const FunctionFacts &factsFor(const clang::FunctionDecl &Function,
                                const clang::SourceManager &SM);

  llvm::DenseMap<const clang::FunctionDecl *, std::unique_ptr<FunctionFacts>>
      Facts;
  llvm::DenseMap<const clang::FunctionDecl *, std::optional<ContainerKind>>
      FreshResults;
  /// Guards against recursion through the helpers.
  llvm::SmallPtrSet<const clang::FunctionDecl *, 4> InProgress;
  llvm::SmallPtrSet<const clang::FunctionDecl *, 4> Computing;
  llvm::DenseMap<std::pair<const clang::FunctionDecl *, unsigned>,
                 PrivacyVerdict>
      PassedToParameter;
  /// Parameters whose callers are being asked about (recursion).
  llvm::DenseSet<std::pair<const clang::FunctionDecl *, unsigned>>
      ParametersInProgress;
  CallSiteIndex &Callers;
  InitOnlyFields &FilledOnce;
  StackStructs OnTheStack;
  const clang::SourceManager *CurrentSM = nullptr;
};

} // namespace gilport

#endif
