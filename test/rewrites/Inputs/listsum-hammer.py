"""Sums a shared list while another thread reverses, sorts, grows and
shrinks it.

Every mutation keeps the sum of the list (pairs x, -x are added and removed
together), so a sum read under the list's critical section always equals
it; a torn read gives another number or crashes."""
import sys
import threading

sys.path.insert(0, sys.argv[1])
import listsum  # noqa: E402

BASE = [1_000_003 + i for i in range(200)]
EXPECTED = sum(BASE)
shared = list(BASE)
errors = []
stop = threading.Event()


def mutate():
    # One writer, so that each of its steps is a whole, sum-keeping change:
    # the list is reversed or sorted in place, or replaced by a copy with a
    # pair added or removed (which also resizes its item array).
    try:
        mine = list(BASE)
        i = 0
        while not stop.is_set():
            x = 1_000_000 + i % 1000
            if i % 4 == 0:
                mine.extend([x, -x])
            elif i % 4 == 2 and len(mine) > len(BASE):
                del mine[-2:]
            mine.reverse()
            shared[:] = mine
            if i % 2:
                shared.reverse()
            else:
                shared.sort()
            i += 1
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


def read(function):
    try:
        for _ in range(4000):
            got = function(shared)
            if got != EXPECTED:
                raise AssertionError(f"{function.__name__}: {got} != {EXPECTED}")
            # The error path leaves the section early: it must still end it.
            try:
                function([1, "x", 2])
            except TypeError:
                pass
            else:
                raise AssertionError(f"{function.__name__}: no TypeError")
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


writers = [threading.Thread(target=mutate)]
readers = [threading.Thread(target=read, args=(f,))
           for f in (listsum.total, listsum.fast_total)]
for t in writers + readers:
    t.start()
for t in readers:
    t.join()
stop.set()
for t in writers:
    t.join()
if errors:
    raise SystemExit(f"hammer failed: {errors[0]!r}")
print("hammer ok, GIL enabled:", getattr(sys, "_is_gil_enabled", lambda: True)())
