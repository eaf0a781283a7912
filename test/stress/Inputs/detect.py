"""Runs `gilport stress ... --format=json` up to N times (each run bounded by
the harness's own watchdog and by a timeout here) until a finding of CHECK
appears; prints that finding's check, message and the attempt number.

Race manifestations are probabilistic; a bounded number of attempts keeps
the test deterministic enough while still requiring a real detection.

Usage: detect.py CHECK ATTEMPTS GILPORT stress ARGS...
Exit 0 when detected (the stress run must also have exited 1), 1 otherwise.
"""
import json
import subprocess
import sys
import time


def main():
    check, attempts = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[3:] + ["--format", "json"]
    for attempt in range(1, attempts + 1):
        start = time.monotonic()
        proc = subprocess.run(cmd + ["--seed", str(100 + attempt)], capture_output=True,
                              text=True, timeout=300)
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            sys.exit("no JSON report (exit %d): %s" % (proc.returncode, proc.stderr[-2000:]))
        hits = [f for f in report["findings"] if f["check"] == check]
        if hits:
            if proc.returncode != 1:
                sys.exit("detected but exit status %d" % proc.returncode)
            print("detected %s on attempt %d in %.1f s" % (check, attempt, time.monotonic() - start))
            json.dump(hits[0], sys.stdout, indent=1)
            print()
            return 0
        sys.stderr.write("attempt %d: no %s (checks: %s)\n" % (
            attempt, check, sorted({f["check"] for f in report["findings"]})))
    return 1


if __name__ == "__main__":
    sys.exit(main())
