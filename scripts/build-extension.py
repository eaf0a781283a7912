#!/usr/bin/env python3
"""Build a CPython C extension module for an interpreter, without setuptools.

Usage:
    build-extension.py --python INTERP --out DIR SOURCE.c [MORE.c ...]
                       [--name MODNAME] [--cflags FLAGS] [--cc CC] [--verbose]

The path of the built module is printed on stdout; exit status 0 on success,
1 if the compiler failed, 2 for usage errors or when the interpreter cannot be
queried.  The builder itself is runtime-shim/harness/build_extension.py, which
the stress harness uses too; this command is its wrapper for scripts, bench/
and the tests.
"""

import os
import sys

sys.dont_write_bytecode = True   # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "runtime-shim", "harness"))
import build_extension  # noqa: E402

if __name__ == "__main__":
    sys.exit(build_extension.main())
