"""Copy a multi-phase extension source and declare Py_MOD_GIL_NOT_USED.

Usage: add-gil-not-used.py SRC DST

Inserts, right before the terminating {0, NULL} entry of the
PyModuleDef_Slot array,

    #ifdef Py_mod_gil
        {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    #endif

The guard keeps the copy compiling against Python < 3.13, where the slot
does not exist.  Fails if the source does not have exactly one slot array.
"""

import re
import sys

SLOTS = re.compile(r"PyModuleDef_Slot\s+\w+\s*\[\s*\]\s*=\s*\{"
                   r"(?P<body>.*?)\n\};", re.S)
TERMINATOR = re.compile(r"\n(?P<indent>[ \t]*)\{\s*0\s*,\s*NULL\s*\}")


def main():
    if len(sys.argv) != 3:
        print("usage: add-gil-not-used.py SRC DST", file=sys.stderr)
        return 2
    src, dst = sys.argv[1:]
    with open(src) as f:
        text = f.read()
    arrays = list(SLOTS.finditer(text))
    if len(arrays) != 1:
        print("add-gil-not-used.py: expected one PyModuleDef_Slot array "
              "in %s, found %d" % (src, len(arrays)), file=sys.stderr)
        return 1
    array = arrays[0]
    if "Py_mod_gil" in array.group("body"):
        print("add-gil-not-used.py: %s already has a Py_mod_gil slot" % src,
              file=sys.stderr)
        return 1
    term = TERMINATOR.search(array.group("body"))
    if term is None:
        print("add-gil-not-used.py: no {0, NULL} terminator in the slot "
              "array of %s" % src, file=sys.stderr)
        return 1
    at = array.start("body") + term.start()
    indent = term.group("indent")
    insert = ("\n#ifdef Py_mod_gil\n%s{Py_mod_gil, Py_MOD_GIL_NOT_USED},"
              "\n#endif" % indent)
    with open(dst, "w") as f:
        f.write(text[:at] + insert + text[at:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
