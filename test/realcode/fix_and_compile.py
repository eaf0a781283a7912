"""Runs `gilport fix` on a copy of CPython 3.11's Modules/ and recompiles it.

Usage: fix_and_compile.py GILPORT TREE WORKDIR

The copy keeps CPython's own compile commands (rewritten to point into the
copy). Every Modules/ file that compiled before the fix must compile after
it, with the same command (syntax only). A second fix run must change
nothing. Prints the counts: files changed, findings fixed, findings left and
the reasons they were left.
"""

import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def make_copy(tree, work):
    """A copy of the prepared tree's Modules/ under `work` (the rest symlinked), with its
    compile_commands.json pointing into the copy."""
    copy = os.path.join(work, "tree")
    os.makedirs(copy)
    for name in os.listdir(tree):
        source = os.path.join(tree, name)
        if name == "Modules":
            shutil.copytree(source, os.path.join(copy, name), symlinks=True,
                            ignore=shutil.ignore_patterns("*.o", "*.so"))
        elif name != "compile_commands.json":
            os.symlink(source, os.path.join(copy, name))
    with open(os.path.join(tree, "compile_commands.json")) as f:
        text = f.read()
    with open(os.path.join(copy, "compile_commands.json"), "w") as f:
        f.write(text.replace(os.path.realpath(tree).rstrip("/"), copy))
    return copy


def module_commands(copy):
    with open(os.path.join(copy, "compile_commands.json")) as f:
        entries = json.load(f)
    prefix = os.path.join(copy, "Modules") + os.sep
    commands = {}
    for entry in entries:
        if not entry["file"].startswith(prefix):
            continue
        args = list(entry["arguments"])
        # Syntax only: same flags, no object file.
        if "-o" in args:
            at = args.index("-o")
            del args[at:at + 2]
        args = [a for a in args if a != "-c"] + ["-fsyntax-only"]
        commands[entry["file"]] = (entry["directory"], args)
    return commands


def compiles(item):
    file, (directory, args) = item
    proc = subprocess.run(args, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return file, proc.returncode == 0, proc.stderr


def compile_all(commands):
    with ThreadPoolExecutor(max_workers=2) as pool:
        return {file: (ok, err) for file, ok, err in pool.map(compiles, sorted(commands.items()))}


def digest_tree(root):
    digests = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                digests[path] = hashlib.sha256(f.read()).hexdigest()
    return digests


def run_gilport(gilport, mode, copy, report):
    proc = subprocess.run([gilport, mode, os.path.join(copy, "Modules"), "-p", copy, "-j2", "--format=json",
                           "-o", report], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"gilport {mode} exited with {proc.returncode}")
    with open(report) as f:
        return json.load(f)


def main():
    gilport, tree, work = sys.argv[1:4]
    copy = make_copy(os.path.abspath(tree), os.path.abspath(work))
    commands = module_commands(copy)
    before = compile_all(commands)
    compiled_before = {file for file, (ok, _) in before.items() if ok}
    print(f"Modules TUs with compile commands: {len(commands)}")
    print(f"compiled before the fix: {len(compiled_before)}")

    checked = run_gilport(gilport, "check", copy, os.path.join(work, "check.json"))
    digests_before = digest_tree(os.path.join(copy, "Modules"))
    fixed = run_gilport(gilport, "fix", copy, os.path.join(work, "fix.json"))
    digests_after = digest_tree(os.path.join(copy, "Modules"))
    changed = sorted(p for p in digests_after if digests_before.get(p) != digests_after[p])

    after = compile_all(commands)
    broken = sorted(file for file in compiled_before if not after[file][0])
    for file in broken:
        sys.stderr.write(f"--- {file} no longer compiles:\n{after[file][1][:3000]}\n")
    print(f"files changed: {len(changed)}")
    print(f"still compile after the fix: {'yes' if not broken else 'NO (%d broken)' % len(broken)}")

    totals = collections.Counter(f["check"] for f in checked["findings"])
    left = collections.Counter(f["check"] for f in fixed["findings"])
    for check in sorted(totals):
        print(f"{check}: fixed {totals[check] - left[check]} of {totals[check]}")
    reasons = collections.Counter(f.get("no_fix_reason", "(the check offers no fix)").split(";")[0][:90]
                                  for f in fixed["findings"])
    print("most common reasons for no fix:")
    for reason, count in reasons.most_common(8):
        print(f"  {count:4d}  {reason}")
    # Every reason of the checks whose fixes are rewrites of the code.
    for check in ("gilport-borrowed-ref", "gilport-unlocked-container-access"):
        per_check = collections.Counter(f.get("no_fix_reason", "(no reason given)").split(";")[0][:90]
                                        for f in fixed["findings"] if f["check"] == check)
        print(f"{check}: reasons for no fix:")
        for reason, count in sorted(per_check.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:4d}  {reason}")
    overlapping = sum("overlap" in f.get("no_fix_reason", "") for f in fixed["findings"])
    print(f"findings left because their edits overlap another finding's: {overlapping}")

    again = run_gilport(gilport, "fix", copy, os.path.join(work, "fix2.json"))
    digests_again = digest_tree(os.path.join(copy, "Modules"))
    idempotent = digests_again == digests_after
    print(f"second fix run changes nothing: {'yes' if idempotent else 'NO'}")
    if len(again["findings"]) != len(fixed["findings"]):
        print(f"note: the second run fixed {len(fixed['findings']) - len(again['findings'])} more findings")
    sys.exit(0 if not broken and idempotent else 1)


if __name__ == "__main__":
    main()
