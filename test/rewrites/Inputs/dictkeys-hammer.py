"""Lists the keys of a shared dict while another thread grows and shrinks it.

A list made under the dict's critical section holds exactly the keys the
dict had at one moment: distinct ints, sorted. Without one lock over the size
read and the loop, the list has empty slots or is written past its end, and
the interpreter crashes or the check below fails."""
import sys
import threading

sys.path.insert(0, sys.argv[1])
import dictkeys  # noqa: E402

shared = {i: None for i in range(64)}
errors = []
stop = threading.Event()


def mutate():
    try:
        i = 64
        while not stop.is_set():
            for k in range(i, i + 32):
                shared[k] = None
            for k in range(i, i + 32):
                del shared[k]
            i = 64 + (i + 1) % 512
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


def read():
    try:
        for _ in range(3000):
            keys = dictkeys.sorted(shared)
            if keys != sorted(set(keys)) or not 64 <= len(keys) <= 96:
                raise AssertionError(f"not one moment's keys: {len(keys)} keys")
        try:
            dictkeys.sorted([])
        except TypeError:
            pass
        else:
            raise AssertionError("no TypeError")
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


writer = threading.Thread(target=mutate)
readers = [threading.Thread(target=read) for _ in range(3)]
writer.start()
for t in readers:
    t.start()
for t in readers:
    t.join()
stop.set()
writer.join()
if errors:
    print("hammer failed:", errors[0])
    sys.exit(1)
print("hammer ok, GIL enabled:", sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True)
