#!/usr/bin/env python3
"""Times `gilport check` against `clang-19 -fsyntax-only` over CPython 3.11's Modules/.

Both tools see the same translation units with the same flags: those recorded in the prepared
tree's compile_commands.json (scripts/prepare-cpython-tree.sh). For the clang baseline each
recorded command is replayed with the compiler replaced by clang-19, `-c` and `-o FILE`
dropped and `-fsyntax-only` added.

Each round measures, in an order that alternates from round to round:
  * per TU, paired: one `clang-19 -fsyntax-only` process and one `gilport check FILE` process
    (which of the two goes first alternates per TU); the sum of the clang times is the
    sequential clang baseline;
  * one `gilport check TU... -j1` process over all the TUs;
  * one `gilport check TU... -jN` process (N = --jobs, default 2);
  * the clang processes again, N at a time (the parallel baseline for gilport -jN);
  * with --baseline-gilport and/or --baseline-env: the same two gilport runs with another
    binary (say, the previous commit's) or another environment (GILPORT_PARALLEL=threads), in
    the same rounds, so that old and new are compared under the same load.
Wall time, user+system CPU time and peak RSS come from os.wait4 on each child.

--pair-rounds K adds K rounds of only the gilport -j1 and -jN runs (and the baseline's). A
speed-up is the median over rounds of -j1 / -jN within one round: the two runs follow each
other, so a host whose speed drifts (a VM's) moves both.

It is a benchmark, not a test: it prints figures, writes them to bench/report/speed/ (where
bench/run keeps them) as JSON and Markdown, and never asserts on them. Standard library only.
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import (BENCH, ROOT, TARGET_RATIO, TARGET_SPEEDUP, cache_dir, compile_db,
                      git_rev, utc_now)

# Flags understood by gcc but not by clang: reported when a compile command carries one.
GCC_ONLY_PREFIXES = (
    "-fno-semantic-interposition", "-fipa-", "-flto-partition", "-fno-tree-", "-ftree-",
    "-fprofile-partial-training", "-fmax-errors", "-Wno-maybe-uninitialized",
    "-Wno-stringop-", "-Wstringop-", "-Wno-format-truncation", "-fcf-protection=check",
)


def run_child(argv, cwd=None, env=None):
    """Runs argv to completion with output discarded. Returns wall, cpu, maxrss, status."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Read stderr before waiting (so a chatty child cannot block on a full pipe), then reap
    # the child ourselves to get its resource usage.
    err = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_kib": usage.ru_maxrss,
        "exit": proc.returncode,
        "stderr_tail": err.decode(errors="replace")[-2000:] if proc.returncode else "",
    }


def run_pool(commands, jobs):
    """Runs (argv, cwd) commands, `jobs` at a time. Returns total wall time and per-child data."""
    start = time.perf_counter()
    pending = list(enumerate(commands))
    running = {}
    results = [None] * len(commands)
    while pending or running:
        while pending and len(running) < jobs:
            index, (argv, cwd) = pending.pop(0)
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Keep the Popen object alive: a collected Popen whose child still runs is reaped
            # by subprocess itself, and its resource usage would be lost.
            running[proc.pid] = (index, time.perf_counter(), proc)
        pid, status, usage = os.wait4(-1, 0)
        if pid not in running:
            continue
        index, started, proc = running.pop(pid)
        proc.returncode = os.waitstatus_to_exitcode(status)
        results[index] = {
            "wall": time.perf_counter() - started,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kib": usage.ru_maxrss,
            "exit": os.waitstatus_to_exitcode(status),
        }
    return time.perf_counter() - start, results


def clang_command(entry, clang):
    """The recorded compile command with clang and -fsyntax-only in place of the compiler,
    -c and -o FILE. Everything else is passed through unchanged."""
    if "arguments" in entry:
        args = list(entry["arguments"])
    else:
        import shlex
        args = shlex.split(entry["command"])
    out = [clang, "-fsyntax-only"]
    i = 1
    while i < len(args):
        arg = args[i]
        if arg == "-c":
            i += 1
            continue
        if arg == "-o":
            i += 2
            continue
        if arg.startswith("-o") and len(arg) > 2:
            i += 1
            continue
        out.append(arg)
        i += 1
    return out


