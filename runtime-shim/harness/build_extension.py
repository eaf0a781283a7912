#!/usr/bin/env python3
"""Build a CPython C extension module for an interpreter, without setuptools.

Usage:
    build_extension.py --python INTERP --out DIR SOURCE.c [MORE.c ...]
                       [--name MODNAME] [--cflags FLAGS] [--cc CC] [--verbose]

The target interpreter is asked for its include directory and its extension
suffix (EXT_SUFFIX), then the sources are compiled and linked in one step:

    cc -shared -fPIC -O1 -g -Wall -Werror -I<include> -I<source dir> ... \
       -o DIR/<MODNAME><EXT_SUFFIX>

The path of the built module is printed on stdout.  Everything else (notes,
the compiler command with --verbose, errors) goes to stderr.

Exit status: 0 on success, 1 if the compiler failed, 2 for usage errors or
when the interpreter cannot be queried.

The harness (gilport_stress.py, for --tsan) runs this file; the command
scripts/build-extension.py is a wrapper around main().  Standard library only,
so that it runs under `python -I` from any directory.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys

# Printed by the target interpreter as one JSON object.
QUERY = r"""
import json, sys, sysconfig
paths = sysconfig.get_paths()
print(json.dumps({
    "include": paths.get("include"),
    "platinclude": paths.get("platinclude"),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "version": list(sys.version_info[:3]),
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "executable": sys.executable,
}))
"""


class BuildError(Exception):
    """A build that cannot go on; `status` is the exit status of main()."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def note(message):
    print("build-extension: note: " + message, file=sys.stderr)


def query_interpreter(python):
    """Return the build facts of the interpreter `python` as a dict."""
    exe = shutil.which(python) if os.sep not in python else python
    if exe is None or not os.path.exists(exe):
        raise BuildError("interpreter not found: %s" % python)
    try:
        proc = subprocess.run([exe, "-I", "-c", QUERY],
                              capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise BuildError("cannot run interpreter %s: %s" % (exe, exc))
    except subprocess.TimeoutExpired:
        raise BuildError("interpreter %s did not answer within 60 seconds"
                         % exe)
    if proc.returncode != 0:
        raise BuildError("interpreter %s failed to report its configuration "
                         "(exit %d):\n%s"
                         % (exe, proc.returncode, proc.stderr.strip()))
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BuildError("unexpected output from %s: %r" % (exe, proc.stdout))
    if not info.get("include") or not info.get("ext_suffix"):
        raise BuildError("interpreter %s does not report an include directory "
                         "and EXT_SUFFIX (is it a CPython build with sysconfig "
                         "data?)" % exe)
    header = os.path.join(info["include"], "Python.h")
    if not os.path.exists(header):
        raise BuildError("%s not found: the development headers of %s are "
                         "missing" % (header, exe))
    return info


def compiler_flags(version, extra):
    """The compiler flags for an interpreter of `version`, then `extra`
    (strings split like a shell would)."""
    cflags = ["-shared", "-fPIC", "-O1", "-g", "-Wall", "-Werror"]
    if version >= (3, 13):
        # Python 3.13 marks some borrowed-reference APIs deprecated
        # (Py_DEPRECATED(3.13) on PyWeakref_GetObject and
        # PyWeakref_GET_OBJECT).  The examples use them on purpose, because
        # finding them is what gilport is for; keep them visible as warnings
        # but do not fail the build over them.  Only for >= 3.13 so that the
        # 3.11 build stays fully -Werror.
        cflags.append("-Wno-error=deprecated-declarations")
        note("Python %d.%d: deprecated-API warnings are not errors "
             "(3.13 deprecates borrowed-reference APIs such as "
             "PyWeakref_GetObject that the examples use on purpose)"
             % version[:2])
    for flags in extra:
        cflags.extend(shlex.split(flags))
    return cflags


def build(python, out, sources, name=None, cflags=(), cc="cc",
          verbose=False):
    """Compile `sources` into an extension module of `python` in `out`;
    return the module's path.  Raises BuildError."""
    for src in sources:
        if not os.path.isfile(src):
            raise BuildError("source file not found: %s" % src)
    name = name or os.path.splitext(os.path.basename(sources[0]))[0]
    if not name.isidentifier():
        raise BuildError("module name %r is not a valid identifier "
                         "(use --name)" % name)

    found = shutil.which(shlex.split(cc)[0]) if cc else None
    if found is None:
        raise BuildError("C compiler not found: %s" % cc)

    info = query_interpreter(python)
    version = tuple(info["version"])

    includes = [info["include"]]
    if info.get("platinclude") and info["platinclude"] not in includes:
        includes.append(info["platinclude"])
    for src in sources:
        src_dir = os.path.dirname(os.path.abspath(src))
        if src_dir not in includes:
            includes.append(src_dir)

    flags = compiler_flags(version, cflags)
    os.makedirs(out, exist_ok=True)
    output = os.path.join(out, name + info["ext_suffix"])

    command = (shlex.split(cc) + flags
               + ["-I" + d for d in includes]
               + [os.path.abspath(s) for s in sources]
               + ["-o", output])
    if verbose:
        note("python %s (%s%s)" % (
            ".".join(map(str, version)), info["executable"],
            ", free-threaded" if info["gil_disabled"] else ""))
        note(" ".join(shlex.quote(c) for c in command))

    try:
        proc = subprocess.run(command)
    except OSError as exc:
        raise BuildError("cannot run the compiler %s: %s" % (cc, exc))
    if proc.returncode != 0:
        shown = " ".join(shlex.quote(c) for c in command)
        raise BuildError("compilation of module %r for %s failed (exit %d); "
                         "command was:\n  %s"
                         % (name, info["executable"], proc.returncode, shown),
                         status=1)
    return output


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="build-extension.py",
        description="Build a C extension module for a given CPython "
                    "interpreter (no setuptools).")
    parser.add_argument("--python", required=True, metavar="INTERP",
                        help="interpreter to build for (name on PATH or path)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output directory (created if missing)")
    parser.add_argument("--name", metavar="MODNAME",
                        help="module name (default: stem of the first source)")
    parser.add_argument("--cflags", action="append", default=[],
                        metavar="FLAGS",
                        help="extra compiler flags, split like a shell "
                             "would; may be repeated (write --cflags=-DX "
                             "for a single flag that starts with '-')")
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"),
                        help="C compiler (default: $CC or cc)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print the compiler command")
    parser.add_argument("sources", nargs="+", metavar="SOURCE.c")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        output = build(args.python, args.out, args.sources, name=args.name,
                       cflags=args.cflags, cc=args.cc, verbose=args.verbose)
    except BuildError as exc:
        print("build-extension: error: %s" % exc, file=sys.stderr)
        return exc.status
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
