"""Unit tests of bench/fix-coverage.py's pure parts: no-fix reason grouping and new-finding
pairing. The corpus itself is not needed (CI does not have the snapshots).

Run: python3 -m unittest test_fix_coverage (see fix-coverage-unit.test).
"""

import collections
import importlib.util
import os
import sys
import unittest

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench")
sys.path.insert(0, BENCH)
# A kebab-case script: loaded from its path.
_spec = importlib.util.spec_from_file_location("fix_coverage", os.path.join(BENCH, "fix-coverage.py"))
fix_coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fix_coverage)


class NormaliseReason(unittest.TestCase):
    def test_quoted_identifiers_group(self):
        a = fix_coverage.normalise_reason("the module is created in 'init_a', not in the init function")
        b = fix_coverage.normalise_reason("the module is created in 'setup', not in the init function")
        self.assertEqual(a, b)
        self.assertEqual(a, "the module is created in '…', not in the init function")

    def test_apostrophe_in_a_word_is_no_quote(self):
        self.assertEqual(fix_coverage.normalise_reason("the init function's body ('m = f();')"),
                         "the init function's body ('…')")

    def test_counts_and_location_lists(self):
        self.assertEqual(
            fix_coverage.normalise_reason("a false promise while 33 findings are left unfixed "
                                          "(a.c:72 [gilport-global-state], a.c:73 [x], ...); use it"),
            "a false promise while N findings are left unfixed (…); use it")


class NewFindings(unittest.TestCase):
    def test_reworded_finding_is_not_new(self):
        before = collections.Counter([("gil", "a.c", "old text"), ("ref", "a.c", "x")])
        after = collections.Counter([("gil", "a.c", "new text"), ("ref", "a.c", "x")])
        self.assertEqual(fix_coverage.new_findings(before, after), [])

    def test_extra_finding_is_new(self):
        before = collections.Counter([("ref", "a.c", "x")])
        after = collections.Counter([("ref", "a.c", "x"), ("ref", "a.c", "y"), ("gs", "b.c", "z")])
        self.assertEqual(fix_coverage.new_findings(before, after), [("gs", "b.c", "z"), ("ref", "a.c", "y")])


if __name__ == "__main__":
    unittest.main()
