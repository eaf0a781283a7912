"""Load for suspended.c: readers look an item up and wait, writers replace it.

Usage: suspended-load.py MODULE_DIR [SECONDS]

Each item is a Val whose __del__ marks it dead. A reader that gets
alive == False, or no `alive` at all (the finalized object's slots are
cleared), used an item that another thread replaced, and so freed, while the
reader's critical section was suspended: with only a borrowed reference it
reads a dead object, or crashes. Prints the number of reads and of dead
reads.
"""

import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
import suspended  # noqa: E402

SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0


class Val:
    __slots__ = ("alive", "__weakref__")

    def __init__(self):
        self.alive = True

    def __del__(self):
        self.alive = False


def wait():
    time.sleep(0.0001)  # releases the thread state: the section is suspended


shared = {"k": Val()}
reads = [0]
dead = [0]
stop = threading.Event()
lock = threading.Lock()


def reader():
    n = d = 0
    while not stop.is_set():
        try:
            alive = suspended.lookup_then_wait(shared, "k", wait)
        except AttributeError:
            alive = False
        n += 1
        if alive is not True:
            d += 1
    with lock:
        reads[0] += n
        dead[0] += d


def writer():
    while not stop.is_set():
        shared["k"] = Val()


threads = [threading.Thread(target=reader) for _ in range(3)]
threads += [threading.Thread(target=writer) for _ in range(2)]
for t in threads:
    t.start()
time.sleep(SECONDS)
stop.set()
for t in threads:
    t.join()
print(f"GIL enabled: {sys._is_gil_enabled()}")
print(f"reads: {reads[0]}, dead reads: {dead[0]}")
