#!/usr/bin/env python3
"""Cost of the gilport shim on a call-heavy workload.

Builds the `weakreg` example (every lookup() makes two intercepted calls,
PyDict_GetItemWithError and PyWeakref_GetObject) and the mutant module with
MUT_LIST_BORROW (get_item(): one intercepted PyList_GetItem per call) for
the free-threaded runtime, then times tight loops of those calls in a fresh
process with and without LD_AUDIT=libgilport-shim.so (targeting the module):

  * 1 thread, and 2 threads calling at once (PYTHON_GIL=0);
  * rounds alternate with/without; the median of --rounds is reported.

Reported: calls per CPU-second of the calling threads (thread_time, so
that other load on the machine does not skew it) with and without the shim,
and the slowdown (target: at most 10 %).  Results go to bench/results/shim-overhead.json and .md.

  bench/shim-overhead.py [--rounds 7] [--calls 400000]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOOP = r"""
import sys, threading, time, weakref
sys.path.insert(0, sys.argv[1])
kind, calls, nthreads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if kind == "weakreg":
    import weakreg as m
    class O: pass
    keep = [O() for _ in range(8)]
    for i, o in enumerate(keep):
        m.register(i, o)
    def body(n):
        f = m.lookup
        for i in range(n):
            f(i & 7)
else:
    import mutant as m
    items = [object() for _ in range(8)]
    def body(n):
        f = m.get_item
        for i in range(n):
            f(items, i & 7)
barrier = threading.Barrier(nthreads + 1)
cpu = []
def run():
    barrier.wait()
    c0 = time.thread_time()
    body(calls // nthreads)
    cpu.append(time.thread_time() - c0)
ts = [threading.Thread(target=run) for _ in range(nthreads)]
for t in ts: t.start()
barrier.wait()
for t in ts: t.join()
# Calls per CPU second of the calling threads: robust against other load
# on the machine (wall-clock rates on a shared 2-core box vary by +-30 %).
print(calls / sum(cpu))
"""


def default_python():
    cache = os.environ.get("GILPORT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gilport")
    return os.path.join(cache, "python3.13t", "bin", "python3.13t")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--python", default=default_python())
    p.add_argument("--shim", default=os.path.join(ROOT, "build", "lib", "libgilport-shim.so"))
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=400000)
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = p.parse_args()
    for path in (args.python, args.shim):
        if not os.path.exists(path):
            print("shim-overhead: not found: %s" % path, file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="gilport-shim-bench-")
    build = [sys.executable, os.path.join(ROOT, "scripts", "build-extension.py"), "--python", args.python]
    mods = {}
    for kind, src, extra in (("weakreg", "examples/weakreg/weakreg.c", []),
                             ("mutant", "runtime-shim/mutants/mutant.c", ["--cflags=-DMUT_LIST_BORROW"])):
        out = os.path.join(work, kind)
        path = subprocess.run(build + ["--out", out, os.path.join(ROOT, src)] + extra,
                              capture_output=True, text=True, check=True).stdout.strip()
        mods[kind] = (out, path)
    loop = os.path.join(work, "loop.py")
    with open(loop, "w") as f:
        f.write(LOOP)
    results = {"python": args.python, "calls": args.calls, "rounds": args.rounds, "cases": []}
    for kind, (out, path) in mods.items():
        for threads in (1, 2):
            samples = {"without": [], "with": []}
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
                    samples[mode].append(float(proc.stdout.strip()))
            without = statistics.median(samples["without"])
            with_ = statistics.median(samples["with"])
            case = {"module": kind, "threads": threads,
                    "intercepted_per_call": 2 if kind == "weakreg" else 1,
                    "calls_per_s_without": round(without), "calls_per_s_with": round(with_),
                    "slowdown_percent": round(100 * (without - with_) / without, 1),
                    "ns_per_intercepted_call": round(1e9 * (1 / with_ - 1 / without)
                                                     / (2 if kind == "weakreg" else 1), 1),
                    "samples": samples}
            results["cases"].append(case)
            print("%-8s %d thread%s: %10.0f calls/s without, %10.0f with the shim: %+.1f %% (%+.1f ns per intercepted call)"
                  % (kind, threads, "" if threads == 1 else "s", without, with_, -case["slowdown_percent"],
                     case["ns_per_intercepted_call"]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "shim-overhead.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "shim-overhead.md"), "w") as f:
        f.write("# gilport shim overhead\n\n%d calls per run, median of %d rounds, %s\n\n"
                % (args.calls, args.rounds, args.python))
        f.write("| module | threads | intercepted calls per call | calls/CPU-s without | calls/CPU-s with | slowdown | ns per intercepted call |\n"
                "|---|---|---|---|---|---|---|\n")
        for c in results["cases"]:
            f.write("| %s | %d | %d | %d | %d | %.1f %% | %.1f |\n" % (
                c["module"], c["threads"], c["intercepted_per_call"], c["calls_per_s_without"],
                c["calls_per_s_with"], c["slowdown_percent"], c["ns_per_intercepted_call"]))
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
