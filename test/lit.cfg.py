# lit configuration for gilport. See docs/architecture.md for the
# substitutions and features.
import os
import shutil
import subprocess

import lit.formats

config.name = "gilport"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".c", ".cpp", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.gilport_obj_root, "test")

src = config.gilport_src_root
require_all = os.environ.get("GILPORT_REQUIRE_ALL") == "1"

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, os.path.join(src, "scripts"), config.environment.get("PATH", os.environ["PATH"])])
# Tests must not depend on the user's colour or GIL settings.
for name in ("PYTHON_GIL", "PYTHONPATH", "GILPORT_CONFIG", "NO_COLOR"):
    config.environment.pop(name, None)
for name in ("HOME", "XDG_CACHE_HOME", "GILPORT_CACHE_DIR", "TMPDIR"):
    if name in os.environ:
        config.environment[name] = os.environ[name]

cache = os.environ.get("GILPORT_CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gilport")


def require(feature, present, what, setup="scripts/dev.sh setup"):
    if present:
        config.available_features.add(feature)
    elif require_all:
        lit_config.fatal(f"{what} is missing; run {setup} (GILPORT_REQUIRE_ALL=1 forbids skipping)")
    else:
        lit_config.warning(f"{what} is missing: tests that need '{feature}' are skipped")


python_ft = os.path.join(cache, "python3.13t", "bin", "python3.13t")
require("python-ft", os.access(python_ft, os.X_OK), f"the free-threaded runtime {python_ft}")

# The ThreadSanitizer build (scripts/build-python-ft.sh --tsan) and the compiler that
# instruments the module for it.
python_ft_tsan = os.path.join(cache, "python3.13t-tsan", "bin", "python3.13t")
require("python-ft-tsan", os.access(python_ft_tsan, os.X_OK) and shutil.which("clang-19") is not None,
        f"the ThreadSanitizer runtime {python_ft_tsan} (or clang-19)",
        setup="scripts/build-python-ft.sh --tsan (scripts/dev.sh test runs it)")

python_gil = shutil.which("python3.11") or "/usr/bin/python3.11"
if not os.access(python_gil, os.X_OK):
    lit_config.fatal("Python 3.11 (the GIL-build baseline) was not found")

cpython311_tree = os.environ.get("GILPORT_CPYTHON311_TREE") or os.path.join(cache, "cpython3.11-tree")
require("cpython311-tree", os.path.exists(os.path.join(cpython311_tree, "compile_commands.json")),
        f"the prepared CPython 3.11 tree {cpython311_tree}")

cpython313_tree = os.environ.get("GILPORT_CPYTHON313_TREE") or os.path.join(cache, "cpython3.13-tree")
require("cpython313-tree", os.path.exists(os.path.join(cpython313_tree, "compile_commands.json")),
        f"the prepared CPython 3.13 tree {cpython313_tree}")
crcmod_tree = os.path.join(cache, "crcmod-tree")
require("crcmod-tree", os.path.exists(os.path.join(crcmod_tree, "compile_commands.json")),
        f"the prepared python-crcmod tree {crcmod_tree}")

# Debian's pre-commit runs the hook of .pre-commit-hooks.yaml (test/cli/pre-commit.test).
require("pre-commit", shutil.which("pre-commit") is not None and shutil.which("git") is not None,
        "pre-commit (or git)", setup="scripts/install-deps.sh (apt-get install pre-commit git)")
require("meson", shutil.which("meson") is not None and shutil.which("ninja") is not None,
        "meson (Debian's meson package)", "scripts/install-deps.sh")
# The header sets of --target-python (scripts/fetch-python-headers.sh).
for version in ("3.14", "3.15"):
    headers = os.path.join(cache, "headers", "python" + version)
    require("python" + version + "-headers",
            os.path.exists(os.path.join(headers, "usr", "include", "python" + version, "Python.h")),
            f"the Python {version} headers {headers}",
            setup="scripts/fetch-python-headers.sh (scripts/dev.sh test runs it)")
    config.substitutions.append(("%headers_" + version.replace(".", ""), headers))
# Debian's pytest, run under 3.13t by `gilport pytest` (test/pytest).
debian_dist_packages = "/usr/lib/python3/dist-packages"
require("pytest", os.path.isdir(os.path.join(debian_dist_packages, "pytest")) or
        os.path.isdir(os.path.join(debian_dist_packages, "_pytest")),
        "Debian's pytest (python3-pytest)", "scripts/install-deps.sh")
config.substitutions.append(("%debian_dist_packages", debian_dist_packages))
require("bear", shutil.which("bear") is not None and os.path.exists("/usr/bin/python3"),
        "bear (Debian's bear package)", "scripts/install-deps.sh")

python = shutil.which("python3") or "/usr/bin/python3"
# Tests of file ownership need to give files to another user.
if os.geteuid() == 0:
    config.available_features.add("root")
# Check tests analyse against the free-threaded headers when they exist.
test_python = python_ft if "python-ft" in config.available_features else python_gil
config.environment["GILPORT_TEST_PYTHON"] = test_python

config.substitutions.append(("%check_gilport",
                             f"{python} {os.path.join(src, 'test', 'check_gilport.py')} --gilport={config.gilport_bin}"))
# Tells "findings" (1) from "error" (2), which lit's `not` cannot.
config.substitutions.append(("%expect_exit", f"{python} {os.path.join(src, 'test', 'Inputs', 'expect-exit.py')}"))
config.substitutions.append(("%gilport_lib", os.path.join(config.gilport_obj_root, "lib")))
config.substitutions.append(("%build_root", config.gilport_obj_root))
config.substitutions.append(("%gilport", config.gilport_bin))
config.substitutions.append(("%python_ft_tsan", python_ft_tsan))
config.substitutions.append(("%python_ft", python_ft))
config.substitutions.append(("%python_gil", python_gil))
config.substitutions.append(("%python", python))
config.substitutions.append(("%test_python", test_python))
config.substitutions.append(("%examples", os.path.join(src, "examples")))
config.substitutions.append(("%scripts", os.path.join(src, "scripts")))
config.substitutions.append(("%src_root", src))
config.substitutions.append(("%inputs", os.path.join(src, "test", "Inputs")))
config.substitutions.append(("%cpython311_tree", cpython311_tree))
config.substitutions.append(("%cpython313_tree", cpython313_tree))
config.substitutions.append(("%crcmod_tree", crcmod_tree))
config.substitutions.append(("%bench", os.path.join(src, "bench")))
config.substitutions.append(("%cache", cache))
