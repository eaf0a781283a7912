#!/usr/bin/env python3
"""How gilport's time and memory grow with the size of one file, against clang's parse.

Usage: bench/size-sweep.py [--gilport PATH] [--sizes 1000,10000,100000,200000] [--out DIR]

Real extensions bundle large generated files (an SQLite amalgamation, generated parsers). For
each size it writes one extension module of about that many lines: many small methods, each
with a borrowed lookup that gilport reports and fixes (the per-finding work is what can grow
faster than the file), their method table and a module init. It then times
`clang-19 -fsyntax-only` and `gilport check -j1` (all default checks, report discarded) on
it, against the free-threaded runtime's headers, with the peak resident memory of each
(/usr/bin/time), and gilport again with GILPORT_DEFAULT_HEAP=1 (glibc's allocator defaults,
as clang runs). Each size is measured --runs times (default 5), the tools in turn, and
the fastest run of each is reported (its peak memory, the median): on a shared machine one
run of the same command can take twice as long as the next, and the fastest is the one the
machine disturbed least. The target (issue 13): time and memory grow linearly, within 1.5x
clang's parse at 200k lines.

Writes OUT/size-sweep.json and OUT/size-sweep.md (OUT: bench/report/size-sweep). Standard
library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import benchlib

TARGET_RATIO_AT_200K = 1.5


def module_text(lines):
    """An extension module of about LINES lines (12 lines per method)."""
    methods = max(1, lines // 12)
    out = ["#include <Python.h>", ""]
    for i in range(methods):
        out += [f"static PyObject *get_{i}(PyObject *self, PyObject *args) {{",
                "    PyObject *d = PyTuple_GetItem(args, 0);",
                "    PyObject *v;",
                "",
                "    if (d == NULL)",
                "        return NULL;",
                f'    v = PyDict_GetItemString(d, "key_{i}");',
                "    if (v == NULL)",
                "        Py_RETURN_NONE;",
                "    return Py_NewRef(v);",
                "}", ""]
    out.append("static PyMethodDef methods[] = {")
    out += [f'    {{"get_{i}", get_{i}, METH_VARARGS, NULL}},' for i in range(methods)]
    out += ["    {NULL, NULL, 0, NULL}", "};", "",
            "static struct PyModuleDef module_def = {",
            '    PyModuleDef_HEAD_INIT, "sweep", NULL, -1, methods,', "};", "",
            "PyMODINIT_FUNC PyInit_sweep(void) { return PyModule_Create(&module_def); }"]
    return "\n".join(out) + "\n"


def measure(argv, env=None):
    """(seconds, peak KB) of ARGV, from /usr/bin/time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", *argv], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env)
    seconds, kb = proc.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb), proc.returncode


def fastest_run(runs):
    """(the fewest seconds, the median peak KB, the last exit status) of RUNS."""
    kbs = sorted(r[1] for r in runs)
    return min(r[0] for r in runs), kbs[len(kbs) // 2], runs[-1][2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gilport", default=os.path.join(benchlib.ROOT, "build", "bin", "gilport"))
    parser.add_argument("--sizes", default="1000,10000,100000,200000")
    parser.add_argument("--out", default=os.path.join(benchlib.BENCH, "report", "size-sweep"))
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    python = benchlib.cached_python()
    if not os.path.exists(python):
        sys.exit(f"size-sweep: {python} not found (scripts/build-python-ft.sh)")
    include = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"], text=True).strip()
    # gilport as shipped tunes glibc's heap (tool/HeapTuning.h); clang does not. The same
    # run with the allocator's defaults shows what that is worth.
    default_heap = dict(os.environ, GILPORT_DEFAULT_HEAP="1")
    rows = []
    with tempfile.TemporaryDirectory(prefix="gilport-sweep.") as work:
        for size in [int(s) for s in opts.sizes.split(",")]:
            path = os.path.join(work, f"sweep{size}.c")
            with open(path, "w") as f:
                f.write(module_text(size))
            with open(path) as f:
                lines = sum(1 for _ in f)
            clang_runs, gil_runs, default_runs = [], [], []
            gil_argv = [opts.gilport, "check", path, f"--python={python}", "-j1", "--quiet",
                        "-o", os.devnull]
            for _ in range(max(1, opts.runs)):
                clang_runs.append(measure(["clang-19", "-fsyntax-only", "-isystem", include, path]))
                gil_runs.append(measure(gil_argv))
                default_runs.append(measure(gil_argv, default_heap))
            clang_s, clang_kb, _ = fastest_run(clang_runs)
            gil_s, gil_kb, rc = fastest_run(gil_runs)
            default_s, default_kb, _ = fastest_run(default_runs)
            rows.append({"lines": lines, "clang_seconds": clang_s, "clang_peak_kb": clang_kb,
                         "gilport_seconds": gil_s, "gilport_peak_kb": gil_kb, "gilport_exit": rc,
                         "time_ratio": gil_s / clang_s if clang_s else None,
                         "memory_ratio": gil_kb / clang_kb if clang_kb else None,
                         "default_heap_seconds": default_s, "default_heap_peak_kb": default_kb,
                         "default_heap_time_ratio": default_s / clang_s if clang_s else None})
            print(f"size-sweep: {lines} lines: clang {clang_s:.2f} s {clang_kb // 1024} MB, "
                  f"gilport {gil_s:.2f} s {gil_kb // 1024} MB (exit {rc}), with the allocator's "
                  f"defaults {default_s:.2f} s {default_kb // 1024} MB", flush=True)
    os.makedirs(opts.out, exist_ok=True)
    result = {"date": benchlib.utc_now(), "bench_tree": benchlib.git_rev(), "runs": max(1, opts.runs),
              "gilport": opts.gilport, "target_ratio_at_200k": TARGET_RATIO_AT_200K, "rows": rows}
    with open(os.path.join(opts.out, "size-sweep.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = ["# gilport time and memory by file size", "",
          f"{result['date']}, bench tree {result['bench_tree']}; one generated module per size "
          "(bench/size-sweep.py), `gilport check -j1` (default checks) against "
          f"`clang-19 -fsyntax-only`, the fastest of {max(1, opts.runs)} runs each.", "",
          "| lines | clang s | clang MB | gilport s | gilport MB | time ratio | memory ratio "
          "| default heap s | its ratio |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['lines']} | {r['clang_seconds']:.2f} | {r['clang_peak_kb'] // 1024} | "
                  f"{r['gilport_seconds']:.2f} | {r['gilport_peak_kb'] // 1024} | "
                  f"{r['time_ratio']:.2f}x | {r['memory_ratio']:.2f}x | "
                  f"{r['default_heap_seconds']:.2f} | {r['default_heap_time_ratio']:.2f}x |")
    md += ["", f"Target: linear growth, and at most {TARGET_RATIO_AT_200K}x clang's time at 200k "
           "lines. \"default heap\": the same gilport with `GILPORT_DEFAULT_HEAP=1`, which keeps "
           "glibc's allocator defaults (gilport reserves its heap and asks for transparent huge "
           "pages, tool/HeapTuning.h; clang does neither)."]
    with open(os.path.join(opts.out, "size-sweep.md"), "w") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
