#!/usr/bin/env python3
"""Cost of the gilport shim on a call-heavy workload.

Builds the `weakreg` example (every lookup() makes two intercepted calls,
PyDict_GetItemWithError and PyWeakref_GetObject) and the mutant module with
MUT_LIST_BORROW (get_item(): one intercepted PyList_GetItem per call) for
the free-threaded runtime, then times tight loops of those calls in a fresh
process with and without LD_AUDIT=libgilport-shim.so (targeting the module):

  * 1 thread, and 2 threads calling at once (PYTHON_GIL=0); with 2 threads
    also `mutant-private`, where each thread has its own list, so that the
    threads share only the shim's bookkeeping, not the objects;
  * each round runs a without and a with process back to back (the order
    alternates); --rounds rounds per case; --runs repeats everything.

Reported per case: calls per CPU-second of the calling threads (thread_time,
so that other load on the machine skews it less) with and without the shim,
the slowdown of the medians and the median and range of the paired
per-round slowdowns (target: at most 10 %), wall-clock rates, how much the
threads ran in parallel, and the load average.  Results go to
bench/results/shim-overhead.json and .md.

  bench/shim-overhead.py [--rounds 7] [--calls 400000] [--threads 1 2] [--runs 1]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from benchlib import ROOT, build_extension_argv, cached_python, loadavg, write_results_json

LOOP = r"""
import json, sys, threading, time, weakref
sys.path.insert(0, sys.argv[1])
kind, calls, nthreads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if kind == "weakreg":
    import weakreg as m
    class O: pass
    keep = [O() for _ in range(8)]
    for i, o in enumerate(keep):
        m.register(i, o)
    def body(n, index):
        f = m.lookup
        for i in range(n):
            f(i & 7)
else:
    import mutant as m
    shared_items = [object() for _ in range(8)]
    def body(n, index):
        f = m.get_item
        # mutant: one list for every thread; mutant-private: a list per thread,
        # so that only the shim's own bookkeeping is shared between threads.
        items = shared_items if kind == "mutant" else [object() for _ in range(8)]
        for i in range(n):
            f(items, i & 7)
