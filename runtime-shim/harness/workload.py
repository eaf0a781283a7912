"""The workload of `gilport stress`: operations, shared objects, mutators,
invariants and probes, read from a spec or derived from the module's public
callables.  Used by stress_child.py in the workload child and in every
subinterpreter."""

import collections
import random
import sys
import threading
import time
import weakref


class SpecError(Exception):
    """A spec the workload cannot be built from."""


class Obj:
    """A weak-referenceable, non-immortal value for argument generation."""
    __slots__ = ("value", "__weakref__", "__dict__")

    def __init__(self, value=0):
        self.value = value

    def __repr__(self):
        return "Obj(%r)" % (self.value,)

    def __eq__(self, other):
        return isinstance(other, Obj) and other.value == self.value

    def __hash__(self):
        return hash(self.value)


SKIP_NAMES = {"exit", "abort", "sleep", "wait", "join", "serve", "serve_forever",
              "run_forever", "main", "fork", "spawn", "interact", "input"}
OBSERVER_PREFIXES = ("get", "count", "size", "info", "stat", "snapshot", "live",
                     "alive", "instances", "registry", "cache_info", "len",
                     "total", "peek_all")


class Op:
    def __init__(self, name, resolve, args, kwargs=None, weight=1.0,
                 expect=None, check=None, arg_names=None):
        self.name = name
        self.resolve = resolve          # env -> callable
        self.args = args                # list of env -> value
        self.kwargs = kwargs or {}
        self.weight = weight
        self.expect = expect            # tuple of exception classes or None (any)
        self.check = check              # code object or None
        self.arg_names = arg_names or [None] * len(args)
        self.burst = 16   # calls per generated argument set


def _compile(expr, what):
    try:
        return compile(str(expr), "<spec %s>" % what, "eval")
    except SyntaxError as exc:
        raise SpecError("%s: invalid expression %r: %s" % (what, expr, exc))


class Workload:
    """Operations, shared objects and mutators built from a spec or derived."""

    def __init__(self, mod, spec, seed):
        self.mod = mod
        self.seed = seed
        self.notes = []
        self.shared = {}
        self.mutator_code = None
        self.invariants = []
        self.probes = []
        self.leak_ops = None
        self.setup_env = {}
        self.ops = []
        self._shared_ids = None
        self.focus = []
        self.total_ok = collections.Counter()
        self.total_attempted = collections.Counter()
        self.base_env = {"mod": mod, "Obj": Obj, "weakref": weakref,
                         "shared": self.shared, "random": random,
                         "threading": threading, "time": time}
        if spec:
            SpecReader(self).read(spec)
        else:
            Derivation(self).derive()

    # -- environments
    def env(self, index):
        rng = random.Random((self.seed * 7919 + index * 104729) & 0xffffffff)
        env = dict(self.base_env)
        env.update(self.setup_env)

        def rstr(n=None):
            return "".join(rng.choice("abcdefgh") for _ in range(n or rng.randint(1, 6)))

        env.update({
            "r": rng, "rint": rng.randint, "choice": rng.choice, "rstr": rstr,
            "obj": lambda: Obj(rng.random()), "thread": index,
            "rlist": lambda n=4: [Obj(rng.random()) for _ in range(n)],
            "rdict": lambda n=4: {rstr(): Obj(rng.random()) for _ in range(n)},
        })
        return env

    # -- calling
    def build_call(self, op, env):
        gen = getattr(op, "gen", None)
        if gen is not None:
            args, names = gen(env)
            return args, {}, names
        args = [a(env) for a in op.args]
        kwargs = {k: v(env) for k, v in op.kwargs.items()}
        return args, kwargs, op.arg_names

    def describe(self, op, args, kwargs, names):
        shared_ids = self._shared_ids
        if shared_ids is None or len(shared_ids) != len(self.shared):
            shared_ids = self._shared_ids = {id(v): k for k, v in self.shared.items()}
        parts = []
        for value, name in zip(args, names):
            parts.append(_describe(value, shared_ids))
        for k, v in kwargs.items():
            parts.append("%s=%s" % (k, _describe(v, shared_ids)))
        return "%s(%s)" % (op.name.split("/")[0], ", ".join(parts))


