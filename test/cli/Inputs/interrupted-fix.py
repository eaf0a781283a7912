"""Runs a `gilport fix` that gets SIGTERM, then says what it left behind.

Usage: interrupted-fix.py DIR ORIGINAL FIXED (--interpose=ACTION SHIM |
                                              --kill-at-first-temporary) -- COMMAND...

With --interpose, SHIM (write-interposer.c) is preloaded and sends the
signal at a chosen moment (GILPORT_INTERPOSE=ACTION). With
--kill-at-first-temporary, this script sends it as soon as a temporary
file appears in DIR. Then it prints how the command ended, how many .c
files in DIR hold ORIGINAL's bytes, FIXED's, or anything else, and how
many gilport temporaries are left.
"""
import os
import signal
import subprocess
import sys
import time


def main():
    directory, original, fixed = sys.argv[1:4]
    rest = sys.argv[4:]
    command = rest[rest.index("--") + 1:]
    env = dict(os.environ)
    if rest[0].startswith("--interpose="):
        env["GILPORT_INTERPOSE"] = rest[0].split("=", 1)[1]
        env["LD_PRELOAD"] = rest[1]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        process.wait(timeout=600)
    else:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while process.poll() is None and time.monotonic() < deadline:
            if any(".gilport-" in name for name in os.listdir(directory)):
                process.send_signal(signal.SIGTERM)
                break
        process.wait(timeout=600)
    if process.returncode < 0:
        print("ended by", signal.Signals(-process.returncode).name)
    else:
        print("exited with", process.returncode)
    want = {"original": open(original, "rb").read(),
            "fixed": open(fixed, "rb").read()}
    counts = {"original": 0, "fixed": 0, "other": 0}
    names = os.listdir(directory)
    for name in names:
        if name.endswith(".c"):
            data = open(os.path.join(directory, name), "rb").read()
            kind = [k for k, v in want.items() if v == data]
            counts[kind[0] if kind else "other"] += 1
    for kind, count in counts.items():
        print(f"{kind}: {count}")
    print("temporaries:", sum(".gilport-" in name for name in names))


if __name__ == "__main__":
    main()
