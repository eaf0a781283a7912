"""What a child process of the runtime harness left behind, made into findings: the C
stacks the crash helper wrote, faulthandler's Python stacks, and the call sites the
LD_AUDIT shim counted.  Shared by `gilport stress` (gilport_stress.py) and
`gilport pytest` (gilport_pytest.py)."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import shimdata


def request_c_stacks(pid, crash_file, wait=3.0):
    """Sends SIGUSR2 to every thread of process `pid`, whose crash helper then writes each
    thread's C stack to `crash_file`; waits until all are written (a loaded machine can take
    a while), at most `wait` seconds."""
    tids = sorted(os.listdir("/proc/%d/task" % pid))
    for tid in tids:
        tgkill(pid, int(tid), signal.SIGUSR2)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(crash_file, errors="replace") as f:
                written = f.read().count("\nEND\n")
        except OSError:
            written = 0
        if written >= len(tids):
            return
        time.sleep(0.05)


def dump_hung_stacks(proc, crash_file, c_stacks):
    """Before a hung child is killed: each thread's C stack from the crash helper (only when
    it is loaded: it is what handles SIGUSR2, which would otherwise end the child), then
    every thread's Python stack from faulthandler (SIGUSR1)."""
    try:
        if c_stacks:
            request_c_stacks(proc.pid, crash_file)
        proc.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
    except (OSError, ValueError):
        pass


def tgkill(pid, tid, sig):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(234, pid, tid, sig)  # SYS_tgkill on x86-64



# --------------------------------------------------------- symbolizing
class Symbolizer:
    def __init__(self, path):
        self.path = path if path and os.access(path, os.X_OK) else shutil.which("llvm-symbolizer-19") \
            or shutil.which("llvm-symbolizer")
        self.cache = {}

    def lookup(self, obj, offsets):
        """[(function, file, line, column)] for file offsets in obj."""
        todo = [o for o in offsets if (obj, o) not in self.cache]
        if todo and self.path and obj and os.path.exists(obj):
            try:
                proc = subprocess.run([self.path, "--output-style=JSON", "--obj=" + obj]
                                      + ["0x%x" % o for o in todo],
                                      capture_output=True, text=True, timeout=60)
                answers = json.loads(proc.stdout or "[]")
            except (OSError, ValueError, subprocess.TimeoutExpired):
                answers = []
            for off, answer in zip(todo, answers):
                frames = answer.get("Symbol") or [{}]
                fr = frames[0]
                self.cache[(obj, off)] = (fr.get("FunctionName") or "??", fr.get("FileName") or "",
                                          fr.get("Line") or 0, fr.get("Column") or 0)
        return [self.cache.get((obj, o), ("??", "", 0, 0)) for o in offsets]


def elf_is_exec(path, cache={}):
    if path not in cache:
        try:
            with open(path, "rb") as f:
                head = f.read(18)
            cache[path] = head[:4] == b"\x7fELF" and head[16] == 2   # ET_EXEC
        except OSError:
            cache[path] = False
    return cache[path]


