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

A report is the module's when one of its accesses is made by the module's
own code: the innermost frame with a source file (TSAN's interceptors, such
as __tsan_memcpy, have none) lies in the module's shared object.  Code
inlined from CPython's headers (Py_INCREF, PyList_GET_ITEM) counts as the
module's, since it is compiled into it.  A race between two accesses inside
CPython is CPython's even when the module's call led to it (for example the
relaxed ob_tid read in list_get_item_ref, which CPython's own suppression
list names but which inlining hides from `race_top`): those are counted.
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
    fr = {"function": m.group("fn"), "object": m.groupdict().get("obj") or ""}
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


def classify(reports, module_path):
    """Splits reports into the module's (deduplicated into findings) and the rest.

    Returns (findings, foreign_count)."""
    module_file = os.path.basename(module_path)
    findings, by_key, foreign = [], {}, 0
    for rep in reports:
        stacks = _stack_sections(rep)
        accesses = []
        for s in stacks[:2]:
            frame = _access_frame(s["frames"])
            accesses.append((s, frame if frame and _in_module(frame, module_file) else None))
        if not any(top for _, top in accesses):
            foreign += 1
            continue
        key = (rep["kind"],) + tuple(sorted(
            ("%s:%s:%s" % (t["file"], t.get("line"), t.get("column")) if t and t.get("file")
             else _describe_frame(s["frames"][0]) if s["frames"] else "?") for s, t in accesses))
        if key in by_key:
            by_key[key]["occurrences"] += 1
            continue
        main_index = next((i for i, (_, top) in enumerate(accesses) if top), 0)
        main_s = accesses[main_index][0]
        details, notes = [], []
        for s, top in accesses:
            who, tid = _thread_name(rep, s["thread"])
            what = re.sub(r" at 0x[0-9a-f]+", "", s["head"])
            what = re.sub(r" (?:by|in) (?:main thread|thread T\d+)", "", what)
            what = re.sub(r" \(mutexes: [^)]*\)", "", what)
            top_any = s["frames"][0] if s["frames"] else {}
            entry = {"access": what[0].lower() + what[1:] if what else "", "thread": s["thread"],
                     "tid": tid, "in_module": top is not None,
                     "stack": [_describe_frame(f) for f in s["frames"][:30]]}
            frame = top or top_any
            for k in ("function", "file", "line", "column"):
                if frame.get(k) is not None:
                    entry[k] = frame[k]
            details.append(entry)
            if s is not main_s:
                notes.append({"file": entry.get("file"), "line": entry.get("line"),
                              "column": entry.get("column"),
                              "message": "%s by %s in %s%s" % (
                                  entry["access"], who, entry.get("function", "?"),
                                  "" if top else " (the access itself is outside the module; "
                                  "innermost frame shown)")})
        main = details[main_index]
        who, tid = _thread_name(rep, main_s["thread"])
        kind = rep["kind"]
        check = CHECKS.get(kind, OTHER_CHECK)
        if check == "gilport-data-race" and len(details) == 2:
            other = details[1] if main is details[0] else details[0]
            other_who = _thread_name(rep, other["thread"])[0]
            message = "%s: %s in %s by %s races with %s in %s by %s" % (
                kind, main["access"], main.get("function", "?"), who,
                other["access"], other.get("function", "?"), other_who)
        else:
            message = "ThreadSanitizer: %s in %s (%s)" % (kind, main.get("function", "?"), who)
        f = {"check": check, "severity": "error", "message": message,
             "file": main.get("file"), "line": main.get("line") or 0,
             "column": main.get("column") or 0, "function": main.get("function"),
             "thread": tid, "tsan_kind": kind, "accesses": details, "notes": notes,
             "summary": rep["summary"], "phase": rep.get("phase"), "occurrences": 1}
        by_key[key] = f
        findings.append(f)
    return findings, foreign