barrier = threading.Barrier(nthreads + 1)
cpu, spans = [], []
def run(index):
    barrier.wait()
    w0, c0 = time.monotonic(), time.thread_time()
    body(calls // nthreads, index)
    cpu.append(time.thread_time() - c0)
    spans.append((w0, time.monotonic()))
ts = [threading.Thread(target=run, args=(k,)) for k in range(nthreads)]
for t in ts: t.start()
barrier.wait()
for t in ts: t.join()
wall = max(e for _, e in spans) - min(s for s, _ in spans)
# Calls per CPU second of the calling threads resists other load on the
# machine better than wall-clock rates (which vary by +-30 % on a shared
# 2-core box).  `parallelism` (CPU seconds / wall seconds) says whether
# the threads really ran at once: with 2 threads on a loaded machine they
# often take turns on one core, which changes how much they contend.
print(json.dumps({"cpu_rate": calls / sum(cpu), "wall_rate": calls / wall,
                  "parallelism": sum(cpu) / wall}))
"""


def load_now():
    # As numbers: shim-overhead.json has always stored the load averages as numbers.
    return [float(x) for x in loadavg()]


def median(values):
    return statistics.median(values) if values else 0.0


def measure(args, work, mods, loop):
    """One run: every module kind x thread count, rounds of paired without/with."""
    cases = []
    for kind, (out, path) in mods.items():
        for threads in args.threads:
            if kind == "mutant-private" and threads == 1:
                continue   # the same as "mutant" with one thread
            samples = {"without": [], "with": []}
            load = load_now()
            for r in range(args.rounds):
                order = ("without", "with") if r % 2 == 0 else ("with", "without")
                for mode in order:
                    env = dict(os.environ, PYTHON_GIL="0")
                    env.pop("LD_AUDIT", None)
                    if mode == "with":
                        env.update(LD_AUDIT=args.shim, GILPORT_SHIM_TARGETS=os.path.realpath(path),
                                   GILPORT_SHIM_OUT=os.path.join(work, "shim.bin"),
                                   GILPORT_SHIM_FREE_THREADED="1")
                    proc = subprocess.run([args.python, loop, out, kind, str(args.calls), str(threads)],
                                          capture_output=True, text=True, env=env, check=True)
                    samples[mode].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            per_call = 2 if kind == "weakreg" else 1
            without = median([x["cpu_rate"] for x in samples["without"]])
            with_ = median([x["cpu_rate"] for x in samples["with"]])
            # Paired: each round's with/without pair ran back to back, under about the same load.
            paired = sorted(100 * (1 - w["cpu_rate"] / o["cpu_rate"])
                            for o, w in zip(samples["without"], samples["with"]))
            case = {"module": kind, "threads": threads, "intercepted_per_call": per_call,
                    "calls_per_s_without": round(without), "calls_per_s_with": round(with_),
                    "slowdown_percent": round(100 * (without - with_) / without, 1),
                    "paired_slowdown_median": round(median(paired), 1),
                    "paired_slowdown_min": round(paired[0], 1), "paired_slowdown_max": round(paired[-1], 1),
                    "wall_calls_per_s_without": round(median([x["wall_rate"] for x in samples["without"]])),
                    "wall_calls_per_s_with": round(median([x["wall_rate"] for x in samples["with"]])),
                    "parallelism_without": round(median([x["parallelism"] for x in samples["without"]]), 2),
                    "parallelism_with": round(median([x["parallelism"] for x in samples["with"]]), 2),
                    "ns_per_intercepted_call": round(1e9 * (1 / with_ - 1 / without) / per_call, 1),
                    "load_before": load, "load_after": load_now(), "samples": samples}
            cases.append(case)
            print("%-14s %d thread%s: %9.0f calls/CPU-s without, %9.0f with the shim: %+.1f %% "
                  "(paired median %+.1f %%, range %+.1f..%+.1f); parallelism %.2f/%.2f; load %.1f"
                  % (kind, threads, "" if threads == 1 else "s", without, with_, -case["slowdown_percent"],
                     -case["paired_slowdown_median"], -case["paired_slowdown_max"],
                     -case["paired_slowdown_min"], case["parallelism_without"], case["parallelism_with"],
                     load[0]), flush=True)
    return cases


def write_markdown(results, out):
    runs = results["runs"]
    cases = [c for run in runs for c in run["cases"]]
    multi = [c for c in cases if c["threads"] > 1]
    pairs = [100 * (1 - w["cpu_rate"] / o["cpu_rate"])
             for c in cases for o, w in zip(c["samples"]["without"], c["samples"]["with"])]
    loads = [c["load_before"][0] for c in cases]
    with open(os.path.join(out, "shim-overhead.md"), "w") as f:
        f.write("# gilport shim overhead\n\n%d calls per process, %d rounds of paired without/with processes "
                "per case, %d run%s, %s, %d CPUs.\n\n" % (results["calls"], results["rounds"], len(runs),
                                                         "" if len(runs) == 1 else "s", results["python"],
                                                         results["cpus"]))
        f.write("Rates are calls per CPU-second of the calling threads. *Paired* is the median (and range) "
                "of each round's slowdown, with and without measured back to back; *parallelism* is CPU "
                "seconds / wall seconds of the calling threads (2.0: both threads ran at once the whole "
                "time); *load* is the 1-minute load average when the case started. Positive slowdown: "
                "slower with the shim.\n\n")
        f.write("| run | module | threads | calls/CPU-s without | with | slowdown (medians) | paired slowdown "
                "(range) | parallelism without/with | calls/wall-s without/with | load |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n")
        for k, run in enumerate(runs):
            for c in run["cases"]:
                f.write("| %d | %s | %d | %d | %d | %.1f %% | %.1f %% (%.1f .. %.1f) | %.2f / %.2f | %d / %d | %.1f |\n" % (
                    k + 1, c["module"], c["threads"], c["calls_per_s_without"], c["calls_per_s_with"],
                    c["slowdown_percent"], c["paired_slowdown_median"], c["paired_slowdown_min"],
                    c["paired_slowdown_max"], c["parallelism_without"], c["parallelism_with"],
                    c["wall_calls_per_s_without"], c["wall_calls_per_s_with"], c["load_before"][0]))
        f.write("\n| module | threads | paired slowdown, median of the runs | slowdown (medians) per run |\n"
                "|---|---|---|---|\n")
        for srow in results["summary"]:
            f.write("| %s | %d | %.1f %% | %s |\n" % (
                srow["module"], srow["threads"], srow["paired_slowdown_median_of_runs"],
                ", ".join("%.1f %%" % x for x in srow["slowdown_percent_per_run"])))
        f.write("\n## Reading these figures\n\n")
        f.write("- Load average %.1f to %.1f on %d CPUs while measuring: other work had most of the machine.\n"
                % (min(loads), max(loads), results["cpus"]))
        f.write("- Single paired rounds range from %.1f %% to %.1f %%: that is the noise of one measurement "
                "here. The medians over rounds and runs are the figures to read; differences of a few "
                "per cent, either way, are within the noise.\n" % (min(pairs), max(pairs)))
        if multi:
            f.write("- With 2 threads the parallelism was %.2f to %.2f (2.0 = both threads ran at once the "
                    "whole time): the two calling threads mostly took turns on a core rather than running "
                    "side by side, so these figures show the shim's cost per call with 2 threads active, not "
                    "its cost under full 2-core contention.\n"
                    % (min(min(c["parallelism_without"], c["parallelism_with"]) for c in multi),
                       max(max(c["parallelism_without"], c["parallelism_with"]) for c in multi)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--python", default=cached_python())
    p.add_argument("--shim", default=os.path.join(ROOT, "build", "lib", "libgilport-shim.so"))
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=400000)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--runs", type=int, default=1, help="repeat the whole measurement (each run is reported)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    p.add_argument("--render-only", action="store_true",
                   help="rewrite the .md from the existing .json without measuring")
    args = p.parse_args()
    if args.render_only:
        with open(os.path.join(args.out, "shim-overhead.json")) as f:
            write_markdown(json.load(f), args.out)
        return 0
    for path in (args.python, args.shim):
        if not os.path.exists(path):
            print("shim-overhead: not found: %s" % path, file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="gilport-shim-bench-")
    mods = {}
    for kind, src, extra in (("weakreg", "examples/weakreg/weakreg.c", []),
                             ("mutant", "runtime-shim/mutants/mutant.c", ["--cflags=-DMUT_LIST_BORROW"])):
        out = os.path.join(work, kind)
        path = subprocess.run(build_extension_argv(args.python, out, os.path.join(ROOT, src), extra),
                              capture_output=True, text=True, check=True).stdout.strip()
        mods[kind] = (out, path)
    mods["mutant-private"] = mods["mutant"]
    loop = os.path.join(work, "loop.py")
    with open(loop, "w") as f:
        f.write(LOOP)
    results = {"python": args.python, "calls": args.calls, "rounds": args.rounds, "cpus": os.cpu_count(),
               "runs": []}
    for k in range(args.runs):
        print("run %d of %d" % (k + 1, args.runs), flush=True)
        results["runs"].append({"cases": measure(args, work, mods, loop)})
    # Over the runs: the median of each case's paired median.
    summary = {}
    for run in results["runs"]:
        for c in run["cases"]:
            summary.setdefault((c["module"], c["threads"]), []).append(c)
    results["summary"] = [{"module": m, "threads": t,
                           "paired_slowdown_median_of_runs": round(median([c["paired_slowdown_median"] for c in cs]), 1),
                           "slowdown_percent_per_run": [c["slowdown_percent"] for c in cs]}
                          for (m, t), cs in summary.items()]
    write_results_json(args.out, "shim-overhead.json", results)
    write_markdown(results, args.out)
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
