"""ThreadSanitizer reports of a `gilport stress --tsan` run, as findings.

A child runs with TSAN_OPTIONS=log_path=<work>/tsan/<tag>, so each process
writes <tag>.<pid>.  A report looks like

    ==================
    WARNING: ThreadSanitizer: data race (pid=13683)
      Read of size 8 at 0x7f40040523b0 by thread T1:
        #0 mutant_bump /src/mutant.c:236:24 (mutant.cpython-313t-x86_64-linux-gnu.so+0x2dcb) (BuildId: ...)
        #1 cfunction_vectorcall_NOARGS /cpython/Objects/methodobject.c:484:24 (python3.13t+0x291109)
      Previous write of size 8 at 0x7f40040523b0 by thread T2:
        #0 mutant_bump /src/mutant.c:238:15 (mutant.cpython-313t-x86_64-linux-gnu.so+0x2de5)
      Thread T1 (tid=13742, running) created by main thread at:
        ...
    SUMMARY: ThreadSanitizer: data race /src/mutant.c:236:24 in mutant_bump
    ==================

A report is the module's when the module's code is on the stack of one of
its two accesses: either the module made the access itself (including code
that CPython's headers inline into it, such as Py_INCREF), or it called the
CPython function that made it.  The second kind matters: a module that walks
a dict with PyDict_Next while another of its calls inserts into it races
inside dictobject.c, and the bug is the module's (PyDict_Next needs a
critical section on free-threaded builds).  Reports with no frame of the
module are CPython's (or another library's) and are only counted.

CPython's suppression list names some of its intentionally racy functions
with `race_top:NAME`, which TSAN matches against the top frame only; when
that function's code is inlined the top frame is the inlined helper (for
example _Py_atomic_load_uintptr_relaxed inside list_get_item_ref) and TSAN
misses the entry.  `race_top` entries are therefore applied again here to
every frame at the top frame's address (the inlined chain).
"""

import os
import re

SEPARATOR = "=================="
_WARNING = re.compile(r"^WARNING: ThreadSanitizer: (?P<kind>.+?)(?: \(pid=(?P<pid>\d+)\))?$")
_FRAME = re.compile(r"^\s+#(?P<n>\d+) (?P<fn>.+?) (?P<loc>\S+) \((?P<obj>[^()]*?)\+0x(?P<off>[0-9a-f]+)\)")
_FRAME_NO_OBJ = re.compile(r"^\s+#(?P<n>\d+) (?P<fn>.+?) (?P<loc>\S+)\s*$")
_SECTION = re.compile(r"^  (?P<head>\S.*):$")
_THREAD_OF = re.compile(r"\b(?:by|in) (?P<thread>main thread|thread T\d+)\b")
_THREAD_INFO = re.compile(r"^  Thread (?P<t>T\d+) \(tid=(?P<tid>\d+)")
_ACCESS = re.compile(r"^(?:Previous )?(?:atomic )?(?:read|write)\b", re.IGNORECASE)
_MATCHED = re.compile(r"^ThreadSanitizer: Matched (\d+) suppressions")
_MATCHED_LINE = re.compile(r"^\s*(\d+) (\S+):(\S+)\s*$")

# TSAN report kind -> gilport check name.
CHECKS = {
    "data race": "gilport-data-race",
    "data race on vptr": "gilport-data-race",
    "heap-use-after-free": "gilport-heap-use-after-free",
    "heap-use-after-free (virtual call vs free)": "gilport-heap-use-after-free",
    "lock-order-inversion (potential deadlock)": "gilport-lock-order-inversion",
}
OTHER_CHECK = "gilport-tsan-report"


def _frame(m):
    loc = m.group("loc")
    fr = {"function": m.group("fn"), "object": m.groupdict().get("obj") or "",
          "offset": m.groupdict().get("off")}
    if loc != "<null>":
        parts = loc.rsplit(":", 2)
        # file[:line[:column]]; a file name itself holds no ':' here.
        while len(parts) > 1 and not parts[-1].isdigit():
            parts = [":".join(parts)]
        if len(parts) == 3:
            fr.update(file=parts[0], line=int(parts[1]), column=int(parts[2]))
        elif len(parts) == 2:
            fr.update(file=parts[0], line=int(parts[1]), column=0)
        else:
            fr["file"] = parts[0]
    return fr


