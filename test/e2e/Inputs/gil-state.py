"""Imports a module from a build directory and prints whether the GIL is on.

Usage: python3.13t gil-state.py BUILD_DIR MODULE
"""
import importlib
import sys
import warnings

sys.path.insert(0, sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    importlib.import_module(sys.argv[2])
print("gil-enabled:", sys._is_gil_enabled())
print("warnings:", len(caught))
