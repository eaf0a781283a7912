"""Unit tests of the accuracy rig's ground-truth extractor and scorer, on synthetic pairs.

Run: python3 -m unittest test_accuracy (with bench/accuracy on sys.path; see accuracy-unit.test).
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "accuracy"))
import csource  # noqa: E402
import extract_ground_truth as gt  # noqa: E402
import score  # noqa: E402

OLD = r"""
#include <Python.h>
/* PyDict_GetItem(d, k) in a comment is not a call */
static PyObject *cache_a, *cache_b = NULL;
static PyObject *const fixed = NULL;
static PyTypeObject Foo_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    "m.Foo",
};
static const char *doc = "PyList_GetItem(x, 0)";

static PyObject *
lookup(PyObject *d, PyObject *k)
{
    PyObject *v = PyDict_GetItemWithError(d, k);
    return Py_XNewRef(v);
}

static PyObject *
unchanged(PyObject *d, PyObject *k)
{
    return Py_XNewRef(PyDict_GetItem(d, k));
}

static int
three(PyObject *list)
{
    PyObject *a = PyList_GetItem(list, 0);
    PyObject *b = PyList_GetItem(list, 1);
    PyObject *c = PyList_GetItem(list, 2);
    return a == b && b == c;
}

static PyObject *
vanished(PyObject *w)
{
    return PyWeakref_GetObject(w);
}

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "m"};

PyMODINIT_FUNC
PyInit_m(void)
{
    return PyModuleDef_Init(&def);
}

PyMODINIT_FUNC
PyInit_broken(void)
{
    return NULL;
}
"""

NEW = r"""
#include <Python.h>
static PyObject *cache_b = NULL;

static PyObject *
lookup(PyObject *d, PyObject *k)
{
    PyObject *v;
    if (PyDict_GetItemRef(d, k, &v) < 0) {
        return NULL;
    }
    return v;
}

static PyObject *
unchanged(PyObject *d, PyObject *k)
{
    return Py_XNewRef(PyDict_GetItem(d, k));
}

static int
three(PyObject *list)
{
    PyObject *a = PyList_GetItem(list, 0);
    return a != NULL;
}

static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "m", .m_slots = slots};

PyMODINIT_FUNC
PyInit_m(void)
{
    return PyModuleDef_Init(&def);
}

