"""Writes a small extension tree with a compile database, for compile-database.test.

Usage: make-db-tree.py ROOT STYLE PYTHON_INCLUDE

ROOT/src/{a,b}.c each have a borrowed-reference finding that only exists when
GILPORT_TEST_FLAG is defined, and only the database defines it: a file that
gets inferred flags instead has no finding. STYLE picks the database:
  cmake     build/compile_commands.json, absolute paths ("command" strings)
  meson     build/compile_commands.json, "file" relative to build/
  badjson   build/compile_commands.json that is not JSON
  nodir     like cmake, but a.c's "directory" does not exist
  gccflags  like cmake, with flags gcc accepts and clang rejects
  rsp       like cmake, with the define in a response file (@flags.rsp)
  skbuild   scikit-build-core's build/{wheel_tag}/compile_commands.json: the
            newest of two tags has the define, an older one does not
"""
import json
import os
import sys

root, style, include = sys.argv[1], sys.argv[2], sys.argv[3]
src = os.path.join(root, "src")
build = os.path.join(root, "build")
os.makedirs(src, exist_ok=True)
os.makedirs(build, exist_ok=True)
for name in ("a", "b"):
    with open(os.path.join(src, name + ".c"), "w") as f:
        f.write(
            "#include <Python.h>\n"
            "\n"
            "PyObject *first_%s(PyObject *list) {\n"
            "#ifdef GILPORT_TEST_FLAG\n"
            "  return Py_XNewRef(PyList_GetItem(list, 0));\n"
            "#else\n"
            "  return NULL;\n"
            "#endif\n"
            "}\n" % name)

gcc_only = ["-fhardened", "-fno-gnu-unique", "-fconserve-stack", "-fipa-pta",
            "-fvar-tracking-assignments", "-flto-partition=one", "-fanalyzer",
            "-fprofile-use"]
entries = []
for name in ("a", "b"):
    flags = ["-DGILPORT_TEST_FLAG", "-I" + include]
    if style == "gccflags":
        flags = gcc_only + flags
    if style == "rsp":
        with open(os.path.join(build, "flags.rsp"), "w") as f:
            f.write("-DGILPORT_TEST_FLAG '-I%s'\n" % include)
        flags = ["@flags.rsp"]
    directory = build
    if style == "nodir" and name == "a":
        directory = os.path.join(root, "gone", "build")
    path = os.path.join(src, name + ".c")
    if style == "meson":
        entries.append({"directory": build, "file": "../src/%s.c" % name,
                        "arguments": ["cc"] + flags + ["-c", "../src/%s.c" % name]})
    else:
        entries.append({"directory": directory, "file": path,
                        "command": " ".join(["/usr/bin/cc"] + flags + ["-c", path])})
if style == "skbuild":
    # An older build for another interpreter, without the define, first.
    older = os.path.join(build, "cp312-cp312-linux_x86_64")
    os.makedirs(older, exist_ok=True)
    with open(os.path.join(older, "compile_commands.json"), "w") as f:
        json.dump([dict(e, command=e["command"].replace("-DGILPORT_TEST_FLAG ", ""))
                   for e in entries], f, indent=1)
    os.utime(os.path.join(older, "compile_commands.json"), (1e9, 1e9))
    build = os.path.join(build, "cp313-cp313t-linux_x86_64")
    os.makedirs(build, exist_ok=True)
with open(os.path.join(build, "compile_commands.json"), "w") as f:
    if style == "badjson":
        f.write('[{"directory": "%s", "file": ' % build)
    else:
        json.dump(entries, f, indent=1)