def load_tus(tree, subdir, limit):
    root = os.path.join(os.path.realpath(tree), subdir) + os.sep
    tus = []
    seen = set()
    for path, entry in compile_db(tree):
        if not path.startswith(root) or not path.endswith(".c") or path in seen:
            continue
        seen.add(path)
        tus.append((path, entry))
    tus.sort()
    return tus[:limit] if limit else tus


def gcc_only_flags(tus):
    found = {}
    for path, entry in tus:
        for arg in entry.get("arguments", []):
            if arg.startswith(GCC_ONLY_PREFIXES):
                found.setdefault(arg, []).append(os.path.basename(path))
    return found


def median_interval(values, confidence=0.95):
    """A distribution-free interval for the median: the k-th smallest and k-th largest value,
    with the largest k whose binomial coverage is at least `confidence`. Returns (low, high,
    coverage), or None when there are too few values for any k."""
    n = len(values)
    ordered = sorted(values)
    best = None
    for k in range(1, n // 2 + 1):
        outside = sum(math.comb(n, i) for i in range(k)) / 2 ** n
        coverage = 1 - 2 * outside
        if coverage < confidence:
            break
        best = (ordered[k - 1], ordered[n - k], coverage)
    return best


def summarize(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values}


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def fmt_s(value):
    return "n/a" if value is None else f"{value:.2f} s"


def fmt_mib(kib):
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default=os.path.join(cache_dir(), "cpython3.11-tree"),
                        help="prepared CPython tree (default: <cache>/cpython3.11-tree)")
    parser.add_argument("--subdir", default="Modules", help="TUs under this tree folder")
    parser.add_argument("--gilport", default=os.path.join(ROOT, "build", "bin", "gilport"))
    parser.add_argument("--clang", default="clang-19")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pair-rounds", type=int, default=0,
                        help="extra rounds of only gilport -j1 and -jN, for the speed-up")
    parser.add_argument("--jobs", type=int, default=2, help="N for gilport -jN and clang xN")
    parser.add_argument("--limit", type=int, default=0, help="only the first N TUs (sorted)")
    parser.add_argument("--no-gilport", action="store_true",
                        help="measure only the clang baseline (e.g. before gilport is built)")
    parser.add_argument("--no-per-tu", action="store_true",
                        help="skip the paired per-TU runs (the clang sequential total is then "
                             "not measured)")
    parser.add_argument("--gilport-arg", action="append", default=[],
                        help="extra argument for every gilport run (repeatable)")
    parser.add_argument("--clang-arg", action="append", default=[],
                        help="extra argument appended to every clang command (repeatable), e.g. "
                             "-w to match gilport, which appends -w -Qunused-arguments")
    parser.add_argument("--baseline-gilport", default=None,
                        help="also time this gilport binary's -j1 and -jN runs in the same rounds")
    parser.add_argument("--baseline-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the baseline runs (repeatable); without "
                             "--baseline-gilport the baseline is --gilport itself, e.g. "
                             "--baseline-env GILPORT_PARALLEL=threads")
    parser.add_argument("--out", default=os.path.join(BENCH, "report", "speed"),
                        help="folder for bench-check.json and bench-check.md")
    opts = parser.parse_args()

    tree = os.path.realpath(opts.tree)
    if not os.path.isfile(os.path.join(tree, "compile_commands.json")):
        sys.exit(f"bench-check: no compile_commands.json in {tree} "
                 "(run scripts/prepare-cpython-tree.sh)")
    clang = shutil.which(opts.clang)
    if not clang:
        sys.exit(f"bench-check: {opts.clang} not found")
    use_gilport = not opts.no_gilport
    if use_gilport and not os.access(opts.gilport, os.X_OK):
        print(f"bench-check: {opts.gilport} not found: measuring the clang baseline only",
              file=sys.stderr)
        use_gilport = False

    use_baseline = use_gilport and (opts.baseline_gilport or opts.baseline_env)
    baseline_env = dict(os.environ)
    for item in opts.baseline_env:
        key, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"bench-check: --baseline-env needs KEY=VALUE, not {item!r}")
        baseline_env[key] = value
    if opts.baseline_gilport and not os.access(opts.baseline_gilport, os.X_OK):
        sys.exit(f"bench-check: {opts.baseline_gilport} not found")

    tus = load_tus(tree, opts.subdir, opts.limit)
    if not tus:
        sys.exit(f"bench-check: no .c entries under {tree}/{opts.subdir}")
    files = [path for path, _ in tus]
    clang_cmds = [(clang_command(entry, clang) + opts.clang_arg, entry["directory"])
                  for _, entry in tus]
    print(f"bench-check: {len(tus)} TUs under {opts.subdir}/, {opts.rounds} rounds, "
          f"jobs={opts.jobs}, gilport={'yes' if use_gilport else 'no'}", file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="gilport-bench-")
    report_path = os.path.join(tmp, "report.json")
    gilport_bin = opts.gilport
    if use_gilport:
        # Run a private copy, so that rebuilding build/bin/gilport during the benchmark cannot
        # swap the binary between rounds.
        gilport_bin = os.path.join(tmp, "gilport")
        shutil.copy2(opts.gilport, gilport_bin)
    baseline_bin = gilport_bin
    if use_baseline and opts.baseline_gilport:
        baseline_bin = os.path.join(tmp, "gilport-baseline")
        shutil.copy2(opts.baseline_gilport, baseline_bin)

    def gilport_argv(paths, jobs, binary=None):
        return ([binary or gilport_bin, "check", *paths, "-p", tree, "--format=json",
                 "-o", report_path, f"-j{jobs}", "--quiet"] + opts.gilport_arg)

    per_tu = {path: {"clang": [], "gilport": [], "clang_rss": [], "gilport_rss": [],
                     "clang_cpu": [], "gilport_cpu": [],
                     "clang_exit": [], "gilport_exit": []} for path in files}
    whole = {"clang_seq": [], "clang_par": [], "gilport_j1": [], "gilport_jN": [],
             "baseline_j1": [], "baseline_jN": []}
    cpu = {key: [] for key in whole}
    rss = {key: [] for key in whole}
    exits = {key: [] for key in whole}
    failures = []

    def record(key, wall, cpu_s, rss_kib, exit_code):
        whole[key].append(wall)
        cpu[key].append(cpu_s)
        rss[key].append(rss_kib)
        exits[key].append(exit_code)

    def phase_per_tu(rnd):
        total_clang = 0.0
        total_cpu = 0.0
        peak = 0
        codes = set()
        for i, (path, (argv, cwd)) in enumerate(zip(files, clang_cmds)):
            order = ["clang", "gilport"] if (rnd + i) % 2 == 0 else ["gilport", "clang"]
            for tool in order:
                if tool == "clang":
                    res = run_child(argv, cwd)
                    total_clang += res["wall"]
                    total_cpu += res["cpu"]
                    peak = max(peak, res["maxrss_kib"])
                    codes.add(res["exit"])
                    if res["exit"] != 0:
                        failures.append({"tool": "clang", "file": path, "exit": res["exit"],
                                         "stderr": res["stderr_tail"]})
                elif use_gilport:
                    res = run_child(gilport_argv([path], 1))
                    if res["exit"] not in (0, 1):
                        failures.append({"tool": "gilport", "file": path, "exit": res["exit"],
                                         "stderr": res["stderr_tail"]})
                else:
                    continue
                per_tu[path][tool].append(res["wall"])
                per_tu[path][tool + "_rss"].append(res["maxrss_kib"])
                per_tu[path][tool + "_cpu"].append(res["cpu"])
                per_tu[path][tool + "_exit"].append(res["exit"])
        record("clang_seq", total_clang, total_cpu, peak, max(codes) if codes else 0)

    def phase_gilport(jobs, key):
        if key.startswith("baseline"):
            res = run_child(gilport_argv(files, jobs, baseline_bin), env=baseline_env)
        else:
            res = run_child(gilport_argv(files, jobs))
        record(key, res["wall"], res["cpu"], res["maxrss_kib"], res["exit"])
        if res["exit"] not in (0, 1):
            failures.append({"tool": f"gilport -j{jobs}", "file": None, "exit": res["exit"],
                             "stderr": res["stderr_tail"]})

    def phase_clang_par():
        wall, results = run_pool(clang_cmds, opts.jobs)
        record("clang_par", wall, sum(r["cpu"] for r in results),
               max(r["maxrss_kib"] for r in results), max(r["exit"] for r in results))

    phases = [("per-TU clang/gilport pairs", phase_per_tu)] if not opts.no_per_tu else []
    if use_gilport:
        phases.append(("gilport -j1", lambda rnd: phase_gilport(1, "gilport_j1")))
        phases.append((f"gilport -j{opts.jobs}", lambda rnd: phase_gilport(opts.jobs, "gilport_jN")))
    if use_baseline:
        phases.append(("baseline -j1", lambda rnd: phase_gilport(1, "baseline_j1")))
        phases.append((f"baseline -j{opts.jobs}",
                       lambda rnd: phase_gilport(opts.jobs, "baseline_jN")))
    phases.append((f"clang x{opts.jobs}", lambda rnd: phase_clang_par()))

    pair_phases = [(name, phase) for name, phase in phases
                   if name.startswith(("gilport", "baseline"))]
    # The round each run of a key belongs to, to pair -j1 with -jN of the same round.
    round_of = {key: [] for key in whole}
    total_rounds = opts.rounds + (opts.pair_rounds if use_gilport else 0)

    load_before = os.getloadavg()
    started = time.time()
    for rnd in range(total_rounds):
        chosen = phases if rnd < opts.rounds else pair_phases
        order = chosen if rnd % 2 == 0 else list(reversed(chosen))
        for name, phase in order:
            t0 = time.perf_counter()
            counts = {key: len(values) for key, values in whole.items()}
            phase(rnd)
            for key, values in whole.items():
                round_of[key] += [rnd] * (len(values) - counts[key])
            print(f"bench-check: round {rnd + 1}/{total_rounds}: {name}: "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    elapsed = time.time() - started
    load_after = os.getloadavg()

    def med(key):
        return statistics.median(whole[key]) if whole[key] else None

    def peak(key):
        return max(rss[key]) if rss[key] else None

    ratio_j1 = (med("gilport_j1") / med("clang_seq")
                if med("gilport_j1") is not None and med("clang_seq") else None)
    ratio_jN = (med("gilport_jN") / med("clang_par")
                if med("gilport_jN") is not None and med("clang_par") else None)
    def round_ratios(one, many):
        """one / many for each round that measured both."""
        by_round = dict(zip(round_of[many], whole[many]))
        return [wall / by_round[rnd] for rnd, wall in zip(round_of[one], whole[one])
                if by_round.get(rnd)]

    speedup_rounds = {"gilport": round_ratios("gilport_j1", "gilport_jN"),
                      "baseline": round_ratios("baseline_j1", "baseline_jN"),
                      "clang": round_ratios("clang_seq", "clang_par")}
    speedup, baseline_speedup, clang_speedup = (
        statistics.median(ratios) if ratios else None
        for ratios in (speedup_rounds["gilport"], speedup_rounds["baseline"],
                       speedup_rounds["clang"]))
    speedup_interval = median_interval(speedup_rounds["gilport"])
    def cpu_med(key):
        return statistics.median(cpu[key]) if cpu[key] else None

    # CPU time (user + system of the child) is much less sensitive than wall time to other
    # work on the machine, so the ratios are given for both.
    cpu_ratio_j1 = (cpu_med("gilport_j1") / cpu_med("clang_seq")
                    if cpu_med("gilport_j1") is not None and cpu_med("clang_seq") else None)
    cpu_ratio_jN = (cpu_med("gilport_jN") / cpu_med("clang_par")
                    if cpu_med("gilport_jN") is not None and cpu_med("clang_par") else None)
    sum_gilport_per_tu = None
    sum_gilport_per_tu_cpu = None
    sum_clang_per_tu_cpu = None
    if use_gilport and not opts.no_per_tu:
        sum_gilport_per_tu = sum(statistics.median(v["gilport"]) for v in per_tu.values())
        sum_gilport_per_tu_cpu = sum(statistics.median(v["gilport_cpu"])
                                     for v in per_tu.values())
        sum_clang_per_tu_cpu = sum(statistics.median(v["clang_cpu"]) for v in per_tu.values())
    cpu_ratio_per_tu = (sum_gilport_per_tu_cpu / sum_clang_per_tu_cpu
                        if sum_gilport_per_tu_cpu is not None and sum_clang_per_tu_cpu else None)
    ratio_per_tu = (sum_gilport_per_tu / med("clang_seq")
                    if sum_gilport_per_tu is not None and med("clang_seq") else None)

    tu_rows = []
    for path in files:
        data = per_tu[path]
        row = {"file": os.path.relpath(path, tree)}
        for tool in ("clang", "gilport"):
            if data[tool]:
                row[tool] = statistics.median(data[tool])
                row[tool + "_cpu"] = statistics.median(data[tool + "_cpu"])
                row[tool + "_maxrss_kib"] = max(data[tool + "_rss"])
                row[tool + "_exit"] = sorted(set(data[tool + "_exit"]))
        if "clang" in row and "gilport" in row and row["clang"] > 0:
            row["ratio"] = row["gilport"] / row["clang"]
        tu_rows.append(row)

    result = {
        "date": utc_now(),
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(),
                    "kernel": platform.release(),
                    "loadavg_before": load_before, "loadavg_after": load_after},
        "tree": tree,
        "subdir": opts.subdir,
        "tus": len(files),
        "rounds": opts.rounds,
        "jobs": opts.jobs,
        "clang": {"path": clang, "version": tool_version([clang, "--version"]),
                  "extra_args": opts.clang_arg},
        "gilport": {"path": opts.gilport if use_gilport else None, "git": git_rev(),
                    "version": tool_version([opts.gilport, "--version"]) if use_gilport else None,
                    "extra_args": opts.gilport_arg},
        "gcc_only_flags": gcc_only_flags(tus),
        "wall_seconds": {key: summarize(values) for key, values in whole.items()},
        "cpu_seconds": {key: summarize(values) for key, values in cpu.items()},
        "peak_rss_kib": {key: (max(values) if values else None) for key, values in rss.items()},
        "exit_codes": {key: sorted(set(values)) for key, values in exits.items()},
        "ratio_gilport_j1_over_clang_seq": ratio_j1,
        "ratio_gilport_jN_over_clang_par": ratio_jN,
        "ratio_gilport_per_tu_over_clang_per_tu": ratio_per_tu,
        "cpu_ratio_gilport_j1_over_clang_seq": cpu_ratio_j1,
        "cpu_ratio_gilport_jN_over_clang_par": cpu_ratio_jN,
        "cpu_ratio_gilport_per_tu_over_clang_per_tu": cpu_ratio_per_tu,
        "speedup_gilport_j1_over_jN": speedup,
        "speedup_clang_seq_over_par": clang_speedup,
        "speedup_baseline_j1_over_jN": baseline_speedup,
        "speedup_rounds": speedup_rounds,
        "speedup_interval": speedup_interval,
        "pair_rounds": opts.pair_rounds,
        "baseline": ({"path": opts.baseline_gilport or opts.gilport, "env": opts.baseline_env}
                     if use_baseline else None),
        "targets": {"ratio": TARGET_RATIO, "speedup": TARGET_SPEEDUP},
        "failures": failures,
        "per_tu": tu_rows,
        "bench_seconds": elapsed,
    }

    def fmt_ratio(value, target, higher_is_better):
        if value is None:
            return "n/a"
        met = value >= target if higher_is_better else value <= target
        return f"{value:.2f} (target {'≥' if higher_is_better else '≤'} {target}: " \
               f"{'met' if met else 'missed'})"

    def fmt_plain(value):
        return "n/a" if value is None else f"{value:.2f}"

    def fmt_spread(ratios, interval):
        if not ratios:
            return ""
        return (f"; median of {len(ratios)} rounds, each -j1 over -j{opts.jobs} of the same round, "
                f"{min(ratios):.2f}..{max(ratios):.2f}" +
                (f", {interval[2]:.1%} interval for the median {interval[0]:.2f}..{interval[1]:.2f}"
                 if interval else ""))

    n = opts.jobs
    lines = [
        "# gilport check vs clang-19 -fsyntax-only: CPython 3.11 " + opts.subdir + "/",
        "",
        f"{result['date']}, {len(files)} TUs from `compile_commands.json`, {opts.rounds} rounds"
        f"{f' and {opts.pair_rounds} more of gilport -j1 and -j{opts.jobs} only' if opts.pair_rounds else ''} "
        f"(median shown), {os.cpu_count()} CPUs ({result['machine']['cpu_model']}), "
        f"{result['clang']['version']}, gilport {result['gilport']['git'] or 'n/a'}. "
        f"Load average (1 min) before/after: {load_before[0]:.2f}/{load_after[0]:.2f}: "
        "other work on the machine skews the figures.",
        "",
        "| run | wall (median) | min..max | CPU (median) | peak RSS |",
        "|---|---|---|---|---|",
    ]
    names = {"clang_seq": "clang-19 -fsyntax-only, one TU after another",
             "clang_par": f"clang-19 -fsyntax-only, {n} processes at a time",
             "gilport_j1": "gilport check -j1 (one process)",
             "gilport_jN": f"gilport check -j{n} (one command, {n} workers)"}
    if use_baseline:
        what = " ".join([os.path.basename(opts.baseline_gilport or opts.gilport)]
                        + opts.baseline_env)
        names["baseline_j1"] = f"baseline ({what}) -j1"
        names["baseline_jN"] = f"baseline ({what}) -j{n}"
    for key in ("clang_seq", "clang_par", "gilport_j1", "gilport_jN", "baseline_j1",
                "baseline_jN"):
        s = result["wall_seconds"][key]
        c = result["cpu_seconds"][key]
        if not s:
            continue
        lines.append(f"| {names[key]} | {fmt_s(s['median'])} | {s['min']:.2f}..{s['max']:.2f} | "
                     f"{fmt_s(c['median'])} | {fmt_mib(result['peak_rss_kib'][key])} |")
    if sum_gilport_per_tu is not None:
        lines.append(f"| gilport check, one process per TU (sum of medians) | "
                     f"{fmt_s(sum_gilport_per_tu)} | | {fmt_s(sum_gilport_per_tu_cpu)} | "
                     f"{fmt_mib(max(r.get('gilport_maxrss_kib', 0) for r in tu_rows))} |")
    lines += [
        "",
        f"- gilport -j1 / clang sequential: {fmt_ratio(ratio_j1, TARGET_RATIO, False)}",
        f"- gilport -j{n} / clang x{n}: {fmt_ratio(ratio_jN, TARGET_RATIO, False)}",
        f"- gilport per-TU processes / clang per-TU processes: "
        f"{fmt_ratio(ratio_per_tu, TARGET_RATIO, False)}",
        f"- CPU time, same ratios: -j1 {fmt_plain(cpu_ratio_j1)}, -j{n} {fmt_plain(cpu_ratio_jN)}, "
        f"per-TU processes {fmt_plain(cpu_ratio_per_tu)}",
        f"- gilport -j1 / -j{n} speed-up: {fmt_ratio(speedup, TARGET_SPEEDUP, True)}"
        f"{fmt_spread(speedup_rounds['gilport'], speedup_interval)}",
        *([f"- baseline -j1 / -j{n} speed-up: {fmt_plain(baseline_speedup)}; "
           f"gilport / baseline, wall: -j1 {fmt_plain(med('gilport_j1') / med('baseline_j1'))}, "
           f"-j{n} {fmt_plain(med('gilport_jN') / med('baseline_jN'))}; CPU: -j1 "
           f"{fmt_plain(cpu_med('gilport_j1') / cpu_med('baseline_j1'))}, -j{n} "
           f"{fmt_plain(cpu_med('gilport_jN') / cpu_med('baseline_jN'))}"]
          if use_baseline and whole["baseline_j1"] and whole["baseline_jN"] else []),
        f"- clang sequential / x{n} speed-up (what the machine allows): "
        f"{'n/a' if clang_speedup is None else f'{clang_speedup:.2f}'}",
        f"- gcc-only flags in the compile commands: "
        f"{', '.join(sorted(result['gcc_only_flags'])) or 'none'}",
        f"- failures (clang exit ≠ 0, gilport exit ∉ {{0,1}}): {len(failures)}",
    ]
    for fail in failures[:20]:
        lines.append(f"  - {fail['tool']} {fail['file'] or '(all TUs)'}: exit {fail['exit']}")
    slowest = sorted((r for r in tu_rows if "clang" in r), key=lambda r: -r.get("gilport", r["clang"]))
    lines += ["", "Slowest TUs (median wall time per process; the JSON has all of them):", "",
              "| TU | clang | gilport | ratio |", "|---|---|---|---|"]
    for row in slowest[:10]:
        gil = f"{row['gilport']:.3f} s" if "gilport" in row else "n/a"
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else "n/a"
        lines.append(f"| {row['file']} | {row['clang']:.3f} s | {gil} | {ratio} |")
    lines += ["", f"Benchmark time: {elapsed:.0f} s. Produced by `bench/bench-check.py`."]
    markdown = "\n".join(lines) + "\n"
    shutil.rmtree(tmp, ignore_errors=True)

    os.makedirs(opts.out, exist_ok=True)
    with open(os.path.join(opts.out, "bench-check.json"), "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(opts.out, "bench-check.md"), "w") as f:
        f.write(markdown)
    print(markdown)
    print(f"bench-check: wrote {opts.out}/bench-check.json and bench-check.md", file=sys.stderr)


if __name__ == "__main__":
    main()
