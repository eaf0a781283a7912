"""Unit tests of bench/ported-findings.py's scoring: labels are found by project, check, file,
line and column, a label whose source line changed is stale, and a finding without one is listed.
The ported corpus itself is not needed.

Run: python3 -m unittest test_ported_findings (see ported-findings-unit.test).
"""

import importlib.util
import json
import os
import sys
import unittest

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench")
sys.path.insert(0, BENCH)
_spec = importlib.util.spec_from_file_location("ported_findings",
                                               os.path.join(BENCH, "ported-findings.py"))
ported_findings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ported_findings)


def finding(line, source, check="gilport-borrowed-ref"):
    return {"project": "p", "check": check, "file": "m.c", "line": line, "column": 5,
            "source": source}


class Score(unittest.TestCase):
    def test_true_false_stale_and_unlabelled(self):
        labels = [dict(finding(1, "a = f(d);"), label="true"),
                  dict(finding(2, "b = f(d);"), label="false"),
                  dict(finding(3, "c = f(d);"), label="true")]
        found = [finding(1, "a = f(d);"), finding(2, "b = f(d);"),
                 finding(3, "c = g(d);"), finding(4, "e = f(d);")]
        s = ported_findings.score(found, labels)["gilport-borrowed-ref"]
        self.assertEqual((s["labelled"], s["true"], s["false"]), (2, 1, 1))
        self.assertEqual(s["stale"], ["p: m.c:3"])
        self.assertEqual(s["unlabelled"], ["p: m.c:4"])

    def test_labels_are_per_check(self):
        labels = [dict(finding(1, "x;"), label="true")]
        s = ported_findings.score([finding(1, "x;", "gilport-global-state")], labels)
        self.assertEqual(s["gilport-global-state"]["unlabelled"], ["p: m.c:1"])

    def test_committed_labels_are_well_formed(self):
        with open(ported_findings.LABELS) as f:
            labels = json.load(f)["labels"]
        keys = set()
        for label in labels:
            self.assertIn(label["label"], ("true", "false"))
            self.assertEqual(len(label["labellers"]), 2)
            if label["labellers"][0] != label["labellers"][1]:
                self.assertIn("adjudication", label)
            key = (label["project"], label["check"], label["file"], label["line"], label["column"])
            self.assertNotIn(key, keys)
            keys.add(key)


if __name__ == "__main__":
    unittest.main()
