"""Does a fixed third-party extension build, import with the GIL left off, and pass its own
tests on the free-threaded 3.13t interpreter? The runtime half of bench/fix-coverage.py.

For one project of bench/thirdparty/projects.json and each of its two trees (the original and
the one `gilport fix` edited), `measure_runtime` does, under the 3.13t interpreter
(benchlib.cached_python):
  1. site: a scratch folder with the project's Python package(s) copied from the tree, as
     the project's `runtime.site` maps them ({name in site: path in tree}); each extension
     module of `modules` is built into it with scripts/build-extension.py (the module's
     sources, `runtime.extra_sources` (globs) for the libraries it links in, the project's
     include dirs and defines, `runtime.build_flags`; warnings are not errors, as in a
     setup.py build);
  2. import: once every module is built, each is imported in a fresh interpreter with
     PYTHONPATH=site and no PYTHON_GIL in the environment, recording whether it imported,
     whether sys._is_gil_enabled() is True afterwards, and the RuntimeWarnings the
     interpreter gave for enabling the GIL. Twice for a module inside a package: by a plain
     `import` (the package's __init__ runs, and may load the package's other modules or
     need a PyPI package), and alone, with its parent packages stubbed by empty package
     objects so that no __init__.py runs (`runtime.import_first` names the sibling modules
     that one needs, such as a capsule's provider);
  3. tests: the project's own tests (`runtime.tests`: pytest arguments, run in the tree or in
     the site folder) with Debian's pytest (PYTHONPATH=site:/usr/lib/python3/dist-packages),
     with a time limit; passed/failed/errors/skipped from pytest's summary line and the
     failing test ids, and whether the GIL was on when the session ended (a module that does
     not declare Py_mod_gil turns it on: then the tests ran with the GIL). A project whose
     tests cannot run here says why in `runtime.tests.unavailable`;
  4. stress (when fix-coverage passes its gilport): `gilport stress` on each module that
     imports, with the workload it derives and one fixed seed (STRESS_ARGS), the same for
     both trees; the findings by check, and those after the fix that no finding before it
     matches by check and function;
  5. threaded tests (the same): the tests of step 3 under `gilport pytest`, each test in 4
     threads at once (bench/threadtests.py).

Standard library only.
"""

import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

from benchlib import BUILD_EXT, cached_python, run_for_report
import threadtests

DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"
GIL_DECLARATION = re.compile(r"\bPy_mod_gil\b|\bPyUnstable_Module_SetGIL\b")
BUILD_TIMEOUT = 900
IMPORT_TIMEOUT = 120
TESTS_TIMEOUT = 600
STRESS_TIMEOUT = 600
# The same for both trees: the derived workload, one seed, short phases.
STRESS_ARGS = ["--seed", "1", "--duration", "2", "--threads", "4", "--leak-rounds", "3"]

# Run by the 3.13t interpreter: argv[1] is "package" (a plain import, the package's __init__
# runs) or "alone" (the parent packages are stubbed by empty package objects, so that no other
# module of the package is loaded; the modules named after the site folder are imported first,
# for a module that needs a sibling), argv[2] the dotted module name, argv[3] the site folder.
# Prints one JSON object on its last line.
IMPORT_SCRIPT = r"""
import importlib, json, os, sys, types, warnings
mode, name, site, first = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
caught = []
def record(message, category, filename, lineno, file=None, line=None):
    caught.append("%s: %s" % (category.__name__, message))
warnings.showwarning = record
warnings.simplefilter("always")
result = {"gil_at_start": sys._is_gil_enabled(), "error": "", "first": first}
if mode == "alone":
    parts = name.split(".")
    for i in range(1, len(parts)):
        package = types.ModuleType(".".join(parts[:i]))
        package.__path__ = [os.path.join(site, *parts[:i])]
        sys.modules[package.__name__] = package
module = None
try:
    for other in first:
        importlib.import_module(other)
    module = importlib.import_module(name)
except Exception as exc:
    result["error"] = "%s: %s" % (type(exc).__name__, exc)
result["imported"] = module is not None
result["file"] = getattr(module, "__file__", "") or ""
result["gil_enabled"] = sys._is_gil_enabled()
result["warnings"] = caught
print(json.dumps(result))
"""

# A pytest plugin (-p gilport_gil_probe) that records whether the GIL was on when the test
# session ended: before the fix a module that does not declare Py_mod_gil turns it on, and
# the tests then run with the GIL.
GIL_PROBE = """
import json, os, sys
def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["GILPORT_GIL_PROBE"], "w") as f:
        json.dump({"gil_enabled": sys._is_gil_enabled()}, f)
"""

