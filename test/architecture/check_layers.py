"""Checks gilport's layering: every project #include points down or across.

Usage: check_layers.py SOURCE_ROOT

The layers, lowest first (see docs/architecture.md):
  analysis       clang and LLVM only
  rewrites       builds edits from what analysis/ finds
  checks         the checks, their registry and the per-unit context
  apply, config  side by side above checks/: apply merges and writes the
                 checks' fixes; config reads, validates and merges
                 .gilport.yaml (options are checked against the registry)
  tool           the driver
A file may include its own layer and any layer below it; two layers side by
side do not include each other. Also fails on a cycle between files (a .h
and its .cpp count as one file), and on a C or C++ source over 1,000 lines
outside test/ and examples/.
"""
import os
import re
import sys

RANKS = {"analysis": 0, "rewrites": 1, "checks": 2, "apply": 3, "config": 3,
         "tool": 4}
# Generated at build time next to the checks (the embedded doc pages).
GENERATED = {"CheckDocs.inc"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
MAX_LINES = 1000
CLANG_PARENTS = re.compile(r"\.getParents\s*\(|\bhas(?:Parent|Ancestor)\s*\(")
PARENT_INDEX = "analysis/Parents.cpp"


def layer_of(path):
    return path.split("/", 1)[0]


def unit_of(path):
    return os.path.splitext(path)[0]


def main():
    root = sys.argv[1]
    problems = []
    edges = {}
    files = 0
    for layer in RANKS:
        for dirpath, _, names in os.walk(os.path.join(root, layer)):
            for name in sorted(names):
                if not name.endswith((".h", ".cpp", ".def")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), root)
                files += 1
                text = open(os.path.join(root, path), encoding="utf-8").read()
                if path != PARENT_INDEX and CLANG_PARENTS.search(text):
                    problems.append("%s asks clang's parent map; use parentsOf "
                                    "(analysis/Parents.h)" % path)
                for target in INCLUDE.findall(text):
                    if target in GENERATED:
                        continue
                    to_layer = layer_of(target)
                    if to_layer not in RANKS:
                        continue  # clang, llvm and the C++ library
                    if not os.path.exists(os.path.join(root, target)):
                        problems.append("%s includes '%s', which does not exist"
                                        % (path, target))
                        continue
                    if RANKS[to_layer] > RANKS[layer]:
                        problems.append("%s (%s) includes '%s' from the layer "
                                        "above it (%s)"
                                        % (path, layer, target, to_layer))
                    elif RANKS[to_layer] == RANKS[layer] and to_layer != layer:
                        problems.append("%s (%s) includes '%s' from the layer "
                                        "beside it (%s)"
                                        % (path, layer, target, to_layer))
                    if unit_of(target) != unit_of(path):
                        edges.setdefault(unit_of(path), set()).add(unit_of(target))
    problems += cycles(edges)
    for top in ("analysis", "rewrites", "checks", "apply", "config", "tool",
                "runtime-shim", "unittests"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith((".c", ".cpp", ".h")):
                    full = os.path.join(dirpath, name)
                    with open(full, encoding="utf-8") as f:
                        lines = sum(1 for _ in f)
                    if lines > MAX_LINES:
                        problems.append("%s has %d lines (at most %d)"
                                        % (os.path.relpath(full, root), lines,
                                           MAX_LINES))
    for problem in problems:
        print("layering: " + problem)
    print("%d files read, %d problems" % (files, len(problems)))
    return 1 if problems else 0


def cycles(edges):
    """One message per cycle found by a depth-first search."""
    found = []
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                loop = stack[stack.index(nxt):] + [nxt]
                found.append("include cycle: " + " -> ".join(loop))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


if __name__ == "__main__":
    sys.exit(main())
