#!/usr/bin/env python3
"""The measurement rig: gilport's accuracy against CPython's own port, its speed, and a report.

Usage: bench/run [--quick] [--reuse-speed] [--no-prepare] [--thirdparty] [--gilport PATH] [--out DIR]

Full mode (the default):
  1. prepares the corpora (cached outside the work tree): CPython 3.11 (bookworm) and 3.13
     (trixie) trees with compile_commands.json recorded by bear from CPython's own build, and
     python-crcmod (bookworm) built by its own setup.py;
  2. re-derives the ground truth (accuracy/extract_ground_truth.py) and compares it with the
     reviewed accuracy/ground-truth.json; a difference is reported, and the reviewed file is
     what gets scored;
  3. recall: `gilport check` over 3.11's Modules/ against the ground truth, per category;
  4. precision: `gilport check` over 3.13's Modules/ and crcmod, against accuracy/labels.json
     (hand labels, each with a reason: every borrowed-ref finding of the judged
     configuration, and a sample of the rest);
  5. fix: `gilport fix` over a copy of 3.11's Modules/: sites rewritten, and for the
     ground-truth borrowed-reference sites, whether the rewrite uses the API 3.13 uses with
     the same error handling (accuracy/compare_fix.py);
  6. speed: bench-check.py (gilport vs clang-19 -fsyntax-only, interleaved, -j1/-j2, RSS) over
     all of Modules/, and again over the first 1, 4, 16 and 48 TUs for the scaling curve;
  7. writes OUT/index.html (self-contained: plots embedded as PNG), OUT/summary.md and
     OUT/results.json. OUT defaults to bench/report.

--quick (CI): only the modules in QUICK_FILES, no fix comparison and no speed runs; asserts the
recall and precision thresholds in QUICK_THRESHOLDS and exits 1 when one is not met.
--thirdparty adds fix-coverage.py: `gilport fix` on the third-party extensions pinned in
thirdparty/projects.json (OUT/thirdparty/fix-coverage.{json,md}); a gilport crash there makes the
rig exit 1.
--reuse-speed keeps OUT/speed/bench-check.json and OUT/speed/scaling.json from the last full
run instead of re-measuring (the report says so and shows their date).

Run with Debian's /usr/bin/python3 (python3-matplotlib draws the plots).
"""

import argparse
import base64
import html
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import (BENCH, ROOT, TARGET_RATIO, TARGET_SPEEDUP, GilportFailed, cache_dir,
                      gilport_json, git_rev, utc_now)

sys.path.insert(0, os.path.join(BENCH, "accuracy"))
import extract_ground_truth  # noqa: E402
import score  # noqa: E402

# The targets (the speed targets are benchlib's).
TARGET_RECALL = 0.95
TARGET_PRECISION = {"gilport-borrowed-ref": 0.90, "gilport-global-state": 0.90}

# Quick mode: translation units with ground truth in every category and labelled 3.13
# findings, and a header whose findings count too (it is analysed through its .c file).
QUICK_FILES = [
    "Modules/_abc.c", "Modules/_asynciomodule.c", "Modules/_csv.c", "Modules/_datetimemodule.c",
    "Modules/_heapqmodule.c", "Modules/_json.c", "Modules/_pickle.c", "Modules/_sqlite/cursor.c",
    "Modules/_threadmodule.c", "Modules/_zoneinfo.c", "Modules/cmathmodule.c",
    "Modules/itertoolsmodule.c", "Modules/pyexpat.c",
]
QUICK_HEADERS = ["Modules/clinic/itertoolsmodule.c.h"]
# What gilport achieves on QUICK_FILES today (see docs/benchmarks.md), asserted in CI so that a
# regression fails (2026-11-22, after every judged borrowed-ref and global-state finding was
# labelled: borrowed-ref recall 16/16, precision 24/24; global-state 62/62 and 19/21; gil-decl
# 12/12). Few modules: the full run's figures are the ones to quote.
QUICK_THRESHOLDS = {
    "recall": {"borrowed-ref": 1.00, "global-state": 1.00, "gil-decl": 1.00},
    "precision": {"gilport-borrowed-ref": 1.00, "gilport-global-state": 0.90},
}
SCALING_SIZES = [1, 4, 16, 48]
# The precision target is judged on CPython 3.13 with this configuration: it excludes CPython's
# C-API test modules, fuzzing harness and documentation examples (the file says which and why).
# The rig also reports the precision over all of Modules/ with the default configuration.
TESTS_EXCLUDED_CONFIG = os.path.join(BENCH, "accuracy", "cpython-tests-excluded.gilport.yaml")
JUDGED = "cpython3.13-tests-excluded"
TRUTH_TARGETS = ["--targets=free-threading,subinterpreters"]


