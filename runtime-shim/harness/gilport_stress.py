#!/usr/bin/env python3
"""gilport stress: runtime checks of a CPython extension module for
free-threaded Python (PEP 703) and own-GIL subinterpreters (PEP 684/734).

Normally started by `gilport stress` (tool/Stress.cpp), which passes
--shim and --symbolizer; it can also be run directly with any Python 3.

Phases, each in a fresh child process of the interpreter under test:
  1. import audit: every extension module loaded by the import that turns
     the GIL back on (each imported on its own), and an import in an
     isolated (own-GIL) subinterpreter;
  2. leak rounds and concurrent calls (N threads from a barrier, mutator
     threads changing the shared objects), with the LD_AUDIT shim counting
     borrowed-reference calls made by the module;
  3. state-isolation probes and the workload in M subinterpreters at once.
A crash or hang in a child is reported with the call in progress, the
thread, the Python and the C stacks; the harness itself never waits longer
than its watchdog allows.

Exit status: 0 clean, 1 problems found, 2 harness or usage error.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # keep the source tree clean
import childreport  # noqa: E402
from childreport import (Symbolizer, finding, format_frame, parse_stacks,  # noqa: E402
                         python_stacks)
import shimdata  # noqa: E402
from stressreport import write_junit, write_text  # noqa: E402
import tsanreport  # noqa: E402

CHILD = os.path.join(HERE, "stress_child.py")
DEFAULT_SYMBOLIZER = "/usr/lib/llvm-19/bin/llvm-symbolizer"
# Run as a script (not imported) so that GILPORT_BUILD_EXTENSION can name another builder.
BUILD_EXTENSION = os.environ.get("GILPORT_BUILD_EXTENSION") or os.path.join(HERE, "build_extension.py")
TSAN_SETUP = "scripts/build-python-ft.sh --tsan"
TSAN_EXIT = 66   # ThreadSanitizer's exit status when it reported something (its default)
# Child mode -> the phase its ThreadSanitizer reports belong to.
TSAN_PHASES = {"import-audit": "import", "ext-probe": "import", "subinterp-import": "subinterpreter-import",
               "workload": "concurrent", "subinterp": "subinterpreters"}


class HarnessError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="gilport stress",
        description="Stress a CPython extension module on free-threaded Python "
                    "and in own-GIL subinterpreters.")
    p.add_argument("module", metavar="MODULE", help="importable module name")
    p.add_argument("--path", action="append", default=[], metavar="DIR",
                   help="directory to put on sys.path (repeatable)")
    p.add_argument("--spec", metavar="FILE",
                   help="workload spec: YAML, or JSON (see docs/stress.md)")
    # The YAML spec as `gilport stress` read it (tool/StressSpec.cpp).
    p.add_argument("--spec-json", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=4, metavar="N")
    p.add_argument("--interpreters", type=int, default=2, metavar="M",
                   help="subinterpreters running the workload at once (0: skip)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--duration", type=float, metavar="S",
                   help="seconds of concurrent calls (default 3)")
    g.add_argument("--iterations", type=int, metavar="K",
                   help="calls per worker thread instead of a duration")
    p.add_argument("--seed", type=int, help="random seed (default: from the clock; reported)")
    p.add_argument("--python", metavar="INTERPRETER", default=sys.executable,
                   help="interpreter to test with (default: this one)")
    p.add_argument("--tsan", action="store_true",
                   help="rebuild the module with -fsanitize=thread and run it on a ThreadSanitizer "
                        "build of CPython (%s); needs the module's sources" % TSAN_SETUP)
    p.add_argument("--source", action="append", default=[], metavar="FILE.c",
                   help="a C source of the module, for --tsan (repeatable; default: the spec's `sources`)")
    p.add_argument("--cflags", action="append", default=[], metavar="FLAGS",
                   help="extra compiler flags for the --tsan build (repeatable; write --cflags=-DX)")
    p.add_argument("--tsan-cc", default=os.environ.get("GILPORT_TSAN_CC", "clang-19"), metavar="CC",
                   help="compiler for the --tsan build (default clang-19)")
    p.add_argument("--format", choices=["text", "json", "junit"], default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here")
    p.add_argument("--shim", metavar="LIB", help="libgilport-shim.so (LD_AUDIT library)")
    p.add_argument("--no-shim", action="store_true", help="do not load the shim")
    p.add_argument("--symbolizer", default=os.environ.get("GILPORT_SYMBOLIZER", DEFAULT_SYMBOLIZER))
    p.add_argument("--stall-timeout", type=float, metavar="S",
                   help="no call finished for S seconds: report a deadlock (default 10; 30 with --tsan)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="hard limit per child process (default: derived from the duration)")
    p.add_argument("--leak-rounds", type=int, metavar="R",
                   help="rounds of the leak check (0: skip; default 5, 0 with --tsan)")
    p.add_argument("--leak-bound", type=float, default=0.2, metavar="B",
                   help="allocated blocks per call that count as a leak (default 0.2)")
    p.add_argument("--mutators", type=int, default=1, metavar="K",
                   help="threads mutating the shared objects (default 1)")
    p.add_argument("--skip", action="append", default=[],
                   choices=["import", "subinterpreters", "leaks", "concurrent"],
                   help="skip a phase (repeatable)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args(argv)
    if args.threads < 1 or args.threads > 48:
        p.error("--threads must be between 1 and 48")
    if args.interpreters < 0:
        p.error("--interpreters must not be negative")
    if args.duration is not None and args.duration <= 0:
        p.error("--duration must be positive")
    if args.iterations is not None and args.iterations <= 0:
        p.error("--iterations must be positive")
    if args.duration is None and args.iterations is None:
        args.duration = 3.0
    if args.seed is None:
        args.seed = int(time.time() * 1000) % 1000000
    if args.leak_rounds is None:
        # The leak rounds are tuned for uninstrumented speed; on the TSAN build the correct
        # mutant's intern() showed a false growth of 0.8 blocks per call.
        args.leak_rounds = 0 if args.tsan else 5
        args.leak_rounds_defaulted = True
    if args.stall_timeout is None:
        args.stall_timeout = 30.0 if args.tsan else 10.0
    if (args.source or args.cflags) and not args.tsan:
        p.error("--source and --cflags are for the --tsan build")
    return args


# ------------------------------------------------------------ children
class ChildResult:
    def __init__(self):
        self.rc = None
        self.stdout = ""
        self.stderr = ""
        self.elapsed = 0.0
        self.hang = None          # dict when the watchdog stopped it
        self.result = None


def run_child(state, mode, config, timeout, stall=None, audit=False):
    """Runs stress_child.py MODE in a fresh process under a watchdog."""
    work = state["work"]
    tag = "%s-%d" % (mode, state.setdefault("counter", 0))
    state["counter"] += 1
    config = dict(config)
    config["result"] = os.path.join(work, tag + ".json")
    config["context"] = os.path.join(work, tag + ".ctx")
    config["crash_file"] = os.path.join(work, tag + ".crash")
    cfg_path = os.path.join(work, tag + ".config.json")
    with open(cfg_path, "w") as f:
        json.dump(config, f)
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHON_GIL", "LD_AUDIT", "LD_PRELOAD"):
        env.pop(name, None)
    env["PYTHONFAULTHANDLER"] = "1"
    env.update(config.get("env") or {})
    if state.get("tsan"):
        env["TSAN_OPTIONS"] = tsan_options(state, tag)
    if audit and state.get("shim"):
        env["LD_AUDIT"] = state["shim"]
        env["GILPORT_SHIM_TARGETS"] = state["target"]
        env["GILPORT_SHIM_OUT"] = config["shim_out"]
        env["GILPORT_SHIM_FREE_THREADED"] = "1" if state["free_threaded"] else "0"
    shimdata.Context(config["context"])  # created empty: progress 0
    out_path = os.path.join(work, tag + ".stdout")
    err_path = os.path.join(work, tag + ".stderr")
    res = ChildResult()
    start = time.monotonic()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([state["python"], "-B", "-X", "faulthandler", CHILD, mode, cfg_path],
                                stdout=out, stderr=err, env=env, cwd=work)
        last_progress, last_change = -1, start
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            phase, slots = shimdata.read_context(config["context"])
            progress = sum(s["calls"] for s in slots)
            if progress != last_progress:
                last_progress, last_change = progress, now
            stalled = (stall is not None and phase in ("concurrent calls", "leak rounds",
                                                       "subinterpreter workload")
                       and now - last_change > stall)
            if stalled or now - start > timeout:
                res.hang = {"reason": ("no call finished for %.0f s" % (now - last_change))
                            if stalled else "over the time limit of %.0f s" % timeout,
                            "phase": phase, "threads": slots}
                childreport.dump_hung_stacks(proc, config["crash_file"],
                                             bool(state.get("crash_helper")))
                proc.kill()
                proc.wait()
                break
    res.rc = proc.returncode
    res.elapsed = time.monotonic() - start
    with open(out_path, errors="replace") as f:
        res.stdout = f.read()
    with open(err_path, errors="replace") as f:
        res.stderr = f.read()
    for suffix in ("", ".partial"):
        try:
            with open(config["result"] + suffix) as f:
                res.result = json.load(f)
            res.partial = bool(suffix)
            break
        except (OSError, ValueError):
            continue
    res.crash_file = config["crash_file"]
    res.context = config["context"]
    if state.get("tsan") and res.rc == TSAN_EXIT and res.result is not None and not res.partial:
        # The child finished its work; TSAN then exits with TSAN_EXIT because it printed
        # reports, which are judged below.  Without a final result the status stands: TSAN
        # stopped the process (an internal error), and the harness says so.
        res.rc = 0
    if state.get("tsan"):
        reports, suppressed = tsanreport.read_logs(state["tsan"]["logs"], tag)
        phase = TSAN_PHASES.get(mode, mode)
        for rep in reports:
            rep["phase"] = phase
        state["tsan"]["reports"] += reports
        for k, v in suppressed.items():
            state["tsan"]["suppressed"][k] = state["tsan"]["suppressed"].get(k, 0) + v
    return res


# ----------------------------------------------------------------- TSAN
def tsan_options(state, tag):
    t = state["tsan"]
    opts = ["halt_on_error=0",        # every report, not just the first
            "exitcode=%d" % TSAN_EXIT,  # after reports; see run_child
            # A crash must kill the process with its signal, through faulthandler and the crash
            # helper, as without TSAN; TSAN's own handler would exit with `exitcode` instead.
            "handle_segv=0", "handle_sigbus=0", "handle_sigill=0", "handle_sigfpe=0", "handle_abort=0",
            "report_signal_unsafe=0",  # the watchdog's stack dumps run in signal handlers
            "print_suppressions=1",   # counts of CPython's suppressed races, for the summary
            "log_path=" + os.path.join(t["logs"], tag)]
    if t.get("suppressions"):
        opts.append("suppressions=" + t["suppressions"])
    if state_symbolizer and state_symbolizer.path:
        opts.append("external_symbolizer_path=" + state_symbolizer.path)
    return ":".join(opts)


def cpython_tsan_suppressions(python):
    """CPython's Tools/tsan/suppressions_free_threading.txt for this build, or None."""
    out = subprocess.run([python, "-I", "-c", "import sysconfig;print(sysconfig.get_config_var('abs_srcdir') or '')"],
                         capture_output=True, text=True).stdout.strip()
    candidates = [out] if out else []
    cache = os.environ.get("GILPORT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gilport")
    src = os.path.join(cache, "src")
    if os.path.isdir(src):
        candidates += [os.path.join(src, d) for d in sorted(os.listdir(src)) if d.startswith("python3.13")]
    for root in candidates:
        path = os.path.join(root, "Tools", "tsan", "suppressions_free_threading.txt")
        if os.path.isfile(path):
            return path
    return None


