#!/usr/bin/env python3
"""Prints a deterministic sample of a gilport report's findings with source context, to label.

Usage: sample_findings.py REPORT.json TREE [--per-check N] [--check NAME] [--context K]

The sample of each check is its N findings with the smallest SHA-1 of "check file:line", so
it does not depend on the order of the report, and stays the same when findings are added
elsewhere. Each entry prints a JSON stub for labels.json (label and reason left to fill in),
then the function's name and the lines around the finding.
"""

import argparse
import collections
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csource  # noqa: E402
from score import relative  # noqa: E402


def sample(report, tree, per_check, only=None):
    by_check = collections.defaultdict(list)
    for f in report["findings"]:
        if only and f["check"] != only:
            continue
        rel = relative(f["file"], tree)
        key = hashlib.sha1(f"{f['check']} {rel}:{f['line']}".encode()).hexdigest()
        by_check[f["check"]].append((key, rel, f))
    picked = []
    for check in sorted(by_check):
        picked += [(rel, f) for _, rel, f in sorted(by_check[check], key=lambda x: x[0])[:per_check]]
    return picked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("tree")
    parser.add_argument("--per-check", type=int, default=25)
    parser.add_argument("--check")
    parser.add_argument("--context", type=int, default=4)
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.load(f)
    sources = {}
    for rel, f in sample(report, args.tree, args.per_check, args.check):
        path = os.path.join(args.tree, rel)
        if rel not in sources:
            sources[rel] = csource.Source(path)
        src = sources[rel]
        lines = src.raw.split("\n")
        text = " ".join(lines[f["line"] - 1].split())
        stub = {"check": f["check"], "file": rel, "line": f["line"], "source": text, "label": "?", "reason": "?"}
        print("=" * 100)
        print(json.dumps(stub))
        print(f"function: {src.function_at(f['line'])}   message: {f['message'][:150]}")
        lo, hi = max(1, f["line"] - args.context), min(len(lines), f["line"] + args.context)
        for n in range(lo, hi + 1):
            print(f"{'>' if n == f['line'] else ' '}{n:6d}  {lines[n - 1]}")


if __name__ == "__main__":
    main()
