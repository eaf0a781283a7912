#!/usr/bin/env python3
"""Mutant suite for `gilport stress`: detection rate and time to detection.

Builds runtime-shim/mutants/mutant.c for the free-threaded runtime once
without a seeded bug (the correct module) and once per -DMUT_* variant, then
runs `gilport stress` with runtime-shim/mutants/mutant.yaml:

  * every mutant --runs times (default 3): detected when a finding of one of
    the checks expected for that bug is reported; time to detection is the
    wall time of the run (every run is bounded by the watchdog);
  * the correct module --clean-runs times in a row (default 20): any finding
    is a false alarm.

Results: bench/results/stress-mutants.json and .md (overwritten).  Exits 1
if the detection rate is below 90 % or there was a false alarm, 2 on setup
errors.

  bench/stress-mutants.py                      # full: ~6-8 min on 2 cores
  bench/stress-mutants.py --runs 1 --clean-runs 3 --duration 1
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import (MUTANT_SOURCE, MUTANT_SPEC, ROOT, build_extension_argv, cached_python,
                      write_results_json)

# Mutant -> (what the seeded bug is, checks that count as detecting it).
RACE = {"gilport-crash", "gilport-wrong-result", "gilport-runtime-error",
        "gilport-unexpected-exception", "gilport-invariant"}
MUTANTS = {
    "LIST_BORROW": ("borrowed PyList_GetItem on a list another thread mutates",
                    {"gilport-borrowed-ref"}),
    "DICT_BORROW": ("PyDict_GetItem + later use while another thread deletes the key",
                    {"gilport-borrowed-ref"}),
    "WEAKREF_BORROW": ("PyWeakref_GetObject whose referent dies",
                       {"gilport-borrowed-ref"}),
    "SETDEFAULT": ("borrowed result of PyDict_SetDefault", {"gilport-borrowed-ref"}),
    "STATIC_CACHE": ("unlocked static cache (process-wide, so also shared by every interpreter)",
                     RACE | {"gilport-state-isolation"}),
    "COUNTER_RACE": ("non-atomic counter", {"gilport-invariant"}),
    "MISSING_GIL": ("missing Py_mod_gil", {"gilport-missing-gil-decl"}),
    "SINGLE_PHASE": ("single-phase init", {"gilport-subinterpreter-import"}),
    "REFLEAK": ("reference leak", {"gilport-leak"}),
    "USE_AFTER_FREE": ("use-after-free (borrowed item deleted, then returned)", RACE),
    "DEADLOCK": ("lock-order deadlock", {"gilport-deadlock"}),
    "GLOBAL_STATE": ("one object shared by every interpreter",
                     {"gilport-state-isolation", "gilport-subinterpreter-error", "gilport-crash"}),
}


def build(python, out, macro):
    cmd = build_extension_argv(python, out, MUTANT_SOURCE, ["--cflags=-DMUT_" + macro] if macro else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("stress-mutants: building %s failed:\n%s" % (macro or "correct", proc.stderr))


def stress(args, path, seed):
    cmd = [args.gilport, "stress", "mutant", "--path", path, "--spec", MUTANT_SPEC,
           "--python", args.python, "--format", "json", "--seed", str(seed),
           "--duration", str(args.duration), "--stall-timeout", str(args.stall_timeout),
           "--threads", str(args.threads)]
    for wait in range(60):
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            break
        except PermissionError:
            time.sleep(1)   # the shared build directory is being relinked
    else:
        sys.exit("stress-mutants: cannot run %s" % args.gilport)
    elapsed = time.monotonic() - start
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        report = {"findings": [], "error": "no JSON report: " + proc.stderr[-500:]}
    return proc.returncode, report, elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gilport", default=os.path.join(ROOT, "build", "bin", "gilport"))
    p.add_argument("--python", default=cached_python())
    p.add_argument("--runs", type=int, default=3, help="runs per mutant")
    p.add_argument("--clean-runs", type=int, default=20, help="runs of the correct module")
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--stall-timeout", type=float, default=5.0)
    p.add_argument("--only", action="append", help="only this mutant (repeatable)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = p.parse_args()
    for path, what in ((args.gilport, "gilport binary"), (args.python, "free-threaded python")):
        if not os.access(path, os.X_OK):
            print("stress-mutants: %s not found: %s" % (what, path), file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="gilport-mutants-")
    names = args.only or list(MUTANTS)
    results = {"duration": args.duration, "threads": args.threads, "runs": args.runs,
               "mutants": {}, "clean": {}}
    try:
        build(args.python, os.path.join(work, "correct"), None)
        for name in names:
            build(args.python, os.path.join(work, name), name)
        seed = 1000
        for name in names:
            what, expected = MUTANTS[name]
            runs = []
            for k in range(args.runs):
                seed += 1
                rc, report, elapsed = stress(args, os.path.join(work, name), seed)
                checks = sorted({f["check"] for f in report.get("findings", [])})
                hit = bool(expected & set(checks))
                runs.append({"seed": seed, "exit": rc, "detected": hit, "seconds": round(elapsed, 2),
                             "checks": checks, "error": report.get("error")})
                print("%-15s run %d: %s in %5.1f s  exit %d  %s" % (
                    name, k + 1, "DETECTED" if hit else "missed  ", elapsed, rc, ", ".join(checks)),
                    flush=True)
            detected = [r for r in runs if r["detected"]]
            results["mutants"][name] = {
                "bug": what, "expected_checks": sorted(expected), "runs": runs,
                "detected_runs": len(detected),
                "time_to_detection": round(sum(r["seconds"] for r in detected) / len(detected), 2)
                if detected else None}
        clean = []
        for k in range(args.clean_runs):
            seed += 1
            rc, report, elapsed = stress(args, os.path.join(work, "correct"), seed)
            checks = sorted({f["check"] for f in report.get("findings", [])})
            clean.append({"seed": seed, "exit": rc, "seconds": round(elapsed, 2), "checks": checks,
                          "messages": [f["message"][:300] for f in report.get("findings", [])]})
            print("correct         run %d: %s in %5.1f s  exit %d  %s" % (
                k + 1, "clean" if rc == 0 else "FALSE ALARM", elapsed, rc, ", ".join(checks)), flush=True)
        results["clean"] = {"runs": clean, "clean_runs": sum(1 for c in clean if c["exit"] == 0)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = len(names)
    # A mutant counts as detected when most of its runs detect it.
    detected = sum(1 for m in results["mutants"].values() if m["detected_runs"] * 2 > len(m["runs"]))
    run_rate = sum(m["detected_runs"] for m in results["mutants"].values()) / max(1, total * args.runs)
    results["detection_rate"] = detected / max(1, total)
    results["run_detection_rate"] = run_rate
    results["false_alarms"] = sum(1 for c in results["clean"]["runs"] if c["exit"] != 0)
    write_results_json(args.out, "stress-mutants.json", results)
    with open(os.path.join(args.out, "stress-mutants.md"), "w") as f:
        f.write("# gilport stress: mutant suite\n\n")
        f.write("duration %.1f s, %d threads, %d runs per mutant, %d runs of the correct module\n\n"
                % (args.duration, args.threads, args.runs, args.clean_runs))
        f.write("| mutant | seeded bug | detected runs | mean time to detection (s) | checks |\n|---|---|---|---|---|\n")
        for name, m in results["mutants"].items():
            checks = sorted({c for r in m["runs"] for c in r["checks"]})
            f.write("| %s | %s | %d/%d | %s | %s |\n" % (name, m["bug"], m["detected_runs"], len(m["runs"]),
                                                       m["time_to_detection"], ", ".join(checks)))
        f.write("\nDetection rate: %.0f %% of mutants (%.0f %% of runs); correct module: %d/%d clean runs.\n"
                % (100 * results["detection_rate"], 100 * run_rate, results["clean"]["clean_runs"],
                   len(results["clean"]["runs"])))
    print("detection rate %.0f %% (%d/%d mutants; %.0f %% of runs); correct module %d/%d clean"
          % (100 * results["detection_rate"], detected, total, 100 * run_rate,
             results["clean"]["clean_runs"], len(results["clean"]["runs"])))
    return 0 if results["detection_rate"] >= 0.9 and results["false_alarms"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
