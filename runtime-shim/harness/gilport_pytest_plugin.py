"""The pytest plugin of `gilport pytest`, loaded into the user's pytest run
(`-p gilport_pytest_plugin`) by gilport_pytest.py.  It does nothing unless
$GILPORT_PYTEST_CONFIG names the run's configuration (JSON).

In "run" mode each test function runs in N threads at once, released together
from a barrier, K times in each thread (the pytest-run-parallel model); so does
each unittest.TestCase method, with an instance of its class per run, before
pytest runs it once as usual.  Tests
marked `thread_unsafe`, named by a ThreadUnsafeTests pattern, using a fixture
that is per-process state (capsys, monkeypatch, ...), or catching warnings
(not thread-safe before 3.14) run once, as pytest would run them.

Written as the run goes, so that a crash loses nothing:
  progress   "S <nodeid>" when a test starts, "E <nodeid>" when it ends;
  results    one JSON line per test report (outcome, threads, failure text);
  context    the shared per-thread context file (shimdata.Context): which test
             each thread is running, for the watchdog and the crash report.
"""

import fnmatch
import importlib.machinery
import inspect
import json
import os
import sys
import sysconfig
import threading
import unittest

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import shimdata  # noqa: E402

# Fixtures whose value is process-wide state that one thread's use disturbs
# for the others (output capture, patched attributes, recorded warnings, logs).
THREAD_UNSAFE_FIXTURES = ("capsys", "capsysbinary", "capfd", "capfdbinary", "monkeypatch",
                          "recwarn", "caplog")
# warnings.catch_warnings swaps module-wide state; 3.14 made it context-local
# when sys.flags.context_aware_warnings is set.
WARNING_NAMES = ("warns", "catch_warnings", "deprecated_call")


class _State:
    config = None
    ctx = None
    progress_fd = None
    results = None
    rootdir = ""
    faults = None
    how = {}           # nodeid -> {"threads": n} or {"threads": 1, "thread_unsafe": why}


def _load_config():
    path = os.environ.get("GILPORT_PYTEST_CONFIG")
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _setup_crash_handling(config):
    # Its own file: pytest captures the process's stderr while a test runs.
    _State.faults = open(config["faults"], "w")
    shimdata.setup_crash_handling(config.get("crash_helper"), config["crash_file"],
                                  _State.faults, "gilport pytest")


def _progress(kind, nodeid):
    if _State.progress_fd is not None:
        os.write(_State.progress_fd, ("%s %s\n" % (kind, nodeid)).encode("utf-8", "replace"))


def _record(entry):
    if _State.results is not None:
        _State.results.write(json.dumps(entry) + "\n")
        _State.results.flush()


def _own_installation(path):
    """Whether a file belongs to the interpreter's own installation."""
    real = os.path.realpath(path)
    for key in ("stdlib", "platstdlib"):
        root = sysconfig.get_paths().get(key)
        if root and real.startswith(os.path.realpath(root) + os.sep):
            return True
    return False


def _extensions():
    """The extension modules loaded that are not the interpreter's own."""
    found = []
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if any(path.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES) \
                and not _own_installation(path):
            found.append({"name": name, "file": os.path.realpath(path)})
    return found


def _gil_enabled():
    return getattr(sys, "_is_gil_enabled", lambda: True)()


# ------------------------------------------------------------------ hooks
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "thread_unsafe: run this test once, not in several threads at once "
        "(gilport pytest, pytest-run-parallel)")
    cfg = _load_config()
    if cfg is None:
        return
    _State.config = cfg
    _State.rootdir = str(config.rootpath)
    # Programs the tests start must not load the shim, nor write to its file.
    for name in ("LD_AUDIT", "GILPORT_SHIM_TARGETS", "GILPORT_SHIM_OUT", "GILPORT_PYTEST_CONFIG"):
        os.environ.pop(name, None)
    if cfg["mode"] == "collect":
        return
    _setup_crash_handling(cfg)
    _State.ctx = shimdata.Context(cfg["context"])
    _State.ctx.set_phase("tests")
    _State.ctx.slot(0).start(threading.get_native_id(), "pytest main thread")
    _State.progress_fd = os.open(cfg["progress"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    _State.results = open(cfg["results"], "a", encoding="utf-8")


def pytest_collection_modifyitems(session, config, items):
    cfg = _State.config
    if cfg is None:
        return
    skip = set(cfg.get("skip") or ())
    select = cfg.get("select")
    keep, dropped = [], []
    for item in items:
        if item.nodeid in skip or (select is not None and item.nodeid not in select):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_collection_finish(session):
    cfg = _State.config
    if cfg is None or cfg["mode"] != "collect":
        return
    data = {"nodeids": [item.nodeid for item in session.items],
            "extensions": _extensions(), "gil_enabled": _gil_enabled(),
            "version": list(sys.version_info[:3]),
            "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED"))}
    tmp = cfg["collect_out"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, cfg["collect_out"])


def pytest_runtest_logstart(nodeid, location):
    if _State.config is None:
        return
    _progress("S", nodeid)
    _State.ctx.slot(0).enter(nodeid)


def pytest_runtest_logfinish(nodeid, location):
    if _State.config is None:
        return
    _State.ctx.slot(0).leave()
    _progress("E", nodeid)


