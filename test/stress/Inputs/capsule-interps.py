"""Imports a module in own-GIL subinterpreters started from several threads
at once, each calling it for SECONDS while the next imports it.

Usage: capsule-interps.py MODULE_DIR MODULE FUNCTION [ROUNDS [SECONDS]]

Run it on the ThreadSanitizer build with TSAN_OPTIONS' log_path set: a race
between one interpreter's exec function and another's calls is in the log.
Prints the number of interpreters that ran."""

import sys
import threading

import _interpreters

directory, module, function = sys.argv[1:4]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
THREADS = 3
# Interpreters start one after another (creating one takes a while under
# ThreadSanitizer): each calls for long enough that the next imports meanwhile.
CODE = f"""
import sys
import time
sys.path.insert(0, {directory!r})
import {module}
end = time.monotonic() + {seconds}
i = 0
while time.monotonic() < end:
    assert {module}.{function}(i) == 2 * i
    i += 1
"""

calls = 0
lock = threading.Lock()


def run(start):
    global calls
    start.wait()
    interp = _interpreters.create("isolated")
    try:
        error = _interpreters.exec(interp, CODE)
        if error is not None:
            raise SystemExit(f"in a subinterpreter: {error}")
    finally:
        _interpreters.destroy(interp)
    with lock:
        calls += 1


for _ in range(rounds):
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=run, args=(start,)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print("interpreters run:", calls)
