#!/usr/bin/env python3
"""Fix coverage on third-party C extensions: how many findings `gilport fix` removes, and
whether the fixed code still compiles.

Usage: bench/fix-coverage.py [--gilport PATH] [--only NAME]... [--out DIR] [--no-prepare]
                             [--jobs N] [--check-option CHECK.OPTION=VALUE]... [--targets LIST]
                             [--checks LIST]
                             [--no-runtime] [--no-tests] [--no-stress]

For each project of bench/thirdparty/projects.json, at its unported commit (copied into the
cache by scripts/prepare-thirdparty-corpus.sh):
  1. copies its sources to a scratch folder and writes a compile_commands.json there (the
     listed sources, the project's include dirs and defines, the 3.13t runtime's headers);
  2. `gilport check` with the fix options (FIX_OPTIONS): findings per check, how many carry a
     fix, and why the others do not (no_fix_reason with quoted identifiers blanked, so that
     the same reason groups);
  3. `gilport fix`, then `check` again: remaining findings per check; fixed = before -
     remaining (never below 0); new findings = those whose (check, file, message) was not
     reported before; then `fix` once more, which must change no byte (idempotence);
  4. each translation unit the fix edited (all of them when it edited a header) is compiled
     with `clang-19 -fsyntax-only -Wall` against the 3.13t headers and against Debian's 3.11
     headers, before and after the fix: does it compile, and how many warnings are new
     (compared by file name and message, without line numbers);
  5. runtime (bench/fiximport.py; --no-runtime skips it, --no-tests keeps only the tests out):
     each module of the original and of the fixed tree is built for the free-threaded 3.13t
     interpreter, imported in a fresh interpreter without PYTHON_GIL (does it import, is the
     GIL still off, which RuntimeWarning enabled it), and the project's own tests are run
     with Debian's pytest where they can run here (passed/failed before and after, and the
     tests that fail only after the fix); `runtime` in projects.json says what to copy, build
     and test, or why the tests cannot run. Each module that imports also runs under
     `gilport stress` with the workload it derives, the same seed before and after the fix
     (--no-stress skips it): findings by check, and the new ones after the fix. The tests
     that ran are run again under `gilport pytest`, each test in 4 threads at once (also
     skipped by --no-stress).

Writes OUT/fix-coverage.json and OUT/fix-coverage.md (OUT: bench/report/thirdparty). It is a
benchmark: no figure fails it; it exits 1 only when gilport crashes (killed by a signal, or
no report written). Standard library only; run with /usr/bin/python3.
"""

import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import fiximport
from benchlib import BENCH, ROOT, cache_dir, cached_python, git_rev, sources_of, utc_now

PROJECTS = os.path.join(BENCH, "thirdparty", "projects.json")
CHECKS = ["gilport-borrowed-ref", "gilport-global-state", "gilport-missing-gil-decl",
          "gilport-unlocked-container-access", "gilport-free-threaded-abi",
          "gilport-object-allocator", "gilport-unlocked-object-state"]
# The options under which gilport offers the most fixes for global state (issue 15).
FIX_OPTIONS = ["gilport-global-state.ConvertToModuleState=true",
               "gilport-global-state.AtomicCounters=true"]
CLANG = "clang-19"
PY311_INCLUDE = "/usr/include/python3.11"
WARNING = re.compile(r"^(?P<file>[^:\s]+):\d+:\d+: warning: (?P<msg>.*)$")


def log(message):
    print(f"fix-coverage: {message}", file=sys.stderr, flush=True)


def normalise_reason(reason):
    """A no-fix reason with the identifiers and code it quotes blanked, so that one reason
    given for different variables counts once: "'m = f();' is ..." -> "'…' is ...", and
    "while 33 findings are left (a.c:72 [c], ...)" -> "while N findings are left (…)"."""
    # An apostrophe inside a word ("function's") opens no quote.
    reason = re.sub(r"(?<!\w)'[^']*'(?!\w)", "'…'", reason)
    reason = re.sub(r'"[^"]*"', '"…"', reason)
    # Lists of the findings a reason waits for ("(a.c:72 [check], a.c:73 [check], ...)") and
    # counts vary with the file, not with the reason.
    reason = re.sub(r"\([^()]*\b[\w./-]+:\d+\b[^()]*\)", "(…)", reason)
    reason = re.sub(r"\b\d+\b", "N", reason)
    return re.sub(r"\s+", " ", reason).strip()


