#!/usr/bin/env python3
"""What gilport still reports on third-party extensions after their maintainers' own port.

Usage: bench/ported-findings.py [--gilport PATH] [--labels FILE] [--out DIR] [--only NAME]

For each project of bench/thirdparty/projects.json with a `ported` commit (copied into the
cache by `scripts/prepare-thirdparty-corpus.sh --ported`), runs `gilport check` with the
default configuration on its module sources, with the project's include directories and
defines, against the free-threaded runtime's headers (or those of `ported_target_python`:
msgspec's port needs 3.14's). Every finding the maintainers left is either a false positive
or a hazard they missed; two labellers, working blind, label them (bench/accuracy/
ported-labels.json). With --labels, each finding is looked up by (project, check, file,
line, column) and the text of its source line, which must still match, and precision is given per
check: true / labelled, with the findings not labelled listed.

Writes OUT/ported-findings.json and OUT/ported-findings.md (OUT: bench/report/ported).
Standard library only.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

import benchlib

PROJECTS = os.path.join(benchlib.BENCH, "thirdparty", "projects.json")
LABELS = os.path.join(benchlib.BENCH, "accuracy", "ported-labels.json")


def source_line(tree, path, line):
    try:
        with open(os.path.join(tree, path), errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return None


def check_project(gilport, project, tree, python):
    argv = [gilport, "check", *benchlib.sources_of(project), "--format=json", "-o", "-", "--quiet", "-j2"]
    target = project.get("ported_target_python")
    argv += [f"--target-python={target}"] if target else [f"--python={python}"]
    argv += [f"--extra-arg=-I{os.path.join(tree, d)}" for d in project["include_dirs"]]
    argv += [f"--extra-arg=-D{d}" for d in project["defines"]]
    proc = subprocess.run(argv, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode not in (0, 1):
        return None, proc.stderr.strip()
    findings = []
    for f in json.loads(proc.stdout)["findings"]:
        path = os.path.relpath(f["file"], tree)
        findings.append({"project": project["name"], "check": f["check"], "file": path,
                         "line": f["line"], "column": f["column"], "function": f["function"],
                         "source": source_line(tree, path, f["line"]),
                         "message": f["message"]})
    return findings, None


def score(findings, labels):
    """{check: {labelled, true, false, unlabelled: [...], stale: [...]}}."""
    index = {(l["project"], l["check"], l["file"], l["line"], l["column"]): l for l in labels}
    by_check = collections.defaultdict(lambda: {"labelled": 0, "true": 0, "false": 0,
                                                "unlabelled": [], "stale": []})
    for f in findings:
        entry = by_check[f["check"]]
        label = index.get((f["project"], f["check"], f["file"], f["line"], f["column"]))
        where = f"{f['project']}: {f['file']}:{f['line']}"
        if label is None:
            entry["unlabelled"].append(where)
        elif label["source"] != f["source"]:
            entry["stale"].append(where)
        else:
            entry["labelled"] += 1
            entry["true" if label["label"] == "true" else "false"] += 1
    return dict(by_check)


def markdown(doc):
    out = ["# What gilport reports on the ported versions", "",
           f"{doc['date']}, bench tree {doc['bench_tree']}; `gilport check` with the default "
           "configuration on each project's `ported` commit (bench/ported-findings.py).", "",
           "| project | commit | findings | by check |", "|---|---|---|---|"]
    for p in doc["projects"]:
        counts = collections.Counter(f["check"] for f in p["findings"] or [])
        cell = ", ".join(f"{c.removeprefix('gilport-')} {n}" for c, n in sorted(counts.items()))
        out.append(f"| {p['name']} | {p['commit'][:10]} | "
                   f"{len(p['findings']) if p['findings'] is not None else 'error: ' + p['error']} "
                   f"| {cell} |")
    if doc.get("precision"):
        out += ["", "| check | findings | labelled | true | precision |", "|---|---|---|---|---|"]
        total = [0, 0, 0]
        for check, s in sorted(doc["precision"].items()):
            n = s["labelled"] + len(s["unlabelled"]) + len(s["stale"])
            total = [total[0] + n, total[1] + s["labelled"], total[2] + s["true"]]
            pct = f"{100 * s['true'] / s['labelled']:.1f}%" if s["labelled"] else "n/a"
            out.append(f"| {check} | {n} | {s['labelled']} | {s['true']} | {pct} |")
        pct = f"{100 * total[2] / total[1]:.1f}%" if total[1] else "n/a"
        out.append(f"| **all** | {total[0]} | {total[1]} | {total[2]} | {pct} |")
        missing = [w for s in doc["precision"].values() for w in s["unlabelled"] + s["stale"]]
        if missing:
            out += ["", "Not labelled (or the line changed): " + "; ".join(missing)]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gilport", default=os.path.join(benchlib.ROOT, "build", "bin", "gilport"))
    parser.add_argument("--labels", default=LABELS)
    parser.add_argument("--out", default=os.path.join(benchlib.BENCH, "report", "ported"))
    parser.add_argument("--only", action="append", default=[])
    opts = parser.parse_args()
    python = benchlib.cached_python()
    corpus = os.path.join(benchlib.cache_dir(), "thirdparty-ported")
    with open(PROJECTS) as f:
        projects = [p for p in json.load(f)["projects"] if p.get("ported")]
    if opts.only:
        projects = [p for p in projects if p["name"] in opts.only]
    results, all_findings = [], []
    for project in projects:
        tree = os.path.join(corpus, f"{project['name']}-{project['ported'][:10]}")
        if not os.path.exists(os.path.join(tree, ".gilport-prepared")):
            sys.exit(f"ported-findings: {tree} is missing "
                     "(scripts/prepare-thirdparty-corpus.sh --ported)")
        findings, error = check_project(opts.gilport, project, tree, python)
        results.append({"name": project["name"], "commit": project["ported"],
                        "findings": findings, "error": error})
        all_findings += findings or []
        print(f"ported-findings: {project['name']}: "
              f"{len(findings) if findings is not None else error}", flush=True)
    doc = {"date": benchlib.utc_now(), "bench_tree": benchlib.git_rev(), "projects": results}
    if opts.labels and os.path.exists(opts.labels):
        with open(opts.labels) as f:
            doc["precision"] = score(all_findings, json.load(f)["labels"])
    benchlib.write_results_json(opts.out, "ported-findings.json", doc)
    text = markdown(doc)
    with open(os.path.join(opts.out, "ported-findings.md"), "w") as f:
        f.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