def read_spec(args):
    """(spec, error): the spec as `gilport stress` read it from YAML (--spec-json), or a
    JSON spec read here. A bad spec is reported by the workload child, as `spec: error`."""
    if not args.spec:
        return None, None
    name = os.path.abspath(args.spec)
    try:
        if args.spec_json:
            with open(args.spec_json, encoding="utf-8") as f:
                data = json.load(f)
            return data.get("spec"), data.get("error")
        with open(args.spec, encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError) as exc:
        return None, "%s: cannot read the spec: %s" % (name, exc)
    if not text.lstrip().startswith(("{", "[")):
        return None, ("%s: a YAML spec is read by `gilport stress`; run the harness through it, "
                      "or give a JSON spec" % name)
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, "%s: invalid JSON: %s" % (name, exc)


def spec_build_settings(spec, spec_path):
    """(sources, cflags) from the spec's `sources` and `cflags` keys; sources relative to the spec."""
    if not isinstance(spec, dict):
        return [], []   # no spec, or a bad one: the workload child reports that
    base = os.path.dirname(os.path.abspath(spec_path))
    sources = spec.get("sources") or []
    cflags = spec.get("cflags") or []
    if isinstance(sources, str):
        sources = [sources]
    if isinstance(cflags, str):
        cflags = [cflags]
    return [os.path.join(base, str(s)) for s in sources], [str(c) for c in cflags]


