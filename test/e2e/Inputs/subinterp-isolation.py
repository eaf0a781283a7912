#!/usr/bin/env python3
"""Imports a converted example in isolated subinterpreters and checks that
each interpreter has its own module state, released with the interpreter.

Usage: python3.13t subinterp-isolation.py BUILD_DIR MODULE [CYCLES]

Run with the free-threaded 3.13 interpreter. Prints, for FileCheck:

  gil-enabled-after-import: False
  own-state: True       a marker put into the module state in one
                        interpreter is seen there, not in a second one that
                        is alive at the same time, nor in the main one
  concurrent: ok        both interpreters (each with its own GIL) use the
                        module at the same time from two threads
  leaked-markers: 0     each of CYCLES create/import/load/destroy cycles
                        stores an object into the module state whose
                        finalizer reports when it is freed; every one must
                        be freed with its interpreter
  rss-kib: ...          RSS growth over the cycles, with the module and for
                        a control run (the same load in a plain dict, no
                        module); informational only

(An isolated interpreter that is created and destroyed keeps a few MiB of
RSS in 3.13t whatever it runs, and the figures vary with the machine's load,
so RSS cannot show a module's leak; the finalizer count is exact and is what
the tests assert.)
"""

import gc
import os
import sys
import threading

import _interpreters

# Per example: code that puts a marker into the module state, an expression
# telling whether the marker is there, code that uses the module, and a load
# that stores STORE_COUNT objects, one of them MARKER (whose finalizer
# reports it), through `store(key, obj)`.
SCENARIOS = {
    "weakreg": dict(
        mark="class T: pass\nkeep = T()\nweakreg.register('probe-marker', keep)",
        seen="weakreg.lookup('probe-marker', None) is not None",
        work=("class T: pass\nfor i in range(3000):\n"
              "    o = T(); weakreg.register(i, o); weakreg.lookup(i)"),
        # The key is kept by the registry (the value only weakly).
        store="lambda key, obj: weakreg.register(key, obj)",
        control="lambda key, obj: plain.__setitem__(key, weakref.ref(obj))",
    ),
    "memocache": dict(
        mark="memocache.memoize(str, 'probe-marker')",
        seen="memocache.peek(str, 'probe-marker', default=None) is not None",
        work="for i in range(3000):\n    memocache.memoize(abs, -i)",
        # The cache keeps (str, (key,)) -> str(key).
        store=("lambda key, obj: (memocache.set_maxsize(-1), "
               "memocache.memoize(str, key))"),
        control="lambda key, obj: plain.__setitem__((str, (key,)), str(key))",
    ),
    "counter": dict(
        mark="c = counter.Counter(start=1)",
        seen="counter.instances() > 0",
        work=("for i in range(3000):\n"
              "    c = counter.Counter(step=2, limit=10); c.increment(); c.value"),
        # The marker hangs on CounterError, which the state owns; the load
        # is counters with labels.
        store=("lambda key, obj: setattr(counter.CounterError, 'marker', key) "
               "if isinstance(key, Marker) else "
               "plain.setdefault('kept', []).append(counter.Counter(label=key))"),
        control="lambda key, obj: plain.__setitem__(key, obj)",
    ),
    # The module of test/rewrites/heap-type-gc.c once fixed: a heap GC type.
    "boxes": dict(
        mark="b = boxes.Box(1)",
        seen="boxes.made() > 0",
        work="for i in range(3000):\n    boxes.Box(i).open()",
        store=("lambda key, obj: setattr(boxes.BoxError, 'marker', key) "
               "if isinstance(key, Marker) else "
               "plain.setdefault('kept', []).append(boxes.Box(key))"),
        control="lambda key, obj: plain.__setitem__(key, obj)",
    ),
    # The module of test/rewrites/heap-type-dealloc-counter.c once fixed:
    # counters updated in tp_dealloc.
    "tally": dict(
        mark="i = tally.Item(None, 1)",
        seen="tally.counts()[0] > 0",
        work="for i in range(3000):\n    tally.Item(None, i)",
        store=("lambda key, obj: setattr(tally, 'marker', key) "
               "if isinstance(key, Marker) else "
               "plain.setdefault('kept', []).append(tally.Item(key))"),
        control="lambda key, obj: plain.__setitem__(key, obj)",
    ),
}