def log(message):
    print(f"rig: {message}", file=sys.stderr, flush=True)


def prepare(script, *args):
    proc = subprocess.run(["bash", os.path.join(ROOT, "scripts", script), *args],
                          stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"rig: scripts/{script} failed")
    return proc.stdout.strip().split("\n")[-1]


def run_gilport(gilport, mode, paths, tree, out, jobs=2, extra=()):
    try:
        return gilport_json(gilport, mode, paths, tree, out, jobs, extra)
    except GilportFailed as failed:
        sys.stderr.write(failed.stderr[-3000:])
        sys.exit(f"rig: gilport {mode} exited with {failed.returncode}")


def load_labels(path):
    with open(path) as f:
        data = json.load(f)
    return data


def labels_for(data, corpus):
    return score.index_labels(data[corpus])


def compare_truth(fresh, reviewed, files):
    """Differences between a fresh extraction and the reviewed file, as readable lines."""
    diffs = []
    for key, ident in (("borrowed_ref", ("file", "function", "api", "sites")),
                       ("global_state", ("file", "name", "kind")), ("gil_decl", ("file", "init"))):
        def keys(truth):
            return {tuple(e[k] for k in ident) for e in truth[key] if files is None or e["file"] in files}
        a, b = keys(fresh), keys(reviewed)
        diffs += [f"{key}: new {x}" for x in sorted(a - b)] + [f"{key}: gone {x}" for x in sorted(b - a)]
    return diffs


# ---------------------------------------------------------------------------------------------
# Report

