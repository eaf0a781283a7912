"""Run a command and succeed only if it exits with the expected status.

Usage: expect-exit.py STATUS COMMAND [ARGS...]

The command's stdout and stderr are passed through unchanged.  lit's `not`
accepts any non-zero status; this tells "findings" (1) from "error" (2).
"""

import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        print("usage: expect-exit.py STATUS COMMAND [ARGS...]",
              file=sys.stderr)
        return 2
    expected = int(sys.argv[1])
    try:
        status = subprocess.call(sys.argv[2:])
    except OSError as exc:
        print("expect-exit.py: cannot run %s: %s" % (sys.argv[2], exc),
              file=sys.stderr)
        return 1
    if status != expected:
        print("expect-exit.py: %s exited with %d, expected %d"
              % (sys.argv[2], status, expected), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