def prepare_tsan(args, state, report, python):
    """Checks the interpreter, rebuilds the module with -fsanitize=thread; returns its directory."""
    config_args = subprocess.run([python, "-I", "-c", "import sysconfig;print(sysconfig.get_config_var('CONFIG_ARGS') or '')"],
                                 capture_output=True, text=True).stdout
    if "with-thread-sanitizer" not in config_args:
        raise HarnessError("--tsan: %s was not built with --with-thread-sanitizer; build the ThreadSanitizer "
                           "CPython with `%s` (then `gilport stress --tsan` uses it), or name one with --python"
                           % (python, TSAN_SETUP))
    if "." in args.module:
        raise HarnessError("--tsan rebuilds the extension module itself, so MODULE must be a top-level "
                           "extension module name, not %r" % args.module)
    spec_sources, spec_cflags = spec_build_settings(state["spec"], args.spec)
    sources = [os.path.abspath(s) for s in args.source] or spec_sources
    if not sources:
        raise HarnessError("--tsan rebuilds %s with -fsanitize=thread and needs its C sources: give "
                           "--source FILE.c (repeatable), or `sources:` in the spec" % args.module)
    for src in sources:
        if not os.path.isfile(src):
            raise HarnessError("--tsan: source file not found: %s" % src)
    if not os.path.isfile(BUILD_EXTENSION):
        raise HarnessError("--tsan: %s not found" % BUILD_EXTENSION)
    out = os.path.join(state["work"], "tsan-module")
    cmd = [sys.executable, "-I", BUILD_EXTENSION, "--python", python, "--out", out, "--name", args.module,
           "--cc", args.tsan_cc, "--cflags=-fsanitize=thread"]
    cmd += ["--cflags=" + c for c in spec_cflags + args.cflags]
    build = subprocess.run(cmd + sources, capture_output=True, text=True)
    if build.returncode != 0:
        raise HarnessError("--tsan: building %s with -fsanitize=thread failed (scripts/build-extension.py "
                           "builds with -Wall -Werror; --cflags=-Wno-error keeps warnings from stopping it):\n%s"
                           % (args.module, build.stderr.strip()[-3000:]))
    logs = os.path.join(state["work"], "tsan")
    os.makedirs(logs, exist_ok=True)
    supp = cpython_tsan_suppressions(python)
    state["tsan"] = {"logs": logs, "suppressions": supp, "reports": [], "suppressed": {},
                     "module": build.stdout.strip().splitlines()[-1], "sources": sources,
                     "cflags": spec_cflags + args.cflags}
    report["notes"].append("--tsan: %s rebuilt with %s -fsanitize=thread -O1 -g%s from %s" % (
        args.module, args.tsan_cc, "".join(" " + c for c in spec_cflags + args.cflags),
        ", ".join(sources)))
    if not supp:
        report["notes"].append("--tsan: CPython's Tools/tsan/suppressions_free_threading.txt was not found; "
                               "races inside CPython are still left out of the findings")
    return out


