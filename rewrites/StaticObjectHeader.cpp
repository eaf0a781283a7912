//===--- StaticObjectHeader.cpp -------------------------------------------===//

#include "rewrites/StaticObjectHeader.h"

#include "analysis/ObjectLayout.h"
#include "analysis/Parents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <optional>

namespace gilport {

using namespace clang;

namespace {

/// Skips a string or character literal starting at \p I; returns the
/// offset of its closing quote.
size_t skipLiteral(llvm::StringRef Text, size_t I) {
  char Quote = Text[I];
  for (++I; I < Text.size() && Text[I] != Quote; ++I)
    if (Text[I] == '\\')
      ++I;
  return I;
}

/// The elements of the braced list \p List (braces included), trimmed;
/// none when it is not one list.
std::optional<std::vector<llvm::StringRef>> listElements(llvm::StringRef List) {
  List = List.trim();
  if (!List.starts_with("{") || !List.ends_with("}") || List.contains("//") ||
      List.contains("/*"))
    return std::nullopt;
  llvm::StringRef Inner = List.drop_front().drop_back();
  std::vector<llvm::StringRef> Elements;
  int Depth = 0;
  size_t Start = 0;
  for (size_t I = 0; I < Inner.size(); ++I) {
    char C = Inner[I];
    if (C == '"' || C == '\'') {
      I = skipLiteral(Inner, I);
    } else if (C == '{' || C == '(' || C == '[') {
      ++Depth;
    } else if (C == '}' || C == ')' || C == ']') {
      if (--Depth < 0)
        return std::nullopt;
    } else if (C == ',' && Depth == 0) {
      Elements.push_back(Inner.slice(Start, I).trim());
      Start = I + 1;
    }
  }
  if (Depth != 0)
    return std::nullopt;
  llvm::StringRef Last = Inner.substr(Start).trim();
  if (!Last.empty())
    Elements.push_back(Last);
  return Elements;
}

/// The type object of a header list written by hand: `{[_PyObject_EXTRA_INIT]
/// refcnt, type}`; empty when \p Header is not such a list.
std::string headerType(llvm::StringRef Header) {
  std::optional<std::vector<llvm::StringRef>> Elements = listElements(Header);
  if (!Elements || Elements->size() != 2)
    return {};
  llvm::StringRef Type = (*Elements)[1];
  if (Type.empty() || Type.contains('{') ||
      Type.contains("_PyObject_EXTRA_INIT"))
    return {};
  return Type.str();
}

/// A line of the main file that is a conditional directive.
struct Directive {
  size_t LineBegin;
  size_t LineEnd; // the offset of its '\n', or the file's size
  bool IsElse;
};

/// The #if groups of \p Text, innermost first: each holds its #if, #elif,
/// #else and #endif lines.
std::vector<std::vector<Directive>> conditionalGroups(llvm::StringRef Text) {
  std::vector<std::vector<Directive>> Done, Open;
  for (size_t Pos = 0; Pos < Text.size();) {
    size_t End = Pos;
    // A directive may continue on the next line after a backslash.
    while (true) {
      End = std::min(Text.find('\n', End), Text.size());
      if (End > Pos && End < Text.size() && Text[End - 1] == '\\') {
        ++End;
        continue;
      }
      break;
    }
    llvm::StringRef Line = Text.slice(Pos, End).ltrim();
    if (Line.consume_front("#")) {
      Line = Line.ltrim();
      llvm::StringRef Name =
          Line.take_while([](char C) { return llvm::isAlnum(C) || C == '_'; });
      Directive D{Pos, End, Name == "else"};
      if (Name == "if" || Name == "ifdef" || Name == "ifndef") {
        Open.push_back({D});
      } else if (!Open.empty() && (Name == "elif" || Name == "elifdef" ||
                                   Name == "elifndef" || Name == "else")) {
        Open.back().push_back(D);
      } else if (!Open.empty() && Name == "endif") {
        Open.back().push_back(D);
        Done.push_back(std::move(Open.back()));
        Open.pop_back();
      }
    }
    Pos = End + 1;
  }
  return Done;
}

/// Whether \p Branch (trimmed) is one definition of \p Name, as
/// `[static] PyObject name = {...};`.
bool definesOnly(llvm::StringRef Branch, llvm::StringRef Name) {
  Branch = Branch.trim();
  size_t At = 0;
  while (At < Branch.size()) {
    llvm::StringRef Word = Branch.substr(At).take_while(
        [](char C) { return llvm::isAlnum(C) || C == '_'; });
    if (Word.empty())
      return false;
    At += Word.size();
    At = Branch.find_first_not_of(" \t\r\n", At);
    if (At == llvm::StringRef::npos)
      return false;
    if (Word == Name)
      break;
  }
  return At < Branch.size() && Branch[At] == '=' &&
         declarationEnd(Branch, At) == Branch.size() - 1;
}

/// The references to one variable.
class ReferenceFinder : public RecursiveASTVisitor<ReferenceFinder> {
public:
  explicit ReferenceFinder(const VarDecl *Var) : Var(Var) {}
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (Ref->getDecl()->getCanonicalDecl() == Var)
      Refs.push_back(Ref);
    return true;
  }
  const VarDecl *Var;
  std::vector<const DeclRefExpr *> Refs;
};

} // namespace

