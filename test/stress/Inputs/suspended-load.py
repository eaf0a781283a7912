"""Load for suspended.c: readers look an item up and wait, writers replace it.

Usage: suspended-load.py MODULE_DIR [SECONDS]

Each item is a Val whose __del__ marks it dead. A reader that gets
alive == False, or no `alive` at all (the finalized object's slots are
cleared), used an item that another thread replaced, and so freed, while the
reader's critical section was suspended: with only a borrowed reference it
reads a dead object, or crashes. Prints the number of reads and of dead
reads.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suspended  # noqa: E402
from dead_items import Val, run  # noqa: E402

SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0


def wait():
    time.sleep(0.0001)  # releases the thread state: the section is suspended


shared = {"k": Val()}


def writer(stop):
    while not stop.is_set():
        shared["k"] = Val()


run(lambda: suspended.lookup_then_wait(shared, "k", wait), [writer, writer],
    SECONDS)