def tsan_findings(state, report):
    t = state["tsan"]
    race_top = tsanreport.read_race_top(t["suppressions"]) if t.get("suppressions") else []
    findings, foreign, inline_suppressed = tsanreport.classify(t["reports"], t["module"], race_top)
    for k, v in inline_suppressed.items():
        t["suppressed"][k] = t["suppressed"].get(k, 0) + v
    suppressed = sum(t["suppressed"].values())
    total = len(t["reports"])
    mine = total - foreign - sum(inline_suppressed.values())
    report["phases"]["tsan"] = {
        "status": "done", "reports": total, "module_reports": mine, "cpython_reports": foreign,
        "suppressed": t["suppressed"], "distinct": len(findings),
        "summary": "ThreadSanitizer: %d report%s in %s (%d distinct); %d race%s inside CPython suppressed "
                   "(%d matched CPython's suppression list, %d had no frame of the module)" % (
                       mine, "" if mine == 1 else "s", os.path.basename(t["module"]), len(findings),
                       foreign + suppressed, "" if foreign + suppressed == 1 else "s", suppressed, foreign)}
    return findings


# ------------------------------------------------------------ findings
def import_audit(state, base):
    findings, info = [], {}
    audit = run_child(state, "import-audit", base, timeout=state["import_timeout"])
    bad = crash_or_hang(audit, "import", base["module"])
    if bad:
        # Nothing later can run: every phase imports the module first.
        return [bad], {"extensions": [], "stopped": True}
    if audit.rc != 0 or audit.result is None:
        raise HarnessError("importing %s failed in %s:\n%s" % (base["module"], state["python"],
                                                              audit.stderr.strip()[-2000:]))
    if audit.result.get("error"):
        raise HarnessError("importing %s failed: %s" % (base["module"], audit.result["error"]))
    info["extensions"] = []
    # Checked again in the subinterpreter: an extension missing there was
    # replaced by a fallback.
    state["extension_names"] = [ext["name"] for ext in audit.result["extensions"]]
    for ext in audit.result["extensions"]:
        probe = run_child(state, "ext-probe", dict(base, extension=ext["name"]),
                          timeout=state["import_timeout"])
        r = probe.result or {"error": "probe failed (exit %s)" % probe.rc}
        r["file"] = ext["file"]
        info["extensions"].append(r)
        if r.get("reimport_keeps_module"):
            state.setdefault("kept_modules", []).append(ext["file"])
        if state["free_threaded"] and r.get("gil_enabled"):
            findings.append(childreport.gil_finding(r, ext["file"], phase="import"))
    info["gil_enabled_after_import"] = audit.result.get("gil_enabled")
    info["warnings"] = audit.result.get("warnings")
    return findings, info


def subinterp_import(state, base):
    res = run_child(state, "subinterp-import",
                    dict(base, extensions=state.get("extension_names") or []),
                    timeout=state["import_timeout"])
    if res.rc != 0 or res.result is None:
        if res.rc is not None and res.rc < 0:
            return [finding("gilport-crash", "importing %s in an own-GIL subinterpreter crashed (signal %d)"
                            % (base["module"], -res.rc), severity="error", phase="subinterpreter-import",
                            python_stack=python_stacks(res.stderr))], {"ok": False}
        bad = crash_or_hang(res, "subinterpreter-import", base["module"])
        if bad:
            return [bad], {"ok": False}
        raise HarnessError("subinterpreter import check failed:\n" + res.stderr.strip()[-2000:])
    r = res.result
    if r["ok"] and r.get("fallback"):
        # It imports, but not its accelerator: code in a subinterpreter runs
        # the pure-Python fallback, which the user did not ask for.
        names = ", ".join("'%s' (%s)" % (f["name"], f["error"]) for f in r["fallback"])
        return [finding("gilport-subinterpreter-import",
                        "'%s' imports in an isolated subinterpreter with its own GIL only "
                        "through a fallback: its extension module%s %s did not load there, so "
                        "code in subinterpreters runs without it" % (
                            base["module"], "s" if len(r["fallback"]) > 1 else "", names),
                        phase="subinterpreter-import", file=state["origin"],
                        fallback=r["fallback"])], {"ok": True}
    if r["ok"]:
        return [], {"ok": True}
    slots = state.get("module_slots") or {}
    init = slots.get("init")
    if init == "single-phase":
        reason = "single-phase init (PyInit_%s creates the module with PyModule_Create)" % base["module"].rsplit(".", 1)[-1]
    elif init == "multi-phase":
        mi = slots.get("slots", {}).get("Py_mod_multiple_interpreters")
        reason = {None: "Py_mod_multiple_interpreters is not declared, so it defaults to "
                        "Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED, which excludes own-GIL interpreters",
                  0: "it declares Py_mod_multiple_interpreters = Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED",
                  1: "it declares Py_mod_multiple_interpreters = Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED, "
                     "not Py_MOD_PER_INTERPRETER_GIL_SUPPORTED"}.get(mi, "see the error")
    else:
        reason = "see the error"
    return [finding("gilport-subinterpreter-import",
                    "'%s' cannot be imported in an isolated subinterpreter with its own GIL: %s "
                    "(%s: %s)" % (base["module"], reason, r["type"], r["message"]),
                    phase="subinterpreter-import", file=state["origin"], reason=reason,
                    error="%s: %s" % (r["type"], r["message"]))], r


