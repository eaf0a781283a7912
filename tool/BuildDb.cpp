//===--- BuildDb.cpp ------------------------------------------------------===//

#include "tool/BuildDb.h"

#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace gilport {

namespace {

int usage(llvm::StringRef Why) {
  llvm::errs() << "gilport build-db: error: " << Why
               << "\nusage: gilport build-db [-o DIR] -- COMMAND...\n";
  return 2;
}

int fail(llvm::StringRef Why) {
  llvm::errs() << "gilport build-db: error: " << Why << "\n";
  return 2;
}

} // namespace

int runBuildDb(llvm::ArrayRef<const char *> Args) {
  std::string Dir = ".";
  size_t I = 0;
  for (; I < Args.size(); ++I) {
    llvm::StringRef Arg = Args[I];
    if (Arg == "--")
      break;
    if (Arg == "-o" && I + 1 < Args.size())
      Dir = Args[++I];
    else if (Arg.consume_front("--output="))
      Dir = Arg.str();
    else
      return usage("unknown option '" + Arg.str() + "'");
  }
  if (I >= Args.size() || I + 1 == Args.size())
    return usage("no build command after '--'");
  if (!llvm::sys::fs::is_directory(Dir))
    return fail("'" + Dir + "' is not a directory");

  llvm::ErrorOr<std::string> Bear = llvm::sys::findProgramByName("bear");
  if (!Bear)
    return fail("'bear' was not found on PATH; it records the compiler "
                "calls of a build (Debian: apt-get install bear)");

  // bear writes a new file; the database goes in place only once the build
  // succeeded and compiled something, so a failed run loses no database.
  llvm::SmallString<256> Database(Dir);
  llvm::sys::path::append(Database, "compile_commands.json");
  llvm::SmallString<256> Recorded(Dir);
  llvm::sys::path::append(Recorded, ".gilport-build-db.json");
  llvm::sys::fs::remove(Recorded);
  std::vector<llvm::StringRef> Argv = {*Bear, "--output", Recorded.str(), "--"};
  for (size_t K = I + 1; K < Args.size(); ++K)
    Argv.push_back(Args[K]);
  std::string Error;
  int Status = llvm::sys::ExecuteAndWait(*Bear, Argv, /*Env=*/std::nullopt,
                                         /*Redirects=*/{}, 0, 0, &Error);
  if (Status != 0) {
    llvm::sys::fs::remove(Recorded);
    return fail(Status < 0 ? "cannot run bear: " + Error
                           : "the build failed (exit status " +
                                 std::to_string(Status) +
                                 "); no database was written");
  }
  std::string LoadError;
  std::unique_ptr<clang::tooling::JSONCompilationDatabase> Loaded =
      clang::tooling::JSONCompilationDatabase::loadFromFile(
          Recorded, LoadError,
          clang::tooling::JSONCommandLineSyntax::AutoDetect);
  size_t Files = Loaded ? Loaded->getAllFiles().size() : 0;
  if (Files == 0) {
    llvm::sys::fs::remove(Recorded);
    return fail(Loaded ? "the build compiled nothing, so there is nothing to "
                         "record: clean it first (for setuptools, "
                         "'build_ext --force')"
                       : "bear wrote no readable database: " + LoadError);
  }
  if (std::error_code EC = llvm::sys::fs::rename(Recorded, Database)) {
    llvm::sys::fs::remove(Recorded);
    return fail("cannot write '" + std::string(Database) +
                "': " + EC.message());
  }
  llvm::outs() << "gilport build-db: wrote the compile commands of " << Files
               << " file" << (Files == 1 ? "" : "s") << " to '" << Database
               << "'\n";
  return 0;
}

} // namespace gilport