def plot_png(draw):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.2, 4.2), dpi=110)
    draw(ax)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def plots(results):
    images = {}

    def accuracy(ax):
        names, values, colours = [], [], []
        for cat, r in results["recall"].items():
            if r["recall"] is not None:
                names.append(f"recall\n{cat}")
                values.append(100 * r["recall"])
                colours.append("#3b75af")
        for corpus, suffix, colour in (("cpython3.13", "\nall Modules/", "#f2b880"),
                                       (JUDGED, "\ntests excluded", "#e1812c")):
            for check, r in results["precision"].get(corpus, {}).get("checks", {}).items():
                if r["precision"] is not None and check in TARGET_PRECISION:
                    names.append("precision\n" + check.replace("gilport-", "") + suffix)
                    values.append(100 * r["precision"])
                    colours.append(colour)
        bars = ax.bar(range(len(names)), values, color=colours)
        ax.set_xticks(range(len(names)), names, fontsize=7)
        ax.axhline(95, color="#3b75af", linestyle="--", linewidth=0.8, label="recall target 95%")
        ax.axhline(90, color="#e1812c", linestyle=":", linewidth=0.8, label="precision target 90%")
        for bar, v in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, v + 1, f"{v:.0f}%", ha="center", fontsize=7)
        ax.set_ylim(0, 110)
        ax.set_ylabel("%")
        ax.set_title("Recall (3.11, vs CPython's port) and precision (3.13, hand-labelled)")
        ax.legend(fontsize=7, loc="lower right")
    images["accuracy"] = plot_png(accuracy)

    speed = results.get("speed")
    if speed and speed.get("per_tu"):
        def per_tu(ax):
            xs = [t["clang"] for t in speed["per_tu"]]
            ys = [t["gilport"] for t in speed["per_tu"]]
            ax.scatter(xs, ys, s=10, color="#3b75af", label="one TU (median wall time)")
            top = max(xs + ys) * 1.05
            ax.plot([0, top], [0, top], color="grey", linewidth=0.8, label="gilport = clang")
            ax.plot([0, top], [0, top * TARGET_RATIO], color="#c44e52", linestyle="--", linewidth=0.8,
                    label=f"target {TARGET_RATIO}x clang")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("clang-19 -fsyntax-only (s)")
            ax.set_ylabel("gilport check (s)")
            ax.set_title(f"Time per TU, one process each ({len(xs)} TUs of CPython 3.11 Modules/)")
            ax.legend(fontsize=7)
        images["per_tu"] = plot_png(per_tu)
    if speed and speed.get("scaling"):
        def scaling(ax):
            pts = sorted(speed["scaling"], key=lambda p: p["tus"])
            n = [p["tus"] for p in pts]
            for key, label, style in (("clang_seq", "clang-19 -fsyntax-only, one after another", "o-"),
                                      ("gilport_j1", "gilport check -j1", "s-"),
                                      ("clang_par", "clang-19, 2 at a time", "o--"),
                                      ("gilport_jN", "gilport check -j2", "s--")):
                ys = [p.get(key) for p in pts]
                if all(y is not None for y in ys):
                    ax.plot(n, ys, style, label=label, markersize=4)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("translation units (first N of Modules/, sorted)")
            ax.set_ylabel("wall time (s)")
            ax.set_title("Scaling: from one file to the whole Modules/ tree")
            ax.legend(fontsize=7)
        images["scaling"] = plot_png(scaling)
    return images


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def met(ok):
    return "met" if ok else "**not met**"


def wilson_interval(true, n, z=1.96):
    """The 95% Wilson score interval of a proportion estimated from a sample."""
    if not n:
        return None
    p = true / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def precision_table(p, judged):
    out = ["| check | findings | labelled | true | false | precision | 95% interval | target |",
           "|---|---|---|---|---|---|---|---|"]
    for check, v in p.items():
        target = TARGET_PRECISION.get(check)
        t = ""
        if target and judged:
            t = f"≥ {100 * target:.0f}%: {met(v['precision'] is not None and v['precision'] >= target)}"
        elif target:
            t = "(not judged on this configuration)"
        census = v["labelled"] and v["labelled"] == v["findings"]
        interval = wilson_interval(v["true"], v["labelled"])
        spread = ("exact: every finding labelled" if census else
                  f"{pct(interval[0])}–{pct(interval[1])} (sample)" if interval else "")
        out.append(f"| {check} | {v['findings']} | {v['labelled']}{' (all)' if census else ''} | {v['true']} | "
                   f"{v['false']} | {pct(v['precision'])} | {spread} | {t} |")
    return out


