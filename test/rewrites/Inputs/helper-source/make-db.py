"""Writes compile_commands.json for the sources in argv[1], with object paths
as a build system names them (argv[2]: cmake or meson): helper.c and module.c
are one target (module), other.c another (other)."""
import json
import os
import sys

root, style, include = sys.argv[1], sys.argv[2], sys.argv[3]
targets = {"module.c": "module", "helper.c": "module", "other.c": "other"}
entries = []
for source, target in sorted(targets.items()):
    if style == "cmake":
        output = "CMakeFiles/%s.dir/%s.o" % (target, source)
    else:
        output = "%s.cpython-313t-x86_64-linux-gnu.so.p/%s.o" % (target, source)
    entries.append({"directory": root, "file": os.path.join(root, source),
                    "output": output,
                    "arguments": ["cc", "-isystem", include, "-c", source, "-o", output]})
with open(os.path.join(root, "compile_commands.json"), "w") as f:
    json.dump(entries, f, indent=1)
