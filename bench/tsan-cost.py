#!/usr/bin/env python3
"""Cost of `gilport stress --tsan`: time, memory, and what it finds.

Runs `gilport stress` on the correct mutant module (runtime-shim/mutants/,
the mutant.yaml workload) in three modes, alternating their order per round:

  plain     python3.13t, the module built with cc -O1 -g, the LD_AUDIT shim on
            (what `gilport stress` does by default)
  no-shim   the same with --no-shim
  tsan      --tsan: the module rebuilt with clang-19 -fsanitize=thread on the
            ThreadSanitizer python3.13t (no shim: see docs/stress.md)

and two workloads:

  calls     --iterations N per thread, 2 threads, 1 mutator, only the
            concurrent phase: wall time of the run, calls per second of the
            concurrent phase, peak RSS
  phases    every phase but the leak rounds (import audit, concurrent calls for
            --duration 2 s, 2 subinterpreters): wall time and peak RSS

Peak RSS is ru_maxrss from os.wait4 on the gilport process: the largest
process of its tree (the workload child).  Then the counter mutant
(-DMUT_COUNTER_RACE) is run --detect-runs times with and without --tsan:
how often each finds the race, and in what time.  The TSAN interpreter's
build time is read from the timestamps of its build directory, if present.

Results: bench/results/tsan-cost.json and .md (overwritten).  A benchmark,
not a test: it never fails on a figure.

  bench/tsan-cost.py [--rounds 3] [--iterations 3000] [--detect-runs 5]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import (MUTANT_SOURCE, MUTANT_SPEC, ROOT, build_extension_argv, cache_dir,
                      cached_python, loadavg, write_results_json)


def run(cmd):
    """(exit status, wall seconds, peak RSS in MiB, stdout) of cmd."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024.0, text