SUMMARY_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b")
FAILED_LINE = re.compile(r"^(FAILED|ERROR) (\S+)")


def runtime_python():
    return cached_python()


def clean_env(pythonpath):
    """The environment for the 3.13t interpreter: no PYTHON* variable of ours (in particular
    no PYTHON_GIL: the module decides), PYTHONPATH as given, no bytecode written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def declares_gil(tree, sources):
    """Whether any of the module's sources names Py_mod_gil or PyUnstable_Module_SetGIL
    (a static look, so that a GIL state can be read against it)."""
    for src in sources:
        try:
            with open(os.path.join(tree, src), errors="replace") as f:
                if GIL_DECLARATION.search(f.read()):
                    return True
        except OSError:
            pass
    return False


def make_site(runtime, tree, site):
    """Copies the project's Python files into SITE; returns the entries it could not find."""
    os.makedirs(site, exist_ok=True)
    missing = []
    for name, rel in runtime.get("site", {}).items():
        src = os.path.join(tree, rel)
        dst = os.path.join(site, name)
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
        elif os.path.exists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
        else:
            missing.append(rel)
    return missing


def first_error(text):
    for line in text.splitlines():
        if ": error:" in line or "undefined reference" in line or "error: " in line:
            return line.strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def build_module(python, project, runtime, tree, site, module):
    """Builds MODULE (dotted) from TREE into SITE; returns {"ok", "path", "error", "seconds"}."""
    sources = [os.path.join(tree, s) for s in project["modules"][module]]
    for pattern in runtime.get("extra_sources", {}).get(module, []):
        found = sorted(glob.glob(os.path.join(tree, pattern)))
        sources += [s for s in found if s not in sources]
    includes = project["include_dirs"] + runtime.get("build_include_dirs", [])
    flags = ["-Wno-error", *[f"-I{os.path.join(tree, d)}" for d in includes],
             *[f"-D{d}" for d in project["defines"]], *runtime.get("build_flags", [])]
    parts = module.split(".")
    out = os.path.join(site, *parts[:-1])
    argv = [sys.executable, BUILD_EXT, "--python", python, "--out", out, *sources,
            "--name", parts[-1], f"--cflags={' '.join(shlex.quote(f) for f in flags)}"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              errors="replace", timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "path": "", "error": f"build timed out after {BUILD_TIMEOUT} s",
                "seconds": BUILD_TIMEOUT}
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return {"ok": False, "path": "", "seconds": seconds,
                "error": first_error(proc.stderr.replace(tree + os.sep, ""))}
    return {"ok": True, "path": proc.stdout.strip().splitlines()[-1], "error": "", "seconds": seconds}


def import_once(python, site, module, scratch, mode, first=()):
    """Imports MODULE in a fresh 3.13t interpreter (MODE: "package" or "alone"); returns the
    IMPORT_SCRIPT's answer with "enabled_gil" (a GIL warning names this module) and "crash"
    (the interpreter was killed by a signal)."""
    argv = [python, "-c", IMPORT_SCRIPT, mode, module, site, *first]
    try:
        proc = subprocess.run(argv, cwd=scratch, env=clean_env([site]), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, errors="replace",
                              timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"imported": False, "error": f"import timed out after {IMPORT_TIMEOUT} s",
                "gil_enabled": None, "enabled_gil": None, "warnings": []}
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        crash = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        return {"imported": False, "crash": crash, "gil_enabled": None, "enabled_gil": None,
                "warnings": [], "error": f"interpreter {crash}: {proc.stderr.strip()[-600:]}"}
    # Warnings the interpreter wrote itself (none expected: the script records them).
    result["warnings"] += [l.strip() for l in proc.stderr.splitlines() if "RuntimeWarning" in l]
    result["enabled_gil"] = any(f"module '{module}'" in w and "GIL" in w for w in result["warnings"])
    result["inside_site"] = result.get("file", "").startswith(site)
    return result


def import_module(python, site, module, scratch, first=()):
    """{"package": a plain `import MODULE`, "alone": MODULE with its parent packages stubbed
    (only for a module inside a package)}: the first says whether the project imports, the
    second whose GIL declaration counts, without the package's other modules loaded."""
    result = {"package": import_once(python, site, module, scratch, "package")}
    if "." in module:
        result["alone"] = import_once(python, site, module, scratch, "alone", first)
    return result


