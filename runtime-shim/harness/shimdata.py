"""The shim's shared-memory file (layout mirrors runtime-shim/shim/gilport_shim.c)
and the harness's per-thread context file.  Pure Python; used by both the
child (registration, context slots) and the controller (reading results)."""

import mmap
import os
import struct

MAGIC = 0x314d485350494c47
HEADER_BYTES = 8192
OBJ_OFFSET = 256
OBJ_BYTES = 256
MAX_OBJECTS = 8
REG_OFFSET = 2304
REG_SLOTS = 512
SITE_SLOTS = 4096
SITE_BYTES = 64
CONT_SLOTS = 65536
CONT_BYTES = 64
MAX_THREADS = 64
COUNTS_OFFSET = HEADER_BYTES + SITE_SLOTS * SITE_BYTES + CONT_SLOTS * CONT_BYTES
TOTAL_BYTES = COUNTS_OFFSET + MAX_THREADS * SITE_SLOTS * 16
MASK64 = (1 << 64) - 1

FUNCTIONS = [
    "PyList_GetItem", "PyDict_GetItem", "PyDict_GetItemWithError",
    "PyDict_GetItemString", "PyDict_SetDefault", "PyWeakref_GetObject",
    "PyImport_AddModule", "PyImport_AddModuleObject", "PySys_GetObject",
    "PyEval_GetGlobals", "PyEval_GetLocals", "PyEval_GetBuiltins",
    "PyEval_GetFrame", "PyState_FindModule",
]
# Strong replacements, worded like `gilport check`'s gilport-borrowed-ref.
REPLACEMENTS = {
    "PyList_GetItem": ("PyList_GetItemRef", "Python 3.13"),
    "PyDict_GetItem": ("PyDict_GetItemRef", "Python 3.13"),
    "PyDict_GetItemWithError": ("PyDict_GetItemRef", "Python 3.13"),
    "PyDict_GetItemString": ("PyDict_GetItemStringRef", "Python 3.13"),
    "PyDict_SetDefault": ("PyDict_SetDefaultRef", "Python 3.13"),
    "PyWeakref_GetObject": ("PyWeakref_GetRef", "Python 3.13"),
    "PyImport_AddModule": ("PyImport_AddModuleRef", "Python 3.13"),
    "PyImport_AddModuleObject": ("PyImport_AddModuleRef", "Python 3.13"),
    "PySys_GetObject": ("PySys_GetOptionalAttrString", "Python 3.15"),
    "PyEval_GetGlobals": ("PyEval_GetFrameGlobals", "Python 3.13"),
    "PyEval_GetLocals": ("PyEval_GetFrameLocals", "Python 3.13"),
    "PyEval_GetBuiltins": ("PyEval_GetFrameBuiltins", "Python 3.13"),
    "PyEval_GetFrame": ("PyThreadState_GetFrame", "Python 3.9"),
    "PyState_FindModule": ("PyType_GetModuleByDef", "Python 3.11"),
}


def _hash(value, bits):
    return (((value >> 3) * 0x9E3779B97F4A7C15) & MASK64) >> (64 - bits)