def build_time(prefix_name):
    """Seconds of configure, make and make install, from the build directory's timestamps."""
    build = os.path.join(cache_dir(), "build", prefix_name)

    def times(name):
        st = os.stat(os.path.join(build, name))
        born = getattr(st, "st_birthtime", None)
        return born, st.st_mtime

    try:
        conf_start, conf_end = times("configure.log")
        _, make_end = times("make.log")
        _, install_end = times("install.log")
    except OSError:
        return None
    if conf_start is None:
        try:   # statx birth time through stat(1) when Python's os.stat has none
            conf_start = float(subprocess.run(["stat", "-c", "%W", os.path.join(build, "configure.log")],
                                              capture_output=True, text=True).stdout.strip())
        except ValueError:
            conf_start = None
    return {"configure_s": round(conf_end - conf_start) if conf_start else None,
            "make_s": round(make_end - conf_end), "install_s": round(install_end - make_end),
            "total_s": round(install_end - conf_start) if conf_start else None,
            "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(install_end))}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gilport", default=os.path.join(ROOT, "build", "bin", "gilport"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--iterations", type=int, default=3000)
    p.add_argument("--detect-runs", type=int, default=5)
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = p.parse_args()
    python_ft = cached_python()
    python_tsan = cached_python("python3.13t-tsan")
    for path in (args.gilport, python_ft, python_tsan):
        if not os.access(path, os.X_OK):
            print("tsan-cost: not found: %s" % path, file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="gilport-tsan-cost-")
    # A copy of gilport and its shim (<bin>/../lib), so that a rebuild during the run cannot
    # swap them.
    for sub, src in (("bin", args.gilport),
                     ("lib", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.gilport))),
                                          "lib", "libgilport-shim.so"))):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
        shutil.copy2(src, os.path.join(work, sub))
    args.gilport = os.path.join(work, "bin", os.path.basename(args.gilport))
    dirs = {}
    for name, flags in (("ok", []), ("counter", ["--cflags=-DMUT_COUNTER_RACE"])):
        dirs[name] = os.path.join(work, name)
        subprocess.run(build_extension_argv(python_ft, dirs[name], MUTANT_SOURCE, flags),
                       check=True, capture_output=True)

    def command(mode, module_dir, extra):
        cmd = [args.gilport, "stress", "mutant", "--spec", MUTANT_SPEC, "--format", "json", "--leak-rounds", "0"]
        if mode == "tsan":
            cmd += ["--tsan"]
        else:
            cmd += ["--path", module_dir]
            if mode == "no-shim":
                cmd += ["--no-shim"]
        return cmd + extra

    workloads = {
        "calls": ["--iterations", str(args.iterations), "--threads", "2", "--mutators", "1",
                  "--skip", "import", "--skip", "subinterpreters", "--seed", "11"],
        "phases": ["--duration", "2", "--threads", "2", "--interpreters", "2", "--seed", "11"],
    }
    modes = ["plain", "no-shim", "tsan"]
    results = {"iterations": args.iterations, "rounds": args.rounds, "load_before": loadavg(),
               "cpus": os.cpu_count(), "workloads": {}, "detection": {}}
    for wname, extra in workloads.items():
        samples = {m: [] for m in modes}
        for r in range(args.rounds):
            order = modes if r % 2 == 0 else list(reversed(modes))
            for mode in order:
                status, wall, rss, text = run(command(mode, dirs["ok"], extra))
                report = json.loads(text)
                conc = report["phases"].get("concurrent", {})
                calls = sum((conc.get("calls") or {}).values())
                sample = {"status": status, "wall_s": round(wall, 2), "peak_rss_mib": round(rss, 1),
                          "calls": calls, "concurrent_elapsed_s": conc.get("elapsed"),
                          "findings": [f["check"] for f in report["findings"]]}
                if conc.get("elapsed"):
                    sample["calls_per_s"] = round(calls / conc["elapsed"])
                samples[mode].append(sample)
                print("%-6s %-7s round %d: exit %d, %.1f s, %.0f MiB, %d calls%s" % (
                    wname, mode, r + 1, status, wall, rss, calls,
                    ", %d calls/s" % sample["calls_per_s"] if "calls_per_s" in sample else ""), flush=True)
        summary = {}
        for mode in modes:
            s = samples[mode]
            summary[mode] = {
                "wall_s": round(statistics.median(x["wall_s"] for x in s), 2),
                "peak_rss_mib": round(statistics.median(x["peak_rss_mib"] for x in s), 1),
                "calls_per_s": round(statistics.median(x.get("calls_per_s", 0) for x in s)),
                "clean_runs": sum(1 for x in s if x["status"] == 0 and not x["findings"]),
                "samples": s}
        results["workloads"][wname] = {"args": extra, "modes": summary}

    # Detection of the counter race, with and without --tsan.
    for mode in ("plain", "tsan"):
        runs = []
        for k in range(args.detect_runs):
            extra = ["--duration", "2", "--threads", "2", "--mutators", "0", "--skip", "import",
                     "--skip", "subinterpreters", "--seed", str(200 + k)]
            if mode == "tsan":
                extra += ["--cflags=-DMUT_COUNTER_RACE"]
            status, wall, rss, text = run(command(mode, dirs["counter"], extra))
            report = json.loads(text)
            checks = sorted({f["check"] for f in report["findings"]})
            runs.append({"status": status, "wall_s": round(wall, 2), "checks": checks})
            print("detect %-5s run %d: exit %d, %.1f s, %s" % (mode, k + 1, status, wall, checks), flush=True)
        want = "gilport-data-race" if mode == "tsan" else "gilport-invariant"
        hits = [r for r in runs if want in r["checks"]]
        results["detection"][mode] = {"check": want, "runs": len(runs), "detected": len(hits),
                                      "median_wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
                                      "samples": runs}
    results["load_after"] = loadavg()
    results["tsan_build"] = build_time("python3.13t-tsan")
    results["plain_build"] = build_time("python3.13t")
    subprocess.run(["rm", "-rf", work])

    write_results_json(args.out, "tsan-cost.json", results)
    with open(os.path.join(args.out, "tsan-cost.md"), "w") as f:
        f.write("# Cost of `gilport stress --tsan`\n\n")
        f.write("Correct mutant module, `runtime-shim/mutants/mutant.yaml`, `--leak-rounds 0`; median of %d "
                "rounds (modes alternate). %d CPUs; load average %s before, %s after (other agents were "
                "running).\n\n" % (args.rounds, results["cpus"], " ".join(results["load_before"]),
                                   " ".join(results["load_after"])))
        for wname, w in results["workloads"].items():
            f.write("## `%s`: `%s`\n\n" % (wname, " ".join(w["args"])))
            f.write("| mode | wall time | peak RSS | calls/s (concurrent phase) | clean runs |\n|---|---|---|---|---|\n")
            base = w["modes"]["plain"]
            for mode, m in w["modes"].items():
                f.write("| %s | %.1f s (%.1fx) | %.0f MiB (%.1fx) | %s | %d/%d |\n" % (
                    mode, m["wall_s"], m["wall_s"] / base["wall_s"], m["peak_rss_mib"],
                    m["peak_rss_mib"] / base["peak_rss_mib"],
                    "%d (%.2fx)" % (m["calls_per_s"], m["calls_per_s"] / base["calls_per_s"])
                    if m["calls_per_s"] and base["calls_per_s"] else "-",
                    m["clean_runs"], len(m["samples"])))
            f.write("\n")
        f.write("## Detecting the counter race (`-DMUT_COUNTER_RACE`, `--duration 2 --threads 2`)\n\n"
                "| mode | finding | detected | median wall time |\n|---|---|---|---|\n")
        for mode, d in results["detection"].items():
            f.write("| %s | `%s` | %d/%d | %.1f s |\n" % (mode, d["check"], d["detected"], d["runs"],
                                                         d["median_wall_s"]))
        f.write("\n## Building the interpreters (from the build directories' timestamps)\n\n")
        f.write("| build | configure | make | make install | total |\n|---|---|---|---|---|\n")
        for name, b in (("python3.13t-tsan", results["tsan_build"]), ("python3.13t", results["plain_build"])):
            if b:
                f.write("| %s | %s s | %d s | %d s | %s s |\n" % (name, b["configure_s"], b["make_s"],
                                                                b["install_s"], b["total_s"]))
            else:
                f.write("| %s | not known (no build directory) | | | |\n" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
