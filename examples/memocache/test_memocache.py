"""Tests for the memocache extension module.

Run as:  python test_memocache.py [BUILD_DIR]

BUILD_DIR (or the environment variable EXAMPLES_BUILD_DIR) is the directory
that holds the built memocache module; it is put first on sys.path.
"""

import os
import sys
import threading
import unittest


def _setup_path():
    build_dir = None
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        build_dir = sys.argv.pop(1)
    build_dir = build_dir or os.environ.get("EXAMPLES_BUILD_DIR")
    if build_dir:
        sys.path.insert(0, os.path.abspath(build_dir))


_setup_path()
import memocache  # noqa: E402


class Recorder:
    """A callable that remembers how often it was called."""

    def __init__(self, func):
        self.func = func
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


class MemoizeTests(unittest.TestCase):

    def setUp(self):
        memocache.set_maxsize(memocache.DEFAULT_MAXSIZE)
        memocache.clear()

    def test_result_is_cached(self):
        square = Recorder(lambda x: x * x)
        self.assertEqual(memocache.memoize(square, 12), 144)
        self.assertEqual(memocache.memoize(square, 12), 144)
        self.assertEqual(square.calls, 1)
        self.assertEqual(memocache.memoize(square, 3), 9)
        self.assertEqual(square.calls, 2)

    def test_same_object_returned(self):
        make = Recorder(lambda n: [n] * 3)
        first = memocache.memoize(make, 2)
        self.assertIs(memocache.memoize(make, 2), first)

    def test_cached_call_alias(self):
        add = Recorder(lambda a, b: a + b)
        self.assertEqual(memocache.cached_call(add, 1, 2), 3)
        self.assertEqual(memocache.memoize(add, 1, 2), 3)
        self.assertEqual(add.calls, 1)

    def test_keyword_arguments(self):
        fmt = Recorder(lambda x, sep=",", end="": sep.join(x) + end)
        self.assertEqual(memocache.memoize(fmt, "ab", sep="-", end="!"),
                         "a-b!")
        # Keyword order does not matter.
        self.assertEqual(memocache.memoize(fmt, "ab", end="!", sep="-"),
                         "a-b!")
        self.assertEqual(fmt.calls, 1)
        # Positional and keyword calls are different entries.
        self.assertEqual(memocache.memoize(fmt, "ab"), "a,b")
        self.assertEqual(fmt.calls, 2)

    def test_distinct_functions(self):
        f = Recorder(lambda x: x + 1)
        g = Recorder(lambda x: x + 2)
        self.assertEqual(memocache.memoize(f, 1), 2)
        self.assertEqual(memocache.memoize(g, 1), 3)
        self.assertEqual((f.calls, g.calls), (1, 1))

    def test_cache_info(self):
        ident = Recorder(lambda x: x)
        for value in (1, 2, 1, 1, 3):
            memocache.memoize(ident, value)
        info = memocache.cache_info()
        self.assertEqual(info, {"hits": 2, "misses": 3, "size": 3,
                                "maxsize": memocache.DEFAULT_MAXSIZE})

    def test_clear(self):
        ident = Recorder(lambda x: x)
        memocache.memoize(ident, "a")
        memocache.clear()
        self.assertEqual(memocache.cache_info()["size"], 0)
        self.assertEqual(memocache.cache_info()["misses"], 0)
        memocache.memoize(ident, "a")
        self.assertEqual(ident.calls, 2)

    def test_exceptions_are_not_cached(self):
        state = {"fail": True}

        def flaky(x):
            if state["fail"]:
                raise ValueError("not yet")
            return x

        with self.assertRaises(ValueError):
            memocache.memoize(flaky, 5)
        state["fail"] = False
        self.assertEqual(memocache.memoize(flaky, 5), 5)
        self.assertEqual(memocache.cache_info()["size"], 1)

    def test_unhashable_argument(self):
        with self.assertRaises(TypeError):
            memocache.memoize(len, [1, 2, 3])
        self.assertEqual(memocache.cache_info()["size"], 0)

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            memocache.memoize()
        with self.assertRaises(TypeError):
            memocache.memoize(42, 1)
        with self.assertRaises(ValueError):
            memocache.set_maxsize(-5)

    def test_maxsize_evicts_oldest(self):
        ident = Recorder(lambda x: x)
        self.assertEqual(memocache.set_maxsize(3), memocache.DEFAULT_MAXSIZE)
        for value in range(5):
            memocache.memoize(ident, value)
        self.assertEqual(memocache.cache_info()["size"], 3)
        # 0 and 1 were evicted, 2..4 are still there.
        self.assertIsNone(memocache.peek(ident, 0))
        self.assertEqual(memocache.peek(ident, 4), 4)
        memocache.memoize(ident, 2)
        self.assertEqual(ident.calls, 5)

    def test_maxsize_zero_disables_cache(self):
        ident = Recorder(lambda x: x)
        memocache.set_maxsize(0)
        memocache.memoize(ident, 1)
        memocache.memoize(ident, 1)
        self.assertEqual(ident.calls, 2)
        self.assertEqual(memocache.cache_info()["size"], 0)

    def test_peek(self):
        ident = Recorder(lambda x: x)
        marker = object()
        self.assertIs(memocache.peek(ident, 1, default=marker), marker)
        memocache.memoize(ident, 1)
        self.assertEqual(memocache.peek(ident, 1, default=marker), 1)
        # Unhashable arguments are simply "not cached".
        self.assertIsNone(memocache.peek(ident, [1]))
        with self.assertRaises(TypeError):
            memocache.peek(ident, 1, bogus=2)
        self.assertEqual(ident.calls, 1)

    def test_threads_share_the_cache(self):
        ident = Recorder(lambda x: x)
        memocache.memoize(ident, "shared")
        results = []

        def worker():
            for _ in range(200):
                results.append(memocache.memoize(ident, "shared"))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, ["shared"] * 800)
        self.assertEqual(ident.calls, 1)


if __name__ == "__main__":
    unittest.main()
