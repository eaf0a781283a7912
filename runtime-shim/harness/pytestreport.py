"""The report of `gilport pytest`: text (finding lines like `gilport check`'s), the
report dict as JSON, or JUnit XML with one test case per collected test."""

import json
import xml.sax.saxutils as xmlesc

from stressreport import failure_body, write_findings

OUTCOME_ORDER = ("passed", "failed", "crashed", "hung", "skipped", "not run")


def write(report, out, fmt):
    if fmt == "json":
        json.dump(report, out, indent=2, default=str)
        out.write("\n")
    elif fmt == "junit":
        write_junit(report, out)
    else:
        write_text(report, out)


def header(report):
    t = report["target"]
    build = {True: " (free-threaded)", False: " (GIL build)"}.get(t["free_threaded"], "")
    runs = "" if t["iterations"] == 1 else ", %d runs in each" % t["iterations"]
    return "gilport pytest: pytest %s in %s on %s %s%s, each test in %d thread%s at once%s" % (
        " ".join(t["pytest_args"]) or "(no arguments)", t["cwd"], t["python"], t["python_version"],
        build, t["threads"], "" if t["threads"] == 1 else "s", runs)


def write_text(report, out):
    out.write(header(report) + "\n")
    for note in report["notes"]:
        out.write("note: %s\n" % note)
    write_findings(report["findings"], out)
    tests = report.get("tests") or {}
    if tests.get("collected"):
        counts = tests["outcomes"]
        parts = ["%d %s" % (counts[k], k) for k in OUTCOME_ORDER if counts.get(k)]
        out.write("tests: %d collected: %s\n" % (tests["collected"], ", ".join(parts)))
        once = tests.get("run_once") or []
        if once:
            out.write("tests run once, not in threads: %d\n" % len(once))
            for entry in once[:20]:
                out.write("  %s: %s\n" % (entry["test"], entry["why"]))
            if len(once) > 20:
                out.write("  ... and %d more (see --format=json)\n" % (len(once) - 20))
        if tests.get("intercepted_calls") is not None:
            out.write("borrowed-reference calls seen by the shim: %d\n" % tests["intercepted_calls"])
    n = len(report["findings"])
    if report.get("error"):
        out.write("gilport pytest: error: %s\n" % report["error"])
        if n == 0:
            return
    out.write("%s\n" % ("no problems found" if n == 0 else
                        "%d problem%s found" % (n, "" if n == 1 else "s")))


def write_junit(report, out):
    """One test case per collected test (failed when a finding names it), and one per
    finding that belongs to no test (borrowed-reference call sites, GIL declarations)."""
    q = xmlesc.quoteattr
    by_test, loose = {}, []
    for f in report["findings"]:
        if f.get("test"):
            by_test.setdefault(f["test"], []).append(f)
        else:
            loose.append(f)
    tests = report.get("tests") or {}
    nodeids = tests.get("nodeids") or sorted(by_test)
    cases = []
    for nodeid in nodeids:
        classname, _, name = nodeid.rpartition("::")
        cases.append((classname or "gilport-pytest", name or nodeid, by_test.get(nodeid, [])))
    for k, f in enumerate(loose):
        cases.append(("gilport-pytest", "%s #%d" % (f["check"], k + 1), [f]))
    failures = sum(1 for _, _, fs in cases if fs)
    errors = 1 if report.get("error") else 0
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<testsuites name="gilport-pytest" tests="%d" failures="%d" errors="%d">\n'
              % (len(cases) + errors, failures, errors))
    out.write('  <testsuite name="gilport-pytest" tests="%d" failures="%d" errors="%d">\n'
              % (len(cases) + errors, failures, errors))
    for classname, name, fs in cases:
        if not fs:
            out.write('    <testcase classname=%s name=%s/>\n' % (q(classname), q(name)))
            continue
        out.write('    <testcase classname=%s name=%s>\n' % (q(classname), q(name)))
        for f in fs:
            out.write('      <failure type=%s message=%s>%s</failure>\n' % (
                q(f["check"]), q(f["message"][:500]), xmlesc.escape(failure_body(f))))
        out.write('    </testcase>\n')
    if errors:
        out.write('    <testcase classname="gilport-pytest" name="harness"><error message=%s/>'
                  '</testcase>\n' % q(report["error"]))
    out.write('  </testsuite>\n</testsuites>\n')
