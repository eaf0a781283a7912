"""The report of `gilport stress` as text (lines like `gilport check`'s) or JUnit XML;
the JSON report is the report dict itself (gilport_stress.main)."""

import xml.sax.saxutils as xmlesc


def location(f):
    if f.get("file") and f.get("line"):
        return "%s:%d:%d: " % (f["file"], f["line"], f.get("column") or 0) if f.get("column") else \
            "%s:%d: " % (f["file"], f["line"])
    if f.get("file"):
        return "%s: " % f["file"]
    return ""


def write_text(report, out):
    h = report["target"]
    # Unknown (None) when the run stopped before the interpreter was asked.
    build = {True: " (free-threaded)", False: " (GIL build)"}.get(h["free_threaded"], "")
    out.write("gilport stress: %s (%s) on %s %s%s, seed %d\n" % (
        h["module"], h["file"], h["python"], h["python_version"], build, report["seed"]))
    for note in report["notes"]:
        out.write("note: %s\n" % note)
    write_findings(report["findings"], out)
    for name, phase in report["phases"].items():
        out.write("phase %s: %s\n" % (name, phase.get("summary", phase.get("status"))))
    n = len(report["findings"])
    if report.get("error"):
        out.write("gilport stress: error: %s\n" % report["error"])
        # The run stopped: nothing was tested, so say nothing of problems.
        if n == 0:
            return
    out.write("%s\n" % ("no problems found" if n == 0 else "%d problem%s found" % (n, "" if n == 1 else "s")))


def write_findings(findings, out):
    """Each finding as `gilport check` prints one, then what the run saw of it."""
    for f in findings:
        out.write("%s%s: %s [%s]\n" % (location(f), f["severity"], f["message"], f["check"]))
        if f.get("test"):
            out.write("  test: %s\n" % f["test"])
        if f.get("runtime"):
            out.write("  runtime: %s\n" % f["runtime"])
        if f.get("function") and f["check"] == "gilport-borrowed-ref":
            out.write("  in function: %s\n" % f["function"])
        if f.get("occurrences", 1) > 1:
            out.write("  occurrences: %d\n" % f["occurrences"])
        for note in f.get("notes") or []:
            out.write("  %snote: %s\n" % (location(note), note["message"]))
        for acc in f.get("accesses") or []:
            out.write("  %s (%s%s):\n" % (acc["access"], acc.get("thread") or "?",
                                          ", tid %d" % acc["tid"] if acc.get("tid") else ""))
            for fr in acc.get("stack", [])[:8]:
                out.write("      %s\n" % fr)
        if f.get("call"):
            out.write("  call: %s (thread %s)\n" % (f["call"], f.get("thread", "?")))
        for last in f.get("last_calls") or []:
            out.write("  thread %s, %s call: %s\n" % (
                last["thread"], "current" if last["in_call"] else "last", last["call"]))
        for t in f.get("threads", []):
            out.write("  thread %s: %s%s\n" % (t["native_id"], t["doing"],
                                               " (in call)" if t.get("in_call") else ""))
            for fr in t.get("c_stack", [])[:14]:
                out.write("      %s\n" % fr)
        if f.get("c_stack"):
            out.write("  C stack:\n")
            for fr in f["c_stack"][:20]:
                out.write("    %s\n" % fr)
        if f.get("failure"):
            out.write("  failure:\n")
            for line in f["failure"].splitlines()[-30:]:
                out.write("    %s\n" % line)
        if f.get("python_stack"):
            out.write("  Python stack:\n")
            for line in f["python_stack"].splitlines()[:40]:
                out.write("    %s\n" % line)


def failure_body(f):
    """A finding as the text of a JUnit failure: where and what, its notes, what the run saw
    of it, and the C stack."""
    body = location(f) + f["message"]
    for note in f.get("notes") or []:
        body += "\n%snote: %s" % (location(note), note["message"])
    for key in ("runtime", "call", "failure", "python_stack"):
        if f.get(key):
            body += "\n%s: %s" % (key, f[key])
    if f.get("c_stack"):
        body += "\nC stack:\n" + "\n".join(f["c_stack"])
    return body


def write_junit(report, out):
    groups = {}
    for name in report["phases"]:
        groups[name] = []
    for f in report["findings"]:
        groups.setdefault(f.get("phase") or "other", []).append(f)
    total = sum(max(1, len(v)) for v in groups.values())
    failures = len(report["findings"])
    errors = 1 if report.get("error") else 0
    q = xmlesc.quoteattr
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<testsuites name="gilport-stress" tests="%d" failures="%d" errors="%d">\n' % (total, failures, errors))
    out.write('  <testsuite name=%s tests="%d" failures="%d" errors="%d">\n' % (
        q("gilport-stress." + report["target"]["module"]), total, failures, errors))
    for phase, items in groups.items():
        info = report["phases"].get(phase, {})
        if not items:
            out.write('    <testcase classname=%s name=%s time="%.3f"%s\n' % (
                q("gilport-stress." + report["target"]["module"]), q(phase), info.get("seconds", 0),
                '><skipped message=%s/></testcase>' % q(info.get("summary", "")) if info.get("status") == "skipped" else "/>"))
            continue
        for k, f in enumerate(items):
            out.write('    <testcase classname=%s name=%s time="%.3f">\n' % (
                q("gilport-stress." + report["target"]["module"]), q("%s: %s #%d" % (phase, f["check"], k + 1)),
                info.get("seconds", 0)))
            out.write('      <failure type=%s message=%s>%s</failure>\n' % (
                q(f["check"]), q(f["message"][:500]), xmlesc.escape(failure_body(f))))
            out.write('    </testcase>\n')
    if report.get("error"):
        out.write('    <testcase classname="gilport-stress" name="harness"><error message=%s/></testcase>\n'
                  % q(report["error"]))
    out.write('  </testsuite>\n</testsuites>\n')
