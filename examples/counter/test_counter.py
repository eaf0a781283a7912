"""Tests for the counter extension module.

Run as:  python test_counter.py [BUILD_DIR]

BUILD_DIR (or the environment variable EXAMPLES_BUILD_DIR) is the directory
that holds the built counter module; it is put first on sys.path.
"""

import gc
import os
import sys
import unittest
import weakref


def _setup_path():
    build_dir = None
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        build_dir = sys.argv.pop(1)
    build_dir = build_dir or os.environ.get("EXAMPLES_BUILD_DIR")
    if build_dir:
        sys.path.insert(0, os.path.abspath(build_dir))


_setup_path()
import counter  # noqa: E402


class CounterTests(unittest.TestCase):

    def test_defaults(self):
        c = counter.Counter()
        self.assertEqual((c.value, c.start, c.step), (0, 0, 1))
        self.assertIsNone(c.limit)
        self.assertIsNone(c.label)
        self.assertEqual(c.increment(), 1)
        self.assertEqual(c.increment(3), 4)
        self.assertEqual(c.increment(0), 4)

    def test_start_and_step(self):
        c = counter.Counter(10, -2)
        self.assertEqual(c.increment(), 8)
        self.assertEqual(c.increment(5), -2)
        c.reset()
        self.assertEqual(c.value, 10)

    def test_value_is_writable(self):
        c = counter.Counter()
        c.value = 41
        self.assertEqual(c.increment(), 42)
        with self.assertRaises(TypeError):
            c.value = "many"
        with self.assertRaises(AttributeError):
            del c.value
        with self.assertRaises(AttributeError):
            c.step = 3

    def test_bad_arguments(self):
        with self.assertRaises(counter.CounterError):
            counter.Counter(step=0)
        with self.assertRaises(TypeError):
            counter.Counter(on_limit=5)
        with self.assertRaises(counter.CounterError):
            counter.Counter(start=5, limit=3)
        with self.assertRaises(ValueError):
            counter.Counter().increment(-1)

    def test_limit_raises(self):
        c = counter.Counter(start=10, step=5, limit=20, label="retries")
        self.assertEqual(c.limit, 20)
        self.assertEqual(c.increment(), 15)
        with self.assertRaises(counter.CounterError) as cm:
            c.increment(2)
        self.assertIn("'retries'", str(cm.exception))
        self.assertIn("20", str(cm.exception))
        # The failed increment left the value alone.
        self.assertEqual(c.value, 15)
        self.assertEqual(c.increment(), 20)

    def test_on_limit_callback_restarts(self):
        seen = []
        c = counter.Counter(step=1, limit=2, on_limit=seen.append)
        values = [c.increment() for _ in range(5)]
        self.assertEqual(values, [1, 2, 0, 1, 2])
        self.assertEqual(seen, [c])

    def test_callback_exception_propagates(self):
        def boom(c):
            raise KeyError("boom")

        c = counter.Counter(limit=0, on_limit=boom)
        with self.assertRaises(KeyError):
            c.increment()
        self.assertEqual(c.value, 0)

    def test_overflow(self):
        c = counter.Counter(start=2 ** 63 - 2)
        self.assertEqual(c.increment(), 2 ** 63 - 1)
        with self.assertRaises(counter.CounterError):
            c.increment()
        with self.assertRaises(counter.CounterError):
            counter.Counter(step=2 ** 62).increment(4)

    def test_error_is_an_exception_class(self):
        self.assertTrue(issubclass(counter.CounterError, Exception))
        self.assertEqual(counter.CounterError.__module__, "counter")

    def test_label_and_repr(self):
        c = counter.Counter(label=("job", 7))
        self.assertEqual(c.label, ("job", 7))
        self.assertIn("('job', 7)", repr(c))
        c.label = None
        self.assertIsNone(c.label)
        self.assertIn("value=0", repr(c))

    def test_subclass(self):
        class Named(counter.Counter):
            def __init__(self, name, **kwargs):
                super().__init__(**kwargs)
                self.name = name

        n = Named("pages", step=10)
        self.assertEqual(n.increment(), 10)
        self.assertEqual(n.name, "pages")
        self.assertIsInstance(n, counter.Counter)

    def test_instance_statistics(self):
        gc.collect()
        created = counter.instances()
        alive = counter.alive()
        counters = [counter.Counter() for _ in range(5)]
        self.assertEqual(counter.instances(), created + 5)
        self.assertEqual(counter.alive(), alive + 5)
        del counters
        gc.collect()
        self.assertEqual(counter.instances(), created + 5)
        self.assertEqual(counter.alive(), alive)

    def test_reference_cycle_is_collected(self):
        # The counter refers to its callback and the callback (a bound
        # method of a holder object) refers back to the counter.
        class Holder:
            def hit(self, c):
                pass

        gc.collect()
        alive = counter.alive()
        holder = Holder()
        holder.counter = counter.Counter(limit=1, on_limit=holder.hit,
                                         label=holder)
        probe = weakref.ref(holder)
        del holder
        gc.collect()
        self.assertIsNone(probe())
        self.assertEqual(counter.alive(), alive)


if __name__ == "__main__":
    unittest.main()
