# A suite with a test that crashes the process and one that never ends:
# gilport pytest reports both and still runs the tests after them.
import time

import fmtmod


def test_before():
    assert fmtmod.fmt(1) == "1"


def test_crash():
    fmtmod.crash()


def test_hang():
    time.sleep(600)


def test_after():
    assert fmtmod.fmt(2) == "2"
