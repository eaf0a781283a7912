#!/usr/bin/env python3
"""Scores gilport's findings against the ground truth (recall) and the labels (precision).

Usage:
  score.py recall GROUND_TRUTH.json REPORT_311.json OLD_TREE [--files F...]
  score.py precision LABELS.json REPORT_313.json NEW_TREE [--files F...]

recall: each ground-truth site (extract_ground_truth.py) is found when gilport 3.11's report
has a finding of the matching check in the same file that names the same thing:
  borrowed-ref  a gilport-borrowed-ref finding on one of the entry's 3.11 lines naming the API
                (or a gilport-unlocked-container-access finding there with a note for
                gilport-borrowed-ref: the check leaves such an item read to that one, one
                hazard, one finding); an entry with `sites` = k is credited with at most k
                matches;
  global-state  a gilport-global-state finding naming the variable (quoted in the message)
                within a few lines of its 3.11 definition;
  gil-decl      a gilport-missing-gil-decl finding naming the PyInit_ function.
precision: every finding of gilport 3.13's report is looked up in the labels file by
(check, file, line) and the text of the source line, which must still match (a label whose
line moved is stale and reported). precision = true / labelled.

Prints JSON on stdout. --files restricts both sides to the given relative paths (quick mode).
Standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys

CHECKS = {"borrowed-ref": "gilport-borrowed-ref", "global-state": "gilport-global-state",
          "gil-decl": "gilport-missing-gil-decl"}
GLOBAL_LINE_SLACK = 3


def relative(path, tree):
    return os.path.relpath(os.path.realpath(path), os.path.realpath(tree))


def quoted(message):
    return set(re.findall(r"'([^']+)'", message))


def index_findings(report, tree, files=None):
    """{check: {file: [(line, names, finding)]}} with paths relative to tree."""
    index = collections.defaultdict(lambda: collections.defaultdict(list))
    for f in report["findings"]:
        rel = relative(f["file"], tree)
        if files is not None and rel not in files:
            continue
        index[f["check"]][rel].append((f["line"], quoted(f["message"]), f))
    return index


def borrowed_candidates(index, path):
    """gilport-borrowed-ref's findings in PATH, and the item reads it leaves to
    gilport-unlocked-container-access, whose finding then carries a note naming it."""
    left = [c for c in index["gilport-unlocked-container-access"].get(path, [])
            if any("[gilport-borrowed-ref]" in n.get("message", "") for n in c[2].get("notes", []))]
    return index[CHECKS["borrowed-ref"]].get(path, []) + left


def score_recall(truth, report, tree, files=None):
    index = index_findings(report, tree, files)
    keep = (lambda e: True) if files is None else (lambda e: e["file"] in files)
    result = {}

    # Borrowed references: credited per entry, at most `sites` matches, on the entry's lines.
    found = total = 0
    by_kind = collections.Counter()
    by_kind_found = collections.Counter()
    misses = []
    for e in filter(keep, truth["borrowed_ref"]):
        candidates = borrowed_candidates(index, e["file"])
        lines = sorted({line for line, names, _ in candidates if line in e["lines_311"] and e["api"] in names})
        hit = min(len(lines), e["sites"])
        found += hit
        total += e["sites"]
        by_kind[e["kind"]] += e["sites"]
        by_kind_found[e["kind"]] += hit
        if hit < e["sites"]:
            missed_lines = [line for line in e["lines_311"] if line not in lines]
            misses.append({"file": e["file"], "line": missed_lines[0], "lines": missed_lines,
                           "what": f"{e['api']} in {e['function']}", "kind": e["kind"],
                           "missed": e["sites"] - hit})
    result["borrowed-ref"] = {"found": found, "total": total, "misses": misses,
                              "by_kind": {k: {"found": by_kind_found[k], "total": by_kind[k]}
                                          for k in sorted(by_kind)}}

    # Global state: the variable's name, near its definition.
    found = total = 0
    misses = []
    by_kind = collections.Counter()
    by_kind_found = collections.Counter()
    for e in filter(keep, truth["global_state"]):
        candidates = index[CHECKS["global-state"]].get(e["file"], [])
        hit = any(e["name"] in names and abs(line - e["line_311"]) <= GLOBAL_LINE_SLACK
                  for line, names, _ in candidates)
        total += 1
        by_kind[e["kind"]] += 1
        if hit:
            found += 1
            by_kind_found[e["kind"]] += 1
        else:
            misses.append({"file": e["file"], "line": e["line_311"], "what": e["name"], "kind": e["kind"]})
    result["global-state"] = {"found": found, "total": total, "misses": misses,
                              "by_kind": {k: {"found": by_kind_found[k], "total": by_kind[k]}
                                          for k in sorted(by_kind)}}

    # Py_mod_gil: the PyInit_ function's name.
    found = total = 0
    misses = []
    for e in filter(keep, truth["gil_decl"]):
        candidates = index[CHECKS["gil-decl"]].get(e["file"], [])
        hit = any(e["init"] in names for _, names, _ in candidates)
        total += 1
        found += hit
        if not hit:
            misses.append({"file": e["file"], "line": e["line_311"], "what": e["init"], "kind": e["how_313"]})
    result["gil-decl"] = {"found": found, "total": total, "misses": misses}
    for value in result.values():
        value["recall"] = value["found"] / value["total"] if value["total"] else None
    return result


def source_line(tree, rel, line, cache={}):
    if rel not in cache:
        try:
            with open(os.path.join(tree, rel), encoding="utf-8", errors="replace") as f:
                cache[rel] = f.read().split("\n")
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    return " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""


def index_labels(items):
    """{(check, file, line): label} for a list of hand labels, each checked for a verdict and
    a reason (the rig indexes each corpus of labels.json with it too)."""
    labels = {}
    for item in items:
        if item["label"] not in ("true", "false"):
            raise ValueError(f"label must be 'true' or 'false': {item}")
        if not item.get("reason"):
            raise ValueError(f"every label needs a reason: {item}")
        labels[(item["check"], item["file"], item["line"])] = item
    return labels


def load_labels(path):
    with open(path) as f:
        data = json.load(f)
    return index_labels(data["labels"])


def score_precision(labels, report, tree, files=None):
    per_check = collections.defaultdict(lambda: {"findings": 0, "labelled": 0, "true": 0, "false": 0,
                                                 "false_positives": [], "true_positives": []})
    stale = []
    seen = set()
    for f in report["findings"]:
        rel = relative(f["file"], tree)
        if files is not None and rel not in files:
            continue
        stats = per_check[f["check"]]
        stats["findings"] += 1
        key = (f["check"], rel, f["line"])
        item = labels.get(key)
        if item is None:
            continue
        seen.add(key)
        text = source_line(tree, rel, f["line"])
        if item.get("source") and item["source"] != text:
            stale.append({"file": rel, "line": f["line"], "check": f["check"], "expected": item["source"],
                          "found": text})
            continue
        stats["labelled"] += 1
        stats[item["label"]] += 1
        entry = {"file": rel, "line": f["line"], "reason": item["reason"], "message": f["message"][:160]}
        stats["false_positives" if item["label"] == "false" else "true_positives"].append(entry)
    unmatched = [{"check": c, "file": fl, "line": ln} for (c, fl, ln) in labels
                 if (c, fl, ln) not in seen and (files is None or fl in files)]
    for stats in per_check.values():
        stats["precision"] = stats["true"] / stats["labelled"] if stats["labelled"] else None
    return {"checks": dict(sorted(per_check.items())), "stale_labels": stale,
            "labels_without_finding": unmatched}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("recall", "precision"))
    parser.add_argument("truth_or_labels")
    parser.add_argument("report")
    parser.add_argument("tree")
    parser.add_argument("--files", nargs="*")
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.load(f)
    files = set(args.files) if args.files else None
    if args.mode == "recall":
        with open(args.truth_or_labels) as f:
            truth = json.load(f)
        result = score_recall(truth, report, args.tree, files)
    else:
        result = score_precision(load_labels(args.truth_or_labels), report, args.tree, files)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
