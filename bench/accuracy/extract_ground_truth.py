#!/usr/bin/env python3
"""Derives gilport's accuracy ground truth from CPython's own port, 3.11 -> 3.13.

Usage: extract_ground_truth.py OLD_TREE NEW_TREE [-o bench/accuracy/ground-truth.json]

OLD_TREE is a prepared CPython 3.11 tree (scripts/prepare-cpython-tree.sh): its
compile_commands.json names the Modules/ files a real build compiles, and `clang-19 -E` with
each file's own command tells which lines are compiled. NEW_TREE is CPython 3.13's source
(a prepared tree or the extracted source package). For each Modules/ file compiled in OLD_TREE
that exists at the same path in NEW_TREE, three kinds of sites are ground truth:

  borrowed-ref   a call of a borrowed-reference API (list below) in function F of the 3.11 file,
                 where F in the 3.13 file has fewer calls of that API. kind "replaced" when the
                 3.13 F also gained calls of a strong-reference ("Ref") replacement, else
                 "removed". A call that 3.13 swapped for another borrowed API of the same family
                 (PyDict_GetItem -> PyDict_GetItemWithError) is not counted. When 3.13 keeps some of the calls, the entry lists every 3.11 line
                 and `sites` says how many of them were replaced or removed.
  global-state   a file-scope `PyObject *` (or other `Py...Object *`) variable, or a statically
                 allocated `PyTypeObject`, of the 3.11 file whose name is no longer defined at
                 file scope in the 3.13 file (moved into module state, made a heap type, or
                 replaced by the runtime's own state).
  gil-decl       a `PyInit_*` function of the 3.11 file that creates a module (itself or through
                 a helper in the file) and whose 3.13 file declares `Py_mod_gil` (multi-phase)
                 or calls `PyUnstable_Module_SetGIL` (single-phase).

Functions are matched by name within the same file (RENAMED maps the few files 3.12/3.13
renamed or merged); a function absent from the 3.13 file is
not used (counted under `skipped`). Only lines the 3.11 build compiles count. The analysis is
textual and independent of gilport (see csource.py). The output is reviewed by hand and kept
in the repository, so that a change in the extractor shows up in review.
"""

import argparse
import collections
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csource  # noqa: E402
# benchlib (helpers shared by the bench/ drivers) is in bench/, this folder's parent.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import compile_db  # noqa: E402

# Borrowed-reference APIs whose 3.13 port CPython did by hand, with the strong-reference APIs
# that replace them. Sources: Doc/howto/free-threading-extensions.rst (3.13) and
# Doc/data/refcounts.dat; the private ones from Include/internal and Include/cpython of 3.11.
_DICT_REFS = ("PyDict_GetItemRef", "PyDict_GetItemStringRef", "PyMapping_GetOptionalItem",
              "PyMapping_GetOptionalItemString", "_PyDict_GetItemRef_KnownHash",
              "_PyDict_GetItemRef_Unicode_LockHeld", "PyDict_Pop", "PyDict_PopString",
              "PyDict_SetDefaultRef", "PyDict_Contains", "PyDict_ContainsString")
REF_REPLACEMENTS = {
    "PyList_GetItem": ("PyList_GetItemRef",),
    "PyList_GET_ITEM": ("PyList_GetItemRef",),
    "PyDict_GetItem": _DICT_REFS,
    "PyDict_GetItemWithError": _DICT_REFS,
    "PyDict_GetItemString": _DICT_REFS,
    "PyDict_SetDefault": ("PyDict_SetDefaultRef",),
    "_PyDict_GetItemWithError": _DICT_REFS,
    "_PyDict_GetItemStringWithError": _DICT_REFS,
    "_PyDict_GetItemIdWithError": _DICT_REFS,
    "_PyDict_GetItemId": _DICT_REFS,
    "_PyDict_GetItem_KnownHash": _DICT_REFS,
    "PyWeakref_GetObject": ("PyWeakref_GetRef",),
    "PyWeakref_GET_OBJECT": ("PyWeakref_GetRef",),
    "PyImport_AddModule": ("PyImport_AddModuleRef",),
    "PyImport_AddModuleObject": ("PyImport_AddModuleRef",),
    "PyEval_GetGlobals": ("PyEval_GetFrameGlobals",),
    "PyEval_GetLocals": ("PyEval_GetFrameLocals",),
    "PyEval_GetBuiltins": ("PyEval_GetFrameBuiltins",),
    "PyCell_GET": ("PyCell_Get",),
}
BORROWED_APIS = tuple(sorted(REF_REPLACEMENTS))
# Borrowed APIs that can stand in for one another: 3.13 swapping one for another of the same
# family (PyDict_GetItem -> PyDict_GetItemWithError) is not a port to a strong reference.
_FAMILIES = {"PyDict_": "dict", "_PyDict_": "dict", "PyList_": "list", "PyWeakref_": "weakref",
             "PyImport_": "import", "PyEval_": "frame", "PyCell_": "cell"}


