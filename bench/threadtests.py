"""The projects' own tests under `gilport pytest` (each test in 4 threads at once), before and
after the fix: part of bench/fix-coverage.py's runtime figures (bench/fiximport.py runs it
after the plain test run, when fix-coverage passes its gilport).

Standard library only.
"""

import os
import subprocess

from benchlib import run_for_report

THREADS = 4
TIMEOUT = 1200
# A test still running after this is a hang (gilport pytest's --timeout).
TEST_TIMEOUT = 60


def run(gilport, python, runtime, tree, site, scratch, env):
    """`gilport pytest` on the project's tests, in the environment `env` (which lends pytest
    to the interpreter); {"ran", "findings": [{"check", "where", "message"}], "outcomes",
    "run_once", "seconds"} or {"ran": False, "why"}."""
    tests = runtime.get("tests") or {}
    if tests.get("unavailable") or not tests.get("args"):
        return {"ran": False, "why": tests.get("unavailable", "no tests configured")}
    cwd = site if tests.get("cwd") == "site" else tree
    out = os.path.join(scratch, "threaded-tests.json")
    argv = [gilport, "pytest", "--python", python, "--threads", str(THREADS),
            "--timeout", str(TEST_TIMEOUT), "--format", "json", "-o", out, "--",
            "-q", "-p", "no:cacheprovider", "--basetemp", os.path.join(scratch, "threaded-tmp"),
            *tests["args"]]
    try:
        report, proc, seconds = run_for_report(argv, out, TIMEOUT, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        return {"ran": False, "why": f"timed out after {TIMEOUT} s"}
    if report is None:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"ran": False, "why": f"no report (exit {proc.returncode}): {tail}",
                "seconds": seconds}
    if report.get("error"):
        return {"ran": False, "why": report["error"].splitlines()[0], "seconds": seconds}
    findings = [{"check": f["check"],
                 # Where, without line numbers: the fix moves lines.
                 "where": f.get("test") or f.get("function") or f.get("module") or "",
                 "message": f.get("message", "")}
                for f in report.get("findings", [])]
    summary = report.get("tests") or {}
    return {"ran": True, "findings": findings, "outcomes": summary.get("outcomes", {}),
            "run_once": len(summary.get("run_once") or []), "collected": summary.get("collected", 0),
            "exit": report.get("exit_status"), "seconds": seconds}


def _counts(r):
    if not r:
        return "–"
    if not r.get("ran"):
        return "not run"
    by = {}
    for f in r["findings"]:
        by[f["check"].replace("gilport-", "")] = by.get(f["check"].replace("gilport-", ""), 0) + 1
    found = ", ".join(f"{k} {v}" for k, v in sorted(by.items())) or "clean"
    o = r["outcomes"]
    return (f"{found} ({o.get('passed', 0)} passed, {o.get('failed', 0)} failed"
            + "".join(f", {o[k]} {k}" for k in ("crashed", "hung", "not run") if o.get(k))
            + f"; {r['run_once']} of {r['collected']} run once)")


def section(measured):
    """The markdown section: per project, findings by check before and after the fix."""
    rows, notes = [], []
    for r in measured:
        rt = r["runtime"]
        if rt.get("unavailable"):
            continue
        b, a = rt["before"].get("threaded_tests"), rt["after"].get("threaded_tests")
        if not b and not a:
            continue
        rows.append(f"| {r['name']} | {_counts(b)} | {_counts(a)} |")
        for label, t in (("before", b), ("after", a)):
            if t and not t.get("ran"):
                notes.append(f"- {r['name']} {label}: not run: {t.get('why')}")
            elif t:
                notes += [f"- {r['name']} {label}: {f['check']} in {f['where']}: {f['message'][:160]}"
                          for f in t["findings"]]
    if not rows:
        return []
    out = ["", "## Per project: own tests under `gilport pytest` before → after the fix", "",
           f"`gilport pytest --threads {THREADS} --timeout {TEST_TIMEOUT}` over the same tests as "
           "above: each test function run by 4 threads at once, released from a barrier, with "
           "the LD_AUDIT shim; findings by check, and the tests' outcomes.", "",
           "| project | before | after |", "|---|---|---|"] + rows
    if notes:
        out += [""] + notes
    return out
