# Exercises the module of test/rewrites/heap-type-dealloc-counter.c once
# fixed: python tally-check.py BUILD_DIR. On 3.13 it also runs the module in
# isolated subinterpreters and destroys them while an Item is in a reference
# cycle with the module (its tp_dealloc then runs while the interpreter's
# garbage is cleared).
import gc
import sys

build_dir = sys.argv[1]
sys.path.insert(0, build_dir)
import tally  # noqa: E402

gc.collect()
items = [tally.Item(None, i) for i in range(3)]
print("after 3 items:", tally.counts())
del items
gc.collect()
print("after freeing them:", tally.counts())


class Sub(tally.Item):
    pass


s = Sub(None, 9)
before = tally.counts()
del s
gc.collect()
print("subclass counted:", before, tally.counts())

cycle = []
cycle.append(tally.Item(cycle, 5))
del cycle
gc.collect()
print("cycle collected:", tally.counts())

try:
    import _interpreters
except ImportError:
    sys.exit(0)

prelude = "import sys\nsys.path.insert(0, %r)\nimport tally\n" % build_dir
first = _interpreters.create(_interpreters.new_config("isolated"))
second = _interpreters.create(_interpreters.new_config("isolated"))
err = _interpreters.exec(first, prelude + "keep = [tally.Item() for _ in range(4)]")
assert err is None, err.msg
read_fd = __import__("os").pipe()
r, w = read_fd
err = _interpreters.exec(
    second, prelude + "import os\nos.write(%d, repr(tally.counts()[0]).encode())" % w)
assert err is None, err.msg
own = __import__("os").read(r, 100) == b"0" and tally.counts()[0] == 0
# The module holds an Item that holds the module: garbage at shutdown.
err = _interpreters.exec(
    first, prelude + "tally.keep = tally.Item(tally)\n"
    "class S(tally.Item): pass\n"
    "tally.sub = S([tally, S])\n")
assert err is None, err.msg
_interpreters.destroy(first)
_interpreters.destroy(second)
print("subinterpreters: own counts %s, shutdown with a cycle ok" % own)
