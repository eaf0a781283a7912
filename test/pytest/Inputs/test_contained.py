# A suite with a test that crashes the process and one that never ends:
# gilport pytest reports both and still runs the tests after them.
import subprocess
import time

import fmtmod


def test_before():
    assert fmtmod.fmt(1) == "1"


def test_crash():
    fmtmod.crash()


def test_hang():
    # A process of the test's own, which must not outlive the run.
    subprocess.Popen(["sleep", "617"])
    time.sleep(600)


def test_after():
    assert fmtmod.fmt(2) == "2"
