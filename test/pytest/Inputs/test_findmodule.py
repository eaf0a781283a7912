"""Calls two modules that find themselves with PyState_FindModule."""
import findmodule
import findmodule_kept


def test_recreated():
    for _ in range(200):
        assert findmodule.module_name() == "findmodule"


def test_kept():
    for _ in range(200):
        assert findmodule_kept.module_name() == "findmodule_kept"