def summary_markdown(results):
    r = results["recall"]
    p = results["precision"]["cpython3.13"]["checks"]
    out = [f"# gilport measurement rig: {results['mode']} mode",
           "",
           f"{results['date']}, {results['gilport_version']}, CPython {results['truth']['old']} "
           f"-> {results['truth']['new']} ({results['truth']['files']} Modules/ files compared).",
           "",
           "## Accuracy",
           "",
           "Recall on CPython 3.11: ground-truth sites are what CPython's developers changed by hand "
           "for 3.13 (bench/accuracy/ground-truth.json).",
           "",
           "| category | found / sites | recall | target |",
           "|---|---|---|---|"]
    for cat, v in r.items():
        out.append(f"| {cat} | {v['found']} / {v['total']} | {pct(v['recall'])} | "
                   f"≥ 95%: {met(v['recall'] is not None and v['recall'] >= TARGET_RECALL)} |")
        for kind, kv in v.get("by_kind", {}).items():
            out.append(f"| &nbsp;&nbsp;{cat}, {kind} | {kv['found']} / {kv['total']} | "
                       f"{pct(kv['found'] / kv['total'] if kv['total'] else None)} | |")
    sample = results.get("sample_size")
    sample_text = (f" (every gilport-borrowed-ref and gilport-global-state finding of the judged "
                   f"configuration, labelled blind by two labellers; otherwise "
                   f"each check's {sample} findings with the smallest SHA-1, sample_findings.py)") if sample else ""
    judged = results["precision"].get(JUDGED)
    if judged:
        out += ["", "Precision on CPython 3.13 (what gilport still reports after CPython's port; "
                f"labelled by hand in bench/accuracy/labels.json{sample_text}). **The target is judged on "
                "this configuration**: bench/accuracy/cpython-tests-excluded.gilport.yaml, which leaves out "
                "CPython's C-API test modules, its fuzzing harness and its example modules (ExcludePaths):", ""]
        out += precision_table(judged["checks"], True)
        out += ["", "The same over all of 3.13's Modules/ with the default configuration (test modules "
                "included; not what the target is judged on):", ""]
        out += precision_table(p, False)
    else:
        out += ["", "Precision on CPython 3.13 (what gilport still reports after CPython's port; "
                f"labelled by hand in bench/accuracy/labels.json{sample_text}):", ""]
        out += precision_table(p, True)
    crc = results["precision"].get("crcmod")
    if crc:
        out += ["", "python-crcmod (third-party, single-phase): " + ", ".join(
            f"{c}: {v['findings']} findings, {v['true']} true / {v['labelled']} labelled"
            for c, v in crc["checks"].items()) + "."]
    if results.get("truth_diffs"):
        out += ["", f"**The extractor's fresh output differs from the reviewed ground truth** "
                    f"({len(results['truth_diffs'])} differences; see the HTML report)."]
    fix = results.get("fix")
    if fix:
        out += ["", "## gilport fix on CPython 3.11", "",
                f"- {fix['findings_before']} findings; {fix['fixed']} rewritten automatically in "
                f"{fix['files_changed']} files ({fix['seconds']:.1f} s wall at -j2).",
                f"- ground-truth borrowed-reference sites rewritten: {fix['gt_rewritten']} of "
                f"{fix['gt_sites']}; same API as 3.13: {fix['same_api']}; same error handling as 3.13: "
                f"{fix['same_error_handling']} (details in the HTML report)."]
    s = results.get("speed")
    if s:
        out += ["", "## Speed (CPython 3.11 Modules/, " + f"{s['tus']} TUs, {s['date']})", "",
                f"- gilport -j1 / clang-19 -fsyntax-only sequential: {s['ratio_j1']:.2f} "
                f"(target ≤ {TARGET_RATIO}: {met(s['ratio_j1'] <= TARGET_RATIO)})",
                f"- gilport -j2 / clang 2 at a time: {s['ratio_jN']:.2f} "
                f"(target ≤ {TARGET_RATIO}: {met(s['ratio_jN'] <= TARGET_RATIO)})",
                f"- gilport one process per TU / clang per TU: {s['ratio_per_tu']:.2f}",
                f"- gilport -j1 / -j2 speed-up: {s['speedup']:.2f} (target ≥ {TARGET_SPEEDUP}: "
                f"{met(s['speedup'] >= TARGET_SPEEDUP)}); clang's own: {s['clang_speedup']:.2f}" +
                (f"; the median over {len(s['speedup_rounds'])} rounds of -j1 / -j2 within a round, "
                 f"which ranged {min(s['speedup_rounds']):.2f}..{max(s['speedup_rounds']):.2f}"
                 if s.get("speedup_rounds") else "") +
                (f"; {s['speedup_interval'][2]:.1%} interval for that median: "
                 f"{s['speedup_interval'][0]:.2f}..{s['speedup_interval'][1]:.2f}"
                 if s.get("speedup_interval") else ""),
                f"- peak RSS: gilport -j1 {s['rss_mib']['gilport_j1']:.0f} MiB, -j2 "
                f"{s['rss_mib']['gilport_jN']:.0f} MiB in its largest worker process (the 2 workers "
                f"are alive at once); clang {s['rss_mib']['clang_seq']:.0f} MiB per process",
                f"- load average before/after: {s['load']} on {s['cpus']} CPUs" +
                (" (figures reused from an earlier run)" if s.get("reused") else ""),
                "", "Scaling (wall time, seconds; one round per point below the full tree):", "",
                "| TUs | clang sequential | gilport -j1 | clang 2 at a time | gilport -j2 |",
                "|---|---|---|---|---|"]
        for p in sorted(s["scaling"], key=lambda p: p["tus"]):
            out.append(f"| {p['tus']} | " + " | ".join(
                f"{p[k]:.1f}" if p.get(k) is not None else "n/a"
                for k in ("clang_seq", "gilport_j1", "clang_par", "gilport_jN")) + " |")
        if results.get("fix"):
            out += ["", f"`gilport fix` over all of Modules/ at -j2: {results['fix']['seconds']:.1f} s wall."]
    out += ["", "Produced by `bench/run`; the full tables (every miss, every false positive) are in "
                "bench/report/index.html."]
    return "\n".join(out) + "\n"


