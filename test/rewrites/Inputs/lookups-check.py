"""Runs the fixed lookups module: results, the errors the lookups now
report, reference counts that stay put on every path (no leak, no release
of a borrowed value), and readers racing a writer that replaces values."""
import sys
import threading

sys.path.insert(0, sys.argv[1])
import lookups  # noqa: E402


def refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


def expect(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return
    raise AssertionError(f"{fn.__name__}{args!r} did not raise {exc.__name__}")


class Code:
    pass


codes = {i: Code() for i in range(8)}
values = list(codes.values())
default = Code()
before = refcounts(values + [default])
for _ in range(1000):
    assert lookups.encode(codes, [1, 2, 3]) == [codes[1], codes[2], codes[3]]
    expect(ValueError, lookups.encode, codes, [1, 99])
    # Errors of the lookup are reported now, not taken for a missing key.
    expect(TypeError, lookups.encode, codes, [1, []])
    assert lookups.get(codes, 4) is codes[4]
    assert lookups.get(codes, 99, default) is default
    assert lookups.get(codes, 99) is None
    expect(TypeError, lookups.get, codes, [])
    assert lookups.names(codes, 5) is codes[5]
    expect(KeyError, lookups.add_new, codes, 6, default)
    assert lookups.present(codes, (1, 99, 2)) == (codes[1], codes[2])
    expect(TypeError, lookups.present, codes, (1, []))
assert refcounts(values + [default]) == before, (refcounts(values + [default]), before)

lists = {"a": [1, 2, 3]}
before = refcounts(lists.values())
for _ in range(1000):
    assert lookups.size(lists, "a") == 3
    assert lookups.size(lists, "b") == -1
    expect(TypeError, lookups.size, lists, [])
assert refcounts(lists.values()) == before

falsy = {"k": 0, "e": ""}
assert lookups.names(falsy, "k") is None
assert lookups.names(falsy, "missing") == dict.__doc__
fresh = {}
lookups.add_new(fresh, "a", default)
assert fresh == {"a": default}

# Readers race a writer that replaces every value.
shared = {i: Code() for i in range(8)}
stop = threading.Event()
errors = []


def writer():
    n = 0
    while not stop.is_set():
        shared[n % 8] = Code()
        n += 1


def reader():
    keys = tuple(range(8))
    try:
        for _ in range(20000):
            out = lookups.encode(shared, range(8))
            assert len(out) == 8 and all(isinstance(o, Code) for o in out)
            assert isinstance(lookups.get(shared, 3), Code)
            assert isinstance(lookups.names(shared, 2), Code)
            assert len(lookups.present(shared, keys)) == 8
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)


w = threading.Thread(target=writer)
readers = [threading.Thread(target=reader) for _ in range(3)]
w.start()
for r in readers:
    r.start()
for r in readers:
    r.join()
stop.set()
w.join()
assert not errors, errors
gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
print(f"lookups ok, GIL enabled: {gil}")