def parse(text):
    """The reports in one TSAN log, and the suppression matches it lists.

    Returns (reports, suppressed) where each report is
    {kind, pid, summary, sections: [{head, thread, frames}], threads: {T1: tid}}
    and suppressed maps "race_top:name" to a count."""
    reports, suppressed = [], {}
    cur, section, in_matched = None, None, False
    for line in text.splitlines():
        m = _WARNING.match(line)
        if m:
            cur = {"kind": m.group("kind"), "pid": int(m.group("pid") or 0), "summary": "",
                   "sections": [], "threads": {}}
            section, in_matched = None, False
            continue
        m = _MATCHED.match(line)
        if m and cur is None:
            in_matched = True
            continue
        if in_matched:
            m = _MATCHED_LINE.match(line)
            if m:
                key = "%s:%s" % (m.group(2), m.group(3))
                suppressed[key] = suppressed.get(key, 0) + int(m.group(1))
                continue
            in_matched = False
        if cur is None:
            continue
        if line.startswith("SUMMARY: ThreadSanitizer:"):
            cur["summary"] = line[len("SUMMARY: ThreadSanitizer:"):].strip()
            continue
        if line.strip() == SEPARATOR:
            reports.append(cur)
            cur, section = None, None
            continue
        m = _THREAD_INFO.match(line)
        if m:
            cur["threads"][m.group("t")] = int(m.group("tid"))
        m = _SECTION.match(line)
        if m:
            head = m.group("head")
            t = _THREAD_OF.search(head)
            section = {"head": head, "thread": t.group("thread") if t else None, "frames": []}
            cur["sections"].append(section)
            continue
        m = _FRAME.match(line) or _FRAME_NO_OBJ.match(line)
        if m and section is not None:
            section["frames"].append(_frame(m))
    if cur is not None:   # the process died in the middle of a report
        reports.append(cur)
    return reports, suppressed


