# unittest-style tests: pytest runs them through unittest, not as test
# functions, so gilport pytest runs them once and says so.
import unittest

import fmtmod


class FmtTest(unittest.TestCase):
    def test_fmt(self):
        self.assertEqual(fmtmod.fmt(42), "42")
