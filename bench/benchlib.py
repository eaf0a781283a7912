"""Helpers shared by the bench/ drivers, which are kebab-case scripts and cannot import each other.

A driver run as `python3 bench/x.py` has bench/ on sys.path and does `import benchlib`; the
modules in bench/accuracy/ add this folder (their parent) to sys.path first.
Standard library only.
"""

import datetime
import json
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

# Targets from the project's plan, reported next to the measured figures.
TARGET_RATIO = 1.15      # gilport / clang -fsyntax-only, wall time
TARGET_SPEEDUP = 1.8     # gilport -j1 / gilport -jN, wall time

# The mutant module (one -DMUT_* macro per seeded bug), its stress workload, and the builder
# of extension modules for a given interpreter.
MUTANT_SOURCE = os.path.join(ROOT, "runtime-shim", "mutants", "mutant.c")
MUTANT_SPEC = os.path.join(ROOT, "runtime-shim", "mutants", "mutant.yaml")
BUILD_EXT = os.path.join(ROOT, "scripts", "build-extension.py")


def cache_dir():
    """The cache root, by the rule of scripts/lib.sh and the tool:
    ${GILPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gilport}."""
    cache = os.environ.get("GILPORT_CACHE_DIR")
    if cache:
        return cache
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "gilport")


def cached_python(prefix="python3.13t"):
    """The interpreter scripts/build-python-ft.sh installs under <cache>/PREFIX (python3.13t,
    or python3.13t-tsan for the ThreadSanitizer build)."""
    return os.path.join(cache_dir(), prefix, "bin", "python3.13t")


def build_extension_argv(python, out, source, flags=()):
    """The command that builds SOURCE as an extension module of PYTHON into OUT."""
    return [sys.executable, BUILD_EXT, "--python", python, "--out", out, source, *flags]


def loadavg():
    """The 1, 5 and 15 minute load averages as /proc/loadavg writes them (strings)."""
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def utc_now():
    """The time of a run as the reports give it: 2026-12-03T19:44:03Z."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def git_rev():
    """The short commit of the work tree, "uncommitted" when git names none, "" without git."""
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "uncommitted"
    except (OSError, subprocess.SubprocessError):
        return ""


def compile_db(tree):
    """(real path of the file, entry) for each entry of TREE/compile_commands.json, in order."""
    with open(os.path.join(tree, "compile_commands.json")) as f:
        db = json.load(f)
    return [(os.path.realpath(os.path.join(entry["directory"], entry["file"])), entry)
            for entry in db]


class GilportFailed(RuntimeError):
    """gilport exited with neither 0 (no findings) nor 1 (findings)."""

    def __init__(self, mode, returncode, stderr):
        super().__init__(f"gilport {mode} exited with {returncode}: {stderr[-2000:]}")
        self.mode = mode
        self.returncode = returncode
        self.stderr = stderr


def sources_of(project):
    """The C sources of a project of thirdparty/projects.json, each once, in the order its
    modules list them."""
    seen = []
    for files in project["modules"].values():
        seen += [f for f in files if f not in seen]
    return seen


def write_results_json(out, name, results):
    """Writes RESULTS to OUT/NAME (the folder made if need be), as the drivers always have."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), "w") as f:
        json.dump(results, f, indent=2)


def gilport_json(gilport, mode, paths, tree, out, jobs=2, extra=()):
    """Runs `gilport MODE PATHS -p TREE -jJOBS --format=json -o OUT --quiet EXTRA`.
    Returns (the JSON report, wall seconds of the run); raises GilportFailed."""
    argv = [gilport, mode, *paths, "-p", tree, f"-j{jobs}", "--format=json", "-o", out, "--quiet",
            *extra]
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise GilportFailed(mode, proc.returncode, proc.stderr)
    with open(out) as f:
        return json.load(f), seconds


def run_for_report(argv, out, timeout, **kwargs):
    """Runs ARGV, a gilport command that writes its JSON report to OUT, within TIMEOUT seconds
    (subprocess.TimeoutExpired propagates); KWARGS go to subprocess.run (cwd, env). Returns
    (the report, or None when none was written; the finished process; wall seconds)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=timeout, **kwargs)
    seconds = time.perf_counter() - start
    try:
        with open(out) as f:
            return json.load(f), proc, seconds
    except (OSError, ValueError):
        return None, proc, seconds
