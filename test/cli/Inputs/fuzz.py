#!/usr/bin/env python3
"""A small fuzz pass over gilport's inputs, for test/cli/fuzz.test.

Usage: fuzz.py --gilport BIN --python PY --work DIR --seed N --cases N SOURCE...

Four kinds of case, in turn: random bytes as a .c file; a real source (one of SOURCE)
truncated at a random offset; a random mutation of a valid compile_commands.json; a random
mutation of a valid .gilport.yaml. Each case runs `gilport check` (every third one `gilport
fix`) in a fresh folder under a time limit, and holds when:
  - gilport ends by itself within the limit, with exit status 0, 1 or 2 (no signal, no
    abort: no "LLVM ERROR" or stack dump);
  - no input file changed (for `fix`, only the .c file may change, and no temporary file of
    gilport's is left behind).
Prints each case that fails, then "fuzz: N cases tried, M held". Standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

TIME_LIMIT = 60


def digest(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def mutate_text(rng, text):
    """One of: delete a span, duplicate a span, insert random bytes, swap two lines."""
    if not text:
        return text
    kind = rng.randrange(4)
    a = rng.randrange(len(text))
    b = min(len(text), a + rng.randrange(1, 40))
    if kind == 0:
        return text[:a] + text[b:]
    if kind == 1:
        return text[:b] + text[a:b] + text[b:]
    if kind == 2:
        noise = "".join(chr(rng.choice([rng.randrange(32, 127), 10, 0x7b, 0x7d, 0x22, 0x3a]))
                        for _ in range(rng.randrange(1, 12)))
        return text[:a] + noise + text[a:]
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def mutate_database(rng, entries):
    """A structural change to the database's entries, or a textual one to its JSON."""
    entries = json.loads(json.dumps(entries))
    kind = rng.randrange(6)
    e = entries[0]
    if kind == 0:
        e.pop(rng.choice(["directory", "file", "arguments"]), None)
    elif kind == 1:
        e[rng.choice(["directory", "file", "arguments"])] = rng.choice([42, None, [], {}, "", True])
    elif kind == 2:
        e["arguments"] = e["arguments"] + [rng.choice(["-fanalyzer", "-fhardened", "@missing.rsp",
                                                       "-Xclang", "-I", "-D", "--", "-x", "c++"])]
    elif kind == 3:
        e["directory"] = e["directory"] + "/no/such/dir" * rng.randrange(1, 3)
    elif kind == 4:
        entries = entries * rng.randrange(2, 4)
    else:
        return mutate_text(rng, json.dumps(entries))
    return json.dumps(entries)


CONFIG = """Checks: 'gilport-*'
WarningsAsErrors: ''
CheckOptions:
  gilport-global-state.ConvertToModuleState: true
  gilport-global-state.AtomicCounters: false
MinimumPython: '3.9'
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gilport", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    include = subprocess.check_output(
        [args.python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
        text=True).strip()
    texts = []
    for path in args.sources:
        with open(path, encoding="utf-8", errors="replace") as f:
            texts.append(f.read())
    shutil.rmtree(args.work, ignore_errors=True)
    held = 0
    for case in range(args.cases):
        folder = os.path.join(args.work, "case%03d" % case)
        os.makedirs(folder)
        source = os.path.join(folder, "m.c")
        kind = case % 4
        base = rng.choice(texts)
        if kind == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 4096)))
            with open(source, "wb") as f:
                f.write(data)
        else:
            with open(source, "w", encoding="utf-8") as f:
                f.write(base[:rng.randrange(len(base) + 1)] if kind == 1 else base)
        if kind == 2:
            entries = [{"directory": folder, "file": "m.c",
                        "arguments": ["cc", "-c", "m.c", "-I" + include]}]
            with open(os.path.join(folder, "compile_commands.json"), "w") as f:
                f.write(mutate_database(rng, entries))
        if kind == 3:
            with open(os.path.join(folder, ".gilport.yaml"), "w") as f:
                f.write(mutate_text(rng, CONFIG))
        command = "fix" if case % 3 == 0 else "check"
        before = digest(folder)
        argv = [args.gilport, command, folder, "--python=" + args.python, "-j1"]
        problem = None
        try:
            proc = subprocess.run(argv, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=TIME_LIMIT, errors="replace", text=True)
            if proc.returncode not in (0, 1, 2):
                problem = "exit status %d" % proc.returncode
            elif "LLVM ERROR" in proc.stderr or "Stack dump" in proc.stderr:
                problem = "abort: " + proc.stderr.strip().splitlines()[0]
        except subprocess.TimeoutExpired:
            problem = "no end within %d s" % TIME_LIMIT
        after = digest(folder)
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        allowed = {"m.c", "gilport_compat.h"} if command == "fix" else set()
        if not problem and [p for p in changed if p not in allowed]:
            problem = "changed or left: " + ", ".join(p for p in changed if p not in allowed)
        if problem:
            print("fuzz: case %d (%s, %s) failed: %s" % (case, ["bytes", "truncated", "database",
                                                            "config"][kind], command, problem))
        else:
            held += 1
    print("fuzz: %d cases tried, %d held" % (args.cases, held))
    return 0 if held == args.cases else 1


if __name__ == "__main__":
    sys.exit(main())
