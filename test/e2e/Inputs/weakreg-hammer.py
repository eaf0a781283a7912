"""Iterates the weakreg registry while other threads register and drop
entries; fails on any exception or a wrong count."""
import sys
import threading

sys.path.insert(0, sys.argv[1])
import weakreg  # noqa: E402


class Obj:
    pass


keep = [Obj() for _ in range(64)]
errors = []
stop = threading.Event()


def mutate(seed):
    try:
        i = 0
        while not stop.is_set():
            key = (seed, i % 256)
            weakreg.register(key, keep[i % len(keep)])
            if i % 3 == 0:
                weakreg.unregister(key)
            i += 1
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


def count():
    try:
        for _ in range(3000):
            n = weakreg.live_count()
            if n < 0:
                raise AssertionError(n)
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


threads = [threading.Thread(target=mutate, args=(s,)) for s in range(3)]
readers = [threading.Thread(target=count) for _ in range(2)]
for t in threads + readers:
    t.start()
for t in readers:
    t.join()
stop.set()
for t in threads:
    t.join()
if errors:
    raise SystemExit("errors: %r" % errors[:3])
print("hammer ok, GIL enabled:", getattr(sys, "_is_gil_enabled", lambda: True)())
