#!/usr/bin/env python3
"""Runs `gilport check <tree>/Modules` over a prepared CPython tree and summarizes the report.

Usage: summarize.py GILPORT TREE REPORT.json [-jN] [--allow-uncompiled-errors]
                    [-- EXTRA GILPORT ARGS]

Runs `GILPORT check TREE/Modules -p TREE --format=json -jN -o REPORT.json` (N = 2 unless
given) and fails (exit 1, with the reason on stderr) unless:
  * gilport exited 0 or 1: not 2 (some file could not be analysed), and not a signal;
  * the report is valid JSON of schema version 1;
  * every .c file under TREE/Modules that has a compile_commands.json entry was analysed:
    files_analyzed counts at least that many, and no error names one of them;
  * every error names its file.
With --allow-uncompiled-errors, exit status 2 is accepted too, provided every error is on a
file that has no compile command (CPython never compiled it: other platforms' sources, .c
fragments #included by other files, examples); an error on a file gcc compiled still fails.
Then prints a summary on stdout that is the same for two runs over the same tree: findings per
check (the four gilport checks always, sorted by name), files analysed, errors, and a digest of
the sorted findings. Timing goes to stderr. Standard library only.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

CHECKS = (
    "gilport-borrowed-ref",
    "gilport-global-state",
    "gilport-missing-gil-decl",
    "gilport-unlocked-container-access",
)


def fail(message):
    print(f"summarize.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def compile_db_tus(tree, modules):
    """Real paths of the .c translation units under `modules` in TREE/compile_commands.json."""
    with open(os.path.join(tree, "compile_commands.json")) as f:
        db = json.load(f)
    prefix = modules + os.sep
    tus = set()
    for entry in db:
        path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        if path.startswith(prefix) and path.endswith(".c"):
            tus.add(path)
    return tus


def main(argv):
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    jobs = "-j2"
    allow_uncompiled = False
    rest = []
    for arg in argv:
        if arg == "--allow-uncompiled-errors":
            allow_uncompiled = True
        elif arg.startswith("-j"):
            jobs = arg
        else:
            rest.append(arg)
    if len(rest) != 3:
        fail("usage: summarize.py GILPORT TREE REPORT.json [-jN] [--allow-uncompiled-errors] "
             "[-- EXTRA GILPORT ARGS]")
    gilport, tree, report = rest
    tree = os.path.realpath(tree)
    modules = os.path.join(tree, "Modules")
    expected = compile_db_tus(tree, modules)
    if not expected:
        fail(f"no Modules/*.c entries in {tree}/compile_commands.json")

    if os.path.exists(report):
        os.remove(report)
    command = [gilport, "check", modules, "-p", tree, "--format=json", jobs, "-o", report] + extra
    started = time.monotonic()
    proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace")
    elapsed = time.monotonic() - started
    print(f"summarize.py: {' '.join(command)}: exit {proc.returncode} in {elapsed:.1f} s",
          file=sys.stderr)

    if proc.returncode < 0:
        sig = -proc.returncode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        sys.stderr.write(proc.stderr[-4000:])
        fail(f"gilport was killed by {name}")

    report_data = None
    if os.path.exists(report):
        try:
            with open(report) as f:
                report_data = json.load(f)
        except ValueError as exc:
            fail(f"{report} is not valid JSON: {exc}")

    def uncompiled_only():
        errors = (report_data or {}).get("errors")
        return bool(errors) and all(
            isinstance(e, dict) and e.get("file") and
            os.path.realpath(os.path.join(tree, e["file"])) not in expected for e in errors)

    if proc.returncode not in (0, 1) and not (proc.returncode == 2 and allow_uncompiled
                                              and uncompiled_only()):
        sys.stderr.write(proc.stderr[-4000:])
        details = ""
        if report_data:
            details = "".join(
                f"\n  {e.get('file')} ("
                f"{'compiled by gcc' if os.path.realpath(os.path.join(tree, str(e.get('file')))) in expected else 'no compile command'}"
                f"): {e.get('message')}"
                for e in report_data.get("errors", []))
        fail(f"gilport exited {proc.returncode} (0 or 1 expected): files that clang-19 could "
             f"not analyse although gcc compiled them must be reported, not hidden{details}")
    if report_data is None:
        fail(f"gilport exited {proc.returncode} but wrote no {report}")

    if report_data.get("version") != 1:
        fail(f"unexpected report version {report_data.get('version')!r}")
    findings = report_data.get("findings")
    errors = report_data.get("errors")
    analyzed = report_data.get("files_analyzed")
    if not isinstance(findings, list) or not isinstance(errors, list) \
            or not isinstance(analyzed, int):
        fail("report lacks findings, errors or files_analyzed")

    for error in errors:
        if not isinstance(error, dict) or not error.get("file") or not error.get("message"):
            fail(f"an error does not name its file: {error!r}")
    failed_tus = sorted(e["file"] for e in errors
                        if os.path.realpath(os.path.join(tree, e["file"])) in expected)
    if failed_tus:
        fail("translation units with a compile command were not analysed: "
             + ", ".join(failed_tus))
    if analyzed < len(expected):
        fail(f"files_analyzed is {analyzed}, but {len(expected)} Modules/*.c files have "
             "compile commands")

    totals = {name: 0 for name in CHECKS}
    digest = hashlib.sha256()
    keys = []
    for item in findings:
        for field in ("check", "severity", "file", "line", "column", "message"):
            if field not in item:
                fail(f"a finding lacks {field!r}: {item!r}")
        totals[item["check"]] = totals.get(item["check"], 0) + 1
        path = os.path.relpath(os.path.realpath(os.path.join(tree, item["file"])), tree)
        keys.append(json.dumps([item["check"], path, item["line"], item["column"],
                                item["message"]]))
    for key in sorted(keys):
        digest.update(key.encode() + b"\n")

    print(f"compile_commands Modules TUs: {len(expected)}")
    print(f"files_analyzed: {analyzed}")
    print(f"all Modules TUs analysed: yes")
    print(f"errors: {len(errors)}")
    for error in sorted(errors, key=lambda e: (e["file"], e["message"])):
        path = os.path.relpath(os.path.realpath(os.path.join(tree, error["file"])), tree)
        print(f"error (no compile command): {path}")
    print(f"findings: {len(findings)}")
    for name in sorted(totals):
        print(f"{name}: {totals[name]}")
    print(f"findings digest: {digest.hexdigest()}")
    print(f"exit: {proc.returncode}")


if __name__ == "__main__":
    main(sys.argv[1:])