def family(api):
    return next(f for prefix, f in _FAMILIES.items() if api.startswith(prefix))


# Files that 3.12/3.13 renamed or merged (git log --follow on CPython's history).
RENAMED = {
    "Modules/sha256module.c": "Modules/sha2module.c",
    "Modules/sha512module.c": "Modules/sha2module.c",
    "Modules/_sha3/sha3module.c": "Modules/sha3module.c",
    "Modules/_xxsubinterpretersmodule.c": "Modules/_interpretersmodule.c",
}


def load_commands(tree):
    """{relative Modules/ path: (argv, directory, file)} from the tree's compile_commands.json."""
    commands = {}
    for path, entry in compile_db(tree):
        rel = os.path.relpath(path, os.path.realpath(tree))
        if rel.startswith("Modules" + os.sep) and rel.endswith(".c"):
            argv = entry.get("arguments") or entry["command"].split()
            commands.setdefault(rel, (argv, entry["directory"], entry["file"]))
    return commands


def count_calls(source, names):
    """{function: Counter(api -> count)} and {function: {api: [lines]}} over `names`."""
    counts = collections.defaultdict(collections.Counter)
    lines = collections.defaultdict(lambda: collections.defaultdict(list))
    for name, bodies in source.function_bodies().items():
        for body, offset in bodies:
            for api, line in source.calls(names, body, offset):
                counts[name][api] += 1
                lines[name][api].append(line)
    return counts, lines


def borrowed_sites(rel, old, new, active):
    """Ground-truth borrowed-reference entries for one file, and what was skipped."""
    all_refs = sorted({r for refs in REF_REPLACEMENTS.values() for r in refs})
    old_counts, old_lines = count_calls(old, BORROWED_APIS)
    new_counts, _ = count_calls(new, BORROWED_APIS)
    old_refs, _ = count_calls(old, all_refs)
    new_refs, _ = count_calls(new, all_refs)
    new_functions = set(new.function_bodies())
    entries, skipped = [], collections.Counter()
    for function in sorted(old_counts):
        for api in sorted(old_counts[function]):
            lines = sorted(line for line in old_lines[function][api] if active is None or line in active)
            if not lines:
                skipped["not compiled in 3.11"] += old_counts[function][api]
                continue
            if function not in new_functions:
                skipped["function gone in 3.13"] += len(lines)
                continue
            kept = new_counts[function][api]
            if kept >= len(lines):
                continue
            # Calls of this family that 3.13 dropped in this function, whatever the API.
            fam = family(api)
            family_dropped = (sum(n for a, n in old_counts[function].items() if family(a) == fam)
                              - sum(n for a, n in new_counts[function].items() if family(a) == fam))
            if family_dropped <= 0:
                skipped["replaced by another borrowed API in 3.13"] += len(lines) - kept
                continue
            refs = REF_REPLACEMENTS[api]
            gained = sum(new_refs[function][r] for r in refs) - sum(old_refs[function][r] for r in refs)
            entries.append({
                "file": rel, "function": function, "api": api,
                "kind": "replaced" if gained > 0 else "removed",
                "sites": len(lines) - kept, "lines_311": lines,
                "calls_311": len(lines), "calls_313": kept,
                "ref_calls_gained_313": max(gained, 0),
            })
    return entries, skipped


def global_sites(rel, old, new, active):
    new_names = csource.file_scope_names(new)
    entries, kept, skipped = [], [], collections.Counter()
    for kind, name, line in csource.file_scope_objects(old):
        if active is not None and line not in active:
            skipped["not compiled in 3.11"] += 1
            continue
        if name in new_names:
            kept.append({"file": rel, "name": name, "kind": kind, "line_311": line})
            continue
        entries.append({"file": rel, "name": name, "kind": kind, "line_311": line})
    return entries, kept, skipped


_INIT = re.compile(r"^PyInit_\w+$")


_CREATES_MODULE = re.compile(r"\b(PyModuleDef_Init|PyModule_Create2?|PyModule_New(Object)?|PyModule_FromDefAndSpec2?)\s*\(")