def python313t_include():
    """The 3.13t runtime's include folder, as its interpreter reports it."""
    python = cached_python()
    try:
        out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('include'))"],
                             capture_output=True, text=True, timeout=60, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return os.path.join(cache_dir(), "python3.13t", "include", "python3.13t")


# ---------------------------------------------------------------------------------------------
# One project

def analysis_flags(project, tree, python_include):
    flags = [f"-I{python_include}"]
    flags += [f"-I{os.path.join(tree, d)}" for d in project["include_dirs"]]
    flags += [f"-D{d}" for d in project["defines"]]
    return flags + project.get("analysis_flags", [])


def write_compile_db(project, tree, python_include):
    entries = [{"directory": tree, "file": src,
                "arguments": [CLANG, "-c", *analysis_flags(project, tree, python_include), src]}
               for src in sources_of(project)]
    with open(os.path.join(tree, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)


def tree_digest(tree):
    """{relative path: SHA-256} of every file under TREE but the compile database."""
    digest = {}
    for dirpath, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, tree)
            if rel != "compile_commands.json":
                with open(path, "rb") as f:
                    digest[rel] = hashlib.sha256(f.read()).hexdigest()
    return digest


class GilportCrashed(RuntimeError):
    pass


def run_gilport(opts, mode, project, tree, report):
    """`gilport MODE` on the project's sources; returns (report or None, exit status, seconds).
    Exit 2 (a file could not be analysed) is a result; a signal or a missing report is a crash."""
    argv = [opts.gilport, mode, *[os.path.join(tree, s) for s in sources_of(project)], "-p", tree,
            f"-j{opts.jobs}", "--format=json", "-o", report, "--quiet",
            *[f"--check-option={o}" for o in opts.check_option],
            *([f"--targets={opts.targets}"] if opts.targets else []),
            *([f"--checks={opts.checks}"] if opts.checks else [])]
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode < 0 or proc.returncode > 2 or not os.path.exists(report):
        raise GilportCrashed(f"gilport {mode} on {project['name']} exited with {proc.returncode}: "
                             f"{proc.stderr[-2000:]}")
    with open(report) as f:
        return json.load(f), proc.returncode, seconds


def finding_key(finding, tree):
    return (finding["check"], os.path.relpath(finding["file"], tree), finding["message"])


def new_findings(before, after):
    """The findings after the fix that were not there before: an exact (check, file, message)
    match is the same finding; a finding whose message changed (the fix moved or reworded it)
    is paired with one that went from the same check and file; what is left is new."""
    appeared = after - before
    vanished = collections.Counter((c, f) for (c, f, _) in (before - after).elements())
    new = []
    for key in sorted(appeared.elements()):
        if vanished[key[:2]]:
            vanished[key[:2]] -= 1
        else:
            new.append(key)
    return new


def summarise_findings(report, tree):
    per_check = {}
    reasons = collections.Counter()
    for f in report["findings"]:
        c = per_check.setdefault(f["check"], {"findings": 0, "fix_available": 0,
                                              "no_fix_reasons": collections.Counter()})
        c["findings"] += 1
        if f.get("fix_available"):
            c["fix_available"] += 1
        else:
            reason = normalise_reason(f.get("no_fix_reason") or "(no reason given)")
            c["no_fix_reasons"][reason] += 1
            reasons[(f["check"], reason)] += 1
    errors = [{"file": os.path.relpath(e["file"], tree) if e.get("file") else "",
               "message": e.get("message", "")} for e in report.get("errors", [])]
    return per_check, reasons, errors