def parse_pytest(output):
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0}
    summary = ""
    for line in reversed(output.splitlines()):
        found = SUMMARY_COUNT.findall(line)
        if found and re.search(r"\bin [\d.]+s\b", line):
            summary = line.strip("= ").strip()
            for n, what in found:
                what = "errors" if what.startswith("error") else what
                if what in counts:
                    counts[what] += int(n)
            break
    failing = sorted({m.group(2) for m in map(FAILED_LINE.match, output.splitlines()) if m})
    return counts, summary, failing


def run_tests(python, runtime, tree, site, scratch):
    """The project's own tests with Debian's pytest under 3.13t."""
    tests = runtime.get("tests") or {}
    if tests.get("unavailable") or not tests.get("args"):
        return {"ran": False, "why": tests.get("unavailable", "no tests configured")}
    cwd = site if tests.get("cwd") == "site" else tree
    probe_dir = os.path.join(scratch, "probe")
    os.makedirs(probe_dir, exist_ok=True)
    with open(os.path.join(probe_dir, "gilport_gil_probe.py"), "w") as f:
        f.write(GIL_PROBE)
    probe = os.path.join(scratch, "gil-at-end.json")
    argv = [python, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", "-p", "gilport_gil_probe",
            "--basetemp", os.path.join(scratch, "pytest-tmp"), *tests["args"]]
    timeout = tests.get("timeout", TESTS_TIMEOUT)
    env = clean_env([site, DEBIAN_DIST_PACKAGES, probe_dir])
    env["GILPORT_GIL_PROBE"] = probe
    start = time.perf_counter()
    # A test may print bytes that are not UTF-8 (psutil's do): keep them as
    # replacement characters rather than lose the run.
    proc = subprocess.Popen(argv, cwd=cwd, env=env, errors="replace",
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        timed_out = True
    seconds = time.perf_counter() - start
    counts, summary, failing = parse_pytest(output)
    try:
        with open(probe) as f:
            gil_at_end = json.load(f)["gil_enabled"]
    except (OSError, ValueError, KeyError):
        gil_at_end = None
    result = {"ran": True, "argv": tests["args"], "cwd": tests.get("cwd", "tree"), **counts,
              "gil_at_end": gil_at_end,
              "summary": summary, "failing": failing, "exit": proc.returncode,
              "seconds": seconds, "timed_out": timed_out}
    if timed_out:
        result["why"] = f"timed out after {timeout} s"
    elif proc.returncode < 0:
        result["why"] = f"pytest killed by signal {-proc.returncode}"
    elif not summary:
        result["why"] = "no pytest summary: " + " | ".join(output.strip().splitlines()[-5:])
    if result.get("why"):
        result["tail"] = output.strip().splitlines()[-40:]
    return result


def stress_module(gilport, python, site, module, scratch):
    """`gilport stress MODULE` with the derived workload (no spec), one fixed seed, on the
    3.13t interpreter; {"ran", "findings": [{"check", "where", "message"}], "phases",
    "exit", "seconds"} or {"ran": False, "why"}."""
    out = os.path.join(scratch, f"stress-{module}.json")
    argv = [gilport, "stress", module, "--path", site, "--python", python, *STRESS_ARGS,
            "--format", "json", "-o", out]
    try:
        report, proc, seconds = run_for_report(argv, out, STRESS_TIMEOUT, cwd=scratch,
                                               env=clean_env([site]))
    except subprocess.TimeoutExpired:
        return {"ran": False, "why": f"timed out after {STRESS_TIMEOUT} s"}
    if report is None:
        return {"ran": False, "why": f"no report (exit {proc.returncode}): {first_error(proc.stderr)}",
                "seconds": seconds}
    if report.get("error"):
        return {"ran": False, "why": report["error"], "seconds": seconds}
    findings = [{"check": f["check"],
                 # Where, without line numbers: the fix moves lines.
                 "where": f.get("function") or f.get("operation") or f.get("phase", ""),
                 "message": f.get("message", "")}
                for f in report.get("findings", [])]
    phases = {name: (phase.get("summary") if isinstance(phase, dict) else phase)
              for name, phase in (report.get("phases") or {}).items()}
    return {"ran": True, "findings": findings, "phases": phases,
            "exit": report.get("exit_status", proc.returncode), "seconds": seconds}


def measure_tree(python, project, tree, scratch, gilport=None):
    runtime = project.get("runtime", {})
    site = os.path.join(scratch, "site")
    missing = make_site(runtime, tree, site)
    modules = {}
    # All modules are built before any is imported: a package's __init__ may need them all.
    for module, sources in project["modules"].items():
        modules[module] = {"declares_gil": declares_gil(tree, sources),
                           "build": build_module(python, project, runtime, tree, site, module)}
    for module, entry in modules.items():
        if entry["build"]["ok"]:
            first = runtime.get("import_first", {}).get(module, [])
            entry["import"] = import_module(python, site, module, scratch, first)
            if gilport and entry["import"]["package"]["imported"]:
                entry["stress"] = stress_module(gilport, python, site, module, scratch)
    if missing:
        tests = {"ran": False, "why": f"not in the corpus: {', '.join(missing)}"}
    elif not all(m["build"]["ok"] for m in modules.values()):
        tests = {"ran": False, "why": "a module did not build"}
    else:
        tests = run_tests(python, runtime, tree, site, scratch)
    result = {"modules": modules, "tests": tests}
    if gilport and tests.get("ran"):
        result["threaded_tests"] = threadtests.run(gilport, python, runtime, tree, site, scratch,
                                                   clean_env([site, DEBIAN_DIST_PACKAGES]))
    return result


def measure_runtime(project, original, fixed, scratch, log=print, gilport=None):
    """{"python": path, "before": figures of ORIGINAL, "after": figures of FIXED}; with
    GILPORT, each module that imports is also run under `gilport stress`."""
    python = runtime_python()
    if not os.path.exists(python):
        return {"python": python, "unavailable": f"{python} not found (scripts/build-python-ft.sh)"}
    result = {"python": python}
    for label, tree in (("before", original), ("after", fixed)):
        log(f"{project['name']}: build, import and tests {label} the fix")
        result[label] = measure_tree(python, project, tree, os.path.join(scratch, f"runtime-{label}"),
                                     gilport)
    return result


# ---------------------------------------------------------------------------------------------
# Report

def _build_cell(entry):
    return "yes" if entry["build"]["ok"] else "**no**"


def _import_cell(imp):
    if imp is None:
        return "–"
    if not imp["imported"]:
        return "**crash**" if imp.get("crash") else "**no**"
    return "yes"


def _gil_cell(imp, module):
    if not imp or not imp.get("imported"):
        return "–"
    if not imp["gil_enabled"]:
        return "off"
    others = sorted({m for w in imp["warnings"] for m in re.findall(r"module '([^']+)'", w)} - {module})
    if not imp["enabled_gil"] and others:
        return f"**on** (by {', '.join(others)})"
    return "**on**"


def _alone_cell(entry, module):
    imp = (entry.get("import") or {}).get("alone")
    if imp is None:
        return "(same)" if entry.get("import") else "–"
    if not imp["imported"]:
        return _import_cell(imp)
    return f"yes, GIL {_gil_cell(imp, module)}"


def _module_notes(name, module, label, entry):
    notes = []
    if not entry["build"]["ok"]:
        notes.append(f"- {name} {module} ({label}) does not build: {entry['build']['error']}")
    gil = []
    for mode, imp in (entry.get("import") or {}).items():
        if not imp["imported"]:
            what = "does not import" if mode == "package" else "cannot be loaded alone (parent packages stubbed)"
            notes.append(f"- {name} {module} ({label}) {what}: {imp['error']}")
        elif not imp.get("inside_site"):
            notes.append(f"- {name} {module} ({label}) came from {imp.get('file')}, not from the built site")
        gil += [w for w in imp.get("warnings", []) if "GIL" in w and f"module '{module}'" in w]
    if label == "after" and gil:
        notes.append(f"- {name} {module} (after): {gil[0]}")
    return notes


def _tests_cell(tests):
    if not tests.get("ran"):
        return "not run"
    cell = f"{tests['passed']} / {tests['failed']}"
    if tests["errors"]:
        cell += f" (+{tests['errors']} err)"
    if tests.get("why"):
        cell += f" ({tests['why'].split(':')[0]})"
    return cell


def _gil_state(tests):
    state = tests.get("gil_at_end")
    return "–" if state is None else ("**on**" if state else "off")


def _stress_counts(stress):
    if not stress:
        return "–"
    if not stress.get("ran"):
        return f"not run ({stress['why'].split(':')[0][:60]})"
    counts = {}
    for f in stress["findings"]:
        counts[f["check"]] = counts.get(f["check"], 0) + 1
    if not counts:
        return "clean"
    return ", ".join(f"{n} {c.removeprefix('gilport-')}" for c, n in sorted(counts.items()))


def stress_findings_new(before, after):
    """The findings of AFTER whose (check, where) no finding of BEFORE has."""
    if not (before and after and before.get("ran") and after.get("ran")):
        return []
    seen = {(f["check"], f["where"]) for f in before["findings"]}
    return [f for f in after["findings"] if (f["check"], f["where"]) not in seen]


def stress_section(measured):
    rows, notes = [], []
    for r in measured:
        rt = r["runtime"]
        if rt.get("unavailable"):
            continue
        for module in rt["before"]["modules"]:
            b = rt["before"]["modules"][module].get("stress")
            a = rt["after"]["modules"][module].get("stress")
            if not b and not a:
                continue
            new = stress_findings_new(b, a)
            rows.append(f"| {r['name']} | {module} | {_stress_counts(b)} | {_stress_counts(a)} | "
                        f"{len(new) if b and a and b.get('ran') and a.get('ran') else '–'} |")
            notes += [f"- {r['name']} {module}: new after the fix: {f['check']} in {f['where']}: "
                      f"{f['message'][:160]}" for f in new]
    if not rows:
        return []
    out = ["", "## Per module: `gilport stress` before → after the fix", "",
           f"`gilport stress MODULE {' '.join(STRESS_ARGS)}` with the workload it derives (no "
           "spec: the same for both trees), for each module that imports; findings by check. "
           "New: a finding after the fix whose check and function (or operation) no finding "
           "before it has.", "",
           "| project | module | before | after | new |", "|---|---|---|---|---|"] + rows
    if notes:
        out += [""] + notes
    return out


def markdown_sections(results):
    """The markdown sections of the runtime figures of RESULTS (fix-coverage's projects)."""
    measured = [r for r in results if r.get("runtime")]
    if not measured:
        return []
    python = next((r["runtime"].get("python") for r in measured), "")
    out = ["## Per module: builds, imports with the GIL off (3.13t)", "",
           f"Built with scripts/build-extension.py for `{python}`, imported in a fresh interpreter "
           "without PYTHON_GIL: `import module` (the package's __init__ runs) and the module alone "
           "(its parent packages stubbed, so that no other module of the package loads; only for "
           "a module inside a package); GIL: sys._is_gil_enabled() after the import, and which "
           "module's RuntimeWarning enabled it. Before → after the fix.", "",
           "| project | module | declares Py_mod_gil | builds | `import` | GIL after `import` | alone |",
           "|---|---|---|---|---|---|---|"]
    notes = []
    for r in measured:
        rt = r["runtime"]
        if rt.get("unavailable"):
            out.append(f"| {r['name']} | – | – | not measured: {rt['unavailable']} | | | |")
            continue
        for module in rt["before"]["modules"]:
            b, a = rt["before"]["modules"][module], rt["after"]["modules"][module]
            bp, ap = (b.get("import") or {}).get("package"), (a.get("import") or {}).get("package")
            out.append(f"| {r['name']} | {module} | {'yes' if b['declares_gil'] else 'no'} → "
                       f"{'yes' if a['declares_gil'] else 'no'} | {_build_cell(b)} → {_build_cell(a)} | "
                       f"{_import_cell(bp)} → {_import_cell(ap)} | {_gil_cell(bp, module)} → "
                       f"{_gil_cell(ap, module)} | {_alone_cell(b, module)} → {_alone_cell(a, module)} |")
            notes += _module_notes(r["name"], module, "before", b) + _module_notes(r["name"], module, "after", a)
    if notes:
        out += [""] + notes
    out += stress_section(measured)
    out += threadtests.section(measured)
    out += ["", "## Per project: own tests on 3.13t (passed / failed)", "",
            "| project | tests | before | after | GIL at the end of the tests | failing after, not before |",
            "|---|---|---|---|---|---|"]
    why = []
    for r in measured:
        rt = r["runtime"]
        if rt.get("unavailable"):
            continue
        b, a = rt["before"]["tests"], rt["after"]["tests"]
        if not b.get("ran") and not a.get("ran"):
            out.append(f"| {r['name']} | – | not run | not run | – | – |")
            why.append(f"- {r['name']}: not run: {b.get('why') or a.get('why')}")
            continue
        newly = sorted(set(a.get("failing", [])) - set(b.get("failing", [])))
        args = " ".join(b.get("argv") or a.get("argv") or [])
        out.append(f"| {r['name']} | `{args}` | {_tests_cell(b)} | {_tests_cell(a)} | "
                   f"{_gil_state(b)} → {_gil_state(a)} | "
                   f"{len(newly) if (b.get('ran') and a.get('ran')) else '–'} |")
        for label, t in (("before", b), ("after", a)):
            if t.get("why"):
                why.append(f"- {r['name']} ({label}): {t['why']}")
        why += [f"- {r['name']}: fails after the fix only: {t}" for t in newly]
    if why:
        out += [""] + why
    return out + [""]
