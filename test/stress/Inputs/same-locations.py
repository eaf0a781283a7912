"""Checks that every runtime gilport-borrowed-ref finding of `gilport stress`
(JSON report) is at a location where `gilport check` reports the same check
for the same source, compiled with the same -D flags.

Usage: same-locations.py GILPORT STRESS.json SOURCE.c [-DFLAG...]
Prints one line per matched finding: FILE:LINE:COL API.
"""
import json
import os
import subprocess
import sys


def main():
    gilport, report_path, source = sys.argv[1:4]
    defines = sys.argv[4:]
    with open(report_path) as f:
        report = json.load(f)
    runtime = [f for f in report["findings"] if f["check"] == "gilport-borrowed-ref"]
    if not runtime:
        sys.exit("no runtime gilport-borrowed-ref finding in %s" % report_path)
    cmd = [gilport, "check", source, "--format=json", "--checks=-*,gilport-borrowed-ref",
           "--quiet"] + ["--extra-arg=" + d for d in defines]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit("gilport check failed (%d): %s" % (proc.returncode, proc.stderr))
    static = {(os.path.realpath(f["file"]), f["line"], f["column"])
              for f in json.loads(proc.stdout)["findings"] if f["check"] == "gilport-borrowed-ref"}
    for f in runtime:
        key = (os.path.realpath(f["file"]), f["line"], f["column"])
        if key not in static:
            sys.exit("runtime finding %s:%d:%d (%s) is not a gilport check finding; static: %s"
                     % (f["file"], f["line"], f["column"], f["message"], sorted(static)))
        print("%s:%d:%d %s" % (os.path.basename(f["file"]), f["line"], f["column"],
                               f["message"].split("'")[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