def parse_stacks(path, symbolizer):
    """Records written by the crash helper: [{kind, sig, tid, frames}]."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    records, cur = [], None
    for line in text.splitlines():
        m = re.match(r"^(CRASH|STACK) sig=(\d+) tid=(\d+)$", line)
        if m:
            cur = {"kind": m.group(1), "sig": int(m.group(2)), "tid": int(m.group(3)), "raw": []}
            continue
        if cur is None:
            continue
        if line == "END":
            records.append(cur)
            cur = None
            continue
        parts = line.split(" ", 4)
        if len(parts) == 5 and parts[0] == "F":
            cur["raw"].append((int(parts[1], 16), int(parts[2], 16) if parts[2] != "(nil)" else 0,
                               parts[3], parts[4]))
    for rec in records:
        raw = rec["raw"]
        k = 0
        while k < len(raw) and raw[k][2].endswith("libgilport-shim.so"):
            k += 1
        # Under TSAN, backtrace() is intercepted and TSAN's signal dispatch adds frames of
        # the executable before libc's trampoline: skip to the first libc frame.
        if k == 0 and raw and "interceptor_backtrace" in raw[0][3]:
            libc = next((n for n, f in enumerate(raw[:12]) if os.path.basename(f[2]).startswith("libc.so")), None)
            if libc is not None:
                k = libc
        k += 1   # the signal trampoline
        frames = []
        for n, (addr, base, obj, sym) in enumerate(raw[k:]):
            pc = addr if n == 0 else addr - 1
            off = pc if elf_is_exec(obj) else pc - base
            frames.append({"address": "0x%x" % addr, "object": obj, "symbol": sym, "offset": off})
        by_obj = {}
        for fr in frames:
            by_obj.setdefault(fr["object"], []).append(fr)
        for obj, group in by_obj.items():
            for fr, (fn, file, line, col) in zip(group, symbolizer.lookup(obj, [f["offset"] for f in group])):
                fr["function"] = fn if fn != "??" else fr["symbol"]
                if file:
                    fr["file"], fr["line"], fr["column"] = file, line, col
        for fr in frames:
            del fr["offset"]
        rec["frames"] = frames
        del rec["raw"]
    return records


def format_frame(fr):
    where = "%s:%d" % (fr["file"], fr["line"]) if fr.get("file") else os.path.basename(fr["object"])
    return "%s (%s)" % (fr.get("function") or fr["symbol"], where)


def python_stacks(stderr):
    """faulthandler's output from the child's stderr."""
    lines = stderr.splitlines()
    out, keep = [], False
    for line in lines:
        if line.startswith("Fatal Python error") or re.match(r"^(Current thread|Thread) 0x[0-9a-f]+", line):
            keep = True
        if keep:
            out.append(line)
    return "\n".join(out[-400:])



def finding(check, message, severity="warning", phase=None, **extra):
    f = {"check": check, "severity": severity, "message": message, "phase": phase}
    f.update(extra)
    return f


def borrowed_findings(shim_functions, shim_out, symbolizer, phase="concurrent",
                      kept_modules=()):
    """gilport-borrowed-ref findings for the call sites the shim saw on shared objects, and
    what it observed; ({}, {"active": False}) when the shim wrote nothing. A
    PyState_FindModule call in one of `kept_modules` (extension files whose re-import hands
    back the same module) is observed but not a finding: that module is never dropped."""
    kept = {os.path.realpath(f) for f in kept_modules}
    functions = {f["name"]: f for f in shim_functions}
    data = shimdata.read_results(shim_out, [f["name"] for f in shim_functions])
    if data is None:
        return [], {"active": False}
    findings, observed = [], []
    sites = [s for s in data["sites"] if s["object"]]
    by_obj = {}
    for s in sites:
        by_obj.setdefault(s["object"], []).append(s)
    for obj, group in by_obj.items():
        for s, (fn, file, line, col) in zip(group, symbolizer.lookup(obj, [g["offset"] for g in group])):
            s.update(function_name=fn, file=file, line=line, column=col)
    for s in sorted(sites, key=lambda s: (s.get("file") or "", s.get("line") or 0)):
        entry = {"api": s["function"], "file": s.get("file"), "line": s.get("line"),
                 "column": s.get("column"), "in_function": s.get("function_name"),
                 "calls": s["calls"], "shared_calls": s["shared_calls"], "threads": s["threads"]}
        observed.append(entry)
        if s["function"] == "PyState_FindModule" and os.path.realpath(s["object"]) in kept:
            entry["kept_module"] = True
            continue
        if s["shared_calls"]:
            fn = functions[s["function"]]
            # The advice of `gilport check`: not every replacement returns a strong
            # reference (PyType_GetModuleByDef's result is kept alive by the class).
            advice = fn.get("advice") or "use '%s' (%s), which returns a strong reference" % (
                fn["replacement"], fn["since"])
            msg = ("'%s' returns a borrowed reference that another thread can invalidate; %s"
                   % (s["function"], advice))
            findings.append(finding(
                "gilport-borrowed-ref", msg, phase=phase,
                file=s.get("file") or s["object"], line=s.get("line") or 0,
                column=s.get("column") or 0, function=s.get("function_name"),
                runtime="%d of %d calls from this call site were on an object shared between "
                        "threads (%s thread%s at this site)" % (
                            s["shared_calls"], s["calls"], s["threads"] if s["threads"] < 2 else "2+",
                            "" if s["threads"] == 1 else "s"),
                calls=s["calls"], shared_calls=s["shared_calls"]))
    return findings, {"active": True, "intercepted_calls": data["total_calls"],
                      "sites": observed, "objects": data["objects"],
                      "dropped_sites": data["dropped_sites"],
                      "dropped_containers": data["dropped_containers"]}


def gil_finding(probe, file, phase):
    """gilport-missing-gil-decl for an extension module whose import turned the GIL back
    on; `probe` is what stress_child.py's ext-probe mode found (init kind, slots)."""
    if probe.get("init") == "single-phase":
        why = ("it uses single-phase init and does not call "
               "PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED)")
    elif probe.get("init") == "multi-phase":
        value = probe.get("slots", {}).get("Py_mod_gil")
        why = ("its slots have no Py_mod_gil entry (the default is Py_MOD_GIL_USED)"
               if value is None else "it declares Py_mod_gil = Py_MOD_GIL_USED")
    else:
        why = "it has not declared that it can run without the GIL"
    return finding("gilport-missing-gil-decl",
                   "importing extension module '%s' turns the GIL back on: %s" % (probe["name"], why),
                   phase=phase, file=file, module=probe["name"])
