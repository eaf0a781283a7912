"""Runs `gilport fix` on a copy of CPython 3.11's Modules/ and compares its rewrites with 3.13's.

For each ground-truth borrowed-reference site (extract_ground_truth.py), in the same function:
  * the API: which strong-reference ("Ref") APIs gilport's fixed code gained, against those
    CPython 3.13 gained;
  * the error handling: how the result of each gained Ref call is tested (`< 0`, `== 0`,
    `!= 1`, a truth test, stored, or not tested), gilport's against 3.13's.
The comparison is textual (csource.py); it does not judge semantics beyond that.
"""

import collections
import os
import re
import sys
import time

import csource
import extract_ground_truth as gt

# benchlib (helpers shared by the bench/ drivers) is in bench/, this folder's parent.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import gilport_json  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test",
                                "realcode"))
from fix_and_compile import make_copy  # noqa: E402  (the copy the real-code tests fix too)


def result_test(body, call_end):
    """How the value of the call ending at body[call_end] is tested."""
    after = body[call_end + 1:call_end + 40]
    m = re.match(r"\s*(<=|>=|==|!=|<|>)\s*(-?\w+)", after)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    return None


def ref_call_tests(source, function, apis):
    """[(api, test)] for each call of one of `apis` in `function` (all its definitions)."""
    found = []
    for body, _ in source.function_bodies().get(function, []):
        for m in re.finditer(r"\b(" + "|".join(map(re.escape, apis)) + r")\s*\(", body):
            test = result_test(body, csource.matching_close(body, m.end() - 1, "(", ")"))
            if test is None:
                before = body[max(0, m.start() - 12):m.start()]
                if re.search(r"(if\s*\(\s*!?|!)\s*$", before):
                    test = "truth test"
                elif re.search(r"=\s*$", before):
                    test = "stored"
                else:
                    test = "not tested"
            found.append((m.group(1), test))
    return found


def gained(before, after):
    """Calls in `after` beyond those in `before`, as a Counter of (api, test)."""
    return collections.Counter(after) - collections.Counter(before)


def run(gilport, tree311, tree313, truth, work, jobs=2):
    copy = make_copy(tree311, work)
    modules = os.path.join(copy, "Modules")

    def report(mode, out):
        # Raises benchlib.GilportFailed, a RuntimeError, on an exit other than 0 or 1.
        # As for recall: the ground truth is what 3.13 made per-interpreter.
        return gilport_json(gilport, mode, [modules], copy, out, jobs,
                            ["--targets=free-threading,subinterpreters"])[0]

    before = report("check", os.path.join(work, "fix-check.json"))
    originals = {}
    for e in truth["borrowed_ref"]:
        originals.setdefault(e["file"], csource.Source(os.path.join(tree311, e["file"])))
    start = time.perf_counter()
    after = report("fix", os.path.join(work, "fix.json"))
    seconds = time.perf_counter() - start
    changed = sum(1 for rel in _all_files(modules)
                  if _read(os.path.join(modules, rel)) != _read(os.path.join(tree311, "Modules", rel)))
    per_check = collections.Counter(f["check"] for f in before["findings"])
    left = collections.Counter(f["check"] for f in after["findings"])

    sites = []
    same_api = same_tests = rewritten = total = 0
    for e in truth["borrowed_ref"]:
        refs = gt.REF_REPLACEMENTS[e["api"]]
        old = originals[e["file"]]
        fixed = csource.Source(os.path.join(copy, e["file"]))
        new_path = os.path.join(tree313, gt.RENAMED.get(e["file"], e["file"]))
        new = csource.Source(new_path)
        mine = gained(ref_call_tests(old, e["function"], refs), ref_call_tests(fixed, e["function"], refs))
        theirs = gained(ref_call_tests(old, e["function"], refs), ref_call_tests(new, e["function"], refs))
        mine_apis = sorted({a for a, _ in mine})
        their_apis = sorted({a for a, _ in theirs})
        mine_tests = sorted({t for _, t in mine})
        their_tests = sorted({t for _, t in theirs})
        total += e["sites"]
        is_rewritten = bool(mine)
        rewritten += min(sum(mine.values()), e["sites"]) if is_rewritten else 0
        api_same = is_rewritten and bool(their_apis) and mine_apis == their_apis
        tests_same = api_same and mine_tests == their_tests
        same_api += e["sites"] if api_same else 0
        same_tests += e["sites"] if tests_same else 0
        sites.append({"file": e["file"], "line": e["lines_311"][0], "api": e["api"],
                      "gilport_api": ", ".join(mine_apis), "cpython_api": ", ".join(their_apis),
                      "same_api": "yes" if api_same else "no",
                      "gilport_test": ", ".join(mine_tests) or "-", "cpython_test": ", ".join(their_tests) or "-",
                      "same_error_handling": "yes" if tests_same else "no"})
    return {"findings_before": len(before["findings"]), "fixed": len(before["findings"]) - len(after["findings"]),
            "fixed_per_check": {c: per_check[c] - left[c] for c in sorted(per_check)},
            "findings_per_check": dict(sorted(per_check.items())),
            "files_changed": changed, "seconds": seconds, "gt_sites": total, "gt_rewritten": rewritten,
            "same_api": same_api, "same_error_handling": same_tests, "sites": sites}


def _all_files(root):
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(directory, name), root)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
