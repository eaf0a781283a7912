"""Classifies canned ThreadSanitizer logs (real ones, from `gilport stress
--tsan` runs on the mutant module, with the paths shortened) with the
harness's tsanreport module and prints one line per finding.

Usage: tsan-classify.py [--render text|json|junit] [--suppressions FILE] LOG_DIR MODULE_FILE PREFIX...

With --render, the findings are written as `gilport stress` writes its report.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "runtime-shim", "harness"))
import tsanreport  # noqa: E402
import gilport_stress  # noqa: E402


def short(f):
    return "%s:%s:%s" % (os.path.basename(f.get("file") or "?"), f.get("line"), f.get("column"))


def render(fmt, findings):
    report = {"version": 1, "seed": 1, "notes": [], "findings": findings,
              "phases": {"concurrent": {"status": "done", "summary": "(canned logs)"}},
              "target": {"module": "mutant", "file": "mutant.so", "python": "python3.13t",
                         "python_version": "3.13.5", "free_threaded": True}}
    if fmt == "junit":
        gilport_stress.write_junit(report, sys.stdout)
    elif fmt == "json":
        json.dump(report, sys.stdout, indent=1)
    else:
        gilport_stress.write_text(report, sys.stdout)


def main():
    argv = sys.argv[1:]
    fmt, race_top = None, []
    while argv[0].startswith("--"):
        if argv[0] == "--render":
            fmt = argv[1]
        elif argv[0] == "--suppressions":
            race_top = tsanreport.read_race_top(argv[1])
        argv = argv[2:]
    logs, module = argv[0], argv[1]
    reports, suppressed = [], {}
    for prefix in argv[2:]:
        r, s = tsanreport.read_logs(logs, prefix)
        reports += r
        for k, v in s.items():
            suppressed[k] = suppressed.get(k, 0) + v
    print("reports %d; suppressed %s" % (len(reports), sorted(suppressed.items())))
    findings, foreign, inline = tsanreport.classify(reports, module, race_top)
    if fmt:
        for f in findings:
            f["phase"] = "concurrent"
        render(fmt, findings)
        return
    for f in findings:
        print("%s at %s in %s thread %s x%d: %s" % (f["check"], short(f), f["function"], f["thread"],
                                                   f["occurrences"], f["message"]))
        for n in f["notes"]:
            print("  note at %s: %s" % (short(n), n["message"]))
        for a in f["accesses"]:
            print("  access %s by %s in_module=%s top=%s" % (a["access"], a["thread"], a["in_module"],
                                                            a["stack"][0]))
    print("not the module's: %d; race_top through inlined frames: %s" % (foreign, sorted(inline.items())))


if __name__ == "__main__":
    main()