def pytest_runtest_logreport(report):
    if _State.config is None:
        return
    if report.when != "call" and not report.failed:
        return
    entry = {"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
             "duration": report.duration}
    if report.failed:
        entry["longrepr"] = str(report.longrepr)[-6000:]
        path, line, _ = report.location
        entry["location"] = [os.path.join(_State.rootdir, path), (line or 0) + 1]
    how = _State.how.get(report.nodeid)
    if how is None and report.when == "call":
        # Plain test functions and unittest.TestCase methods run in threads.
        how = {"threads": 1, "thread_unsafe": "not a test function or a unittest.TestCase "
               "method (a doctest, say): run once"}
    entry.update(how or {})
    _record(entry)


def pytest_sessionfinish(session, exitstatus):
    cfg = _State.config
    if cfg is None or cfg["mode"] == "collect":
        return
    _record({"session": True, "exitstatus": int(exitstatus), "extensions": _extensions(),
             "gil_enabled": _gil_enabled()})


def _why_thread_unsafe(item):
    """Why this test must run once, or None."""
    if item.get_closest_marker("thread_unsafe") is not None:
        return "marked thread_unsafe"
    for pattern in _State.config.get("thread_unsafe") or ():
        if fnmatch.fnmatchcase(item.nodeid, pattern):
            return "matches ThreadUnsafeTests pattern '%s'" % pattern
    for name in THREAD_UNSAFE_FIXTURES:
        if name in getattr(item, "fixturenames", ()):
            return "uses the %s fixture" % name
    func = item.obj
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        return "a coroutine function"
    if not getattr(sys.flags, "context_aware_warnings", False):
        names = set(getattr(getattr(func, "__code__", None), "co_names", ()))
        caught = sorted(names.intersection(WARNING_NAMES))
        if caught:
            return "catches warnings ('%s'), which is not thread-safe before 3.14" % caught[0]
    return None


def _threads_for(item):
    """(threads, runs per thread) for this test, or None when it runs once as pytest would
    run it; records which, and why, for the report."""
    cfg = _State.config
    threads = max(1, int(cfg.get("threads", 4)))
    iterations = max(1, int(cfg.get("iterations", 1)))
    why = _why_thread_unsafe(item) if threads > 1 else None
    if why is not None or (threads == 1 and iterations == 1):
        _State.how[item.nodeid] = {"threads": 1} if why is None else \
            {"threads": 1, "thread_unsafe": why}
        return None
    _State.how[item.nodeid] = {"threads": threads, "iterations": iterations}
    return threads, iterations


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    cfg = _State.config
    if cfg is None or cfg["mode"] == "collect":
        return None
    plan = _threads_for(pyfuncitem)
    if plan is None:
        return None          # pytest calls it once, as always
    func = pyfuncitem.obj
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    _run_in_threads(pyfuncitem.nodeid, lambda: func(**args), *plan)
    return True


def _is_unittest(item):
    return type(item).__name__ == "TestCaseFunction" and hasattr(item.parent, "obj")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A unittest.TestCase method: a fresh instance of its class per run, setUp, the test
    and tearDown (TestCase.debug()) in N threads at once; then, when every thread passed,
    pytest runs it once more as usual and reports that run."""
    cfg = _State.config
    if cfg is None or cfg["mode"] == "collect" or not _is_unittest(item):
        return
    plan = _threads_for(item)
    if plan is None:
        return
    case_class, name = item.parent.obj, item.name
    _run_in_threads(item.nodeid, lambda: case_class(name).debug(), *plan, skips_decide=False)


def _run_in_threads(nodeid, run_once, threads, iterations, skips_decide=True):
    """Calls `run_once` K times in each of N threads released together; raises the first
    failure. Skips raise only when `skips_decide` (else the caller's own run decides)."""
    barrier = threading.Barrier(threads)
    errors = [None] * threads

    def worker(index):
        slot = _State.ctx.slot(index + 1)
        slot.start(threading.get_native_id(), "%s [thread %d of %d]" % (nodeid, index + 1, threads))
        try:
            barrier.wait()
            for k in range(iterations):
                slot.enter("%s [thread %d of %d, run %d of %d]" % (
                    nodeid, index + 1, threads, k + 1, iterations))
                run_once()
                slot.leave()
        except BaseException as exc:   # a test's failure, skip or exit, judged below
            slot.leave()
            errors[index] = exc
            barrier.abort()

    workers = [threading.Thread(target=worker, args=(i,), name="gilport-pytest-%d" % (i + 1))
               for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    raised = [(i, e) for i, e in enumerate(errors)
              if e is not None and not isinstance(e, threading.BrokenBarrierError)]
    if not raised:
        return
    # A failure outranks a skip: one thread's skip must not hide another's failure.
    outcome_types = (pytest.skip.Exception, pytest.xfail.Exception, unittest.SkipTest)
    failures = [(i, e) for i, e in raised if not isinstance(e, outcome_types)]
    if not failures and not skips_decide:
        return
    index, exc = (failures or raised)[0]
    if failures and hasattr(exc, "add_note"):
        exc.add_note("gilport pytest: raised in thread %d of %d (%d of %d threads failed)"
                     % (index + 1, threads, len(failures), threads))
    raise exc
