//===--- ResultWire.cpp ---------------------------------------------------===//

#include "tool/ResultWire.h"

#include "llvm/Support/Endian.h"

namespace gilport {

namespace {

class Encoder {
public:
  explicit Encoder(std::string &Out) : Out(Out) {}

  void number(uint64_t Value) {
    char Bytes[8];
    llvm::support::endian::write64le(Bytes, Value);
    Out.append(Bytes, sizeof(Bytes));
  }
  void text(llvm::StringRef Value) {
    number(Value.size());
    Out.append(Value.data(), Value.size());
  }
  void texts(const std::vector<std::string> &Values) {
    number(Values.size());
    for (const std::string &Value : Values)
      text(Value);
  }
  void edits(const std::vector<clang::tooling::Replacement> &Edits) {
    number(Edits.size());
    for (const clang::tooling::Replacement &R : Edits) {
      text(R.getFilePath());
      number(R.getOffset());
      number(R.getLength());
      text(R.getReplacementText());
    }
  }

private:
  std::string &Out;
};

class Decoder {
public:
  explicit Decoder(llvm::StringRef Bytes) : Rest(Bytes) {}

  bool ok() const { return Ok; }
  bool atEnd() const { return Rest.empty(); }

  uint64_t number() {
    if (Rest.size() < 8) {
      Ok = false;
      Rest = "";
      return 0;
    }
    uint64_t Value = llvm::support::endian::read64le(Rest.data());
    Rest = Rest.drop_front(8);
    return Value;
  }
  unsigned small() {
    uint64_t Value = number();
    if (Value > UINT32_MAX)
      Ok = false;
    return static_cast<unsigned>(Value);
  }
  std::string text() {
    uint64_t Size = number();
    if (Size > Rest.size()) {
      Ok = false;
      Rest = "";
      return "";
    }
    std::string Value = Rest.take_front(Size).str();
    Rest = Rest.drop_front(Size);
    return Value;
  }
  /// A count of items that take at least \p MinBytes each.
  size_t count(size_t MinBytes) {
    uint64_t Value = number();
    if (Value > Rest.size() / MinBytes) {
      Ok = false;
      Rest = "";
      return 0;
    }
    return Value;
  }
  void texts(std::vector<std::string> &Values) {
    for (size_t N = count(8); N && Ok; --N)
      Values.push_back(text());
  }
  void edits(std::vector<clang::tooling::Replacement> &Edits) {
    for (size_t N = count(32); N && Ok; --N) {
      std::string Path = text();
      unsigned Offset = small();
      unsigned Length = small();
      std::string Text = text();
      Edits.emplace_back(Path, Offset, Length, Text);
    }
  }

private:
  llvm::StringRef Rest;
  bool Ok = true;
};

} // namespace

// The structured bindings below name every member of Finding, FindingNote and
// TranslationUnitResult: a member added to one of them stops the build here
// until it is encoded, and decoded in decodeFinding or decodeOutcome.
static void encodeFinding(Encoder &E, const Finding &F) {
  const auto &[Check, Level, File, Line, Column, Offset, Message, Function,
               Notes, Fixes, FixesWithoutGilDeclaration, NoFixReason,
               SharedIfModuleAllows, WrittenOnlyBy] = F;
  E.text(Check);
  E.number(static_cast<uint64_t>(Level));
  E.text(File);
  E.number(Line);
  E.number(Column);
  E.number(Offset);
  E.text(Message);
  E.text(Function);
  E.number(Notes.size());
  for (const FindingNote &Note : Notes) {
    const auto &[NoteFile, NoteLine, NoteColumn, NoteMessage] = Note;
    E.text(NoteFile);
    E.number(NoteLine);
    E.number(NoteColumn);
    E.text(NoteMessage);
  }
  E.edits(Fixes);
  E.edits(FixesWithoutGilDeclaration);
  E.text(NoFixReason);
  E.number(SharedIfModuleAllows);
  E.texts(WrittenOnlyBy);
}

void encodeOutcome(const UnitOutcome &Outcome, std::string &Out) {
  Encoder E(Out);
  const auto &[Findings, Suppressed, Failed, FirstError, RecoveredErrors,
               ContentHashes, DefinesModule, LoadableByInterpreters,
               CalledAtInit, CalledAtRunTime, ObjectFile] = Outcome.Unit;
  E.number(Failed);
  E.text(FirstError);
  E.number(RecoveredErrors);
  E.number(DefinesModule);
  E.number(LoadableByInterpreters);
  E.texts(CalledAtInit);
  E.texts(CalledAtRunTime);
  E.text(ObjectFile);
  for (const std::vector<Finding> *List : {&Findings, &Suppressed}) {
    E.number(List->size());
    for (const Finding &F : *List)
      encodeFinding(E, F);
  }
  E.number(ContentHashes.size());
  for (const auto &Entry : ContentHashes) {
    E.text(Entry.getKey());
    E.number(Entry.getValue());
  }
  E.number(Outcome.Withheld.size());
  for (const EditLocation &Location : Outcome.Withheld) {
    E.text(Location.first);
    E.number(Location.second);
  }
}

/// Decodes one finding; false when its severity is not one this build knows.
static bool decodeFinding(Decoder &D, Finding &F) {
  F.Check = D.text();
  uint64_t Level = D.number();
  if (Level > static_cast<uint64_t>(Severity::Error))
    return false;
  F.Level = static_cast<Severity>(Level);
  F.File = D.text();
  F.Line = D.small();
  F.Column = D.small();
  F.Offset = D.small();
  F.Message = D.text();
  F.Function = D.text();
  for (size_t M = D.count(32); M && D.ok(); --M) {
    FindingNote Note;
    Note.File = D.text();
    Note.Line = D.small();
    Note.Column = D.small();
    Note.Message = D.text();
    F.Notes.push_back(std::move(Note));
  }
  D.edits(F.Fixes);
  D.edits(F.FixesWithoutGilDeclaration);
  F.NoFixReason = D.text();
  F.SharedIfModuleAllows = D.number() != 0;
  D.texts(F.WrittenOnlyBy);
  return true;
}

bool decodeOutcome(llvm::StringRef Bytes, UnitOutcome &Outcome) {
  Decoder D(Bytes);
  TranslationUnitResult &Unit = Outcome.Unit;
  Unit.Failed = D.number() != 0;
  Unit.FirstError = D.text();
  Unit.RecoveredErrors = D.number();
  Unit.DefinesModule = D.number() != 0;
  Unit.LoadableByInterpreters = D.number() != 0;
  D.texts(Unit.CalledAtInit);
  D.texts(Unit.CalledAtRunTime);
  Unit.ObjectFile = D.text();
  for (std::vector<Finding> *List : {&Unit.Findings, &Unit.Suppressed})
    for (size_t N = D.count(72); N && D.ok(); --N) {
      Finding F;
      if (!decodeFinding(D, F))
        return false;
      List->push_back(std::move(F));
    }
  for (size_t N = D.count(16); N && D.ok(); --N) {
    std::string Path = D.text();
    Unit.ContentHashes[Path] = D.number();
  }
  for (size_t N = D.count(16); N && D.ok(); --N) {
    std::string Path = D.text();
    Outcome.Withheld.insert({Path, D.small()});
  }
  return D.ok() && D.atEnd();
}

} // namespace gilport
