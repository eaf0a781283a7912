#!/usr/bin/env python3
"""gilport pytest: a project's own pytest suite on free-threaded Python, each
test run in N threads at once (see gilport_pytest_plugin.py).

Normally started by `gilport pytest` (tool/Pytest.cpp), which passes --shim,
--symbolizer and the ThreadUnsafeTests patterns of .gilport.yaml.

  1. collect: pytest --collect-only, in a child, names the tests and the
     extension modules their import loaded (the shim's targets);
  2. run: the tests, in a child with the LD_AUDIT shim.  A crash or a hang
     ends that child; it is reported with the test, the thread and the C and
     Python stacks, and a new child goes on with the tests not yet started;
  3. again in one thread: each test that failed, crashed under threads, to
     tell a threading problem from a test that fails anyway.

Exit status: 0 clean, 1 problems found, 2 harness or usage error.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # keep the source tree clean
import childreport  # noqa: E402
from childreport import (Symbolizer, dump_hung_stacks, finding, format_frame,  # noqa: E402
                         parse_stacks, python_stacks)
import shimdata  # noqa: E402
import pytestreport  # noqa: E402

STRESS_CHILD = os.path.join(HERE, "stress_child.py")
DEFAULT_SYMBOLIZER = "/usr/lib/llvm-19/bin/llvm-symbolizer"
# pytest's own exit statuses that mean the suite ran (0: all passed, 1: some failed).
PYTEST_RAN = (0, 1)
PYTEST_STATUS = {2: "interrupted (errors during collection, or -x)", 3: "an internal error",
                 4: "a usage error", 5: "no tests were collected"}
NO_PYTEST_HINT = ("pytest is not importable by %s: install it in that interpreter's environment "
                  "(on Debian, Debian's python3-pytest works under 3.13t with "
                  "PYTHONPATH=/usr/lib/python3/dist-packages)")


class HarnessError(Exception):
    pass


def parse_args(argv):
    argv = list(argv)
    pytest_args = []
    if "--" in argv:
        cut = argv.index("--")
        argv, pytest_args = argv[:cut], argv[cut + 1:]
    p = argparse.ArgumentParser(
        prog="gilport pytest",
        usage="gilport pytest [options] -- [PYTEST-ARGS...]",
        description="Run a pytest suite on free-threaded Python, each test in N threads at once.")
    p.add_argument("--python", metavar="INTERPRETER", default=sys.executable,
                   help="interpreter to run the tests with (default: this one)")
    p.add_argument("--threads", type=int, default=4, metavar="N",
                   help="threads running each test at once (default 4)")
    p.add_argument("--iterations", type=int, default=1, metavar="K",
                   help="runs of each test in each thread (default 1)")
    p.add_argument("--thread-unsafe", action="append", default=[], metavar="PATTERN",
                   help="run the tests whose node id matches this glob once (repeatable)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S",
                   help="a test still running after S seconds is reported as hung (default 120)")
    p.add_argument("--format", choices=["text", "json", "junit"], default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here")
    p.add_argument("--shim", metavar="LIB", help="libgilport-shim.so (LD_AUDIT library)")
    p.add_argument("--no-shim", action="store_true", help="do not load the shim")
    p.add_argument("--symbolizer", default=os.environ.get("GILPORT_SYMBOLIZER", DEFAULT_SYMBOLIZER))
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args(argv)
    if args.threads < 1 or args.threads > 48:
        p.error("--threads must be between 1 and 48")
    if args.iterations < 1:
        p.error("--iterations must be positive")
    if args.timeout <= 0:
        p.error("--timeout must be positive")
    args.pytest_args = pytest_args
    return args


# ------------------------------------------------------------ children
class Child:
    """One pytest process: its files, exit status, and whether the watchdog stopped it."""

    def __init__(self, work, tag):
        self.tag = tag
        self.files = {k: os.path.join(work, "%s.%s" % (tag, k)) for k in (
            "config", "progress", "results", "context", "crash", "faults", "shim", "collect",
            "stdout", "stderr")}
        self.rc = None
        self.hang = None
        self.stdout = self.stderr = ""

    def progress(self):
        """[(kind, nodeid)]: S when a test started, E when it ended."""
        try:
            with open(self.files["progress"], encoding="utf-8", errors="replace") as f:
                return [tuple(line.rstrip("\n").split(" ", 1)) for line in f if " " in line]
        except OSError:
            return []

    def results(self):
        out = []
        try:
            with open(self.files["results"], encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass     # the last line of a child that died while writing it
        except OSError:
            pass
        return out

    def running(self):
        """The test that started and did not end, or None."""
        open_tests = []
        for kind, nodeid in self.progress():
            if kind == "S":
                open_tests.append(nodeid)
            elif kind == "E" and nodeid in open_tests:
                open_tests.remove(nodeid)
        return open_tests[-1] if open_tests else None


def run_pytest(state, mode, cfg, shim_targets=None, limit=None):
    """Runs pytest with the plugin in a fresh process under a watchdog."""
    tag = "%s-%d" % (mode, state.setdefault("counter", 0))
    state["counter"] += 1
    child = Child(state["work"], tag)
    cfg = dict(cfg, mode=mode, progress=child.files["progress"], results=child.files["results"],
               context=child.files["context"], crash_file=child.files["crash"],
               faults=child.files["faults"],
               collect_out=child.files["collect"], crash_helper=state.get("crash_helper"),
               thread_unsafe=state["thread_unsafe"])
    with open(child.files["config"], "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ)
    for name in ("LD_AUDIT", "LD_PRELOAD", "GILPORT_SHIM_TARGETS", "GILPORT_SHIM_OUT"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["GILPORT_PYTEST_CONFIG"] = child.files["config"]
    env["PYTHONFAULTHANDLER"] = "1"
    if shim_targets and state.get("shim"):
        env["LD_AUDIT"] = state["shim"]
        env["GILPORT_SHIM_TARGETS"] = ":".join(shim_targets)
        env["GILPORT_SHIM_OUT"] = child.files["shim"]
        env["GILPORT_SHIM_FREE_THREADED"] = "1" if state["free_threaded"] else "0"
    shimdata.Context(child.files["context"])
    cmd = [state["python"], "-X", "faulthandler", "-m", "pytest", "-p", "gilport_pytest_plugin",
           # pytest's faulthandler would replace the crash helper's handlers; its cache
           # would record this run's selection as the user's last run.
           "-p", "no:faulthandler", "-p", "no:cacheprovider"]
    if mode == "collect":
        cmd += ["--collect-only", "-q"]
    cmd += state["pytest_args"]
    start = time.monotonic()
    with open(child.files["stdout"], "w") as out, open(child.files["stderr"], "w") as err:
        # Its own process group: a hung test's own child processes end with it.
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            watch(state, child, proc, start, limit)
        finally:
            # Interrupted (Ctrl-C), the suite must not go on running without us; ended, the
            # processes its tests left behind (a hung test's, say) end with it.
            kill_group(proc)
    child.rc = proc.returncode
    with open(child.files["stdout"], errors="replace") as f:
        child.stdout = f.read()
    with open(child.files["stderr"], errors="replace") as f:
        child.stderr = f.read()
    try:
        with open(child.files["faults"], errors="replace") as f:
            child.faults = f.read()
    except OSError:
        child.faults = ""
    return child


def watch(state, child, proc, start, limit):
    """Waits for the child; stops it when a test runs longer than the timeout, or anything
    else longer than a generous limit."""
    seq, since = None, start
    while True:
        try:
            proc.wait(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        _, slots = shimdata.read_context(child.files["context"])
        main = next((s for s in slots if s["slot"] == 0), None)
        if main and main["calls"] != seq:
            seq, since = main["calls"], now
        in_test = main is not None and main["in_call"]
        # Outside a test (collection, the session's end) the limit is a generous one.
        quiet = now - since > (state["timeout"] if in_test else max(300.0, state["timeout"]))
        if quiet or (limit is not None and now - start > limit):
            child.hang = {"reason": ("still running after %.0f s" % (now - since)) if quiet
                          else "over the time limit of %.0f s" % limit,
                          "threads": slots}
            dump_hung_stacks(proc, child.files["crash"], bool(state.get("crash_helper")))
            break


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


def session_record(child):
    return next((r for r in child.results() if r.get("session")), None)


def pytest_output(child):
    text = (child.stdout.strip() + "\n" + child.stderr.strip()).strip()
    return text[-3000:]


# ------------------------------------------------------------ phases
def collect(args, state, report):
    child = run_pytest(state, "collect", {}, limit=max(300.0, state["timeout"]))
    try:
        with open(child.files["collect"]) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = None
    if child.hang:
        raise HarnessError("collecting the tests did not finish (%s)" % child.hang["reason"])
    if "No module named pytest" in child.stderr:
        raise HarnessError(NO_PYTEST_HINT % state["python"])
    if child.rc is not None and child.rc < 0:
        raise HarnessError("the interpreter crashed while collecting the tests (signal %d):\n%s"
                           % (-child.rc, pytest_output(child)))
    if data is None or child.rc not in PYTEST_RAN:
        why = PYTEST_STATUS.get(child.rc, "exit status %s" % child.rc)
        raise HarnessError("pytest could not collect the tests: %s\n%s" % (why, pytest_output(child)))
    report["target"].update(python_version=".".join(map(str, data["version"])),
                            free_threaded=data["free_threaded"])
    state["free_threaded"] = data["free_threaded"]
    if not data["free_threaded"]:
        report["notes"].append("%s is not a free-threaded build: the tests run with the GIL"
                               % state["python"])
    return data


def choose_shim(args, state, report, extensions):
    shim = None if args.no_shim else (args.shim or os.environ.get("GILPORT_SHIM"))
    if shim and not os.path.exists(shim):
        raise HarnessError("shim library not found: %s" % shim)
    if not shim:
        if not args.no_shim:
            report["notes"].append("the borrowed-reference shim is not loaded (no --shim given)")
        return []
    state["crash_helper"] = os.path.abspath(shim)
    if not extensions:
        report["notes"].append("collecting the tests imported no extension module outside the "
                               "interpreter's own: borrowed-reference calls are not traced")
        return []
    state["shim_functions"] = shimdata.load_functions(shim)
    if state["shim_functions"] is None:
        raise HarnessError("the shim's function list was not found next to it: %s"
                           % shimdata.functions_path(shim))
    state["shim"] = state["crash_helper"]
    targets = [e["file"] for e in extensions][:shimdata.MAX_OBJECTS]
    if len(extensions) > shimdata.MAX_OBJECTS:
        report["notes"].append("the shim traces the first %d of %d extension modules"
                               % (shimdata.MAX_OBJECTS, len(extensions)))
    return targets


def run_tests(args, state, report, nodeids, threads, targets=()):
    """Runs the tests in `nodeids` until each has started once, a new child after each crash
    or hang.  Returns ({nodeid: outcome}, [crash and hang findings], [children])."""
    outcomes, problems, children = {}, [], []
    started = set()
    select = sorted(nodeids)
    while True:
        cfg = {"threads": threads, "iterations": args.iterations if threads > 1 else 1,
               "skip": sorted(started), "select": select}
        child = run_pytest(state, "run", cfg, shim_targets=list(targets))
        children.append(child)
        newly = {nodeid for kind, nodeid in child.progress() if kind == "S"} - started
        started |= newly
        for r in child.results():
            if not r.get("session"):
                # A failed setup or teardown stands for the test unless its call failed too.
                if r["nodeid"] not in outcomes or r["outcome"] == "failed":
                    outcomes[r["nodeid"]] = r
        session = session_record(child)
        if session is not None and not child.hang:
            if session["exitstatus"] not in PYTEST_RAN:
                raise HarnessError("pytest stopped: %s\n%s" % (
                    PYTEST_STATUS.get(session["exitstatus"], "exit status %s" % session["exitstatus"]),
                    pytest_output(child)))
            state.setdefault("sessions", []).append(session)
            return outcomes, problems, children
        culprit = child.running()
        problem = hang_finding(state, child, culprit, threads) if child.hang else \
            crash_finding(state, child, culprit, threads)
        problems.append(problem)
        if culprit:
            outcomes[culprit] = {"nodeid": culprit, "outcome": "hung" if child.hang else "crashed",
                                 "threads": threads}
        if not newly or started >= set(nodeids):
            if not newly and culprit is None:
                problem["message"] += " (before any test started; the remaining tests did not run)"
            return outcomes, problems, children


def where_in_targets(frames, targets):
    for fr in frames:
        if fr.get("file") and os.path.realpath(fr["object"]) in targets:
            return {"file": fr["file"], "line": fr["line"], "column": fr.get("column") or 0}
    return {}


def thread_text(threads):
    return "in one thread" if threads == 1 else "in %d threads at once" % threads


def crash_finding(state, child, test, threads):
    stacks = parse_stacks(child.files["crash"], state["symbolizer"])
    _, slots = shimdata.read_context(child.files["context"])
    crash = next((r for r in stacks if r["kind"] == "CRASH"), None)
    culprit = next((s for s in slots if crash and s["native_id"] == crash["tid"]), None)
    if child.rc is not None and child.rc < 0:
        try:
            how = "crashed with %s" % signal.Signals(-child.rc).name
        except ValueError:
            how = "crashed with signal %d" % -child.rc
    else:
        how = "ended the process with exit status %s" % child.rc
    what = ("test %s %s, run %s" % (test, how, thread_text(threads))) if test else \
        "pytest %s outside any test" % how
    f = finding("gilport-crash", what, severity="error", phase="tests", test=test,
                call=culprit["doing"] if culprit else None,
                thread=culprit["native_id"] if culprit else (crash["tid"] if crash else None),
                python_stack=python_stacks(child.faults),
                c_stack=[format_frame(fr) for fr in crash["frames"][:40]] if crash else [])
    if crash:
        f.update(where_in_targets(crash["frames"], state["targets"]))
    return f


def hang_finding(state, child, test, threads):
    stacks = {r["tid"]: r for r in parse_stacks(child.files["crash"], state["symbolizer"])
              if r["kind"] == "STACK"}
    entries = []
    for s in child.hang["threads"]:
        entry = dict(s)
        if s["native_id"] in stacks:
            entry["c_stack"] = [format_frame(fr) for fr in stacks[s["native_id"]]["frames"][:40]]
        entries.append(entry)
    what = "test %s hung, run %s (%s)" % (test, thread_text(threads), child.hang["reason"]) if test \
        else "pytest hung outside any test (%s)" % child.hang["reason"]
    return finding("gilport-deadlock", what, severity="error", phase="tests", test=test,
                   threads=entries, python_stack=python_stacks(child.faults))


def kept_modules(state, found):
    """The extension files whose single-phase init hands back, on a re-import, the module
    the interpreter already has (stress_child.py ext-probe): their PyState_FindModule calls
    borrow a module that is never dropped. Probed only when the tests made such a call
    (`found`: the borrowed-reference findings of every run)."""
    if not any(f["message"].startswith("'PyState_FindModule'") for f in found):
        return []
    return [ext["file"] for ext in state.get("extensions", ())
            if probe_extension(state, ext).get("reimport_keeps_module")]


def borrowed(state, children):
    """gilport-borrowed-ref findings of every run, one per call site."""
    if not state.get("shim_functions"):
        return [], None

    def read(kept):
        return [childreport.borrowed_findings(
            state["shim_functions"], child.files["shim"], state["symbolizer"], phase="tests",
            kept_modules=kept) for child in children]
    runs = read(())
    kept = kept_modules(state, [f for found, _ in runs for f in found])
    if kept:
        # Read again: the calls into those modules are observed, not findings.
        runs = read(kept)
    merged, total = {}, 0
    for found, observed in runs:
        total += observed.get("intercepted_calls", 0) if observed.get("active") else 0
        for f in found:
            key = (f["file"], f["line"], f["column"], f["message"])
            if key in merged:
                m = merged[key]
                m["calls"] += f["calls"]
                m["shared_calls"] += f["shared_calls"]
                m["runtime"] = "%d of %d calls from this call site were on an object shared " \
                               "between threads" % (m["shared_calls"], m["calls"])
            else:
                merged[key] = f
    return sorted(merged.values(), key=lambda f: (f["file"], f["line"], f["column"])), total


def gil_findings(state, sessions):
    """gilport-missing-gil-decl for each extension the tests loaded that keeps the GIL on."""
    if not state["free_threaded"] or not any(s.get("gil_enabled") for s in sessions):
        return []
    seen, findings = set(), []
    for s in sessions:
        for ext in s.get("extensions") or []:
            if ext["name"] in seen:
                continue
            seen.add(ext["name"])
            probe = probe_extension(state, ext)
            if probe.get("gil_enabled"):
                findings.append(childreport.gil_finding(probe, ext["file"], phase="tests"))
    return findings


def probe_extension(state, ext):
    """Imports one extension module alone (stress_child.py ext-probe): GIL state, slots."""
    depth = ext["name"].count(".")
    root = os.path.dirname(ext["file"])
    for _ in range(depth):
        root = os.path.dirname(root)
    result = os.path.join(state["work"], "probe-%s.json" % ext["name"])
    cfg_path = result + ".config"
    with open(cfg_path, "w") as f:
        json.dump({"extension": ext["name"], "paths": [root], "result": result}, f)
    env = {k: v for k, v in os.environ.items() if k not in ("LD_AUDIT", "PYTHON_GIL")}
    try:
        subprocess.run([state["python"], "-B", STRESS_CHILD, "ext-probe", cfg_path], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       stdin=subprocess.DEVNULL)
        with open(result) as f:
            return json.load(f)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {"name": ext["name"], "error": "probe failed"}


def failure_findings(args, outcomes, alone):
    """gilport-test-failure for each test that failed in threads and passes in one thread;
    a note for each that fails in one thread too."""
    findings, notes = [], []
    for nodeid, r in sorted(outcomes.items()):
        if r["outcome"] != "failed" or r.get("threads", 1) == 1:
            continue
        a = alone.get(nodeid, {}).get("outcome", "not run")
        if a == "passed":
            path, line = r.get("location") or (None, None)
            findings.append(finding(
                "gilport-test-failure",
                "test %s fails when %d threads run it at once, and passes in one thread"
                % (nodeid, r["threads"]), severity="error", phase="tests", test=nodeid,
                file=path, line=line, failure=r.get("longrepr", "")))
        else:
            notes.append("%s fails in one thread too (%s): not counted as a threading problem"
                         % (nodeid, a))
    return findings, notes


# ---------------------------------------------------------------- main
def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = {"version": 1, "findings": [], "notes": [], "tests": {},
              "target": {"pytest_args": args.pytest_args, "cwd": os.getcwd(),
                         "python": args.python, "python_version": "?", "free_threaded": None,
                         "threads": args.threads, "iterations": args.iterations}}
    work = tempfile.mkdtemp(prefix="gilport-pytest-")
    state = {"work": work, "timeout": args.timeout, "thread_unsafe": args.thread_unsafe,
             "pytest_args": args.pytest_args, "symbolizer": Symbolizer(args.symbolizer),
             "targets": set()}
    status = 0
    try:
        status = run(args, state, report)
    except HarnessError as exc:
        report["error"] = str(exc)
        status = 2
    finally:
        if args.keep:
            report["work_dir"] = work
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    report["exit_status"] = status
    out = open(args.output, "w") if args.output else sys.stdout
    try:
        pytestreport.write(report, out, args.format)
    finally:
        if args.output:
            out.close()
    if status == 2 and (args.format != "text" or args.output):
        print("gilport pytest: error: %s" % report.get("error"), file=sys.stderr)
    return status


def run(args, state, report):
    python = args.python
    if os.sep not in python:
        import shutil
        python = shutil.which(python) or python
    if not os.access(python, os.X_OK):
        raise HarnessError("interpreter not found: %s" % args.python)
    state["python"] = report["target"]["python"] = python
    collected = collect(args, state, report)
    nodeids = collected["nodeids"]
    if not nodeids:
        raise HarnessError("pytest collected no tests (arguments: %s)" % (
            " ".join(args.pytest_args) or "none"))
    state["extensions"] = collected["extensions"]
    targets = choose_shim(args, state, report, collected["extensions"])
    state["targets"] = {os.path.realpath(t) for t in targets}
    outcomes, problems, children = run_tests(args, state, report, nodeids, args.threads, targets)
    # Again in one thread: what failed, and what crashed, under threads.
    again = sorted(n for n, r in outcomes.items()
                   if r["outcome"] in ("failed", "crashed") and r.get("threads", 1) > 1)
    alone = {}
    if again:
        alone, alone_problems, _ = run_tests(args, state, report, again, 1)
        for p in problems:
            if p.get("test") in alone:
                a = alone[p["test"]]["outcome"]
                p["message"] += "; in one thread it %s" % {
                    "passed": "passes", "failed": "fails", "crashed": "crashes too",
                    "hung": "hangs too", "skipped": "is skipped"}.get(a, a)
    report["findings"] += problems
    failures, notes = failure_findings(args, outcomes, alone)
    report["findings"] += failures
    report["notes"] += notes
    found, intercepted = borrowed(state, children)
    report["findings"] += found
    report["findings"] += gil_findings(state, state.get("sessions", []))
    report["tests"] = summarize(nodeids, outcomes, intercepted)
    return 1 if report["findings"] else 0


def summarize(nodeids, outcomes, intercepted):
    counts = {}
    once = []
    for nodeid in nodeids:
        r = outcomes.get(nodeid)
        outcome = r["outcome"] if r else "not run"
        counts[outcome] = counts.get(outcome, 0) + 1
        if r and r.get("thread_unsafe"):
            once.append({"test": nodeid, "why": r["thread_unsafe"]})
    return {"collected": len(nodeids), "nodeids": nodeids, "outcomes": counts, "run_once": once,
            "intercepted_calls": intercepted}


if __name__ == "__main__":
    sys.exit(main())
