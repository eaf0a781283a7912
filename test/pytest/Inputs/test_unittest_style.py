# unittest-style tests: each method runs in threads too, with an instance of
# its class per run (setUp, the test, tearDown).
import unittest

import fmtmod


class FmtTest(unittest.TestCase):
    def setUp(self):
        self.values = list(range(20000))

    def test_fmt(self):
        for i in self.values:
            self.assertEqual(fmtmod.fmt(i), str(i))

    @unittest.skip("shows that a skip stays a skip")
    def test_skipped(self):
        self.fail("not run")
