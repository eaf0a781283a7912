"""Shared by the loads that replace a container's items under a reader.

Val marks itself dead when it is freed. run() starts readers and writers,
stops them after some seconds, and prints how many reads there were and
how many saw a dead (freed) item.
"""

import sys
import threading
import time


class Val:
    __slots__ = ("alive", "__weakref__")

    def __init__(self):
        self.alive = True

    def __del__(self):
        self.alive = False


def run(read_once, writers, seconds, readers=3, label="reads"):
    """read_once() returns whether what it read was alive; each writer is
    called with a stop event and loops until it is set."""
    stop = threading.Event()
    lock = threading.Lock()
    totals = [0, 0]

    def reader():
        n = d = 0
        while not stop.is_set():
            try:
                alive = read_once()
            except AttributeError:  # the freed object's slots are cleared
                alive = False
            n += 1
            d += alive is not True
        with lock:
            totals[0] += n
            totals[1] += d

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    threads += [threading.Thread(target=w, args=(stop,)) for w in writers]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    print(f"GIL enabled: {sys._is_gil_enabled()}")
    print(f"{label}: {totals[0]}, dead reads: {totals[1]}")