def table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def markdown_to_html(md):
    """Enough Markdown for summary.md: headings, lists, pipe tables, bold, paragraphs."""
    import re
    out, in_table, in_list = [], False, False
    for line in md.split("\n"):
        esc = html.escape(line)
        esc = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc)
        esc = re.sub(r"`([^`]+)`", r"<code>\1</code>", esc).replace("&amp;nbsp;", "&nbsp;")
        if line.startswith("|"):
            cells = [c.strip() for c in esc.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            if not in_table:
                out.append("<table>")
                in_table = True
                out.append("<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>")
            else:
                out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{esc[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("## "):
            out.append(f"<h2>{esc[3:]}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{esc[2:]}</h1>")
        elif line.strip():
            out.append(f"<p>{esc}</p>")
    if in_table:
        out.append("</table>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def write_html(results, images, md, path):
    parts = [markdown_to_html(md)]
    captions = {"accuracy": "Recall and precision per check",
                "per_tu": "Time per TU against the parse baseline",
                "scaling": "How the cost grows with the number of TUs"}
    for key, caption in captions.items():
        if key in images:
            parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{images[key]}">'
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("<h2>Every miss (CPython 3.11, ground truth not reported by gilport)</h2>")
    rows = []
    for cat, v in results["recall"].items():
        for m in v["misses"]:
            rows.append((cat, f"{m['file']}:{m['line']}", m["what"], m.get("kind", ""),
                         results["miss_notes"].get(f"{m['file']}:{m['line']}", "")))
    parts.append(table(["category", "file:line (3.11)", "what", "kind", "note"], rows) if rows
                 else "<p>None.</p>")
    def labelled_rows(kind):
        rows = []
        for corpus, prec in results["precision"].items():
            if corpus == JUDGED:
                continue  # a subset of cpython3.13's rows
            for check, v in prec["checks"].items():
                for label in v[kind]:
                    rows.append((corpus, check, f"{label['file']}:{label['line']}", label["reason"]))
        return rows

    parts.append("<h2>Every false positive (labelled findings on CPython 3.13 and crcmod)</h2>")
    rows = labelled_rows("false_positives")
    parts.append(table(["corpus", "check", "file:line", "why it is a false positive"], rows) if rows
                 else "<p>None among the labelled findings.</p>")
    parts.append("<h2>True remaining hazards on CPython 3.13 (labelled findings)</h2>")
    parts.append(table(["corpus", "check", "file:line", "why it is a hazard"],
                       labelled_rows("true_positives")))
    if results.get("fix"):
        parts.append("<h2>gilport fix vs CPython 3.13 on the ground-truth borrowed-reference sites</h2>")
        parts.append("<p>The API column compares the strong-reference calls each version gained in the "
                     "function; the test columns say how the result of each is tested: a comparison "
                     "(<code>&lt; 0</code>), a truth test, stored in a variable, or not tested (the return "
                     "value is ignored and the code tests the output variable for NULL and "
                     "<code>PyErr_Occurred()</code>, as before the rewrite).</p>")
        parts.append(table(["file:line (3.11)", "API", "gilport's rewrite", "3.13 uses", "same API",
                            "gilport's test", "3.13's test", "same error handling"],
                           [(f"{c['file']}:{c['line']}", c["api"], c["gilport_api"] or "(not rewritten)",
                             c["cpython_api"] or "(removed)", c["same_api"], c["gilport_test"],
                             c["cpython_test"], c["same_error_handling"]) for c in results["fix"]["sites"]]))
    if results.get("truth_diffs"):
        parts.append("<h2>Fresh extraction differs from the reviewed ground truth</h2>")
        parts.append(table(["difference"], [(d,) for d in results["truth_diffs"]]))
    for corpus, prec in results["precision"].items():
        if prec["stale_labels"]:
            parts.append(f"<h2>Stale labels ({corpus}): the source line changed</h2>")
            parts.append(table(["file", "line", "check"], [(s["file"], s["line"], s["check"])
                                                          for s in prec["stale_labels"]]))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
             "th{background:#f0f0f0}figure{margin:1em 0}img{max-width:100%}"
             "figcaption{font-size:13px;color:#555}code{background:#f4f4f4}")
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>gilport measurement rig</title><style>{style}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
    with open(path, "w") as f:
        f.write(page)


# ---------------------------------------------------------------------------------------------
# Speed

def speed_figures(bench_json, scaling, reused):
    with open(bench_json) as f:
        b = json.load(f)
    w = b["wall_seconds"]
    return {
        "date": b["date"], "tus": b["tus"], "reused": reused,
        "ratio_j1": b["ratio_gilport_j1_over_clang_seq"], "ratio_jN": b["ratio_gilport_jN_over_clang_par"],
        "ratio_per_tu": b["ratio_gilport_per_tu_over_clang_per_tu"],
        "speedup": b["speedup_gilport_j1_over_jN"], "clang_speedup": b["speedup_clang_seq_over_par"],
        # Older bench-check.json files have no per-round ratios.
        "speedup_rounds": b.get("speedup_rounds", {}).get("gilport", []),
        "speedup_interval": b.get("speedup_interval"),
        "wall": {k: v["median"] for k, v in w.items() if v},  # baseline_* only with --baseline-*
        "rss_mib": {k: v / 1024 for k, v in b["peak_rss_kib"].items() if v},
        "load": f"{b['machine']['loadavg_before'][0]:.2f}/{b['machine']['loadavg_after'][0]:.2f}",
        "cpus": b["machine"]["cpus"],
        "per_tu": [{"file": t["file"], "clang": t["clang"], "gilport": t["gilport"]} for t in b["per_tu"]
                   if t.get("clang") and t.get("gilport")],
        "scaling": scaling,
    }


def run_bench_check(gilport, tree, out, rounds, limit=0, pair_rounds=0):
    argv = [sys.executable, os.path.join(BENCH, "bench-check.py"), "--tree", tree, "--gilport", gilport,
            "--rounds", str(rounds), "--pair-rounds", str(pair_rounds), "--out", out]
    if limit:
        argv += ["--limit", str(limit)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "bench-check.json")) as f:
        return json.load(f)


def scaling_point(b):
    w = b["wall_seconds"]
    return {"tus": b["tus"], **{k: w[k]["median"] for k in ("clang_seq", "clang_par", "gilport_j1", "gilport_jN")
                                if k in w}}


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reuse-speed", action="store_true")
    parser.add_argument("--no-prepare", action="store_true", help="use the cached trees as they are")
    parser.add_argument("--thirdparty", action="store_true",
                        help="also measure fix coverage on the third-party corpus (fix-coverage.py)")
    parser.add_argument("--gilport", default=os.path.join(ROOT, "build", "bin", "gilport"))
    parser.add_argument("--out", default=os.path.join(BENCH, "report"))
    parser.add_argument("--rounds", type=int, default=2, help="bench-check.py rounds (full mode)")
    parser.add_argument("--pair-rounds", type=int, default=12,
                        help="extra bench-check.py rounds of only -j1 and -j2, for the speed-up")
    opts = parser.parse_args()
    started = time.time()
    os.makedirs(opts.out, exist_ok=True)
    cache = cache_dir()
    if opts.no_prepare:
        tree311 = os.path.join(cache, "cpython3.11-tree")
        tree313 = os.path.join(cache, "cpython3.13-tree")
        crcmod = os.path.join(cache, "crcmod-tree")
    else:
        tree311 = prepare("prepare-cpython-tree.sh")
        tree313 = prepare("prepare-cpython-tree.sh", "python3.13", "trixie")
        crcmod = prepare("prepare-crcmod-tree.sh")
    # A private copy: a rebuild during the run cannot swap the binary.
    work = tempfile.mkdtemp(prefix="gilport-rig.")
    gilport = os.path.join(work, "gilport")
    shutil.copy2(opts.gilport, gilport)
    version = subprocess.run([gilport, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    git = git_rev()
    files = set(QUICK_FILES + QUICK_HEADERS) if opts.quick else None

    log("extracting the ground truth afresh")
    fresh = extract_ground_truth.extract(tree311, tree313)
    with open(os.path.join(BENCH, "accuracy", "ground-truth.json")) as f:
        truth = json.load(f)
    truth_diffs = compare_truth(fresh, truth, files)

    log("gilport check on CPython 3.11")
    paths311 = [os.path.join(tree311, f) for f in QUICK_FILES] if files else [os.path.join(tree311, "Modules")]
    # The ground truth is what 3.13 made per-interpreter, and 3.11's modules
    # are mostly single-phase: measure against the same aim.
    report311, t311 = run_gilport(gilport, "check", paths311, tree311, os.path.join(work, "check311.json"),
                                  extra=TRUTH_TARGETS)
    recall = score.score_recall(truth, report311, tree311, files)

    log("gilport check on CPython 3.13 and crcmod")
    paths313 = [os.path.join(tree313, f) for f in QUICK_FILES] if files else [os.path.join(tree313, "Modules")]
    # The labels judge state shared by interpreters a hazard (CPython's own
    # modules aim at isolation, PEP 687): measure with that aim, as recall is.
    report313, t313 = run_gilport(gilport, "check", paths313, tree313, os.path.join(work, "check313.json"),
                                  extra=TRUTH_TARGETS)
    labels = load_labels(os.path.join(BENCH, "accuracy", "labels.json"))
    precision = {"cpython3.13": score.score_precision(labels_for(labels, "cpython3.13"), report313, tree313, files)}
    if not files:
        log("gilport check on CPython 3.13 without its C-API test modules (the judged configuration)")
        report313x, _ = run_gilport(gilport, "check", paths313, tree313, os.path.join(work, "check313x.json"),
                                    extra=[f"--config={TESTS_EXCLUDED_CONFIG}", *TRUTH_TARGETS])
        precision[JUDGED] = score.score_precision(labels_for(labels, "cpython3.13"), report313x, tree313)
        report_crc, _ = run_gilport(gilport, "check", [crcmod], crcmod, os.path.join(work, "crcmod.json"),
                                    extra=TRUTH_TARGETS)
        precision["crcmod"] = score.score_precision(labels_for(labels, "crcmod"), report_crc, crcmod)

    results = {"mode": "quick" if files else "full", "date": utc_now(), "gilport_version": f"{version} ({git})",
               "truth": {"old": truth["old"], "new": truth["new"], "files": len(truth["files_compared"])},
               "truth_diffs": truth_diffs, "recall": recall, "precision": precision,
               "miss_notes": labels.get("miss_notes", {}), "sample_size": labels.get("sample_size"),
               "check_seconds": {"cpython3.11": t311, "cpython3.13": t313}}

    if not files:
        import compare_fix
        log("gilport fix on a copy of CPython 3.11's Modules/")
        results["fix"] = compare_fix.run(gilport, tree311, tree313, truth, work)
        # The rig's own speed figures live beside its report; bench/results/ keeps
        # bench-check.py's stand-alone runs.
        speed_dir = os.path.join(opts.out, "speed")
        os.makedirs(speed_dir, exist_ok=True)
        bench_json = os.path.join(speed_dir, "bench-check.json")
        scaling_json = os.path.join(speed_dir, "scaling.json")
        if opts.reuse_speed and os.path.exists(bench_json) and os.path.exists(scaling_json):
            with open(scaling_json) as f:
                scaling = json.load(f)
            reused = True
        else:
            scaling = []
            for n in SCALING_SIZES:
                log(f"speed: first {n} TUs")
                scaling.append(scaling_point(run_bench_check(gilport, tree311, os.path.join(work, f"scale{n}"), 1, n)))
            log(f"speed: all of Modules/, {opts.rounds} rounds and {opts.pair_rounds} of -j1/-j2 only")
            full = run_bench_check(gilport, tree311, speed_dir, opts.rounds,
                                   pair_rounds=opts.pair_rounds)
            scaling.append(scaling_point(full))
            with open(scaling_json, "w") as f:
                json.dump(scaling, f, indent=1)
            reused = False
        results["speed"] = speed_figures(bench_json, scaling, reused)

    thirdparty_failed = False
    if opts.thirdparty:
        log("fix coverage on the third-party corpus")
        argv = [sys.executable, os.path.join(BENCH, "fix-coverage.py"), "--gilport", gilport,
                "--out", os.path.join(opts.out, "thirdparty")] + (["--no-prepare"] if opts.no_prepare else [])
        thirdparty_failed = subprocess.run(argv, stdout=subprocess.DEVNULL).returncode != 0
        results["thirdparty"] = {"report": "thirdparty/fix-coverage.md", "gilport_crashed": thirdparty_failed}

    results["rig_seconds"] = time.time() - started
    md = summary_markdown(results)
    if opts.thirdparty:
        md += ("\n## Third-party fix coverage\n\n"
               + ("**gilport crashed; see thirdparty/fix-coverage.md**" if thirdparty_failed
                  else "See thirdparty/fix-coverage.md (fix-coverage.py).") + "\n")
    with open(os.path.join(opts.out, "summary.md"), "w") as f:
        f.write(md)
    write_html(results, plots(results), md, os.path.join(opts.out, "index.html"))
    with open(os.path.join(opts.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(md)

    if files:
        failures = []
        for cat, minimum in QUICK_THRESHOLDS["recall"].items():
            got = recall[cat]["recall"]
            if got is None or got < minimum:
                failures.append(f"recall {cat}: {pct(got)} < {pct(minimum)}")
        for check, minimum in QUICK_THRESHOLDS["precision"].items():
            got = precision["cpython3.13"]["checks"].get(check, {}).get("precision")
            if got is None or got < minimum:
                failures.append(f"precision {check}: {pct(got)} < {pct(minimum)}")
        if truth_diffs:
            failures.append(f"the extractor's output differs from the reviewed ground truth: {truth_diffs[:5]}")
        for f_ in failures:
            print(f"rig: THRESHOLD FAILED: {f_}", file=sys.stderr)
        print(f"rig: quick mode: {'FAIL' if failures else 'all thresholds met'}")
        sys.exit(1 if failures or thirdparty_failed else 0)
    if thirdparty_failed:
        sys.exit("rig: gilport crashed in fix-coverage.py; see thirdparty/fix-coverage.md")


if __name__ == "__main__":
    main()