def creates_module(source, init):
    """Whether PyInit_ function `init` creates a module, itself or through a same-file helper.

    Test modules have PyInit_ functions that only return NULL or raise: no module, nothing to
    declare.
    """
    bodies = source.function_bodies()
    body = "".join(text for text, _ in bodies.get(init, []))
    if _CREATES_MODULE.search(body):
        return True
    for callee in set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", body)):
        if callee != init and any(_CREATES_MODULE.search(text) for text, _ in bodies.get(callee, [])):
            return True
    return False


def gil_sites(rel, old, new, active):
    declares = re.search(r"\bPy_mod_gil\b", new.text)
    single = re.search(r"\bPyUnstable_Module_SetGIL\s*\(", new.text)
    new_inits = {name for name, *_ in new.functions if _INIT.match(name)}
    entries = []
    for name, start, _, _, _ in old.functions:
        if not _INIT.match(name) or (active is not None and start not in active):
            continue
        if name not in new_inits or not (declares or single) or not creates_module(old, name):
            continue
        entries.append({"file": rel, "init": name, "line_311": start,
                        "how_313": "Py_mod_gil" if declares else "PyUnstable_Module_SetGIL"})
    return entries


def analyse(item):
    rel, (argv, directory, file), old_tree, new_tree = item
    new_path = os.path.join(new_tree, RENAMED.get(rel, rel))
    if not os.path.exists(new_path):
        return rel, None
    old = csource.Source(os.path.join(old_tree, rel))
    new = csource.Source(new_path)
    active = csource.active_lines(argv, directory, file)
    borrowed, skipped_b = borrowed_sites(rel, old, new, active)
    globals_, kept, skipped_g = global_sites(rel, old, new, active)
    gil = gil_sites(rel, old, new, active)
    return rel, {"borrowed": borrowed, "globals": globals_, "kept_globals": kept, "gil": gil,
                 "skipped_borrowed": skipped_b, "skipped_globals": skipped_g,
                 "preprocessed": active is not None}


def version_of(tree):
    patch = os.path.join(tree, "Include", "patchlevel.h")
    with open(patch) as f:
        m = re.search(r'#define PY_VERSION\s+"([^"]+)"', f.read())
    return m.group(1) if m else "unknown"


def extract(old_tree, new_tree, jobs=2):
    commands = load_commands(old_tree)
    items = [(rel, commands[rel], old_tree, new_tree) for rel in sorted(commands)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(analyse, items))
    truth = {"version": 1, "old": version_of(old_tree), "new": version_of(new_tree),
             "borrowed_apis": {api: list(refs) for api, refs in sorted(REF_REPLACEMENTS.items())},
             "files_compared": [], "files_only_in_old": [], "files_not_preprocessed": [],
             "borrowed_ref": [], "global_state": [], "gil_decl": [], "global_state_kept": [],
             "skipped": {}}
    skipped = collections.Counter()
    for rel, result in results:
        if result is None:
            truth["files_only_in_old"].append(rel)
            continue
        truth["files_compared"].append(rel)
        if not result["preprocessed"]:
            truth["files_not_preprocessed"].append(rel)
        truth["borrowed_ref"] += result["borrowed"]
        truth["global_state"] += result["globals"]
        truth["global_state_kept"] += result["kept_globals"]
        truth["gil_decl"] += result["gil"]
        for reason, n in result["skipped_borrowed"].items():
            skipped["borrowed-ref: " + reason] += n
        for reason, n in result["skipped_globals"].items():
            skipped["global-state: " + reason] += n
    truth["skipped"] = dict(sorted(skipped.items()))
    truth["summary"] = {
        "files_compared": len(truth["files_compared"]),
        "borrowed_ref_sites": sum(e["sites"] for e in truth["borrowed_ref"]),
        "borrowed_ref_replaced_sites": sum(e["sites"] for e in truth["borrowed_ref"] if e["kind"] == "replaced"),
        "global_state_sites": len(truth["global_state"]),
        "global_state_static_types": sum(1 for e in truth["global_state"] if e["kind"] == "static-type"),
        "gil_decl_modules": len(truth["gil_decl"]),
    }
    return truth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old_tree")
    parser.add_argument("new_tree")
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    truth = extract(os.path.abspath(args.old_tree), os.path.abspath(args.new_tree), args.jobs)
    text = json.dumps(truth, indent=1, sort_keys=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output + ".tmp", "w") as f:
            f.write(text)
        os.replace(args.output + ".tmp", args.output)
    print(json.dumps(truth["summary"]), file=sys.stderr)


if __name__ == "__main__":
    main()