PyMODINIT_FUNC
PyInit_broken(void)
{
    return NULL;
}
"""


def line_of(text, needle, nth=1):
    count = 0
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(f"{needle!r} not in text")


class SourceReaderTest(unittest.TestCase):
    def test_functions_are_found_with_their_lines(self):
        src = csource.Source("old.c", OLD)
        names = [f[0] for f in src.functions]
        self.assertEqual(names, ["lookup", "unchanged", "three", "vanished", "PyInit_m", "PyInit_broken"])
        self.assertEqual(src.function_at(line_of(OLD, "PyDict_GetItemWithError")), "lookup")
        self.assertIsNone(src.function_at(line_of(OLD, "Foo_Type")))

    def test_comments_and_strings_are_not_calls(self):
        src = csource.Source("old.c", OLD)
        counts, _ = gt.count_calls(src, gt.BORROWED_APIS)
        self.assertNotIn(None, counts)
        total = sum(sum(c.values()) for c in counts.values())
        self.assertEqual(total, 1 + 1 + 3 + 1)  # PyDict_GetItem* twice, 3 list reads, 1 weakref

    def test_file_scope_objects(self):
        src = csource.Source("old.c", OLD)
        objects = csource.file_scope_objects(src)
        self.assertEqual([(k, n) for k, n, _ in objects],
                         [("object-pointer", "cache_a"), ("object-pointer", "cache_b"), ("static-type", "Foo_Type")])
        self.assertEqual(objects[2][2], line_of(OLD, "Foo_Type"))

    def test_long_initializer_does_not_hang(self):
        big = "static int table[] = {" + ", ".join(["f(1)"] * 20000) + "};\nint g(void) { return 0; }\n"
        src = csource.Source("big.c", big)
        self.assertEqual([f[0] for f in src.functions], ["g"])


class ExtractorTest(unittest.TestCase):
    def setUp(self):
        self.old = csource.Source("old.c", OLD)
        self.new = csource.Source("new.c", NEW)

    def test_borrowed_sites(self):
        entries, skipped = gt.borrowed_sites("m.c", self.old, self.new, None)
        got = {(e["function"], e["api"]): e for e in entries}
        self.assertEqual(set(got), {("lookup", "PyDict_GetItemWithError"), ("three", "PyList_GetItem")})
        self.assertEqual(got[("lookup", "PyDict_GetItemWithError")]["kind"], "replaced")
        self.assertEqual(got[("lookup", "PyDict_GetItemWithError")]["lines_311"], [line_of(OLD, "PyDict_GetItemWithError")])
        partial = got[("three", "PyList_GetItem")]
        self.assertEqual((partial["kind"], partial["sites"], len(partial["lines_311"])), ("removed", 2, 3))
        # `vanished` is gone in 3.13: not ground truth, but counted as skipped.
        self.assertEqual(skipped["function gone in 3.13"], 1)

    def test_swap_for_another_borrowed_api_is_not_a_port(self):
        old = csource.Source("a.c", "PyObject *f(PyObject *d, PyObject *k)\n{\n    return PyDict_GetItem(d, k);\n}\n")
        new = csource.Source("b.c", "PyObject *f(PyObject *d, PyObject *k)\n{\n"
                                    "    return PyDict_GetItemWithError(d, k);\n}\n")
        entries, skipped = gt.borrowed_sites("m.c", old, new, None)
        self.assertEqual(entries, [])
        self.assertEqual(skipped["replaced by another borrowed API in 3.13"], 1)

    def test_lines_the_build_does_not_compile_are_left_out(self):
        active = set(range(1, 200)) - {line_of(OLD, "PyDict_GetItemWithError")}
        entries, skipped = gt.borrowed_sites("m.c", self.old, self.new, active)
        self.assertNotIn("lookup", {e["function"] for e in entries})
        self.assertEqual(skipped["not compiled in 3.11"], 1)

    def test_global_sites(self):
        entries, kept, _ = gt.global_sites("m.c", self.old, self.new, None)
        self.assertEqual(sorted((e["kind"], e["name"]) for e in entries),
                         [("object-pointer", "cache_a"), ("static-type", "Foo_Type")])
        self.assertEqual([e["name"] for e in kept], ["cache_b"])

    def test_gil_sites_only_for_inits_that_create_a_module(self):
        entries = gt.gil_sites("m.c", self.old, self.new, None)
        self.assertEqual([(e["init"], e["how_313"]) for e in entries], [("PyInit_m", "Py_mod_gil")])

    def test_no_gil_entry_when_313_declares_nothing(self):
        new = csource.Source("new.c", NEW.replace("{Py_mod_gil, Py_MOD_GIL_NOT_USED}, ", ""))
        self.assertEqual(gt.gil_sites("m.c", self.old, new, None), [])


def finding(check, path, line, message):
    return {"check": check, "file": path, "line": line, "column": 1, "message": message}


class ScorerTest(unittest.TestCase):
    def setUp(self):
        self.tree = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.tree, "Modules"))
        with open(os.path.join(self.tree, "Modules", "m.c"), "w") as f:
            f.write(OLD)
        old, new = csource.Source("old.c", OLD), csource.Source("new.c", NEW)
        borrowed, _ = gt.borrowed_sites("Modules/m.c", old, new, None)
        globals_, _, _ = gt.global_sites("Modules/m.c", old, new, None)
        self.truth = {"borrowed_ref": borrowed, "global_state": globals_,
                      "gil_decl": gt.gil_sites("Modules/m.c", old, new, None)}
        self.path = os.path.join(self.tree, "Modules", "m.c")

    def report(self, *findings):
        return {"version": 1, "findings": list(findings)}

    def test_everything_found(self):
        list_lines = [line_of(OLD, "PyList_GetItem(list, %d)" % i) for i in range(3)]
        r = self.report(
            finding("gilport-borrowed-ref", self.path, line_of(OLD, "PyDict_GetItemWithError"),
                    "'PyDict_GetItemWithError' returns a borrowed reference"),
            *[finding("gilport-borrowed-ref", self.path, n, "'PyList_GetItem' returns a borrowed reference")
              for n in list_lines],
            finding("gilport-global-state", self.path, line_of(OLD, "cache_a"), "global pointer 'cache_a'"),
            finding("gilport-global-state", self.path, line_of(OLD, "Foo_Type") + 1, "static type 'Foo_Type'"),
            finding("gilport-missing-gil-decl", self.path, line_of(OLD, "PyInit_m"), "'PyInit_m' does not"))
        result = score.score_recall(self.truth, r, self.tree)
        # Three list findings, but only two of those sites changed: credited twice, not three times.
        self.assertEqual((result["borrowed-ref"]["found"], result["borrowed-ref"]["total"]), (3, 3))
        self.assertEqual((result["global-state"]["found"], result["global-state"]["total"]), (2, 2))
        self.assertEqual((result["gil-decl"]["found"], result["gil-decl"]["total"]), (1, 1))
        self.assertEqual(result["borrowed-ref"]["misses"], [])

    def test_misses_are_listed(self):
        r = self.report(
            # Right line, wrong API: not a match.
            finding("gilport-borrowed-ref", self.path, line_of(OLD, "PyDict_GetItemWithError"),
                    "'PyDict_GetItem' returns a borrowed reference"),
            finding("gilport-borrowed-ref", self.path, line_of(OLD, "PyList_GetItem(list, 0)"),
                    "'PyList_GetItem' returns a borrowed reference"),
            # Right name, too far from the definition.
            finding("gilport-global-state", self.path, line_of(OLD, "cache_a") + 10, "'cache_a'"))
        result = score.score_recall(self.truth, r, self.tree)
        self.assertEqual(result["borrowed-ref"]["found"], 1)
        self.assertAlmostEqual(result["borrowed-ref"]["recall"], 1 / 3)
        self.assertEqual(sorted(m["what"] for m in result["borrowed-ref"]["misses"]),
                         ["PyDict_GetItemWithError in lookup", "PyList_GetItem in three"])
        self.assertEqual(result["global-state"]["found"], 0)
        self.assertEqual(result["gil-decl"]["recall"], 0.0)

    def test_precision_and_stale_labels(self):
        line = line_of(OLD, "PyDict_GetItem(d, k))")
        text = " ".join(OLD.split("\n")[line - 1].split())
        labels = {
            ("gilport-borrowed-ref", "Modules/m.c", line): {"label": "false", "reason": "r", "source": text},
            ("gilport-global-state", "Modules/m.c", 4): {"label": "true", "reason": "r", "source": "moved away"},
        }
        r = self.report(finding("gilport-borrowed-ref", self.path, line, "'PyDict_GetItem'"),
                        finding("gilport-borrowed-ref", self.path, 3, "unlabelled"),
                        finding("gilport-global-state", self.path, 4, "'cache_a'"))
        result = score.score_precision(labels, r, self.tree)
        borrowed = result["checks"]["gilport-borrowed-ref"]
        self.assertEqual((borrowed["findings"], borrowed["labelled"], borrowed["false"]), (2, 1, 1))
        self.assertEqual(borrowed["precision"], 0.0)
        # The global-state label's source text no longer matches: stale, not counted.
        self.assertEqual(result["checks"]["gilport-global-state"]["labelled"], 0)
        self.assertEqual([s["line"] for s in result["stale_labels"]], [4])


if __name__ == "__main__":
    unittest.main()