def exited_by_module(res):
    """Whether the child ended with an exit status of its own before it finished: not a
    Python exception of the harness (which prints a traceback), so a C exit() or _exit()
    in the module."""
    return (res.rc is not None and res.rc > 0 and (res.result is None or res.partial)
            and "Traceback (most recent call last)" not in res.stderr)


def crash_or_hang(res, phase, module):
    """A finding for a child that died or hung, or None."""
    stacks = parse_stacks(res.crash_file, state_symbolizer)
    child_phase, slots = shimdata.read_context(res.context)
    if child_phase == "building the workload":
        # Before any thread starts: each function is called alone.
        phase = "building the workload (each function called alone, in one thread)"
    if res.hang:
        threads = []
        by_tid = {r["tid"]: r for r in stacks if r["kind"] == "STACK"}
        for s in res.hang["threads"] or slots:
            entry = dict(s)
            rec = by_tid.get(s["native_id"])
            if rec:
                entry["c_stack"] = [format_frame(f) for f in rec["frames"][:40]]
            threads.append(entry)
        busy = [t for t in threads if t.get("in_call")]
        what = "; ".join("thread %s in %s" % (t["native_id"], t["doing"]) for t in busy[:6]) or (
            "in its init function" if phase == "import" else "no call in progress")
        return finding("gilport-deadlock",
                       "%s hung during %s (%s): %s" % (module, res.hang.get("phase") or phase,
                                                        res.hang["reason"], what),
                       severity="error", phase=phase, threads=threads,
                       python_stack=python_stacks(res.stderr))
    if exited_by_module(res):
        busy = [s for s in slots if s["in_call"]]
        doing = "; ".join(s["doing"] for s in busy) or (
            "its init function" if phase == "import" else "no call in progress")
        return finding("gilport-crash", "%s ended the process with exit status %d during %s, in %s "
                       "(exit() has no stack to show)" % (module, res.rc, phase, doing),
                       severity="error", phase=phase, exit_status=res.rc,
                       call=busy[0]["doing"] if len(busy) == 1 else None,
                       threads_in_call=busy, python_stack=python_stacks(res.stderr))
    if res.rc is not None and res.rc < 0:
        sig = -res.rc
        crash = next((r for r in stacks if r["kind"] == "CRASH"), None)
        culprit = None
        if crash:
            culprit = next((s for s in slots if s["native_id"] == crash["tid"]), None)
        busy = [s for s in slots if s["in_call"]]
        if culprit is None and len(busy) == 1:
            culprit = busy[0]
        try:
            signame = signal.Signals(sig).name
        except ValueError:
            signame = "signal %d" % sig
        doing = culprit["doing"] if culprit else (
            "; ".join(s["doing"] for s in busy) or "no call in progress")
        f = finding("gilport-crash", "%s crashed with %s during %s in %s" % (
            module, signame, phase, doing), severity="error", phase=phase,
            signal=signame, call=culprit["doing"] if culprit else None,
            thread=culprit["native_id"] if culprit else (crash["tid"] if crash else None),
            threads_in_call=busy, python_stack=python_stacks(res.stderr),
            c_stack=[format_frame(fr) for fr in crash["frames"][:40]] if crash else [])
        in_module = False
        if crash:
            for fr in crash["frames"]:
                if fr.get("file") and state_origin and fr["object"] == state_origin:
                    f.update(file=fr["file"], line=fr["line"], column=fr.get("column") or 0)
                    in_module = True
                    break
        if not in_module and slots:
            # The call running is not to blame when none of the module's code
            # is on the stack: the module likely corrupted the heap, or freed an
            # object too early, in an earlier call, and this is where it showed.
            f["message"] += ("; no frame of the module is on the crashing thread's stack: "
                             "memory it damaged earlier (heap corruption, or an object "
                             "freed too early) was likely found late; see each thread's "
                             "last call")
            f["last_calls"] = [{"thread": s["native_id"], "call": s["doing"],
                                "in_call": s["in_call"], "calls": s["calls"]} for s in slots]
        return f
    return None


state_symbolizer = None
state_origin = None


def borrowed_findings(state, shim_out):
    return childreport.borrowed_findings(state["shim_functions"], shim_out, state_symbolizer,
                                         kept_modules=state.get("kept_modules", ()))


def workload_findings(state, result, module):
    findings = []
    seen = {}
    for check, op, message, desc in result.get("concurrent", {}).get("problems", []):
        if check == "harness":
            raise HarnessError(message)
        key = (check, op, message.split(" returned ")[0] if check == "gilport-wrong-result" else message)
        if key in seen:
            seen[key]["occurrences"] += 1
            continue
        f = finding(check, message, severity="error", phase="concurrent", operation=op,
                    call=desc, occurrences=1)
        seen[key] = f
        findings.append(f)
    for fail in result.get("invariant_failures", []):
        findings.append(finding(
            "gilport-invariant", "invariant %r does not hold after the concurrent calls%s "
            "(successful calls: %s)" % (fail["invariant"], fail["detail"],
                                         ", ".join("%s=%d" % kv for kv in sorted(fail["ok_calls"].items()))),
            severity="error", phase="concurrent", invariant=fail["invariant"]))
    for leak in result.get("leaks", []):
        if leak["leak"]:
            extra = ""
            if "refs_per_call" in leak:
                extra = ", %.2f references per call" % leak["refs_per_call"]
            findings.append(finding(
                "gilport-leak", "%s.%s leaks: %.2f allocated blocks per call%s over %d rounds of %d calls "
                "(bound %.2f)" % (module, leak["op"].split("/")[0], leak["blocks_per_call"], extra,
                                   leak["rounds"], leak["calls_per_round"], state["leak_bound"]),
                phase="leaks", operation=leak["op"], blocks_per_call=leak["blocks_per_call"],
                rss_per_call=leak["rss_per_call"]))
    return findings