Rewrite initialiseHeaderPortably(const VarDecl &Var, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  std::string Name = Var.getName().str();
  std::string Quoted = "'" + Name + "'";
  if (LO.CPlusPlus)
    return Rewrite::failure("the fix is written for C only");
  SourceLocation NameLoc = Var.getLocation();
  if (NameLoc.isMacroID())
    return Rewrite::failure(Quoted + " is declared inside a macro expansion; "
                                     "change the macro by hand");
  if (!SM.isInMainFile(NameLoc))
    return Rewrite::failure(Quoted + " is defined in a header, which other "
                                     "sources may use; change it by hand");
  FileID Main = SM.getMainFileID();
  llvm::StringRef Text = SM.getBufferData(Main);
  auto Offset = [&](SourceLocation Loc) { return SM.getFileOffset(Loc); };
  auto Line = [&](size_t At) {
    return "line " + std::to_string(SM.getLineNumber(Main, At));
  };
  auto At = [&](size_t Where) {
    return SM.getLocForStartOfFile(Main).getLocWithOffset(Where);
  };

  // The initializer, from its '{' to the ';'.
  size_t NameEnd = Offset(NameLoc) + Name.size();
  size_t Equals = Text.find_first_not_of(" \t\r\n", NameEnd);
  if (Equals == llvm::StringRef::npos || Text[Equals] != '=')
    return Rewrite::failure("the initializer of " + Quoted +
                            " is not spelled after its name");
  size_t Semi = declarationEnd(Text, Equals);
  size_t InitBegin = Text.find_first_not_of(" \t\r\n", Equals + 1);
  if (Semi == llvm::StringRef::npos || InitBegin >= Semi)
    return Rewrite::failure("the initializer of " + Quoted +
                            " is not spelled in the file");
  llvm::StringRef Init = Text.slice(InitBegin, Semi).rtrim();
  std::optional<std::vector<llvm::StringRef>> Elements = listElements(Init);
  if (!Elements)
    return Rewrite::failure("the initializer of " + Quoted +
                            " is not a braced list spelled in the file");

  // PyObject or PyVarObject: the record is unnamed for PyVarObject.
  const RecordDecl *Record = Var.getType()->getAsRecordDecl();
  bool VarObject = Record && Record->getName() != "_object";
  std::string NewInit;
  if (VarObject) {
    std::string Type =
        Elements->size() >= 2 ? headerType(Elements->front()) : "";
    if (Type.empty())
      return Rewrite::failure("the header of " + Quoted +
                              " is not '{refcnt, type}' followed by its size");
    NewInit = "{PyObject_HEAD_INIT(" + Type + ") " +
              llvm::join(llvm::drop_begin(*Elements), ", ") + "}";
  } else {
    std::string Type = headerType(Init);
    if (Type.empty())
      return Rewrite::failure("the initializer of " + Quoted +
                              " is not '{refcnt, type}'");
    NewInit = "{PyObject_HEAD_INIT(" + Type + ")}";
  }

  Rewrite Result;
  // The places the object is named, which must all be accounted for.
  llvm::DenseSet<unsigned> Known;
  std::vector<const VarDecl *> Decls(Var.redecls().begin(),
                                     Var.redecls().end());
  llvm::sort(Decls, [&](const VarDecl *A, const VarDecl *B) {
    return SM.isBeforeInTranslationUnit(A->getLocation(), B->getLocation());
  });
  // Only a PyObject changes type: `struct name { PyObject_HEAD }`.
  struct TypeEdit {
    size_t Begin, End;
    std::string Replacement;
  };
  std::vector<TypeEdit> TypeEdits;
  if (!VarObject) {
    for (const Decl *D : Ctx.getTranslationUnitDecl()->decls())
      if (const auto *Tag = dyn_cast<TagDecl>(D); Tag && Tag->getName() == Name)
        return Rewrite::failure("a struct, union or enum is already named " +
                                Quoted);
    for (const VarDecl *D : Decls) {
      TypeSourceInfo *Info = D->getTypeSourceInfo();
      SourceRange Range =
          Info ? Info->getTypeLoc().getSourceRange() : SourceRange();
      if (Range.isInvalid() || !Range.getBegin().isFileID() ||
          !Range.getEnd().isFileID() || D->getLocation().isMacroID() ||
          !SM.isInMainFile(Range.getBegin()))
        return Rewrite::failure(
            Quoted +
            " is also declared in a header or inside a macro "
            "expansion, at " +
            SM.getFilename(SM.getExpansionLoc(D->getLocation())).str() + ":" +
            std::to_string(SM.getExpansionLineNumber(D->getLocation())));
      size_t Begin = Offset(Range.getBegin());
      size_t End =
          Offset(Lexer::getLocForEndOfToken(Range.getEnd(), 0, SM, LO));
      if (Text.slice(Begin, End) != "PyObject")
        return Rewrite::failure(Quoted + " is not declared as 'PyObject' at " +
                                Line(Begin));
      for (const Decl *Other : D->getDeclContext()->decls())
        if (Other != D && isa<VarDecl>(Other) &&
            Other->getBeginLoc() == D->getBeginLoc())
          return Rewrite::failure(Quoted +
                                  " is declared together with "
                                  "other variables at " +
                                  Line(Begin));
      TypeEdits.push_back({Begin, End,
                           TypeEdits.empty()
                               ? "struct " + Name + " { PyObject_HEAD }"
                               : "struct " + Name});
      Known.insert(Offset(D->getLocation()));
    }
    // Every use is `&name`, which becomes `&name.ob_base`, where it is
    // spelled (in a macro of this file: once for all its expansions).
    ReferenceFinder Finder(Var.getCanonicalDecl());
    Finder.TraverseDecl(Ctx.getTranslationUnitDecl());
    for (const DeclRefExpr *Ref : Finder.Refs) {
      SourceLocation Spelling = SM.getSpellingLoc(Ref->getLocation());
      std::string Where =
          "line " +
          std::to_string(SM.getExpansionLineNumber(Ref->getLocation()));
      DynTypedNodeList Parents = parentsOf(*Ref, Ctx);
      const auto *Address =
          Parents.empty() ? nullptr : Parents[0].get<UnaryOperator>();
      if (!Address || Address->getOpcode() != UO_AddrOf)
        return Rewrite::failure(Quoted + " is used at " + Where +
                                " other than by its address");
      if (!SM.isInMainFile(Spelling))
        return Rewrite::failure(
            Quoted + " is used in a header, at " +
            SM.getFilename(Spelling).str() + ":" +
            std::to_string(SM.getLineNumber(SM.getFileID(Spelling),
                                            SM.getFileOffset(Spelling))));
      if (!Known.insert(Offset(Spelling)).second)
        continue;
      Result.Hints.push_back(FixItHint::CreateInsertion(
          Lexer::getLocForEndOfToken(Spelling, 0, SM, LO), ".ob_base"));
    }
  }

  // A definition chosen by an #if between versions: the chain goes.
  size_t DeclBegin = Offset(SM.getExpansionLoc(Var.getBeginLoc()));
  std::optional<std::pair<size_t, size_t>> Chain;
  for (const std::vector<Directive> &Group : conditionalGroups(Text)) {
    size_t Branch = 0;
    while (Branch + 1 < Group.size() && Group[Branch + 1].LineBegin < DeclBegin)
      ++Branch;
    if (Branch + 1 >= Group.size() || Group[Branch].LineEnd > DeclBegin)
      continue;
    // The innermost group around the definition.
    auto BranchText = [&](size_t I) {
      return Text.slice(Group[I].LineEnd, Group[I + 1].LineBegin).trim();
    };
    if (BranchText(Branch) != Text.slice(DeclBegin, Semi + 1).trim() ||
        !llvm::any_of(Group, [](const Directive &D) { return D.IsElse; }))
      break;
    bool EveryBranchDefinesIt = true;
    for (size_t I = 0; I + 1 < Group.size(); ++I)
      EveryBranchDefinesIt &= I == Branch || definesOnly(BranchText(I), Name);
    if (EveryBranchDefinesIt)
      Chain = {{Group.front().LineBegin, Group.back().LineEnd}};
    break;
  }

  // Names the compiler did not see (an inactive branch, a macro never
  // expanded) would keep the old type.
  if (!VarObject) {
    Lexer Raw(SM.getLocForStartOfFile(Main), LO, Text.begin(), Text.begin(),
              Text.end());
    Token Tok;
    while (!Raw.LexFromRawLexer(Tok)) {
      if (!Tok.is(tok::raw_identifier) || Tok.getRawIdentifier() != Name)
        continue;
      size_t Where = Offset(Tok.getLocation());
      if (!Known.count(Where) &&
          !(Chain && Where >= Chain->first && Where < Chain->second))
        return Rewrite::failure(Quoted + " is also named at " + Line(Where) +
                                ", where the compiler did not see it");
    }
  }

  // The definition's own edits.
  auto DefinitionType = llvm::find_if(TypeEdits, [&](const TypeEdit &E) {
    return E.Begin >= DeclBegin && E.End <= Semi;
  });
  if (Chain) {
    std::string Definition;
    if (DefinitionType != TypeEdits.end()) {
      Definition = Text.slice(DeclBegin, DefinitionType->Begin).str() +
                   DefinitionType->Replacement +
                   Text.slice(DefinitionType->End, Equals + 1).str();
      TypeEdits.erase(DefinitionType);
    } else {
      Definition = Text.slice(DeclBegin, Equals + 1).str();
    }
    Result.Hints.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(At(Chain->first), At(Chain->second)),
        Definition + " " + NewInit + ";"));
  } else {
    Result.Hints.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(At(InitBegin),
                                      At(Init.size() + InitBegin)),
        NewInit));
  }
  for (const TypeEdit &E : TypeEdits)
    Result.Hints.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(At(E.Begin), At(E.End)), E.Replacement));
  return Result;
}

} // namespace gilport
