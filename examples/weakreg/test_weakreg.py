"""Tests for the weakreg extension module.

Run as:  python test_weakreg.py [BUILD_DIR]

BUILD_DIR (or the environment variable EXAMPLES_BUILD_DIR) is the directory
that holds the built weakreg module; it is put first on sys.path.
"""

import gc
import os
import sys
import unittest


def _setup_path():
    build_dir = None
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        build_dir = sys.argv.pop(1)
    build_dir = build_dir or os.environ.get("EXAMPLES_BUILD_DIR")
    if build_dir:
        sys.path.insert(0, os.path.abspath(build_dir))


_setup_path()
import weakreg  # noqa: E402


class Target:
    """A weakly referenceable object."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Target(%r)" % self.name


def collect():
    # Objects die as soon as their last reference goes on CPython, but
    # collect anyway so the tests do not depend on reference counting.
    gc.collect()


class RegistryTests(unittest.TestCase):

    def setUp(self):
        weakreg.clear()

    def test_register_and_lookup(self):
        t = Target("a")
        self.assertIsNone(weakreg.register("a", t))
        self.assertIs(weakreg.lookup("a"), t)
        self.assertIsNone(weakreg.lookup("missing"))
        self.assertEqual(weakreg.lookup("missing", 42), 42)

    def test_registry_does_not_keep_objects_alive(self):
        t = Target("b")
        weakreg.register("b", t)
        del t
        collect()
        self.assertEqual(weakreg.lookup("b", "gone"), "gone")
        # The dead entry was dropped by the lookup.
        self.assertEqual(weakreg.purge(), 0)

    def test_replace_entry(self):
        first, second = Target(1), Target(2)
        weakreg.register("k", first)
        weakreg.register("k", second)
        self.assertIs(weakreg.lookup("k"), second)
        self.assertEqual(weakreg.live_count(), 1)

    def test_any_hashable_key(self):
        t = Target("c")
        weakreg.register(("tuple", 1), t)
        weakreg.register(7, t)
        self.assertIs(weakreg.lookup(("tuple", 1)), t)
        self.assertIs(weakreg.lookup(7), t)
        with self.assertRaises(TypeError):
            weakreg.register(["unhashable"], t)
        with self.assertRaises(TypeError):
            weakreg.lookup(["unhashable"])

    def test_not_weakly_referenceable(self):
        with self.assertRaises(TypeError):
            weakreg.register("int", 12345)
        with self.assertRaises(TypeError):
            weakreg.register("t", Target("x"), callback=3)

    def test_callback(self):
        called = []
        t = Target("d")
        weakreg.register("d", t, callback=called.append)
        del t
        collect()
        self.assertEqual(len(called), 1)

    def test_unregister(self):
        t = Target("e")
        weakreg.register("e", t)
        self.assertIs(weakreg.unregister("e"), True)
        self.assertIs(weakreg.unregister("e"), False)
        self.assertIsNone(weakreg.lookup("e"))

    def test_live_count_snapshot_and_purge(self):
        keep = [Target(i) for i in range(3)]
        drop = [Target(i) for i in range(3, 5)]
        for t in keep + drop:
            weakreg.register(t.name, t)
        self.assertEqual(weakreg.live_count(), 5)
        del drop, t
        collect()
        self.assertEqual(weakreg.live_count(), 3)
        snap = weakreg.snapshot()
        self.assertEqual(snap, {0: keep[0], 1: keep[1], 2: keep[2]})
        self.assertEqual(weakreg.purge(), 2)
        self.assertEqual(weakreg.purge(), 0)
        self.assertEqual(weakreg.live_count(), 3)

    def test_register_main(self):
        main = sys.modules["__main__"]
        target = Target("from-main")
        main.weakreg_test_target = target
        try:
            weakreg.register_main("weakreg_test_target")
            self.assertIs(weakreg.lookup("weakreg_test_target"), target)
            weakreg.register_main("weakreg_test_target", "alias")
            self.assertIs(weakreg.lookup("alias"), target)
            with self.assertRaises(NameError):
                weakreg.register_main("no_such_global_in_main")
        finally:
            del main.weakreg_test_target
        del target
        collect()
        self.assertIsNone(weakreg.lookup("alias"))

    def test_clear(self):
        t = Target("f")
        weakreg.register("f", t)
        weakreg.clear()
        self.assertEqual(weakreg.live_count(), 0)
        self.assertIsNone(weakreg.lookup("f"))


if __name__ == "__main__":
    unittest.main()