# ---------------------------------------------------------------- main
def main(argv=None):
    global state_symbolizer, state_origin
    args = parse_args(argv)
    report = {"version": 1, "seed": args.seed, "findings": [], "phases": {}, "notes": []}
    state = {"python": args.python, "leak_bound": args.leak_bound}
    work = tempfile.mkdtemp(prefix="gilport-stress-")
    state["work"] = work
    state_symbolizer = Symbolizer(args.symbolizer)
    status = 0
    try:
        status = run(args, state, report)
    except HarnessError as exc:
        report["error"] = str(exc)
        status = 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            report["work_dir"] = work
    report.setdefault("target", {"module": args.module, "file": "?", "python": args.python,
                                 "python_version": "?", "free_threaded": None})
    report["exit_status"] = status
    out = open(args.output, "w") if args.output else sys.stdout
    try:
        if args.format == "json":
            json.dump(report, out, indent=2, default=str)
            out.write("\n")
        elif args.format == "junit":
            write_junit(report, out)
        else:
            write_text(report, out)
    finally:
        if args.output:
            out.close()
    if status == 2 and args.format != "text":
        print("gilport stress: error: %s" % report.get("error"), file=sys.stderr)
    return status


def run(args, state, report):
    python, paths = check_inputs(args, state)
    state["spec"], spec_error = read_spec(args)
    if args.tsan:
        # The instrumented build comes first on sys.path, before any other build of the module.
        paths.insert(0, prepare_tsan(args, state, report, python))
    base = {"module": args.module, "paths": paths, "seed": args.seed,
            "spec": state["spec"], "spec_error": spec_error,
            "threads": args.threads, "interpreters": args.interpreters,
            "duration": args.duration, "iterations": args.iterations,
            "leak_rounds": 0 if "leaks" in args.skip else args.leak_rounds,
            "leak_bound": args.leak_bound, "mutators": args.mutators}
    r = locate_module(args, state, report, python, base)
    choose_shim(args, state, report, r)
    state["import_timeout"] = args.timeout or 120
    phase_import(args, state, report, r, base)
    if state.get("stopped"):
        for name in ("subinterpreter-import", "concurrent", "leaks", "subinterpreters"):
            report["phases"][name] = {"status": "skipped",
                                      "summary": "skipped (the module could not be imported)"}
        return 1
    sub_ok = phase_subinterpreter_import(args, state, report, r, base)
    if "concurrent" not in args.skip:
        phase_concurrent(args, state, report, r, base)
    phase_subinterpreters(args, state, report, r, base, sub_ok)
    if args.tsan:
        report["findings"] += tsan_findings(state, report)
    return 1 if report["findings"] else 0


def check_inputs(args, state):
    """The interpreter under test and the --path directories, checked."""
    python = shutil.which(args.python) if os.sep not in args.python else args.python
    if not python or not os.access(python, os.X_OK):
        raise HarnessError("interpreter not found: %s" % args.python)
    state["python"] = python
    if args.spec and not os.path.isfile(args.spec):
        raise HarnessError("spec file not found: %s" % args.spec)
    paths = [os.path.abspath(p) for p in args.path]
    for p in paths:
        if not os.path.isdir(p):
            raise HarnessError("--path directory not found: %s" % p)
    return python, paths


def locate_module(args, state, report, python, base):
    """Finds the module's file in a child; fills report["target"]."""
    global state_origin
    loc = run_child(state, "locate", base, timeout=60)
    if loc.result is None:
        raise HarnessError("cannot run %s: %s" % (python, loc.stderr.strip()[-1000:]))
    if not loc.result["found"]:
        report["target"] = {"module": args.module, "file": "?", "python": python,
                            "python_version": ".".join(map(str, loc.result.get("version", []))) or "?",
                            "free_threaded": loc.result.get("free_threaded")}
        raise HarnessError("module %r not found (searched %s and the default sys.path of %s)"
                           % (args.module, ", ".join(base["paths"]) or "no --path", python))
    r = loc.result
    state.update(origin=r["origin"], free_threaded=r["free_threaded"])
    if args.tsan and os.path.realpath(r["origin"] or "") != os.path.realpath(state["tsan"]["module"]):
        raise HarnessError("--tsan: %s imported %s, not the instrumented build %s"
                           % (args.module, r["origin"], state["tsan"]["module"]))
    state_origin = os.path.realpath(r["origin"])
    report["target"] = {"module": args.module, "file": r["origin"], "python": python,
                        "python_version": ".".join(map(str, r["version"])),
                        "free_threaded": r["free_threaded"]}
    if not r["extension"]:
        report["notes"].append("%s is not an extension module (%s): only Python-level checks run"
                               % (args.module, r["origin"]))
    return r