LOAD = """
import os, weakref
plain = {{}}
class Marker:
    def __init__(self, n):
        self.n = n
    def __hash__(self):
        return self.n
    def __eq__(self, other):
        return self is other
    def __del__(self, write=os.write, fd={fd}):
        write(fd, b'm')
class T:
    pass
objs = [T() for _ in range(20000)]
store = {store}
store(Marker(-1), objs[0])
for i, o in enumerate(objs):
    store('key-%d-' % i + 'x' * 40, o)
"""


def rss_kib():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def main():
    build_dir, name = sys.argv[1], sys.argv[2]
    cycles = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    scenario = SCENARIOS[name]
    prelude = "import sys\nsys.path.insert(0, %r)\nimport %s\n" % (build_dir, name)
    read_fd, write_fd = os.pipe()

    def run(interp, code):
        error = _interpreters.exec(interp, prelude + code)
        if error is not None:
            sys.exit("%s in a subinterpreter: %s" % (error.type.__name__, error.msg))

    def ask(interp, expression):
        run(interp, "import os\nos.write(%d, repr(%s).encode() + b'\\n')" % (write_fd, expression))
        line = b""
        while not line.endswith(b"\n"):
            line += os.read(read_fd, 1)
        return line.decode().strip()

    def isolated():
        config = _interpreters.new_config("isolated")
        assert config.gil == "own" and config.check_multi_interp_extensions
        return _interpreters.create(config)

    sys.path.insert(0, build_dir)
    __import__(name)
    print("gil-enabled-after-import:", sys._is_gil_enabled())

    # Two interpreters alive at once; a marker set in one is not in the other
    # nor in the main interpreter.
    first, second = isolated(), isolated()
    run(first, scenario["mark"])
    run(second, "pass")
    seen_first = ask(first, scenario["seen"])
    seen_second = ask(second, scenario["seen"])
    main_namespace = {name: sys.modules[name]}
    seen_main = eval(scenario["seen"], main_namespace)
    print("own-state:", seen_first == "True" and seen_second == "False" and not seen_main)

    # Both at once, from two threads.
    errors = []

    def worker(interp):
        try:
            run(interp, scenario["work"])
        except SystemExit as e:
            errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("concurrent:", "ok" if not errors else errors[0])
    _interpreters.destroy(first)
    _interpreters.destroy(second)

    # Repeated create/import/load/destroy, with the module and without.
    marker_read, marker_write = os.pipe()
    os.set_blocking(marker_read, False)

    def cycles_rss(store):
        warmup = 5
        baseline = None
        for cycle in range(cycles):
            interp = isolated()
            run(interp, LOAD.format(fd=marker_write, store=store))
            _interpreters.destroy(interp)
            gc.collect()
            if cycle + 1 == warmup:
                baseline = rss_kib()
        return rss_kib() - baseline

    def freed_markers():
        count = 0
        while True:
            try:
                chunk = os.read(marker_read, 4096)
            except BlockingIOError:
                return count
            count += chunk.count(b"m")

    control = cycles_rss(scenario["control"])
    freed_control = freed_markers()
    growth = cycles_rss(scenario["store"])
    freed = freed_markers()
    print("leaked-markers:", cycles - freed)
    if freed_control != cycles:
        sys.exit("the control run freed %d of %d markers" % (freed_control, cycles))
    print("rss-kib: module %d, control %d, over %d cycles" % (growth, control, cycles))


if __name__ == "__main__":
    main()
