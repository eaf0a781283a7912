"""Classifies canned ThreadSanitizer logs (real ones, from `gilport stress
--tsan` runs on the mutant module, with the paths shortened) with the
harness's tsanreport module and prints one line per finding.

Usage: tsan-classify.py LOG_DIR MODULE_FILE PREFIX...
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "runtime-shim", "harness"))
import tsanreport  # noqa: E402


def short(f):
    return "%s:%s:%s" % (os.path.basename(f.get("file") or "?"), f.get("line"), f.get("column"))


def main():
    logs, module = sys.argv[1], sys.argv[2]
    reports, suppressed = [], {}
    for prefix in sys.argv[3:]:
        r, s = tsanreport.read_logs(logs, prefix)
        reports += r
        for k, v in s.items():
            suppressed[k] = suppressed.get(k, 0) + v
    print("reports %d; suppressed %s" % (len(reports), sorted(suppressed.items())))
    findings, foreign = tsanreport.classify(reports, module)
    for f in findings:
        print("%s at %s in %s thread %s x%d: %s" % (f["check"], short(f), f["function"], f["thread"],
                                                   f["occurrences"], f["message"]))
        for n in f["notes"]:
            print("  note at %s: %s" % (short(n), n["message"]))
        for a in f["accesses"]:
            print("  access %s by %s in_module=%s top=%s" % (a["access"], a["thread"], a["in_module"],
                                                            a["stack"][0]))
    print("not the module's: %d" % foreign)


if __name__ == "__main__":
    main()