def choose_shim(args, state, report, r):
    """Whether the LD_AUDIT shim and the crash helper are loaded into the children."""
    shim = None if args.no_shim else (args.shim or os.environ.get("GILPORT_SHIM"))
    if shim and not os.path.exists(shim):
        raise HarnessError("shim library not found: %s" % shim)
    if shim and r["extension"] and args.tsan:
        # rtld calls calloc for an auditor with la_symbind64 before TSAN's runtime is
        # initialised, and TSAN's calloc interceptor crashes there: no LD_AUDIT under --tsan.
        state["crash_helper"] = os.path.abspath(shim)
        report["notes"].append("--tsan: the borrowed-reference shim is not loaded (an LD_AUDIT library "
                               "with symbol binding crashes a ThreadSanitizer process at start-up); "
                               "run without --tsan for gilport-borrowed-ref")
    elif shim and r["extension"]:
        state["shim_functions"] = shimdata.load_functions(shim)
        if state["shim_functions"] is None:
            raise HarnessError("the shim's function list was not found next to it: %s (the build "
                               "generates it with the shim)" % shimdata.functions_path(shim))
        state["shim"] = os.path.abspath(shim)
        state["crash_helper"] = state["shim"]
        state["target"] = os.path.realpath(r["origin"])
    elif not args.no_shim:
        report["notes"].append("the borrowed-reference shim is not loaded (%s)" % (
            "no --shim given" if not shim else "not an extension module"))


def plural(n):
    return "" if n == 1 else "s"


def phase_import(args, state, report, r, base):
    """Phase 1: the import audit."""
    t0 = time.monotonic()
    if "import" in args.skip:
        report["phases"]["import"] = {"status": "skipped", "summary": "skipped (--skip import)"}
        return
    findings, info = import_audit(state, base)
    report["findings"] += findings
    if info.get("stopped"):
        state["stopped"] = findings[0]["check"]
        report["phases"]["import"] = {"status": "done", "seconds": time.monotonic() - t0,
                                      "summary": "the import %s" % (
                                          "hung" if state["stopped"] == "gilport-deadlock"
                                          else "ended the process")}
        return
    mine = next((e for e in info["extensions"]
                 if os.path.realpath(e.get("file", "")) == state_origin), {})
    state["module_slots"] = mine
    n_ext = len(info["extensions"])
    if r["free_threaded"]:
        summary = "%d extension module%s loaded; %d turn%s the GIL back on" % (
            n_ext, plural(n_ext), len(findings), "s" if len(findings) == 1 else "")
    else:
        summary = "%d extension module%s loaded (GIL build: no GIL check)" % (n_ext, plural(n_ext))
    report["phases"]["import"] = dict(info, status="done", seconds=time.monotonic() - t0,
                                      summary=summary)


def phase_subinterpreter_import(args, state, report, r, base):
    """Phase 1, second half: the import in an own-GIL subinterpreter; True if it worked."""
    t0 = time.monotonic()
    if "subinterpreters" in args.skip or args.interpreters == 0:
        report["phases"]["subinterpreter-import"] = {"status": "skipped", "summary": "skipped"}
        return False
    if not r["has_interpreters"]:
        report["phases"]["subinterpreter-import"] = {
            "status": "skipped", "summary": "skipped: Python %s has no _interpreters module with "
            "create, new_config, exec and destroy (own-GIL subinterpreters need 3.13)"
            % report["target"]["python_version"]}
        return False
    if "module_slots" not in state:
        probe = run_child(state, "ext-probe", dict(base, extension=args.module),
                          timeout=state["import_timeout"])
        state["module_slots"] = probe.result or {}
    findings, info = subinterp_import(state, base)
    report["findings"] += findings
    sub_ok = info.get("ok", False)
    report["phases"]["subinterpreter-import"] = {
        "status": "done", "seconds": time.monotonic() - t0,
        "summary": ("imports in an own-GIL subinterpreter only through a fallback"
                    if sub_ok and findings else
                    "imports in an own-GIL subinterpreter" if sub_ok else
                    "cannot be imported in an own-GIL subinterpreter")}
    return sub_ok


def run_workload_child(args, state, report, cfg):
    """The workload child, run once more if it hung outside the module's calls."""
    # ThreadSanitizer makes everything 5-15x slower.
    slow = 15 if args.tsan else 1
    if args.iterations:
        expected = 60 * slow + args.iterations * args.threads * 0.002 * slow
    else:
        expected = 60 * slow + args.duration
    res = run_child(state, "workload", cfg, timeout=args.timeout or expected,
                    stall=args.stall_timeout, audit=True)
    if res.hang and not any(t.get("in_call") for t in res.hang.get("threads") or []):
        # Hung while no thread was inside a call of the module: not the
        # module's deadlock (seen rarely on 3.13t under CPU
        # oversubscription, inside CPython's type lock).  Run again once.
        report["notes"].append("the workload process hung outside the module's calls (%s, phase %s); "
                               "it was run again" % (res.hang["reason"], res.hang.get("phase")))
        res = run_child(state, "workload", cfg, timeout=args.timeout or expected,
                        stall=args.stall_timeout, audit=True)
    return res