class SpecReader:
    """Fills a Workload from a spec (a dict, as the spec file holds it)."""

    # `sources` and `cflags` are read by the parent, for the --tsan build.
    KNOWN = {"module", "setup", "shared", "operations", "mutators",
             "invariants", "probes", "leak", "expect", "focus", "sources", "cflags"}

    def __init__(self, work):
        self.work = work

    def read(self, spec):
        work = self.work
        if not isinstance(spec, dict):
            raise SpecError("the spec must be a mapping")
        unknown = set(spec) - self.KNOWN
        if unknown:
            raise SpecError("unknown spec keys: %s" % ", ".join(sorted(unknown)))
        if spec.get("setup"):
            exec(compile(spec["setup"], "<spec setup>", "exec"), work.base_env,
                 work.setup_env)
        env = work.env(-1)
        for name, expr in (spec.get("shared") or {}).items():
            work.shared[name] = eval(_compile(expr, "shared." + name), env)
        default_expect = self.exceptions(spec.get("expect"))
        ops = spec.get("operations") or []
        if not ops:
            raise SpecError("the spec has no operations")
        for k, entry in enumerate(ops):
            work.ops.append(self.operation(k, entry, default_expect))
        if spec.get("mutators") is not None:
            work.mutator_code = [compile(str(s), "<spec mutator>", "exec")
                                 for s in spec["mutators"]]
        work.invariants = [(str(s), _compile(s, "invariant")) for s in spec.get("invariants") or []]
        work.probes = [(str(s), _compile(s, "probe")) for s in spec.get("probes") or []]
        if spec.get("leak") is not None:
            work.leak_ops = set(spec["leak"])
        by_name = {op.name: op for op in work.ops}
        for group in spec.get("focus") or []:
            if not isinstance(group, list) or not all(g in by_name for g in group):
                raise SpecError("focus: each entry must be a list of operation names: %r" % (group,))
            work.focus.append([by_name[g] for g in group])

    def operation(self, k, entry, default_expect):
        """The Op of entry `k` of `operations`."""
        if isinstance(entry, str):
            entry = {"call": entry}
        call = entry.get("call")
        if not call:
            raise SpecError("operation %d has no 'call'" % (k + 1))
        args = [self.arg(a, "%s arg %d" % (call, i))
                for i, a in enumerate(entry.get("args") or [])]
        kwargs = {key: self.arg(v, "%s kwarg %s" % (call, key))
                  for key, v in (entry.get("kwargs") or {}).items()}
        resolve = self.resolver(call, entry.get("self"))
        expect = (self.exceptions(entry["expect"]) if "expect" in entry
                  else default_expect)
        check = _compile(entry["check"], call + " check") if entry.get("check") else None
        op = Op(call, resolve, args, kwargs,
                float(entry.get("weight", 1)), expect, check,
                [str(a) for a in entry.get("args") or []])
        op.burst = max(1, int(entry.get("burst", 16)))
        return op

    def exceptions(self, names):
        if names is None:
            return None
        result = []
        for name in names:
            import builtins
            exc = getattr(builtins, name, None) or getattr(self.work.mod, name, None)
            if not (isinstance(exc, type) and issubclass(exc, BaseException)):
                raise SpecError("unknown exception %r" % name)
            result.append(exc)
        return tuple(result)

    def arg(self, expr, what):
        code = _compile(expr, what)
        return lambda env: eval(code, env)

    def resolver(self, call, self_expr):
        mod = self.work.mod
        if "." in call:
            owner, _, attr = call.partition(".")
            if self_expr is not None:
                code = _compile(self_expr, call + " self")
                return lambda env: getattr(eval(code, env), attr)
            target = getattr(mod, owner, None)
            if target is None:
                raise SpecError("%s has no attribute %r" % (mod.__name__, owner))
            return lambda env: getattr(target, attr)
        if not hasattr(mod, call):
            raise SpecError("%s has no attribute %r" % (mod.__name__, call))
        fn = getattr(mod, call)
        return lambda env: fn


def signature_arity(fn):
    """(required, required + up to 3 optional) positional arguments, or None."""
    import inspect
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    req = opt = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if p.default is p.empty:
                req += 1
            else:
                opt += 1
        elif p.kind == p.VAR_POSITIONAL:
            opt += 2
    return req, req + min(opt, 3)


def _make_op(name, resolve, n):
    op = Op("%s/%d" % (name, n), resolve, [None] * n)
    op.auto_arity = n
    return op


