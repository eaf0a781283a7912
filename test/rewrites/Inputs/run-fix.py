#!/usr/bin/env python3
"""Fixes a copy of a lit test input with gilport and prints what happened.

Usage: run-fix.py --gilport BIN --check CHECKS --out DIR INPUT
                  [--header FILE ...] [--compile PYTHON ...] [-- GILPORT_ARGS...]

The input and the headers (copied to DIR/Inputs/) have their CHECK comments
blanked (line numbers are kept). gilport fixes the copy; its report and every
file it changed are printed for FileCheck:

  ==== report ====
  ...
  ==== fixed NAME ====
  ...

A second fix run must change nothing (idempotence). With --compile, the fixed
input is compiled with `clang-19 -fsyntax-only -Wall -Werror` against the
headers of each given interpreter.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

CHECK_COMMENT = re.compile(r"^[ \t]*//[ \t]*[A-Z][A-Z0-9-]*:.*$", re.M)


def copy_stripped(source, destination):
    with open(source, encoding="utf-8") as f:
        text = CHECK_COMMENT.sub("", f.read())
    with open(destination, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def snapshot(paths):
    result = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            result[path] = f.read()
    return result


def include_dir(python):
    return subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"], text=True).strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gilport", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--compile", action="append", default=[])
    parser.add_argument("input")
    parser.add_argument("gilport_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    extra = args.gilport_args[1:] if args.gilport_args[:1] == ["--"] else args.gilport_args

    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(os.path.join(args.out, "Inputs"))
    target = os.path.join(args.out, os.path.basename(args.input))
    copy_stripped(args.input, target)
    files = [target]
    for header in args.header:
        copied = os.path.join(args.out, "Inputs", os.path.basename(header))
        copy_stripped(header, copied)
        files.append(copied)
    before = snapshot(files)

    command = [args.gilport, "check", "--fix", target, "--checks=-*," + args.check,
               "--format=text", "--color=never"]
    python = os.environ.get("GILPORT_TEST_PYTHON")
    if python:
        command.append("--python=" + python)
    command += extra
    first = subprocess.run(command, capture_output=True, text=True)
    if first.returncode not in (0, 1):
        sys.exit("gilport fix failed (%d):\n%s%s" % (first.returncode, first.stdout, first.stderr))
    print("==== report ====")
    print(first.stdout)
    after = snapshot(files)
    for path in files:
        if after[path] != before[path]:
            print("==== fixed %s ====" % os.path.basename(path))
            print(after[path])

    second = subprocess.run(command, capture_output=True, text=True)
    if second.returncode not in (0, 1) or snapshot(files) != after:
        sys.stderr.write(second.stdout + second.stderr)
        sys.exit("a second gilport fix run changed the files (not idempotent)")

    for python in args.compile:
        compile_command = ["clang-19", "-fsyntax-only", "-Wall", "-Werror",
                           "-isystem", include_dir(python), "-I", args.out, target]
        if target.endswith(".cpp"):
            compile_command.insert(1, "-xc++")
        proc = subprocess.run(compile_command, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            sys.exit("the fixed file does not compile against %s" % python)


if __name__ == "__main__":
    main()
