"""Stands in for runtime-shim/harness/gilport_stress.py (GILPORT_STRESS_HARNESS)
to show what `gilport stress` hands the harness for a YAML --spec: where the
--spec-json file is, its permissions and what it holds. With --kill-parent it
then ends `gilport stress` with SIGTERM, as a user's kill would.
"""
import json
import os
import signal
import sys


def main():
    args = sys.argv[1:]
    if "--spec-json" not in args:
        print("no --spec-json")
        return 0
    path = args[args.index("--spec-json") + 1]
    tmpdir = os.path.realpath(os.environ["TMPDIR"])
    print("in TMPDIR:", os.path.dirname(os.path.realpath(path)) == tmpdir)
    print("name:", os.path.basename(path))
    print("mode:", oct(os.stat(path).st_mode & 0o777))
    with open(path, encoding="utf-8") as f:
        print("json:", json.dumps(json.load(f), sort_keys=True))
    sys.stdout.flush()
    if "--kill-parent" in args:
        os.kill(os.getppid(), signal.SIGTERM)
    return 0


if __name__ == "__main__":
    sys.exit(main())
