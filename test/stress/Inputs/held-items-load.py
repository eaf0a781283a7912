"""Load for held_items.c: readers walk a dict's values through a callback
that releases the thread state; writers keep replacing the values.

Usage: held-items-load.py MODULE_DIR [SECONDS]

Each value is a Val whose __del__ marks it dead. count_alive reports how
many of the values it walked were still alive after the callback: fewer
than it walked means a value was freed while the reader still used it (or
the process crashes). Prints the number of walks and of dead reads.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import held_items  # noqa: E402
from dead_items import Val, run  # noqa: E402

SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
KEYS = [f"k{i}" for i in range(4)]


def wait(value):
    time.sleep(0.0001)  # releases the thread state: a section is suspended


shared = {k: Val() for k in KEYS}


def writer_of(key):
    def writer(stop):
        while not stop.is_set():
            shared[key] = Val()
    return writer


run(lambda: held_items.count_alive(shared, wait) == len(KEYS),
    [writer_of(k) for k in KEYS[:2]], SECONDS, label="walks")
