//===--- GilportCheck.h - Base class of all gilport checks ------*- C++ -*-===//
//
// A check registers AST matchers (and optionally preprocessor callbacks) and
// reports findings through diag(). Findings carry notes and fixes; the
// context decides whether they are reported (suppressions, headers of the
// Python installation) and converts them to SourceManager-free values.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_CHECKS_GILPORTCHECK_H
#define GILPORT_CHECKS_GILPORTCHECK_H

#include "checks/CheckContext.h"
#include "checks/Finding.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace clang {
class LangOptions;
class Preprocessor;
class SourceManager;
} // namespace clang

namespace gilport {

class GilportCheck;
struct Rewrite;

/// Collects one finding; it is handed to the context when destroyed.
class FindingBuilder {
public:
  FindingBuilder(CheckContext &Context, clang::SourceLocation Loc,
                 Finding Draft);
  FindingBuilder(FindingBuilder &&Other);
  FindingBuilder(const FindingBuilder &) = delete;
  FindingBuilder &operator=(const FindingBuilder &) = delete;
  ~FindingBuilder();

  /// Adds a note at \p Loc (may be invalid: then the note has no location).
  FindingBuilder &note(clang::SourceLocation Loc, llvm::StringRef Message);
  /// Adds an edit. An edit that touches a macro expansion, or cannot be
  /// mapped to a file range, drops every fix of this finding and records why.
  FindingBuilder &fix(const clang::FixItHint &Hint);
  /// Records why no automatic fix is offered.
  FindingBuilder &noFix(llvm::StringRef Reason);
  /// Adds \p Edits' edits, or records its reason when it has one.
  FindingBuilder &fix(const Rewrite &Edits);
  /// The finished finding, handed to the caller instead of the context
  /// (which no longer gets it): for findings assembled from several parts.
  Finding take();

private:
  CheckContext *Context;
  clang::SourceLocation Loc;
  Finding Draft;
  bool FixBroken = false;
};

/// An option a check reads from `CheckOptions`.
struct CheckOptionInfo {
  const char *Name;
  const char *Default;
  const char *Description;
};

/// Whether a boolean option's value says yes (true, 1, yes, on).
bool isTrueOption(llvm::StringRef Value);

/// Adds "expanded from macro 'X'" notes to \p Builder for each user macro
/// that wraps the token at \p Loc, pointing into the macro definitions.
void addMacroExpansionNotes(FindingBuilder &Builder, clang::SourceLocation Loc,
                            const clang::SourceManager &SM,
                            const clang::LangOptions &LangOpts);

class GilportCheck : public clang::ast_matchers::MatchFinder::MatchCallback {
public:
  GilportCheck(llvm::StringRef Name, CheckContext &Context)
      : Name(Name.str()), Context(Context) {}
  ~GilportCheck() override = default;

  virtual void registerMatchers(clang::ast_matchers::MatchFinder *Finder) {}
  virtual void registerPPCallbacks(const clang::SourceManager &SM,
                                   clang::Preprocessor *PP) {}
  virtual void check(const clang::ast_matchers::MatchFinder::MatchResult &) {}
  /// Called once the whole translation unit has been matched.
  virtual void onEndOfTranslationUnit(clang::ASTContext &Ctx) {}

  void run(const clang::ast_matchers::MatchFinder::MatchResult &Result) final {
    check(Result);
  }
  llvm::StringRef getID() const override { return Name; }
  llvm::StringRef name() const { return Name; }

protected:
  FindingBuilder diag(clang::SourceLocation Loc, llvm::StringRef Message,
                      Severity Level = Severity::Warning);

  /// Options come from CheckOptions as `<check-name>.<Option>`; the registry
  /// declares each option with its default, so lookups here always succeed.
  std::string option(llvm::StringRef OptionName) const;
  bool boolOption(llvm::StringRef OptionName) const;

  CheckContext &context() { return Context; }
  const CheckContext &context() const { return Context; }

private:
  std::string Name;
  CheckContext &Context;
};

} // namespace gilport

#endif