def read_logs(directory, prefix):
    """Every report in <directory>/<prefix>.<pid> files."""
    reports, suppressed = [], {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return reports, suppressed
    for name in names:
        if not name.startswith(prefix + "."):
            continue
        with open(os.path.join(directory, name), errors="replace") as f:
            r, s = parse(f.read())
        reports += r
        for k, v in s.items():
            suppressed[k] = suppressed.get(k, 0) + v
    return reports, suppressed


def _stack_sections(report):
    """The sections that hold the stacks of the accesses (or mutex acquisitions)."""
    heads = [s for s in report["sections"] if s["frames"] and not s["head"].startswith("Thread T")
             and not s["head"].startswith("Location is") and not re.match(r"^Mutex M\d+ \(0x", s["head"])]
    accesses = [s for s in heads if _ACCESS.match(s["head"])]
    return accesses or heads


def _in_module(frame, module_file):
    return os.path.basename(frame.get("object") or "") == module_file


def _access_frame(frames):
    """The frame that made the access: the innermost one with a source file."""
    for fr in frames:
        if fr.get("file") and not fr["function"].startswith(("__tsan_", "__interceptor_", "__sanitizer")):
            return fr
    return frames[0] if frames else None


def _describe_frame(fr):
    if fr.get("file"):
        where = "%s:%d" % (fr["file"], fr.get("line") or 0) if fr.get("line") else fr["file"]
        return "%s (%s)" % (fr["function"], where)
    return "%s (%s)" % (fr["function"], fr.get("object") or "?")


def _thread_name(report, thread):
    if not thread:
        return "an unknown thread", None
    if thread == "main thread":
        return "the main thread", None
    t = thread.split()[-1]
    tid = report["threads"].get(t)
    return ("thread %s (tid %d)" % (t, tid) if tid else "thread %s" % t), tid


def read_race_top(path):
    """The `race_top:` patterns of a TSAN suppression file."""
    patterns = []
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line.startswith("race_top:"):
                    patterns.append(line[len("race_top:"):].strip())
    except OSError:
        pass
    return [p for p in patterns if p]


def _template_match(pattern, text):
    """TSAN's suppression templates: '*' is any run, '^'/'$' anchor, else a substring."""
    regex = re.escape(pattern.strip("^$")).replace(r"\*", ".*")
    if pattern.startswith("^"):
        regex = "^" + regex
    if pattern.endswith("$"):
        regex += "$"
    return re.search(regex, text) is not None


def _race_top_match(frames, patterns):
    """The pattern that matches a frame at the top frame's address, or None."""
    if not frames or not patterns:
        return None
    top = (frames[0].get("object"), frames[0].get("offset"))
    for fr in frames:
        if (fr.get("object"), fr.get("offset")) != top:
            break
        for pattern in patterns:
            if _template_match(pattern, fr["function"]) or _template_match(pattern, fr.get("file") or ""):
                return pattern
    return None


def classify(reports, module_path, race_top=()):
    """Splits reports into the module's (deduplicated into findings) and the rest.

    Returns (findings, foreign_count, suppressed) where suppressed counts the
    reports that a `race_top` pattern matches through inlined frames."""
    module_file = os.path.basename(module_path)
    findings, by_key, foreign, suppressed = [], {}, 0, {}
    for rep in reports:
        stacks = _stack_sections(rep)[:2]
        matched = next((m for m in (_race_top_match(s["frames"], race_top) for s in stacks) if m), None)
        if matched:
            key = "race_top:" + matched
            suppressed[key] = suppressed.get(key, 0) + 1
            continue
        accesses = []   # (section, innermost module frame or None, the frame that made the access)
        for s in stacks:
            top_mod = next((f for f in s["frames"] if _in_module(f, module_file)), None)
            accesses.append((s, top_mod, _access_frame(s["frames"])))
        if not any(top for _, top, _ in accesses):
            foreign += 1
            continue
        key = (rep["kind"],) + tuple(sorted(
            ("%s:%s:%s" % (t["file"], t.get("line"), t.get("column")) if t and t.get("file")
             else _describe_frame(a) if a else "?") for _, t, a in accesses))
        if key in by_key:
            by_key[key]["occurrences"] += 1
            continue
        main_index = next((i for i, (_, top, _) in enumerate(accesses) if top), 0)
        details, notes = [], []
        for index, (s, top, made) in enumerate(accesses):
            who, tid = _thread_name(rep, s["thread"])
            what = re.sub(r" at 0x[0-9a-f]+", "", s["head"])
            what = re.sub(r" (?:by|in) (?:main thread|thread T\d+)", "", what)
            what = re.sub(r" \(mutexes: [^)]*\)", "", what)
            made = made or {}
            entry = {"access": what[0].lower() + what[1:] if what else "", "thread": s["thread"],
                     "tid": tid, "in_module": top is not None,
                     "by_module_code": top is not None and top is made,
                     "stack": [_describe_frame(f) for f in s["frames"][:30]]}
            # The location is the module's: the access itself, or the module's call that led to it.
            frame = top or made
            for k in ("function", "file", "line", "column"):
                if frame.get(k) is not None:
                    entry[k] = frame[k]
            if top is not None and top is not made and made.get("function"):
                entry["inside"] = made["function"]
            where = entry.get("function", "?")
            if entry.get("inside"):
                where = "%s (in %s, called from %s)" % (entry["inside"], "CPython" if _is_cpython(made)
                                                         else os.path.basename(made.get("object") or "?"),
                                                         entry.get("function", "?"))
            elif top is None:
                where += " (outside the module; innermost frame shown)"
            entry["where"] = where
            details.append(entry)
            if index != main_index:
                notes.append({"file": entry.get("file"), "line": entry.get("line"),
                              "column": entry.get("column"),
                              "message": "%s by %s in %s" % (entry["access"], who, where)})
        main = details[main_index]
        who, tid = _thread_name(rep, accesses[main_index][0]["thread"])
        kind = rep["kind"]
        check = CHECKS.get(kind, OTHER_CHECK)
        if check == "gilport-data-race" and len(details) == 2:
            other = details[1 - main_index]
            other_who = _thread_name(rep, other["thread"])[0]
            message = "%s: %s in %s by %s races with %s in %s by %s" % (
                kind, main["access"], main["where"], who, other["access"], other["where"], other_who)
        else:
            message = "ThreadSanitizer: %s in %s (%s)" % (kind, main["where"], who)
        f = {"check": check, "severity": "error", "message": message,
             "file": main.get("file"), "line": main.get("line") or 0,
             "column": main.get("column") or 0, "function": main.get("function"),
             "thread": tid, "tsan_kind": kind, "accesses": details, "notes": notes,
             "summary": rep["summary"], "phase": rep.get("phase"), "occurrences": 1}
        by_key[key] = f
        findings.append(f)
    return findings, foreign, suppressed


def _is_cpython(frame):
    obj = os.path.basename(frame.get("object") or "")
    return obj.startswith(("python3", "libpython3"))
