"""Prints the functions the built shim interposes, in its order, after checking
that gilport-shim-functions.json next to it (the harness's copy) lists the same.

Usage: shim-functions.py LIB_DIR
"""
import ctypes
import json
import os
import sys

lib = sys.argv[1]
shim = ctypes.CDLL(os.path.join(lib, "libgilport-shim.so"))
shim.gilport_shim_function_name.restype = ctypes.c_char_p
shim.gilport_shim_function_name.argtypes = [ctypes.c_int]
in_shim = []
while True:
    name = shim.gilport_shim_function_name(len(in_shim))
    if name is None:
        break
    in_shim.append(name.decode())
with open(os.path.join(lib, "gilport-shim-functions.json"), encoding="utf-8") as f:
    in_json = [entry["name"] for entry in json.load(f)["functions"]]
if in_json != in_shim:
    sys.exit("the shim has %s, its JSON %s" % (in_shim, in_json))
print("%d functions: %s" % (len(in_shim), " ".join(in_shim)))
