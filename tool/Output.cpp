//===--- Output.cpp -------------------------------------------------------===//

#include "tool/Output.h"

#include "tool/FindingIdentity.h"
#include "tool/SourceLines.h"

#include "checks/CheckRegistry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>
#include <set>

namespace gilport {

std::string displayPath(llvm::StringRef Path) {
  llvm::SmallString<256> Cwd;
  if (!llvm::sys::fs::current_path(Cwd)) {
    std::string Prefix = std::string(Cwd) + "/";
    if (Path.starts_with(Prefix))
      return Path.drop_front(Prefix.size()).str();
  }
  return Path.str();
}

namespace {

/// \p Path as the path of a URI (RFC 3986): bytes other than unreserved
/// characters and '/' are percent-encoded, so a space or '%' in a file name
/// still gives a valid SARIF artifact location.
std::string uriPath(llvm::StringRef Path) {
  std::string Encoded;
  for (unsigned char C : Path) {
    if (llvm::isAlnum(C) || C == '-' || C == '.' || C == '_' || C == '~' ||
        C == '/') {
      Encoded.push_back(C);
      continue;
    }
    Encoded.push_back('%');
    Encoded.push_back(llvm::hexdigit(C >> 4));
    Encoded.push_back(llvm::hexdigit(C & 15));
  }
  return Encoded;
}

const char *severityName(Severity Level) {
  return Level == Severity::Error ? "error" : "warning";
}

void writeSnippet(llvm::raw_ostream &OS, SourceLines &Lines,
                  const std::string &File, unsigned Line, unsigned Column,
                  bool Color) {
  llvm::StringRef Text = Lines.line(File, Line);
  if (Text.empty())
    return;
  OS << Text << "\n";
  std::string Caret;
  for (unsigned I = 1; I < Column && I <= Text.size(); ++I)
    Caret += Text[I - 1] == '\t' ? '\t' : ' ';
  OS << Caret;
  if (Color)
    OS.changeColor(llvm::raw_ostream::GREEN, true);
  OS << "^";
  if (Color)
    OS.resetColor();
  OS << "\n";
}

void writeHeadline(llvm::raw_ostream &OS, const std::string &File,
                   unsigned Line, unsigned Column, llvm::StringRef Kind,
                   llvm::raw_ostream::Colors KindColor, llvm::StringRef Message,
                   llvm::StringRef Check, bool Color) {
  if (Color)
    OS.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  if (!File.empty()) {
    OS << displayPath(File) << ":" << Line << ":" << Column << ": ";
  }
  if (Color)
    OS.changeColor(KindColor, true);
  OS << Kind << ": ";
  if (Color)
    OS.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  OS << Message;
  if (!Check.empty())
    OS << " [" << Check << "]";
  if (Color)
    OS.resetColor();
  OS << "\n";
}

} // namespace

void writeTextReport(llvm::raw_ostream &OS, const RunResult &Result,
                     const ReportSettings &Settings) {
  SourceLines Lines(&Settings.ContentsBeforeFix);
  std::set<std::string> FilesWithFindings;
  for (const Finding &F : Result.Findings) {
    FilesWithFindings.insert(F.File);
    bool IsError = F.Level == Severity::Error;
    writeHeadline(OS, F.File, F.Line, F.Column, severityName(F.Level),
                  IsError ? llvm::raw_ostream::RED : llvm::raw_ostream::MAGENTA,
                  F.Message, F.Check, Settings.Color);
    writeSnippet(OS, Lines, F.File, F.Line, F.Column, Settings.Color);
    for (const FindingNote &Note : F.Notes) {
      writeHeadline(OS, Note.File, Note.Line, Note.Column, "note",
                    llvm::raw_ostream::BLACK, Note.Message, "", Settings.Color);
      if (!Note.File.empty())
        writeSnippet(OS, Lines, Note.File, Note.Line, Note.Column,
                     Settings.Color);
    }
    // A reason a note already gives is not printed a second time.
    bool ReasonInNote = llvm::any_of(F.Notes, [&](const FindingNote &Note) {
      return !F.NoFixReason.empty() && Note.Message == F.NoFixReason;
    });
    if (Settings.FixMode && !ReasonInNote)
      writeHeadline(OS, "", 0, 0, "note", llvm::raw_ostream::BLACK,
                    "no automatic fix: " +
                        (F.NoFixReason.empty()
                             ? std::string("this check offers none")
                             : F.NoFixReason),
                    "", Settings.Color);
  }
  if (!Settings.Summary)
    return;
  size_t Count = Result.Findings.size();
  if (Settings.FixMode) {
    OS << Settings.FixedFindings
       << (Settings.FixedFindings == 1 ? " finding" : " findings")
       << " fixed in " << Settings.FilesWritten
       << (Settings.FilesWritten == 1 ? " file" : " files") << ", " << Count
       << " left for a human (" << Result.FilesAnalyzed
       << (Result.FilesAnalyzed == 1 ? " file" : " files") << " analysed";
    if (Settings.FilesFailed)
      OS << ", " << Settings.FilesFailed << " could not be analysed";
    OS << ")\n";
    return;
  }
  // Under a baseline the findings reported are the new ones.
  const char *New = Settings.Baseline ? "new " : "";
  if (Count == 0)
    OS << "no " << New << "findings";
  else
    OS << Count << " " << New << (Count == 1 ? "finding" : "findings") << " in "
       << FilesWithFindings.size()
       << (FilesWithFindings.size() == 1 ? " file" : " files");
  OS << " (" << Result.FilesAnalyzed
     << (Result.FilesAnalyzed == 1 ? " file" : " files") << " analysed";
  if (Settings.FilesFailed)
    OS << ", " << Settings.FilesFailed << " could not be analysed";
  if (Settings.Baseline)
    OS << ", " << Settings.Baseline->Matched << " matched the baseline, "
       << Settings.Baseline->Stale
       << (Settings.Baseline->Stale == 1 ? " stale baseline entry"
                                         : " stale baseline entries");
  OS << ")\n";
}

void writeJsonReport(llvm::raw_ostream &OS, const RunResult &Result,
                     const ReportSettings &Settings) {
  llvm::json::Array Findings;
  for (const Finding &F : Result.Findings) {
    llvm::json::Array Notes;
    for (const FindingNote &Note : F.Notes)
      Notes.push_back(llvm::json::Object{{"file", Note.File},
                                         {"line", Note.Line},
                                         {"column", Note.Column},
                                         {"message", Note.Message}});
    llvm::json::Object Entry{
        {"check", F.Check},         {"severity", severityName(F.Level)},
        {"file", F.File},           {"line", F.Line},
        {"column", F.Column},       {"message", F.Message},
        {"function", F.Function},   {"fix_available", F.fixAvailable()},
        {"notes", std::move(Notes)}};
    if (!F.fixAvailable() && !F.NoFixReason.empty())
      Entry["no_fix_reason"] = F.NoFixReason;
    Findings.push_back(std::move(Entry));
  }
  llvm::json::Array Errors;
  for (const InputError &Error : Result.Errors)
    Errors.push_back(
        llvm::json::Object{{"file", Error.File}, {"message", Error.Message}});
  llvm::json::Object Root{{"version", 1},
                          {"findings", std::move(Findings)},
                          {"files_analyzed", Result.FilesAnalyzed},
                          {"errors", std::move(Errors)}};
  if (Settings.Baseline)
    Root["baseline"] =
        llvm::json::Object{{"matched", Settings.Baseline->Matched},
                           {"stale", Settings.Baseline->Stale}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
}

void writeSarifReport(llvm::raw_ostream &OS, const RunResult &Result,
                      const ReportSettings &Settings) {
  llvm::json::Array Rules;
  llvm::StringMap<unsigned> RuleIndex;
  for (const CheckInfo &Info : allChecks()) {
    RuleIndex[Info.Name] = Rules.size();
    llvm::json::Object Rule{
        {"id", Info.Name},
        {"shortDescription", llvm::json::Object{{"text", Info.Summary}}},
        {"fullDescription", llvm::json::Object{{"text", Info.Summary}}},
        {"help", llvm::json::Object{{"text", Info.Documentation.empty()
                                                 ? Info.Summary
                                                 : Info.Documentation},
                                    {"markdown", Info.Documentation.empty()
                                                     ? Info.Summary
                                                     : Info.Documentation}}},
        {"defaultConfiguration", llvm::json::Object{{"level", "warning"}}}};
    if (!Settings.DocsBaseUrl.empty())
      Rule["helpUri"] = Settings.DocsBaseUrl + Info.Name.str() + ".md";
    Rules.push_back(std::move(Rule));
  }

  auto Location = [](const std::string &File, unsigned Line, unsigned Column) {
    std::string Path = displayPath(File);
    llvm::json::Object Artifact{{"uri", uriPath(Path)}};
    if (!llvm::sys::path::is_absolute(Path))
      Artifact["uriBaseId"] = "%SRCROOT%";
    else
      Artifact["uri"] = "file://" + uriPath(Path);
    return llvm::json::Object{
        {"physicalLocation",
         llvm::json::Object{
             {"artifactLocation", std::move(Artifact)},
             {"region", llvm::json::Object{{"startLine", Line},
                                           {"startColumn", Column}}}}}};
  };

  // The identity code scanning follows an alert by across commits; equal
  // identities are told apart by their order (":1", ":2", ...).
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  FindingIdentities Identities(std::string(Cwd), &Settings.ContentsBeforeFix);
  std::map<std::string, unsigned> Occurrences;
  llvm::json::Array Results;
  auto AddResult = [&](const Finding &F, bool Suppressed) {
    llvm::json::Array Related;
    unsigned NoteId = 0;
    for (const FindingNote &Note : F.Notes) {
      if (Note.File.empty())
        continue;
      llvm::json::Object Entry = Location(Note.File, Note.Line, Note.Column);
      Entry["id"] = NoteId++;
      Entry["message"] = llvm::json::Object{{"text", Note.Message}};
      Related.push_back(std::move(Entry));
    }
    std::string Text = F.Message;
    for (const FindingNote &Note : F.Notes)
      if (Note.File.empty())
        Text += "\n" + Note.Message;
    llvm::json::Object Primary = Location(F.File, F.Line, F.Column);
    if (!F.Function.empty())
      Primary["logicalLocations"] = llvm::json::Array{llvm::json::Object{
          {"fullyQualifiedName", F.Function}, {"kind", "function"}}};
    std::string Fingerprint = fingerprintOf(Identities.of(F));
    Fingerprint += ":" + std::to_string(++Occurrences[Fingerprint]);
    llvm::json::Object Entry{
        {"ruleId", F.Check},
        {"level", F.Level == Severity::Error ? "error" : "warning"},
        {"message", llvm::json::Object{{"text", Text}}},
        {"locations", llvm::json::Array{std::move(Primary)}},
        {"partialFingerprints",
         llvm::json::Object{{"gilport/v1", std::move(Fingerprint)}}}};
    auto Index = RuleIndex.find(F.Check);
    if (Index != RuleIndex.end())
      Entry["ruleIndex"] = Index->second;
    if (!Related.empty())
      Entry["relatedLocations"] = std::move(Related);
    if (Suppressed)
      Entry["suppressions"] =
          llvm::json::Array{llvm::json::Object{{"kind", "inSource"}}};
    Results.push_back(std::move(Entry));
  };
  for (const Finding &F : Result.Findings)
    AddResult(F, /*Suppressed=*/false);
  // NOLINT comments: results code scanning shows as dismissed in the code.
  for (const Finding &F : Result.Suppressed)
    AddResult(F, /*Suppressed=*/true);

  llvm::json::Array Notifications;
  for (const InputError &Error : Result.Errors)
    Notifications.push_back(llvm::json::Object{
        {"level", "error"},
        {"message", llvm::json::Object{{"text", Error.File + ": " +
                                                    Error.Message}}}});

  llvm::json::Object Run{
      {"tool",
       llvm::json::Object{
           {"driver", llvm::json::Object{{"name", "gilport"},
                                         {"version", GILPORT_VERSION},
                                         {"rules", std::move(Rules)}}}}},
      {"originalUriBaseIds",
       llvm::json::Object{
           {"%SRCROOT%",
            llvm::json::Object{{"uri", "file://" + uriPath(Cwd) + "/"}}}}},
      {"results", std::move(Results)},
      {"invocations",
       llvm::json::Array{llvm::json::Object{
           {"executionSuccessful", Result.Errors.empty()},
           {"toolExecutionNotifications", std::move(Notifications)}}}}};
  llvm::json::Object Root{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(Run)}}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
}

} // namespace gilport
