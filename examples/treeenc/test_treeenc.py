"""Tests for the treeenc extension module.

Run as:  python test_treeenc.py [BUILD_DIR]

BUILD_DIR (or the environment variable EXAMPLES_BUILD_DIR) is the directory
that holds the built treeenc module; it is put first on sys.path.
"""

import enum
import json
import math
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
import treeenc  # noqa: E402


class Color(enum.IntEnum):
    RED = 1


class ScalarTests(unittest.TestCase):

    def test_constants(self):
        self.assertEqual(treeenc.encode(None), "null")
        self.assertEqual(treeenc.encode(True), "true")
        self.assertEqual(treeenc.encode(False), "false")

    def test_numbers(self):
        self.assertEqual(treeenc.encode(0), "0")
        self.assertEqual(treeenc.encode(-17), "-17")
        self.assertEqual(treeenc.encode(10 ** 30), str(10 ** 30))
        self.assertEqual(treeenc.encode(2.5), "2.5")
        self.assertEqual(treeenc.encode(0.1), "0.1")
        self.assertEqual(treeenc.encode(Color.RED), "1")

    def test_non_finite_floats(self):
        self.assertEqual(treeenc.encode(math.inf), "Infinity")
        self.assertEqual(treeenc.encode(-math.inf), "-Infinity")
        self.assertEqual(treeenc.encode(math.nan), "NaN")
        with self.assertRaises(ValueError):
            treeenc.encode([math.nan], {"allow_nan": False})

    def test_strings(self):
        self.assertEqual(treeenc.encode("abc"), '"abc"')
        self.assertEqual(treeenc.encode('say "hi"\n'), r'"say \"hi\"\n"')
        self.assertEqual(treeenc.encode("a\\b\tc\x01"), r'"a\\b\tc\u0001"')
        self.assertEqual(treeenc.encode("caf\u00e9 \u20ac \U0001f600"),
                         '"caf\u00e9 \u20ac \U0001f600"')
        self.assertEqual(treeenc.encode(""), '""')

    def test_strings_agree_with_json(self):
        for s in ["", "plain", "\x00\x1f\x7f", "\u2028", "tab\tquote\"",
                  "\U0010ffff"]:
            self.assertEqual(json.loads(treeenc.encode(s)), s)


class ContainerTests(unittest.TestCase):

    def test_list_and_tuple(self):
        self.assertEqual(treeenc.encode([]), "[]")
        self.assertEqual(treeenc.encode([1, "a", None]), '[1,"a",null]')
        self.assertEqual(treeenc.encode((1, (2, [3]))), "[1,[2,[3]]]")

    def test_list_subclass(self):
        class Row(list):
            pass

        self.assertEqual(treeenc.encode(Row([1, Row(["x"])])), '[1,["x"]]')

    def test_dict(self):
        self.assertEqual(treeenc.encode({}), "{}")
        self.assertEqual(treeenc.encode({"b": 1, "a": [True]}),
                         '{"b":1,"a":[true]}')

    def test_non_str_keys(self):
        with self.assertRaises(TypeError):
            treeenc.encode({1: "x"})
        with self.assertRaises(TypeError):
            treeenc.encode([{"ok": 1, (1, 2): "tuple key"}])

    def test_sort_keys(self):
        value = {"c": 3, "a": {"z": 1, "y": 2}, "b": 2}
        self.assertEqual(treeenc.encode(value, {"sort_keys": True}),
                         '{"a":{"y":2,"z":1},"b":2,"c":3}')
        with self.assertRaises(TypeError):
            treeenc.encode({"a": 1, 2: 2}, {"sort_keys": True})

    def test_roundtrip_through_json(self):
        value = {"name": "tree", "sizes": [1, 2, 3.25], "nested": {
            "empty": [], "flags": (True, False, None), "text": "x\ny"}}
        decoded = json.loads(treeenc.encode(value))
        self.assertEqual(decoded, json.loads(json.dumps(value)))

    def test_encode_bytes(self):
        self.assertEqual(treeenc.encode_bytes(["\u00e9"]),
                         '["\u00e9"]'.encode("utf-8"))


class OptionTests(unittest.TestCase):

    def test_separators(self):
        value = {"a": [1, 2]}
        self.assertEqual(treeenc.encode(value, {"separators": (", ", ": ")}),
                         '{"a": [1, 2]}')
        self.assertEqual(treeenc.encode(value, {"separators": [";", "="]}),
                         '{"a"=[1;2]}')
        with self.assertRaises(TypeError):
            treeenc.encode(value, {"separators": (",",)})
        with self.assertRaises(TypeError):
            treeenc.encode(value, {"separators": (1, 2)})

    def test_default(self):
        def default(obj):
            if isinstance(obj, set):
                return sorted(obj)
            if isinstance(obj, complex):
                return {"re": obj.real, "im": obj.imag}
            raise TypeError("unsupported: %r" % (obj,))

        self.assertEqual(treeenc.encode({3, 1, 2}, {"default": default}),
                         "[1,2,3]")
        self.assertEqual(treeenc.encode([1j], {"default": default}),
                         '[{"re":0.0,"im":1.0}]')
        with self.assertRaises(TypeError):
            treeenc.encode(object(), {"default": default})
        with self.assertRaises(TypeError):
            treeenc.encode(object())

    def test_max_depth(self):
        nested = []
        for _ in range(10):
            nested = [nested]
        self.assertEqual(treeenc.encode(nested, {"max_depth": 11}),
                         "[" * 11 + "]" * 11)
        with self.assertRaises(ValueError):
            treeenc.encode(nested, {"max_depth": 5})
        self.assertEqual(treeenc.encode(7, {"max_depth": 0}), "7")

    def test_cycle_is_reported(self):
        cyclic = []
        cyclic.append(cyclic)
        with self.assertRaises((ValueError, RecursionError)):
            treeenc.encode(cyclic)

    def test_bad_options(self):
        with self.assertRaises(TypeError):
            treeenc.encode(1, ["sort_keys"])
        with self.assertRaises(ValueError):
            treeenc.encode(1, {"max_depth": -1})
        self.assertEqual(treeenc.encode(1, None), "1")

    def test_module_attributes(self):
        self.assertEqual(treeenc.DEFAULT_MAX_DEPTH, 64)
        self.assertIsInstance(treeenc.__version__, str)


if __name__ == "__main__":
    unittest.main()