class Derivation:
    """Fills a Workload without a spec: every public function and type of the
    module, called with random arguments; observers become probes."""

    def __init__(self, work):
        self.work = work
        self.env = work.env(-2)
        self.hooked = False
        self.instances = []
        self.gens = [
            ("int", lambda e: e["rint"](-2, 40)),
            ("str", lambda e: e["rstr"]()),
            ("None", lambda e: None),
            ("obj", lambda e: e["obj"]()),
            ("shared['list']", lambda e: work.shared["list"]),
            ("shared['dict']", lambda e: work.shared["dict"]),
            ("shared['strdict']", lambda e: work.shared["strdict"]),
            ("list", lambda e: e["rlist"](3)),
            ("dict", lambda e: e["rdict"](3)),
            ("callable", lambda e: (lambda *a, **k: a)),
            ("float", lambda e: e["r"].random()),
            ("bytes", lambda e: b"xy"),
            ("tuple", lambda e: (1, "a")),
        ]
        self.inst_gen = ("shared instance", lambda e: e["choice"](self.instances))
        # Objects of the module's own types that its functions returned: the
        # only instances of a type whose constructor is not callable (a
        # factory such as pvector()).  type -> (function name, [objects])
        self.factory_made = {}

    def call(self, fn, args, kwargs=None):
        """fn(*args, **kwargs) while deriving. A call that leaves this thread
        traced or profiled (a tracer's start() on an object nobody set up)
        would hand every later Python call to the module's hook: the hook is
        removed here, before any other Python code runs, and self.hooked is
        set."""
        try:
            return fn(*args, **(kwargs or {}))
        finally:
            if sys.gettrace() is not None or sys.getprofile() is not None:
                sys.settrace(None)
                sys.setprofile(None)
                self.hooked = True

    def leave_out_hooks(self, ops):
        """The ops without those whose call installs a trace or profile
        function: each is called once here, alone."""
        kept, dropped = [], []
        for op in ops:
            self.hooked = False
            try:
                args, kwargs, _ = self.work.build_call(op, self.env)
                self.call(op.resolve(self.env), args, kwargs)
            except Exception:
                pass
            (dropped if self.hooked else kept).append(op)
        if dropped:
            self.work.notes.append(
                "left out %s: a call installs a trace or profile function on the "
                "calling thread, which the derived arguments do not set up (give a "
                "--spec that does)" % ", ".join(sorted({op.name for op in dropped})))
        return kept

    def gen_args(self, e, n):
        pool = self.gens + ([self.inst_gen] if self.instances else [])
        picks = [e["choice"](pool) for _ in range(n)]
        return [g(e) for _, g in picks], [name for name, _ in picks]

    def arities(self, fn, lo=0, hi=3):
        """The argument counts that `fn` accepts, by trying random arguments."""
        ok = []
        for n in range(lo, hi + 1):
            accepted = False
            for _ in range(8):
                args, _ = self.gen_args(self.env, n)
                try:
                    self.call(fn, args)
                    accepted = True
                except TypeError as exc:
                    text = str(exc)
                    if not any(w in text for w in ("argument", "takes", "expected", "positional")):
                        accepted = True
                except Exception:
                    accepted = True
                if accepted:
                    break
            if accepted:
                ok.append(n)
        return ok

    def derive(self):
        work = self.work
        work.ops = []
        mod = work.mod
        work.shared["list"] = [Obj(i) for i in range(16)]
        work.shared["dict"] = {i: Obj(i) for i in range(16)}
        work.shared["strdict"] = {str(i): Obj(i) for i in range(16)}
        work.shared["obj"] = Obj(0)
        names = [n for n in dir(mod) if not n.startswith("_") and n not in SKIP_NAMES]
        derived, types = self.function_ops(names)
        public = {tp for _, tp in types}
        # A type that only a factory makes is exercised too, under its own name.
        types += [(tp.__name__, tp) for tp in self.factory_made if tp not in public]
        for tname, tp in types:
            derived += self.type_ops(tname, tp)
        for k, inst in enumerate(self.instances[:4]):
            work.shared["instance%d" % k] = inst
        # Every derived op draws fresh arguments from the generator.
        for op in derived:
            n = getattr(op, "auto_arity", 0)
            op.args = []
            op.gen = (lambda n: lambda e: self.gen_args(e, n))(n)
        work.ops = self.leave_out_hooks(derived)
        if not work.ops:
            raise SpecError("no public callables found in module %s" % mod.__name__)
        work.notes.append(
            "no --spec given: derived %d operations from the public callables and "
            "types of %s (%s), with random arguments (ints, strings, None, "
            "fresh and shared lists/dicts, objects, callables)"
            % (len(work.ops), mod.__name__, ", ".join(sorted({o.name.split('/')[0] for o in work.ops}))))
        work.probes = self.probes(names)

    def function_ops(self, names):
        """Ops of the module's public functions, and its public types."""
        derived = []
        types = []
        for name in names:
            value = getattr(self.work.mod, name)
            if isinstance(value, type):
                if issubclass(value, BaseException):
                    continue
                types.append((name, value))
            elif callable(value):
                sig = signature_arity(value)
                found = list(range(sig[0], sig[1] + 1)) if sig else self.arities(value)
                for n in found[:2]:
                    derived.append(_make_op(name, (lambda v: lambda e: v)(value), n))
                self.collect_factory_results(name, value, found[:2])
                if not found:
                    self.work.notes.append("skipped %s: no argument count accepted" % name)
        return derived, types

    def own_type(self, tp):
        """Whether `tp` is a type of the module under test (or of its package)."""
        module = getattr(tp, "__module__", None) or ""
        return (module not in ("builtins", __name__) and
                module.split(".")[0] == self.work.mod.__name__.split(".")[0])

    def collect_factory_results(self, name, fn, counts):
        """Calls a public function a few times and keeps what it returns of the module's
        own types, for types no constructor call makes."""
        for n in counts:
            for _ in range(4):
                args, _ = self.gen_args(self.env, n)
                try:
                    result = self.call(fn, args)
                except Exception:
                    continue
                tp = type(result)
                if self.own_type(tp):
                    made = self.factory_made.setdefault(tp, (name, []))[1]
                    if len(made) < 4:
                        made.append(result)

    def type_ops(self, tname, tp):
        """Ops of a type: its constructor, then its methods and get/set
        descriptors on the instances made here."""
        derived = []
        instances = self.instances
        # Py_TPFLAGS_DISALLOW_INSTANTIATION: calling the type only raises TypeError.
        constructible = not (getattr(tp, "__flags__", 0) & (1 << 7))
        for n in (self.arities(tp) if constructible else [])[:1]:
            for _ in range(6):
                args, _ = self.gen_args(self.env, n)
                try:
                    instances.append(self.call(tp, args))
                    break
                except Exception:
                    continue
            derived.append(_make_op(tname, (lambda v: lambda e: v)(tp), n))
        made = [i for i in instances if type(i) is tp]
        if not made and tp in self.factory_made:
            factory, objects = self.factory_made[tp]
            instances.extend(objects)
            made = list(objects)
            self.work.notes.append("instances of %s come from the factory %s()" % (tname, factory))
        if not made:
            self.work.notes.append(
                "no instance of %s could be made: its constructor refused every argument tried "
                "and no public function of the module returned one; its methods are not called "
                "(a spec can make one: docs/stress.md)" % tname)
            return derived
        for attr in dir(tp):
            if attr.startswith("_") or attr in SKIP_NAMES:
                continue
            raw = tp.__dict__.get(attr)
            if raw is None:
                continue
            # Each on an instance of this type (`made`), not of another type.
            if hasattr(raw, "__get__") and hasattr(raw, "__set__") and not callable(raw):
                derived.append(Op("%s.%s (get)" % (tname, attr),
                                  (lambda a: lambda e: (lambda: getattr(e["choice"](made), a)))(attr), []))
                setter = Op("%s.%s (set)" % (tname, attr),
                            (lambda a: lambda e: (lambda v: setattr(e["choice"](made), a, v)))(attr), [None])
                setter.auto_arity = 1
                derived.append(setter)
                continue
            bound = getattr(made[0], attr, None)
            if not callable(bound):
                continue
            sig = signature_arity(bound)
            found = list(range(sig[0], sig[1] + 1)) if sig else self.arities(bound)
            for n in found[:2]:
                derived.append(_make_op("%s.%s" % (tname, attr),
                                        (lambda a: lambda e: getattr(e["choice"](made), a))(attr), n))
        return derived

    def probes(self, names):
        """Zero-argument functions named like observers."""
        mod = self.work.mod
        probes = []
        for name in names:
            value = getattr(mod, name)
            if callable(value) and not isinstance(value, type) and name.startswith(OBSERVER_PREFIXES):
                sig = signature_arity(value)
                if sig and sig[0] == 0:
                    probes.append(("%s.%s()" % (mod.__name__, name),
                                   compile("mod.%s()" % name, "<probe>", "eval")))
        return probes


def _describe(value, shared_ids):
    if id(value) in shared_ids:
        return "shared[%r]" % shared_ids[id(value)]
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, (str, bytes)):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, (list, dict, tuple, set)):
        return "%s(len=%d)" % (type(value).__name__, len(value))
    if isinstance(value, Obj):
        return "Obj()"
    if isinstance(value, weakref.ref):
        return "weakref(%s)" % ("alive" if value() is not None else "dead")
    return "<%s>" % type(value).__name__
