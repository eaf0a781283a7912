//===--- Runner.cpp -------------------------------------------------------===//

#include "tool/Runner.h"

#include "tool/ResultWire.h"

#include "apply/DeclarationSafety.h"
#include "apply/InterpreterSharing.h"
#include "checks/Analysis.h"
#include "checks/FileCache.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <thread>

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gilport {

namespace {

/// What every unit of one run is analysed with.
struct RunInputs {
  const clang::tooling::CompilationDatabase &Database;
  const std::vector<std::string> &Files;
  const AnalysisOptions &Options;
  const std::vector<std::string> &EnabledChecks;
  bool DeclareAnyway;
  /// The run's headers, read once (per worker process).
  FileCache &Cache;
};

UnitOutcome analyzeOne(const RunInputs &Inputs, size_t Index) {
  UnitOutcome Outcome;
  Outcome.Unit = analyzeTranslationUnit(Inputs.Database, Inputs.Files[Index],
                                        Inputs.Options, Inputs.EnabledChecks,
                                        &Inputs.Cache);
  if (!Inputs.DeclareAnyway)
    applyDeclarationSafetyRule(Outcome.Unit.Findings, Outcome.Withheld);
  return Outcome;
}

/// Stable-sorts \p List by \p Less, moving each finding once: a sort that
/// moves findings around (they are large) cost more than writing them.
template <typename LessT>
void sortFindings(std::vector<Finding> &List, LessT Less) {
  std::vector<size_t> Order(List.size());
  std::iota(Order.begin(), Order.end(), size_t(0));
  std::stable_sort(Order.begin(), Order.end(),
                   [&](size_t A, size_t B) { return Less(List[A], List[B]); });
  std::vector<Finding> Sorted;
  Sorted.reserve(List.size());
  for (size_t Index : Order)
    Sorted.push_back(std::move(List[Index]));
  List = std::move(Sorted);
}

/// The order in which files are handed out: the largest first, so that a
/// big file does not start last and leave the other workers idle at the end.
std::vector<size_t> scheduleOrder(const std::vector<std::string> &Files) {
  std::vector<std::pair<uint64_t, size_t>> BySize;
  for (size_t Index = 0; Index < Files.size(); ++Index) {
    uint64_t Size = 0;
    if (llvm::sys::fs::file_size(Files[Index], Size))
      Size = 0;
    BySize.push_back({Size, Index});
  }
  std::stable_sort(
      BySize.begin(), BySize.end(),
      [](const auto &A, const auto &B) { return A.first > B.first; });
  std::vector<size_t> Order;
  for (const auto &Entry : BySize)
    Order.push_back(Entry.second);
  return Order;
}

/// How -j N runs: in worker processes (the default), or in threads of this
/// process when GILPORT_PARALLEL=threads. A worker process is
/// single-threaded, so malloc and reference counts take their lock-free
/// paths, and a crash costs one file instead of the run
/// (docs/benchmarks.md, "Parallel analysis").
bool useWorkerProcesses() {
  std::optional<std::string> Mode =
      llvm::sys::Process::GetEnv("GILPORT_PARALLEL");
  return !Mode || *Mode != "threads";
}

bool writeAll(int FD, llvm::StringRef Data) {
  while (!Data.empty()) {
    ssize_t Written = ::write(FD, Data.data(), Data.size());
    if (Written < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    Data = Data.drop_front(Written);
  }
  return true;
}

// A worker sends frames: a kind byte, the file's index (8 bytes) and the
// payload's size (8 bytes), then the payload. 'S' (no payload) says that the
// worker started a file, 'R' carries its UnitOutcome.
constexpr size_t FrameHeaderSize = 17;

void appendFrame(std::string &Out, char Kind, uint64_t Index,
                 llvm::StringRef Payload) {
  char Header[FrameHeaderSize];
  Header[0] = Kind;
  llvm::support::endian::write64le(Header + 1, Index);
  llvm::support::endian::write64le(Header + 9, Payload.size());
  Out.append(Header, FrameHeaderSize);
  Out.append(Payload.data(), Payload.size());
}

/// Body of a worker process: takes files from the shared counter until none
/// is left, sending each one's results to \p FD. Never returns.
[[noreturn]] void workerMain(int FD, std::atomic<size_t> &Next,
                             const std::vector<size_t> &Order,
                             const RunInputs &Inputs) {
  // For test/cli/parallel.test: a worker that dies on the file whose name
  // ends with this text.
  std::optional<std::string> CrashOn =
      llvm::sys::Process::GetEnv("GILPORT_TEST_WORKER_CRASH");
  // Test hook, for test/cli/file-timeout.test: a worker that stops itself
  // (SIGSTOP, as a debugger or a job-control mistake would) on the file
  // whose name ends with this text, to show the time limit ends it.
  std::optional<std::string> StopOn =
      llvm::sys::Process::GetEnv("GILPORT_TEST_WORKER_STOP");
  for (size_t Slot = Next++; Slot < Order.size(); Slot = Next++) {
    size_t Index = Order[Slot];
    std::string Frame;
    appendFrame(Frame, 'S', Index, "");
    if (!writeAll(FD, Frame))
      ::_exit(3);
    if (CrashOn && !CrashOn->empty() &&
        llvm::StringRef(Inputs.Files[Index]).ends_with(*CrashOn)) {
      ::signal(SIGABRT, SIG_DFL);
      ::raise(SIGABRT);
    }
    if (StopOn && !StopOn->empty() &&
        llvm::StringRef(Inputs.Files[Index]).ends_with(*StopOn))
      ::raise(SIGSTOP);
    UnitOutcome Outcome = analyzeOne(Inputs, Index);
    std::string Payload;
    encodeOutcome(Outcome, Payload);
    Frame.clear();
    appendFrame(Frame, 'R', Index, Payload);
    if (!writeAll(FD, Frame))
      ::_exit(3);
  }
  ::close(FD);
  llvm::errs().flush();
  // No destructors or atexit handlers: they belong to the driver.
  ::_exit(0);
}

using Clock = std::chrono::steady_clock;

struct Worker {
  pid_t Pid = -1;
  int FD = -1;
  std::string Buffer;
  /// The file the worker has started and not finished.
  std::optional<size_t> Current;
  /// When the worker last sent a frame (or was started): the time limit
  /// counts from here, so that it also catches a worker stopped between two
  /// files.
  Clock::time_point Since;
};

std::string describeWaitStatus(int Status) {
  if (WIFSIGNALED(Status))
    return llvm::formatv("signal {0}", WTERMSIG(Status));
  if (WIFEXITED(Status))
    return llvm::formatv("exit status {0}", WEXITSTATUS(Status));
  return "unknown status";
}

/// Forks a worker that takes files from \p Next. \p Pool's pipes are closed
/// in the child.
std::optional<Worker> spawnWorker(std::atomic<size_t> &Next,
                                  const std::vector<size_t> &Order,
                                  const RunInputs &Inputs,
                                  const std::vector<Worker> &Pool) {
  int Pipe[2];
  if (::pipe(Pipe) != 0)
    return std::nullopt;
  pid_t Pid = ::fork();
  if (Pid < 0) {
    ::close(Pipe[0]);
    ::close(Pipe[1]);
    return std::nullopt;
  }
  if (Pid == 0) {
    ::close(Pipe[0]);
    for (const Worker &Other : Pool)
      if (Other.FD >= 0)
        ::close(Other.FD);
    workerMain(Pipe[1], Next, Order, Inputs);
  }
  ::close(Pipe[1]);
  Worker W;
  W.Pid = Pid;
  W.FD = Pipe[0];
  W.Since = Clock::now();
  return W;
}

/// Takes every complete frame from \p W's buffer.
void takeFrames(Worker &W, const RunInputs &Inputs,
                std::vector<std::optional<UnitOutcome>> &Outcomes,
                const std::function<void(size_t)> &OnDone) {
  size_t Used = 0;
  while (W.Buffer.size() - Used >= FrameHeaderSize) {
    const char *Header = W.Buffer.data() + Used;
    char Kind = Header[0];
    uint64_t Index = llvm::support::endian::read64le(Header + 1);
    uint64_t Size = llvm::support::endian::read64le(Header + 9);
    if (W.Buffer.size() - Used - FrameHeaderSize < Size)
      break;
    llvm::StringRef Payload(Header + FrameHeaderSize, Size);
    Used += FrameHeaderSize + Size;
    if (Index >= Inputs.Files.size())
      continue;
    if (Kind == 'S') {
      W.Current = Index;
      continue;
    }
    UnitOutcome Outcome;
    if (!decodeOutcome(Payload, Outcome)) {
      Outcome = UnitOutcome();
      Outcome.Unit.Failed = true;
      Outcome.Unit.FirstError =
          "gilport could not read a worker's results for this file";
    }
    W.Current.reset();
    Outcomes[Index] = std::move(Outcome);
    OnDone(Index);
  }
  W.Buffer.erase(0, Used);
}

/// Runs the files in \p WorkerCount worker processes, each file within
/// \p TimeLimit (0: none). A worker that dies or overruns is replaced while
/// files remain. Fills \p Outcomes (by file index) and calls \p OnDone for
/// each file as its results arrive. Returns false when no worker could be
/// started.
bool runInWorkerProcesses(unsigned WorkerCount,
                          const std::vector<size_t> &Order,
                          const RunInputs &Inputs,
                          std::chrono::seconds TimeLimit,
                          std::vector<std::optional<UnitOutcome>> &Outcomes,
                          const std::function<void(size_t)> &OnDone) {
  // The next slot of Order to analyse, shared by the workers.
  void *Shared =
      ::mmap(nullptr, sizeof(std::atomic<size_t>), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (Shared == MAP_FAILED)
    return false;
  static_assert(std::atomic<size_t>::is_always_lock_free,
                "the shared counter must work across processes");
  auto *Next = new (Shared) std::atomic<size_t>(0);
  // Buffered output would be written again by each child.
  llvm::outs().flush();
  llvm::errs().flush();

  std::vector<Worker> Pool;
  size_t Open = 0;
  // Keeps WorkerCount workers while files are left to hand out.
  auto FillPool = [&] {
    while (Open < WorkerCount && Next->load() < Order.size()) {
      std::optional<Worker> W = spawnWorker(*Next, Order, Inputs, Pool);
      if (!W)
        return;
      Pool.push_back(std::move(*W));
      ++Open;
    }
  };
  // The worker is gone (finished, crashed, or killed for \p Overran).
  auto Retire = [&](Worker &W, bool Overran) {
    ::close(W.FD);
    W.FD = -1;
    --Open;
    int Status = 0;
    while (::waitpid(W.Pid, &Status, 0) < 0 && errno == EINTR)
      ;
    if (!W.Current || Outcomes[*W.Current])
      return;
    UnitOutcome Lost;
    Lost.Unit.Failed = true;
    Lost.Unit.FirstError =
        Overran ? llvm::formatv("gilport gave up on this file after {0} "
                                "second{1} (--file-timeout)",
                                TimeLimit.count(),
                                TimeLimit.count() == 1 ? "" : "s")
                      .str()
                : "gilport crashed while analysing this file (" +
                      describeWaitStatus(Status) + ")";
    Outcomes[*W.Current] = std::move(Lost);
    OnDone(*W.Current);
  };
  FillPool();
  if (Pool.empty()) {
    ::munmap(Shared, sizeof(std::atomic<size_t>));
    return false;
  }

  std::vector<char> Chunk(1 << 16);
  while (Open) {
    std::vector<pollfd> Polled;
    std::vector<size_t> Owners;
    Clock::time_point Now = Clock::now();
    int WaitMs = -1;
    for (size_t I = 0; I < Pool.size(); ++I) {
      Worker &W = Pool[I];
      if (W.FD < 0)
        continue;
      Polled.push_back({W.FD, POLLIN, 0});
      Owners.push_back(I);
      if (TimeLimit.count()) {
        auto Left = std::chrono::duration_cast<std::chrono::milliseconds>(
            W.Since + TimeLimit - Now);
        int Ms = static_cast<int>(std::clamp<long long>(
            Left.count() + 1, 0, std::numeric_limits<int>::max()));
        WaitMs = WaitMs < 0 ? Ms : std::min(WaitMs, Ms);
      }
    }
    if (::poll(Polled.data(), Polled.size(), WaitMs) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (size_t I = 0; I < Polled.size(); ++I) {
      if (!Polled[I].revents)
        continue;
      Worker &W = Pool[Owners[I]];
      ssize_t Got = ::read(W.FD, Chunk.data(), Chunk.size());
      if (Got < 0 && errno == EINTR)
        continue;
      if (Got > 0) {
        W.Since = Clock::now();
        W.Buffer.append(Chunk.data(), Got);
        takeFrames(W, Inputs, Outcomes, OnDone);
        continue;
      }
      // End of file: the worker is done, or died.
      Retire(W, /*Overran=*/false);
    }
    // A worker silent for longer than the limit is stuck on a file (or
    // stopped): it is killed, and its file reported.
    if (TimeLimit.count()) {
      Now = Clock::now();
      for (Worker &W : Pool)
        if (W.FD >= 0 && Now - W.Since >= TimeLimit) {
          ::kill(W.Pid, SIGKILL);
          Retire(W, /*Overran=*/true);
        }
    }
    FillPool();
  }
  for (Worker &W : Pool)
    if (W.FD >= 0) {
      ::close(W.FD);
      ::kill(W.Pid, SIGKILL);
      ::waitpid(W.Pid, nullptr, 0);
    }
  ::munmap(Shared, sizeof(std::atomic<size_t>));
  return true;
}

} // namespace

RunResult
analyzeAll(const clang::tooling::CompilationDatabase &Database,
           const std::vector<std::string> &Files,
           const AnalysisOptions &Options,
           const std::vector<std::string> &EnabledChecks, unsigned Jobs,
           bool DeclareAnyway, std::chrono::seconds FileTimeout,
           const std::function<void(unsigned, unsigned, llvm::StringRef)>
               &OnProgress) {
  // Each file's outcome, by index: merged in file order below, so that the
  // result does not depend on which worker finished first.
  std::vector<std::optional<UnitOutcome>> Outcomes(Files.size());
  std::vector<size_t> Order = scheduleOrder(Files);
  unsigned Done = 0;
  auto Progress = [&](size_t Index) {
    if (OnProgress)
      OnProgress(++Done, Files.size(), Files[Index]);
  };
  unsigned Parallel = std::max(1u, std::min<unsigned>(Jobs, Files.size()));

  FileCache Cache;
  RunInputs Inputs{Database,      Files,         Options,
                   EnabledChecks, DeclareAnyway, Cache};
  // Worker processes whenever there is a time limit to enforce, even for
  // one job: a thread stuck in clang cannot be stopped, a process can.
  bool Processes = useWorkerProcesses() && !Files.empty() &&
                   (Parallel > 1 || FileTimeout.count());
  bool Ran = Processes && runInWorkerProcesses(Parallel, Order, Inputs,
                                               FileTimeout, Outcomes, Progress);
  if (Ran) {
    // A file whose worker was lost before it said which file it took (killed
    // between two files) gets one more round.
    std::vector<size_t> Missed;
    for (size_t Index : Order)
      if (!Outcomes[Index])
        Missed.push_back(Index);
    if (!Missed.empty())
      runInWorkerProcesses(1, Missed, Inputs, FileTimeout, Outcomes, Progress);
    for (size_t Index : Missed)
      if (!Outcomes[Index]) {
        UnitOutcome Lost;
        Lost.Unit.Failed = true;
        Lost.Unit.FirstError = "no worker process could analyse this file";
        Outcomes[Index] = std::move(Lost);
        Progress(Index);
      }
  } else {
    // Threads (GILPORT_PARALLEL=threads, or no process could be started):
    // no time limit can be enforced.
    std::mutex ProgressMutex;
    std::atomic<size_t> Next{0};
    auto Work = [&] {
      for (size_t Slot = Next++; Slot < Order.size(); Slot = Next++) {
        size_t Index = Order[Slot];
        UnitOutcome Outcome = analyzeOne(Inputs, Index);
        std::lock_guard<std::mutex> Lock(ProgressMutex);
        Outcomes[Index] = std::move(Outcome);
        Progress(Index);
      }
    };
    std::vector<std::thread> Pool;
    for (unsigned I = 1; I < Parallel; ++I)
      Pool.emplace_back(Work);
    Work();
    for (std::thread &Thread : Pool)
      Thread.join();
  }

  RunResult Result;
  std::set<EditLocation> Withheld;
  {
    std::vector<RunUnit> Units;
    bool SomeUnitFailed = false;
    for (std::optional<UnitOutcome> &Outcome : Outcomes) {
      TranslationUnitResult &Unit = Outcome->Unit;
      SomeUnitFailed |= Unit.Failed;
      if (!Unit.Failed)
        Units.push_back({Unit.DefinesModule, &Unit.Findings,
                         buildTargetOf(Unit.ObjectFile),
                         Unit.LoadableByInterpreters, Unit.CalledAtInit,
                         Unit.CalledAtRunTime});
    }
    // First: a finding dropped here holds nothing back.
    dropUnsharedStateAcrossUnits(Units, SomeUnitFailed);
    if (!DeclareAnyway)
      applyDeclarationSafetyAcrossUnits(Units, Withheld);
  }
  for (size_t Index = 0; Index < Files.size(); ++Index) {
    UnitOutcome &Outcome = *Outcomes[Index];
    TranslationUnitResult &Unit = Outcome.Unit;
    Withheld.insert(Outcome.Withheld.begin(), Outcome.Withheld.end());
    if (Unit.Failed)
      Result.Errors.push_back({Files[Index], Unit.FirstError});
    else
      ++Result.FilesAnalyzed;
    for (Finding &F : Unit.Findings)
      Result.Findings.push_back(std::move(F));
    for (Finding &F : Unit.Suppressed)
      Result.Suppressed.push_back(std::move(F));
    for (const auto &Entry : Unit.ContentHashes)
      Result.ContentHashes.try_emplace(Entry.getKey(), Entry.getValue());
    Outcomes[Index].reset();
  }

  dropWithheldDeclarations(Result.Findings, Withheld);
  // A header seen from several translation units yields the same finding
  // several times: keep the one from the first file.
  for (std::vector<Finding> *List : {&Result.Findings, &Result.Suppressed}) {
    sortFindings(*List, [](const Finding &A, const Finding &B) {
      return A.key() < B.key();
    });
    List->erase(std::unique(List->begin(), List->end(),
                            [](const Finding &A, const Finding &B) {
                              return A.key() == B.key();
                            }),
                List->end());
    sortFindings(*List, std::less<Finding>());
  }
  std::sort(
      Result.Errors.begin(), Result.Errors.end(),
      [](const InputError &A, const InputError &B) { return A.File < B.File; });
  return Result;
}

} // namespace gilport