def syntax_check(project, tree, sources, python_include):
    """{source: {"ok": bool, "warnings": Counter of (file name, message), "first_error": str}}
    of `clang-19 -fsyntax-only -Wall` on each source."""
    results = {}
    for src in sources:
        argv = [CLANG, "-fsyntax-only", "-Wall", *project.get("warning_flags", []),
                *analysis_flags(project, tree, python_include), "-fno-color-diagnostics",
                "-fno-caret-diagnostics", src]
        proc = subprocess.run(argv, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        warnings = collections.Counter()
        first_error = ""
        for line in proc.stderr.splitlines():
            m = WARNING.match(line)
            if m:
                warnings[(os.path.basename(m["file"]), m["msg"])] += 1
            elif ": error: " in line and not first_error:
                first_error = line.replace(tree + os.sep, "")
        results[src] = {"ok": proc.returncode == 0, "warnings": warnings, "first_error": first_error}
    return results


def compile_figures(project, original, fixed, sources, includes):
    """Per header set (3.13t, 3.11): whether every source compiled before and after, and the
    warnings after the fix that were not there before."""
    figures = {}
    for label, include in includes.items():
        before = syntax_check(project, original, sources, include)
        after = syntax_check(project, fixed, sources, include)
        new = collections.Counter()
        for src in sources:
            new += after[src]["warnings"] - before[src]["warnings"]
        figures[label] = {
            "ok_before": all(r["ok"] for r in before.values()),
            "ok_after": all(r["ok"] for r in after.values()),
            "errors_after": [f"{s}: {r['first_error']}" for s, r in after.items() if not r["ok"]],
            "new_warnings": sum(new.values()),
            "new_warning_texts": [f"{f}: {m}" for (f, m) in sorted(new)],
        }
    return figures


def measure(opts, project, source_tree, work, includes):
    name = project["name"]
    original = os.path.join(work, name, "original")
    fixed = os.path.join(work, name, "fixed")
    for tree in (original, fixed):
        shutil.copytree(source_tree, tree, ignore=shutil.ignore_patterns(".gilport-prepared"))
        write_compile_db(project, tree, includes["3.13t"])
    reports = os.path.join(work, name)

    before, rc_before, t_check = run_gilport(opts, "check", project, fixed, os.path.join(reports, "before.json"))
    digest0 = tree_digest(fixed)
    _, rc_fix, t_fix = run_gilport(opts, "fix", project, fixed, os.path.join(reports, "fix1.json"))
    digest1 = tree_digest(fixed)
    after, rc_after, _ = run_gilport(opts, "check", project, fixed, os.path.join(reports, "after.json"))
    _, _, _ = run_gilport(opts, "fix", project, fixed, os.path.join(reports, "fix2.json"))
    digest2 = tree_digest(fixed)

    per_check, reasons, errors = summarise_findings(before, fixed)
    remaining, _, errors_after = summarise_findings(after, fixed)
    before_keys = collections.Counter(finding_key(f, fixed) for f in before["findings"])
    after_keys = collections.Counter(finding_key(f, fixed) for f in after["findings"])
    new_keys = new_findings(before_keys, after_keys)
    checks = {}
    for check in CHECKS:
        b = per_check.get(check, {"findings": 0, "fix_available": 0, "no_fix_reasons": collections.Counter()})
        r = remaining.get(check, {}).get("findings", 0)
        checks[check] = {
            "findings": b["findings"], "fix_available": b["fix_available"], "remaining": r,
            "fixed": max(0, b["findings"] - r),
            "new_findings": sum(1 for (c, _, _) in new_keys if c == check),
            "no_fix_reasons": dict(b["no_fix_reasons"].most_common()),
        }
    edited = sorted(p for p in digest1 if digest0.get(p) != digest1[p])
    sources = sources_of(project)
    edited_sources = [s for s in sources if s in edited]
    # A new or edited header can change any unit: then every source is compiled.
    to_compile = sources if any(not p.endswith(".c") for p in edited) else edited_sources
    runtime = None
    if opts.runtime:
        if not opts.tests:
            project = dict(project, runtime=dict(project.get("runtime", {}),
                                                 tests={"unavailable": "--no-tests"}))
        runtime = fiximport.measure_runtime(project, original, fixed, reports, log=log,
                                            gilport=opts.gilport if opts.stress else None)
    return {
        "name": name, "repo": project["repo"], "commit": project["unported"],
        "ported": project.get("ported"), "sources": sources,
        "exit_status": {"check": rc_before, "fix": rc_fix, "check_after": rc_after},
        "analysis_errors": errors, "analysis_errors_after_fix": errors_after,
        "seconds": {"check": t_check, "fix": t_fix},
        "checks": checks,
        "no_fix_reasons": [{"check": c, "reason": r, "count": n} for (c, r), n in reasons.most_common()],
        "new_findings": [{"check": c, "file": f, "message": m} for (c, f, m) in new_keys],
        "edited_files": edited,
        "idempotent": digest1 == digest2,
        "changed_by_second_fix": sorted(p for p in set(digest1) | set(digest2) if digest1.get(p) != digest2.get(p)),
        "compile": compile_figures(project, original, fixed, to_compile, includes) if to_compile else None,
        "compiled_units": to_compile,
        "runtime": runtime,
    }


# ---------------------------------------------------------------------------------------------
# Report

def pct(part, whole):
    return "–" if not whole else f"{100 * part / whole:.0f}%"


def yes_no(flag):
    return "yes" if flag else "**no**"


def compile_cell(result, label):
    c = result["compile"]
    if c is None:
        return "(no edit)"
    fig = c[label]
    before = "" if fig["ok_before"] else " (failed before too)"
    return f"{yes_no(fig['ok_after'])}{before}, +{fig['new_warnings']} warn"


def overall_reasons(results):
    total = collections.Counter()
    for r in results:
        for e in r["no_fix_reasons"]:
            total[(e["check"], e["reason"])] += e["count"]
    return total


def markdown(doc):
    results = doc["projects"]
    out = [f"# gilport fix coverage on third-party extensions", "",
           f"{doc['date']}, `{doc['gilport_binary']['path']}` (sha256 {doc['gilport_binary']['sha256']}…, "
           f"built {doc['gilport_binary']['modified']}); bench tree {doc['bench_tree']}; options: "
           + ", ".join(f"`{o}`" for o in doc["check_options"])
           + (f", `--targets={doc['targets']}`" if doc.get("targets") else "")
           + (f", `--checks={doc['checks']}`" if doc.get("checks") else "") + "; "
           f"{len(results)} projects, {doc['seconds']:.0f} s.", "",
           "## Per project and check", "",
           "| project | check | findings | fix available | fixed | % fixed | new findings |",
           "|---|---|---|---|---|---|---|"]
    totals = collections.defaultdict(lambda: collections.Counter())
    for r in results:
        for check, c in r["checks"].items():
            if not (c["findings"] or c["new_findings"]):
                continue
            out.append(f"| {r['name']} | {check.replace('gilport-', '')} | {c['findings']} | "
                       f"{c['fix_available']} | {c['fixed']} | {pct(c['fixed'], c['findings'])} | "
                       f"{c['new_findings']} |")
            totals[check].update({k: c[k] for k in ("findings", "fix_available", "fixed", "new_findings")})
    for check, t in totals.items():
        out.append(f"| **all** | {check.replace('gilport-', '')} | {t['findings']} | {t['fix_available']} | "
                   f"{t['fixed']} | {pct(t['fixed'], t['findings'])} | {t['new_findings']} |")
    out += ["", "findings: `gilport check` before the fix; fix available: of those, how many carry a fix; "
            "fixed: findings before - findings after `gilport fix` (never below 0), which can exceed "
            "the fixes available when one fix removes another finding (a critical section added for "
            "one access covers a lookup next to it); new findings: reported after the fix and not "
            "before (a finding whose message changed is paired with one gone from the same file)."]
    out += ["", "## Per project: does the fixed code compile, is the fix idempotent", "",
            "| project | commit | files analysed (errors) | edited files | compiles, 3.13t | compiles, 3.11 | "
            "idempotent | check s |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        errs = len(r["analysis_errors"])
        out.append(f"| {r['name']} | {r['commit'][:10]} | {len(r['sources']) - errs} ({errs}) | "
                   f"{len(r['edited_files'])} | {compile_cell(r, '3.13t')} | {compile_cell(r, '3.11')} | "
                   f"{yes_no(r['idempotent'])} | {r['seconds']['check']:.1f} |")
    for skipped in doc["skipped"]:
        out.append(f"| {skipped['name']} | – | skipped: {skipped['why']} | | | | | |")
    out += ["", "## Top no-fix reasons, all projects", "", "| # | check | reason |", "|---|---|---|"]
    for (check, reason), n in overall_reasons(results).most_common(10):
        out.append(f"| {n} | {check.replace('gilport-', '')} | {reason} |")
    out += ["", "## Top no-fix reasons per project", ""]
    for r in results:
        if r["no_fix_reasons"]:
            out.append(f"**{r['name']}**")
            out.append("")
            out += [f"- {e['count']} × {e['check'].replace('gilport-', '')}: {e['reason']}"
                    for e in r["no_fix_reasons"][:10]]
            out.append("")
    problems = []
    for r in results:
        problems += [f"- {r['name']}: could not analyse {e['file']}: {e['message']}" for e in r["analysis_errors"]]
        problems += [f"- {r['name']}: after the fix, could not analyse {e['file']}: {e['message']}"
                     for e in r["analysis_errors_after_fix"]]
        for label in ("3.13t", "3.11"):
            if r["compile"]:
                problems += [f"- {r['name']} ({label}): {e}" for e in r["compile"][label]["errors_after"]]
                problems += [f"- {r['name']} ({label}) new warning: {w}"
                             for w in r["compile"][label]["new_warning_texts"]]
        problems += [f"- {r['name']}: new finding after the fix: {f['check']} {f['file']}: {f['message']}"
                     for f in r["new_findings"]]
        if not r["idempotent"]:
            problems.append(f"- {r['name']}: a second fix changed {', '.join(r['changed_by_second_fix'])}")
    out += fiximport.markdown_sections(results)
    if problems:
        out += ["## Problems", ""] + problems + [""]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gilport", default=os.path.join(ROOT, "build", "bin", "gilport"))
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only this project (repeatable)")
    parser.add_argument("--out", default=os.path.join(BENCH, "report", "thirdparty"))
    parser.add_argument("--no-prepare", action="store_true", help="use the cached corpus as it is")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check-option", action="append", default=list(FIX_OPTIONS),
                        metavar="CHECK.OPTION=VALUE", help="added to the fix options")
    parser.add_argument("--checks", default="",
                        help="gilport's --checks (default: its default checks); 'gilport-*' "
                             "adds gilport-unlocked-object-state")
    parser.add_argument("--targets", default="",
                        help="gilport's --targets (default: what each module declares)")
    parser.add_argument("--no-runtime", dest="runtime", action="store_false",
                        help="do not build, import or test the modules on 3.13t")
    parser.add_argument("--no-tests", dest="tests", action="store_false",
                        help="build and import the modules, but do not run the projects' tests")
    parser.add_argument("--no-stress", dest="stress", action="store_false",
                        help="do not run the modules under gilport stress, nor the tests "
                             "under gilport pytest")
    opts = parser.parse_args()
    started = time.time()
    with open(PROJECTS) as f:
        projects = [p for p in json.load(f)["projects"] if not opts.only or p["name"] in opts.only]
    unknown = set(opts.only) - {p["name"] for p in projects}
    if unknown:
        sys.exit(f"fix-coverage: no such project: {', '.join(sorted(unknown))}")
    if opts.no_prepare:
        corpus = os.path.join(cache_dir(), "thirdparty")
    else:
        proc = subprocess.run(["bash", os.path.join(ROOT, "scripts", "prepare-thirdparty-corpus.sh"),
                               *[p["name"] for p in projects]], stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.exit("fix-coverage: scripts/prepare-thirdparty-corpus.sh failed")
        corpus = proc.stdout.strip().split("\n")[-1]

    # The binary may be rebuilt from uncommitted work: the report names it by its digest and date.
    with open(opts.gilport, "rb") as f:
        binary = {"path": opts.gilport, "sha256": hashlib.sha256(f.read()).hexdigest()[:16],
                  "modified": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(opts.gilport)))}
    # The copy below finds no runtime shim beside it: `gilport stress` takes the build's.
    shim = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(opts.gilport))),
                        "lib", "libgilport-shim.so")
    if os.path.exists(shim):
        os.environ.setdefault("GILPORT_SHIM", shim)
    work = tempfile.mkdtemp(prefix="gilport-fixcov.")
    # A private copy: a rebuild during the run cannot swap the binary.
    gilport = os.path.join(work, "gilport")
    shutil.copy2(opts.gilport, gilport)
    opts.gilport = gilport
    version = subprocess.run([gilport, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    includes = {"3.13t": python313t_include(), "3.11": PY311_INCLUDE}
    results, skipped, crashes = [], [], []
    for project in projects:
        tree = os.path.join(corpus, f"{project['name']}-{project['unported'][:10]}")
        if not os.path.exists(os.path.join(tree, ".gilport-prepared")):
            log(f"skipping {project['name']}: {tree} is not prepared (is its snapshot in the mirror?)")
            skipped.append({"name": project["name"], "why": "not prepared (snapshot absent)"})
            continue
        log(f"{project['name']} at {project['unported'][:10]}")
        try:
            results.append(measure(opts, project, tree, work, includes))
        except GilportCrashed as crash:
            log(str(crash))
            crashes.append(str(crash))
            skipped.append({"name": project["name"], "why": "gilport crashed"})
    doc = {"date": utc_now(), "gilport_version": version, "gilport_binary": binary, "bench_tree": git_rev(),
           "check_options": opts.check_option, "checks": opts.checks, "targets": opts.targets, "python_includes": includes,
           "seconds": time.time() - started, "projects": results, "skipped": skipped, "crashes": crashes}
    os.makedirs(opts.out, exist_ok=True)
    with open(os.path.join(opts.out, "fix-coverage.json"), "w") as f:
        json.dump(doc, f, indent=1)
    md = markdown(doc)
    with open(os.path.join(opts.out, "fix-coverage.md"), "w") as f:
        f.write(md)
    if not os.environ.get("GILPORT_KEEP"): shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(md)
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
