"""Builds modules that modstate_compare.py fixed as shared objects against the
CPython 3.11 tree and runs their CPython tests with the tree's interpreter.

Usage: modstate_runtime.py TREE311 WORKDIR

WORKDIR is modstate_compare.py's: the fixed files are in WORKDIR/tree/Modules.
- _zoneinfo (a shared extension in CPython too) is built under its own name
  and found first on PYTHONPATH; test_zoneinfo runs against it.
- _collections is built into the interpreter, so the fixed file is built as
  _collections_gp and put in place of _collections before collections is
  imported; test_deque and test_defaultdict run against it.
Prints one line per module: whether the module is the converted one (its
types are heap types), and the tests run and failed.
"""

import os
import subprocess
import sys

FLAGS = ["-shared", "-fPIC", "-DNDEBUG", "-O1", "-Wall", "-Werror", "-std=c11",
         "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-fvisibility=hidden",
         "-I./Include/internal", "-I./Include", "-I."]

RUNNER = r"""
import sys, importlib
sys.path.insert(0, OUT)
module = importlib.import_module(NAME)
if ALIAS:
    # In place before anything imports the built-in one.
    assert "collections" not in sys.modules
    sys.modules[ALIAS] = module
import unittest
types = [getattr(module, t) for t in TYPES]
heap = all(t.__flags__ & (1 << 9) for t in types)
suite = unittest.TestSuite()
for test in TESTS:
    suite.addTests(unittest.defaultTestLoader.loadTestsFromName("test." + test))
result = unittest.TextTestRunner(stream=open("/dev/null", "w")).run(suite)
failed = sorted(t.id().rsplit(".", 1)[-1] for t, _ in result.failures + result.errors)
print("%s: heap types %s; %d tests run, %d failed %s" % (NAME, heap, result.testsRun,
      len(failed), failed))
"""


def build(tree, source, out, name, extra):
    target = os.path.join(out, name + ".cpython-311-x86_64-linux-gnu.so")
    proc = subprocess.run(["gcc"] + FLAGS + extra + [source, "-o", target], cwd=tree,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        print("%s: does not build: %s" % (name, proc.stderr[:2000]))
        return False
    return True


def run(tree, out, name, alias, types, tests):
    code = ("OUT=%r\nNAME=%r\nALIAS=%r\nTYPES=%r\nTESTS=%r\n" % (out, name, alias, types, tests)
            + RUNNER)
    proc = subprocess.run([os.path.join(tree, "python"), "-S", "-c", code], cwd=out,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, PYTHONPATH=out))
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        print("%s: the tests did not run: %s" % (name, proc.stderr[-2000:]))


def main():
    tree, work = sys.argv[1:3]
    modules = os.path.join(work, "tree", "Modules")
    out = os.path.join(work, "built")
    os.makedirs(out, exist_ok=True)
    if build(tree, os.path.join(modules, "_zoneinfo.c"), out, "_zoneinfo", []):
        run(tree, out, "_zoneinfo", "", ["ZoneInfo"], ["test_zoneinfo"])
    with open(os.path.join(modules, "_collectionsmodule.c")) as f:
        text = f.read()
    renamed = os.path.join(modules, "_collections_gp.c")
    with open(renamed, "w") as f:
        f.write(text.replace("PyInit__collections(", "PyInit__collections_gp(")
                .replace('"_collections",', '"_collections_gp",'))
    if build(tree, renamed, out, "_collections_gp", ["-DPy_BUILD_CORE_MODULE", "-I./Modules"]):
        run(tree, out, "_collections_gp", "_collections", ["deque", "defaultdict"],
            ["test_deque", "test_defaultdict"])


if __name__ == "__main__":
    main()