def phase_concurrent(args, state, report, r, base):
    """Phase 2: the leak rounds and the concurrent calls, in one child."""
    t0 = time.monotonic()
    gil_build = not r["free_threaded"]
    shim_out = os.path.join(state["work"], "shim.bin")
    cfg = dict(base, shim_out=shim_out, gil_build=gil_build,
               crash_helper=state.get("crash_helper"),
               env={"PYTHON_GIL": "0"} if r["free_threaded"] else {})
    res = run_workload_child(args, state, report, cfg)
    phase = report["phases"]["concurrent"] = {"status": "done"}
    bad = crash_or_hang(res, "concurrent calls" if not res.hang else "workload", args.module)
    result = res.result or {}
    if result.get("spec_error"):
        raise HarnessError("spec: %s" % result["spec_error"])
    if bad is None and res.rc != 0:
        raise HarnessError("the workload process failed (exit %s):\n%s" % (res.rc, res.stderr.strip()[-3000:]))
    report["notes"] += result.get("notes", [])
    if gil_build:
        report["notes"].append("GIL build: the workload ran with sys.setswitchinterval(1e-06)")
    elif r["free_threaded"]:
        report["notes"].append("the workload ran with PYTHON_GIL=0 (the GIL stays off even for "
                               "modules that have not declared Py_mod_gil)")
    findings, shim_info = borrowed_findings(state, shim_out) if state.get("shim") else ([], {"active": False})
    report["findings"] += findings
    if bad:
        report["findings"].append(bad)
    report["findings"] += workload_findings(state, result, args.module)
    conc = result.get("concurrent") or {}
    calls = sum(conc.get("attempted", {}).values())
    if not conc and bad:
        # The child died before its report: count what the threads started.
        _, slots = shimdata.read_context(res.context)
        calls = sum(s["calls"] for s in slots)
        conc = {"elapsed": res.elapsed}
    phase.update(seconds=time.monotonic() - t0, shim=shim_info, operations=result.get("operations"),
                 calls=conc.get("attempted"), ok_calls=conc.get("ok"), elapsed=conc.get("elapsed"),
                 leaks=result.get("leaks"),
                 summary="%s; %d calls on %d threads + %d mutator%s in %.1f s; shim: %s" % (
                     "crashed" if bad and bad["check"] == "gilport-crash" else
                     "hung" if bad else "completed", calls, args.threads, conc.get("mutators", 0),
                     plural(conc.get("mutators", 0)), conc.get("elapsed") or 0,
                     ("%d borrowed-reference calls intercepted at %d call sites" % (
                         shim_info["intercepted_calls"], len(shim_info["sites"])))
                     if shim_info.get("active") else "not active"))
    report["phases"]["leaks"] = {
        "status": "done" if result.get("leaks") is not None else "skipped",
        "summary": "%d operations measured" % len(result.get("leaks") or [])
        if result.get("leaks") else "skipped (not run under --tsan by default)"
        if getattr(args, "leak_rounds_defaulted", False) and args.tsan else "skipped"}


def phase_subinterpreters(args, state, report, r, base, sub_ok):
    """Phase 3: isolation probes and the workload in M subinterpreters at once."""
    t0 = time.monotonic()
    if not (sub_ok and args.interpreters > 0):
        why = ("--skip subinterpreters" if "subinterpreters" in args.skip else
               "--interpreters 0" if args.interpreters == 0 else
               "no own-GIL subinterpreters in this Python" if not r["has_interpreters"] else
               "the module cannot be imported in an own-GIL subinterpreter")
        report["phases"]["subinterpreters"] = {"status": "skipped", "summary": "skipped (%s)" % why}
        return
    per = args.duration / 2 if args.duration else None
    cfg = dict(base, sub_duration=per or 1.0,
               sub_iterations=max(1, args.iterations // 2) if args.iterations else None,
               sub_threads=max(1, min(args.threads, 2)), crash_helper=state.get("crash_helper"),
               leak_rounds=0)
    res = run_child(state, "subinterp", cfg, timeout=args.timeout or 60 * (15 if args.tsan else 1) + 2 * (per or 5),
                    stall=args.stall_timeout)
    bad = crash_or_hang(res, "subinterpreters", args.module)
    result = res.result or {}
    if bad:
        report["findings"].append(bad)
    elif res.rc != 0:
        raise HarnessError("the subinterpreter process failed (exit %s):\n%s" % (res.rc, res.stderr.strip()[-3000:]))
    report["findings"] += subinterpreter_findings(state, result, args.module)
    isolation = len(result.get("isolation", []))
    report["phases"]["subinterpreters"] = {
        "status": "done", "seconds": time.monotonic() - t0,
        "summary": "%d own-GIL subinterpreters ran the workload at once; %d isolation problem%s" % (
            result.get("interpreters", args.interpreters), isolation, plural(isolation))}


def subinterpreter_findings(state, result, module):
    """Isolation problems, errors and the workload's findings of the subinterpreter child."""
    found = []
    for iso in result.get("isolation", []):
        found.append(finding("gilport-state-isolation", iso["message"], severity="error",
                             phase="subinterpreters", file=state["origin"], **{"kind": iso["kind"]}))
    for err in result.get("errors", []):
        found.append(finding("gilport-subinterpreter-error",
                             "interpreter %s (%s): %s" % (err["interpreter"], err["action"], err["error"]),
                             severity="error", phase="subinterpreters",
                             traceback=err.get("traceback")))
    for run_ in result.get("runs") or []:
        if not run_:
            continue
        fake = {"concurrent": run_.get("stats") or {}, "invariant_failures": run_.get("invariant_failures", [])}
        for f in workload_findings(state, fake, module):
            f["phase"] = "subinterpreters"
            f["message"] = "in subinterpreter %d: %s" % (run_["interpreter"], f["message"])
            found.append(f)
    return found


if __name__ == "__main__":
    sys.exit(main())
