#!/usr/bin/env python3
"""Runs one gilport check on a lit test input and FileChecks the result.

Usage: check_gilport.py --gilport=BIN INPUT CHECK_NAME TEMP [-- GILPORT_ARGS...]

The input carries its expectations as comments:
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: ... [gilport-x]
  // CHECK-FIXES: expected fixed line
The CHECK comments are blanked in a copy (line numbers are kept), gilport is
run on the copy with only CHECK_NAME enabled, and the output is FileChecked
with -implicit-check-not so that any unexpected warning fails the test.
When the input has CHECK-FIXES lines, gilport also fixes a copy: the fixed
file is FileChecked, and a second fix run must change nothing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

CHECK_COMMENT = re.compile(r"^[ \t]*//[ \t]*CHECK-(MESSAGES|FIXES|NOTES)[A-Z0-9-]*:.*$", re.M)


def run(args, **kwargs):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def filecheck(input_text, check_file, prefix, implicit_not):
    args = ["FileCheck", check_file, "--check-prefix=" + prefix, "--dump-input=fail"]
    if implicit_not:
        args += ["-implicit-check-not={{warning|error}}:"]
    proc = subprocess.run(args, input=input_text, text=True, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit(f"FileCheck failed for {prefix}")


def gilport_command(gilport, subcommand, path, check_name, extra):
    command = [gilport, subcommand, path, "--checks=-*," + check_name, "--format=text", "--color=never"]
    python = os.environ.get("GILPORT_TEST_PYTHON")
    if python:
        command.append("--python=" + python)
    return command + extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gilport", required=True)
    parser.add_argument("input")
    parser.add_argument("check_name")
    parser.add_argument("temp")
    parser.add_argument("--check-suffix", default="", help="use CHECK-MESSAGES-<SUFFIX> and CHECK-FIXES-<SUFFIX>")
    parser.add_argument("gilport_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    extra = args.gilport_args[1:] if args.gilport_args[:1] == ["--"] else args.gilport_args

    suffix = "-" + args.check_suffix if args.check_suffix else ""
    messages_prefix = "CHECK-MESSAGES" + suffix
    fixes_prefix = "CHECK-FIXES" + suffix

    with open(args.input, encoding="utf-8") as f:
        original = f.read()
    has_messages = re.search(r"//\s*%s:" % re.escape(messages_prefix), original) is not None
    has_fixes = re.search(r"//\s*%s:" % re.escape(fixes_prefix), original) is not None
    stripped = CHECK_COMMENT.sub("", original)

    extension = os.path.splitext(args.input)[1]
    os.makedirs(os.path.dirname(os.path.abspath(args.temp)), exist_ok=True)
    # The copy sits next to nothing; let it find the test's own headers.
    include_args = ["--extra-arg=-I" + os.path.dirname(os.path.abspath(args.input))]
    temp_file = args.temp + extension
    with open(temp_file, "w", encoding="utf-8") as f:
        f.write(stripped)

    proc = run(gilport_command(args.gilport, "check", temp_file, args.check_name, include_args + extra))
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"gilport check exited with {proc.returncode}")
    if (proc.returncode == 1) != has_messages:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"gilport check exited with {proc.returncode}, but the test "
                 f"{'expects' if has_messages else 'does not expect'} findings")
    output = proc.stdout
    print("------------------------ gilport output -----------------------")
    print(output)
    if has_messages:
        filecheck(output, args.input, messages_prefix, implicit_not=True)
    elif re.search(r"(warning|error):", output):
        sys.exit("unexpected findings (the test has no %s lines)" % messages_prefix)

    if not has_fixes:
        return
    fixed_file = args.temp + ".fixed" + extension
    shutil.copyfile(temp_file, fixed_file)
    fix = run(gilport_command(args.gilport, "fix", fixed_file, args.check_name, include_args + extra))
    if fix.returncode not in (0, 1):
        sys.stderr.write(fix.stdout + fix.stderr)
        sys.exit(f"gilport fix exited with {fix.returncode}")
    with open(fixed_file, encoding="utf-8") as f:
        fixed = f.read()
    print("------------------------ fixed file ---------------------------")
    print(fixed)
    filecheck(fixed, args.input, fixes_prefix, implicit_not=False)
    again = run(gilport_command(args.gilport, "fix", fixed_file, args.check_name, include_args + extra))
    with open(fixed_file, encoding="utf-8") as f:
        fixed_again = f.read()
    if again.returncode not in (0, 1) or fixed_again != fixed:
        sys.stderr.write(again.stdout + again.stderr)
        sys.exit("a second gilport fix run changed the file (not idempotent)")


if __name__ == "__main__":
    main()
