# The project's own tests of fmtmod: each passes when run alone.
import pytest

import fmtmod

# Made once by the thread that imports the tests; every test thread reads it.
SHARED = [object()]


def test_fmt():
    for i in range(20000):
        assert fmtmod.fmt(i) == str(i)


def test_fmt_rejects_negative():
    with pytest.raises(ValueError):
        fmtmod.fmt(-1)


def test_first():
    for _ in range(2000):
        assert fmtmod.first(SHARED) is SHARED[0]


def test_prints(capsys):
    print(fmtmod.fmt(7))
    assert capsys.readouterr().out == "7\n"


@pytest.mark.thread_unsafe
def test_marked():
    assert fmtmod.fmt(12) == "12"


def test_named_in_config():
    assert fmtmod.fmt(5) == "5"