class ShimFile:
    """Maps the shim's output file (in the child: to register containers)."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.fd).st_size < TOTAL_BYTES:
            os.ftruncate(self.fd, TOTAL_BYTES)
        self.map = mmap.mmap(self.fd, TOTAL_BYTES)

    def active(self):
        return struct.unpack_from("<Q", self.map, 0)[0] == MAGIC

    def register(self, obj_ids):
        """Marks containers as shared (changed by the harness's mutators)."""
        count = struct.unpack_from("<Q", self.map, 40)[0]
        for addr in obj_ids:
            i = _hash(addr, 9)
            for probe in range(REG_SLOTS):
                slot = REG_OFFSET + 8 * ((i + probe) % REG_SLOTS)
                cur = struct.unpack_from("<Q", self.map, slot)[0]
                if cur == addr:
                    break
                if cur == 0:
                    struct.pack_into("<Q", self.map, slot, addr)
                    count += 1
                    break
        struct.pack_into("<Q", self.map, 40, count)


def read_results(path):
    """Returns {objects, sites, dropped_*, total_calls} or None."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < TOTAL_BYTES or struct.unpack_from("<Q", data, 0)[0] != MAGIC:
        return None
    (_, _, _, _, n_objects, n_registered, dropped_sites, dropped_conts,
     free_threaded, total_calls) = struct.unpack_from("<10Q", data, 0)
    objects = []
    for k in range(min(n_objects, MAX_OBJECTS)):
        bias, name = struct.unpack_from("<Q248s", data, OBJ_OFFSET + k * OBJ_BYTES)
        objects.append({"load_bias": bias,
                        "path": name.split(b"\0", 1)[0].decode(errors="replace")})
    sites = []
    counts = memoryview(data)[COUNTS_OFFSET:].cast("Q")
    total_calls = 0
    for k in range(SITE_SLOTS):
        (ret, fn, calls, shared, t1, t2, sample, _) = struct.unpack_from(
            "<8Q", data, HEADER_BYTES + k * SITE_BYTES)
        if ret == 0 or fn == 0 or fn > len(FUNCTIONS):
            continue
        for t in range(MAX_THREADS):
            base = (t * SITE_SLOTS + k) * 2
            calls += counts[base]
            shared += counts[base + 1]
        total_calls += calls
        sites.append({"ret": ret, "function": FUNCTIONS[fn - 1],
                      "calls": calls, "shared_calls": shared,
                      "threads": (1 if t1 else 0) + (1 if t2 else 0),
                      "sample_container": sample})
    # Attribute each site to the object loaded closest below it.
    for site in sites:
        best = None
        for obj in objects:
            if obj["load_bias"] <= site["ret"] and (
                    best is None or obj["load_bias"] > best["load_bias"]):
                best = obj
        site["object"] = best["path"] if best else None
        site["offset"] = site["ret"] - 1 - best["load_bias"] if best else None
    return {"objects": objects, "sites": sites, "registered": n_registered,
            "dropped_sites": dropped_sites, "dropped_containers": dropped_conts,
            "free_threaded": bool(free_threaded), "total_calls": total_calls}


# ---- per-thread context: what each worker thread is doing right now ----
CTX_SLOTS = 64
CTX_SLOT_BYTES = 512
CTX_HEADER = 64
CTX_BYTES = CTX_HEADER + CTX_SLOTS * CTX_SLOT_BYTES
CTX_DESC = CTX_SLOT_BYTES - 32


class Context:
    def __init__(self, path, create=True):
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        self.fd = os.open(path, flags, 0o600)
        if os.fstat(self.fd).st_size < CTX_BYTES:
            os.ftruncate(self.fd, CTX_BYTES)
        self.map = mmap.mmap(self.fd, CTX_BYTES)

    def set_phase(self, phase):
        raw = phase.encode()[:56]
        self.map[8:64] = raw + b"\0" * (56 - len(raw))

    def slot(self, index):
        return CtxSlot(self.map, CTX_HEADER + (index % CTX_SLOTS) * CTX_SLOT_BYTES)


class CtxSlot:
    __slots__ = ("map", "base", "seq")

    def __init__(self, map_, base):
        self.map = map_
        self.base = base
        self.seq = 0

    def start(self, native_id, name):
        struct.pack_into("<QQQQ", self.map, self.base, native_id, 0, 0, 0)
        self.describe(name)

    def describe(self, text):
        raw = text.encode("utf-8", "replace")[:CTX_DESC - 1] + b"\0"
        self.map[self.base + 32:self.base + 32 + len(raw)] = raw

    def enter(self, text):
        self.seq += 1
        self.describe(text)
        struct.pack_into("<QQ", self.map, self.base + 8, self.seq, 1)

    def leave(self):
        struct.pack_into("<Q", self.map, self.base + 16, 0)


def read_context(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None, []
    if len(data) < CTX_BYTES:
        return None, []
    phase = data[8:64].split(b"\0", 1)[0].decode(errors="replace")
    slots = []
    for k in range(CTX_SLOTS):
        base = CTX_HEADER + k * CTX_SLOT_BYTES
        native, seq, busy, _ = struct.unpack_from("<QQQQ", data, base)
        if not native:
            continue
        desc = data[base + 32:base + CTX_SLOT_BYTES].split(b"\0", 1)[0]
        slots.append({"slot": k, "native_id": native, "calls": seq,
                      "in_call": bool(busy),
                      "doing": desc.decode("utf-8", "replace")})
    return phase, slots


def progress(path):
    _, slots = read_context(path)
    return sum(s["calls"] for s in slots)
