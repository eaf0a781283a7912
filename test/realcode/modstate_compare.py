"""Compares gilport's module-state conversion of CPython 3.11 modules with
what CPython 3.13 did to the same modules by hand.

Usage: modstate_compare.py GILPORT TREE311 SRC313 WORKDIR MODULE...

MODULE is a path under Modules/ (e.g. _testinternalcapi.c). For each, a copy
of the 3.11 tree's Modules/ is fixed with gilport-global-state
(ConvertToModuleState) and gilport-missing-gil-decl, compiled with CPython's
own compile command (syntax only) before and after, and fixed a second time
(which must change nothing). Then the fixed 3.11 file and the 3.13 file are
compared structure by structure: the module state's fields, the exec
function, heap and static types, the globals left, the declared
subinterpreter support, and why gilport left each global where it was.
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fix_and_compile import make_copy, module_commands  # noqa: E402

STATE_STRUCT = re.compile(r"typedef\s+struct\s*\w*\s*\{([^{}]*)\}\s*(\w*state\w*)\s*;")
FIELD = re.compile(r"(\w+)\s*(?:\[[^\]]*\])?\s*;\s*$")
EXEC_SLOT = re.compile(r"\{\s*Py_mod_exec\s*,\s*(?:\([^)]*\)\s*)?(\w+)\s*\}")
HEAP_TYPE = re.compile(r"\bPyType_From(?:ModuleAndSpec|SpecWithBases|Spec|MetaclassAndSpec|Metaclass)\s*\(")
STATIC_TYPE = re.compile(r"^(?:static\s+)?PyTypeObject\s+\w+\s*=", re.M)
GLOBAL_OBJECT = re.compile(r"^static\s+PyObject\s*\*\s*\w+\s*(?:=\s*NULL\s*)?;", re.M)
INTERPRETERS = re.compile(r"\{\s*Py_mod_multiple_interpreters\s*,\s*(\w+)\s*\}")
SPEC_NAME = re.compile(r"PyType_Spec\s+\w+\s*=\s*\{[^}]*?\.name\s*=\s*\"([^\"]+)\"", re.S)
TYPE_SLOT = re.compile(r"\{\s*(Py_(?:tp|nb|sq|mp|am|bf)_\w+)\s*,")


def without_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def structure(text):
    code = without_comments(text)
    fields = []
    for body, _ in STATE_STRUCT.findall(code):
        for line in body.splitlines():
            match = FIELD.search(line.strip())
            if match:
                fields.append(match.group(1))
    interpreters = INTERPRETERS.findall(code)
    return {
        "fields": sorted(fields),
        "exec": EXEC_SLOT.findall(code),
        "heap_types": len(HEAP_TYPE.findall(code)),
        "static_types": len(STATIC_TYPE.findall(code)),
        "globals": len(GLOBAL_OBJECT.findall(code)),
        "interpreters": interpreters[0] if interpreters else "(none)",
        "specs": sorted(SPEC_NAME.findall(code)),
        "slots": len(TYPE_SLOT.findall(code)),
    }


def syntax_ok(command):
    directory, args = command
    proc = subprocess.run(args, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc.returncode == 0, proc.stderr


def read(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def main():
    gilport, tree, src313, work = sys.argv[1:5]
    modules = sys.argv[5:]
    copy = make_copy(tree, work)
    commands = module_commands(copy)
    for module in modules:
        path = os.path.join(copy, "Modules", module)
        print("== %s" % module)
        command = commands.get(path)
        if command is None:
            print("no compile command")
            continue
        before_ok, _ = syntax_ok(command)
        report = os.path.join(work, os.path.basename(module) + ".json")
        def fix(report, mode="fix"):
            return [gilport, mode, path, "-p", copy, "--format=json", "-o", report,
                    "--checks=-*,gilport-global-state,gilport-missing-gil-decl",
                    "--check-option=gilport-global-state.ConvertToModuleState=true",
                    # 3.13's ports made these modules per-interpreter: compare
                    # with the same aim (3.11's single-phase modules would
                    # otherwise only be checked for data races).
                    "--targets=free-threading,subinterpreters"]
        # What the fix will move: the findings that have one, before it runs.
        subprocess.run(fix(report + ".check", "check"), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(report + ".check") as f:
            planned = json.load(f)["findings"]
        first = subprocess.run(fix(report), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if first.returncode not in (0, 1):
            sys.exit("gilport failed on %s: %s" % (module, first.stderr))
        fixed = read(path)
        after_ok, errors = syntax_ok(command)
        second = subprocess.run(fix(report + ".2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        unchanged = second.returncode in (0, 1) and read(path) == fixed
        print("compiles before: %s, after: %s; second run changes nothing: %s"
              % ("yes" if before_ok else "no", "yes" if after_ok else "no", "yes" if unchanged else "no"))
        if not after_ok:
            print(errors[:2000])
        original = read(os.path.join(tree, "Modules", module))
        mine = structure(fixed)
        theirs = structure(read(os.path.join(src313, "Modules", module)))
        print("converted to multi-phase: %s" % ("already" if "PyModuleDef_Init" in original
                                                  else "yes" if "PyModuleDef_Init" in fixed else "no"))
        for key, label in (("fields", "state fields"), ("exec", "exec function"),
                           ("heap_types", "heap type creations"), ("static_types", "static types"),
                           ("globals", "static PyObject* globals"),
                           ("interpreters", "Py_mod_multiple_interpreters"),
                           ("specs", "heap type specs"), ("slots", "type slots")):
            print("%s: gilport %s | 3.13 %s" % (label, mine[key], theirs[key]))
        with open(report) as f:
            findings = json.load(f)["findings"]
        for finding in findings:
            if finding["check"] != "gilport-global-state" or finding.get("fix_available"):
                continue
            name = re.search(r"'([^']+)'", finding["message"]).group(1)
            print("left global: %s: %s" % (name, finding.get("no_fix_reason", "")))
        moved = sorted(re.search(r"'([^']+)'", f["message"]).group(1) for f in planned
                       if f["check"] == "gilport-global-state" and f.get("fix_available"))
        print("moved by gilport: %d %s" % (len(moved), moved if moved else ""))


if __name__ == "__main__":
    main()
