"""Deep nesting: rjson must raise RecursionError (as json does) and never crash,
in the main thread and in a thread whose stack is only 64 KiB (or the smallest the
interpreter allows: 100 KiB on 3.14+ debug builds).

The risky calls run in a child interpreter so that a crash (stack overflow,
segfault) is reported as a failing test instead of killing the test run.
Note: the stdlib json itself segfaults in the 64 KiB thread on these inputs
(3.11, 3.12 and 3.13), so there json is not run and only rjson is checked.
"""

import json
import os
import subprocess
import sys

import pytest

import rjson
from conftest import DEEP_INDENT, SMALL_THREAD_STACK

SMALL_STACK = 64 * 1024


def _child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


CHILD = SMALL_THREAD_STACK + f"DEEP_INDENT = {DEEP_INDENT!r}\n" + r"""
import json, sys, threading, rjson

def nested_list(n):
    o = []
    for _ in range(n):
        o = [o]
    return o

def nested_dict(n):
    o = {}
    for _ in range(n):
        o = {"a": o}
    return o

def nested_mixed(n):
    o = 0
    for i in range(n):
        r = i % 3
        o = [o] if r == 0 else ({"k": o} if r == 1 else (o,))
    return o

class Thing:
    pass

def infinite_default(o):
    return [Thing()]

def cycle_list():
    l = [1]
    l.append(l)
    return l

def cycle_dict():
    d = {"a": 1}
    d["b"] = [d]
    return d

# A debug build of 3.14+ may abort in json's own sort_keys at the stack's limit (a comparison
# refused there fails an assert in list.sort): json is not run for those.
JSON_SORTS_AT_THE_LIMIT = not (hasattr(sys, "gettotalrefcount") and sys.version_info >= (3, 14))

def oracle(call, kw):
    return call if JSON_SORTS_AT_THE_LIMIT or not kw.get("sort_keys") else None

def case_calls(op):
    # (label, rjson's call, json's call or None); each must raise RecursionError
    out = []
    if op.startswith("dumps_"):
        kind = op[len("dumps_"):]
        kws = ({}, {"indent": DEEP_INDENT}, {"sort_keys": True, "separators": (",", ":")})
        if kind in ("list", "dict", "mixed"):
            build = {"list": nested_list, "dict": nested_dict, "mixed": nested_mixed}[kind]
            for n in (10**5, 10**6):
                obj = build(n)  # built once, shared by the calls below
                for kw in (kws if n == 10**5 else kws[:2]):
                    out.append(("%s %d %r" % (kind, n, kw),
                                (lambda o=obj, kw=kw: rjson.dumps(o, **kw)),
                                oracle(lambda o=obj, kw=kw: json.dumps(o, **kw), kw)))
        for kw in kws:
            if kind == "cycle":
                for mk in (cycle_list, cycle_dict):
                    out.append(("%s %r" % (mk.__name__, kw),
                                (lambda mk=mk, kw=kw: rjson.dumps(mk(), check_circular=False, **kw)),
                                oracle(lambda mk=mk, kw=kw: json.dumps(mk(), check_circular=False, **kw), kw)))
            elif kind == "default":
                for cc in (True, False):
                    out.append(("default cc=%r %r" % (cc, kw),
                                (lambda cc=cc, kw=kw: rjson.dumps(Thing(), default=infinite_default, check_circular=cc, **kw)),
                                oracle(lambda cc=cc, kw=kw: json.dumps(Thing(), default=infinite_default, check_circular=cc, **kw), kw)))
    else:
        docs = {
            "loads_list": ["[" * 10**6, "[" * 10**5],
            "loads_dict": ['{"a":' * 10**6, '{"a":' * 10**5],
            "loads_mixed": ['[{"a":' * 10**5 + "1" + "}]" * 10**5],
            "loads_bytes": [b"[" * 10**6, b'{"a":' * 10**5],
            "loads_valid": ["[" * 10**5 + "]" * 10**5, '{"a":' * 10**5 + "1" + "}" * 10**5],
        }[op]
        for d in docs:
            out.append(("%s len=%d" % (type(d).__name__, len(d)), (lambda d=d: rjson.loads(d)),
                        (lambda d=d: json.loads(d))))
    return out

# Encoded again in the thread afterwards; made and encoded by json here (in a small thread of
# a 3.15 debug build, json cannot nest 100 levels).
USABLE = nested_list(100)
USABLE_TEXT = json.dumps(USABLE)

def run(calls, with_json):
    for label, f, fj in calls:
        res = []
        for g in ((f, fj) if with_json and fj else (f,)):
            try:
                g()
                res.append("ok")
            except BaseException as e:
                res.append(type(e).__name__)
        print(repr((label,) + tuple(res)), flush=True)
    # still usable afterwards
    assert rjson.dumps(USABLE) == USABLE_TEXT
    print("USABLE", flush=True)

op, stack = sys.argv[1], int(sys.argv[2])
calls = case_calls(op)
if stack:
    small_thread_stack(stack)
    t = threading.Thread(target=run, args=(calls, False))
    t.start()
    t.join()
else:
    run(calls, True)
print("DONE", flush=True)
"""

OPS = ["dumps_list", "dumps_dict", "dumps_mixed", "dumps_cycle", "dumps_default",
       "loads_list", "loads_dict", "loads_mixed", "loads_bytes", "loads_valid"]


@pytest.mark.parametrize("stack", [0, SMALL_STACK], ids=["main_thread", "thread_64k"])
@pytest.mark.parametrize("op", OPS)
def test_deep_nesting_raises_recursion_error(op, stack):
    p = subprocess.run([sys.executable, "-c", CHILD, op, str(stack)], capture_output=True,
                       text=True, timeout=300, env=_child_env())
    lines = p.stdout.splitlines()
    assert p.returncode == 0, (f"child crashed or failed (rc={p.returncode}) after "
                               f"{lines[-1:]!r}; stderr: {p.stderr[-1500:]}")
    assert lines[-2:] == ["USABLE", "DONE"], (lines, p.stderr[-1500:])
    results = [eval(line) for line in lines[:-2]]  # noqa: S307 - our own child's output
    assert results
    for res in results:
        label, got = res[0], res[1]
        if len(res) > 2:
            assert res[2] == "RecursionError", f"test bug: json gave {res[2]} for {label}"
        assert got == "RecursionError", f"{label}: rjson gave {got}, expected RecursionError"


# ---------------------------------------------------------------------------- moderate depth works

def _nested_list(n):
    o = []
    for i in range(n):
        o = [o, i]
    return o


def _nested_dict(n):
    o = {}
    for i in range(n):
        o = {"k%d" % i: o, "i": i}
    return o


def _nested_mixed(n):
    o = "leaf"
    for i in range(n):
        o = [o] if i % 3 == 0 else ({"k": o} if i % 3 == 1 else (o, i))
    return o


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True},
                                {"separators": (",", ":")}], ids=repr)
@pytest.mark.parametrize("build", [_nested_list, _nested_dict, _nested_mixed],
                         ids=lambda f: f.__name__)
def test_depth_100_equals_json(build, kw):
    obj = build(100)
    assert rjson.dumps(obj, **kw) == json.dumps(obj, **kw)


@pytest.mark.parametrize("doc", ["[" * 100 + "]" * 100, '{"a":' * 100 + "null" + "}" * 100,
                                 '[{"a":' * 50 + "[1.5]" + "}]" * 50])
def test_loads_depth_100_equals_json(doc):
    assert rjson.loads(doc) == json.loads(doc)
    assert rjson.loads(doc.encode()) == json.loads(doc.encode())


SMALL_THREAD_CHILD = SMALL_THREAD_STACK + r"""
import json, sys, threading, rjson
def nl(n):
    o = []
    for i in range(n):
        o = [o, i]
    return o
def nd(n):
    o = {}
    for i in range(n):
        o = {"k": o}
    return o
objs = [nl(100), nd(100)]
docs = ["[" * 100 + "]" * 100, '{"a":' * 100 + "1" + "}" * 100]
kws = [{}, {"indent": 2}, {"sort_keys": True}]
want_d = [json.dumps(o, **kw) for o in objs for kw in kws]
want_l = [json.loads(d) for d in docs]
res = {}
def run():
    try:
        res["d"] = [rjson.dumps(o, **kw) for o in objs for kw in kws]
        res["l"] = [rjson.loads(d) for d in docs]
    except BaseException as e:
        res["err"] = repr(e)
small_thread_stack()
t = threading.Thread(target=run)
t.start(); t.join()
assert "err" not in res, res.get("err")
assert res["d"] == want_d
assert res["l"] == want_l
print("OK")
"""


def test_depth_100_in_small_stack_thread():
    p = subprocess.run([sys.executable, "-c", SMALL_THREAD_CHILD], capture_output=True,
                       text=True, timeout=120, env=_child_env())
    assert p.returncode == 0 and p.stdout.strip() == "OK", (p.returncode, p.stdout,
                                                            p.stderr[-1500:])


STACK_SIZES_CHILD = r"""
import json, sys, threading, rjson
from rjson import orjson as ro
def nested(n, leaf):
    o = leaf
    for i in range(n):
        o = [o, 1.5, "x"] if i % 2 else {"k": o, "s": "t"}
    return o
def outcome(dumps, o):
    # Debug builds of CPython 3.12 and 3.13 count C recursion against a limit of 500, so
    # there json itself refuses the deepest case; rjson must then refuse it too.
    try:
        return dumps(o)
    except RecursionError:
        return RecursionError
cases = [(nested(n, leaf), n) for n in (40, 100, 250, 900) for leaf in (0.25, "\u00e9\"", None)]
want = [outcome(json.dumps, o) for o, _ in cases]
want_b = [json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode() if n < 254 else None for o, n in cases]
for size in (64, 96, 128, 256, 512, 1024, 4096):
    res = {}
    def run():
        try:
            res["d"] = [outcome(rjson.dumps, o) for o, _ in cases]
            res["b"] = [ro.dumps(o) if n < 254 else None for o, n in cases]
        except BaseException as e:
            res["err"] = repr(e)
    try:
        threading.stack_size(size * 1024)
    except ValueError:
        continue
    t = threading.Thread(target=run)
    t.start(); t.join()
    assert "err" not in res, (size, res.get("err"))
    assert res["d"] == want, size
    assert res["b"] == want_b, size
print("OK")
"""


def test_deep_nesting_in_threads_of_every_stack_size():
    """The fast walk recurses as deep as the thread's stack allows (a fixed 32 levels in the
    smallest): documents nested up to 900 deep, in threads of 64 KiB to 4 MiB, come out
    right and never overflow the stack."""
    p = subprocess.run([sys.executable, "-c", STACK_SIZES_CHILD], capture_output=True,
                       text=True, timeout=120, env=_child_env())
    assert p.returncode == 0 and p.stdout.strip() == "OK", (p.returncode, p.stdout,
                                                            p.stderr[-1500:])


# ---------------------------------------------------------------------------- recursion accounting

DEPTH_CHILD = r"""
import sys, json, rjson
def probe():
    # the deepest Python recursion available right now
    n = [0]
    def f(k):
        n[0] = k
        f(k + 1)
    try:
        f(0)
    except RecursionError:
        pass
    return n[0]
def nested(n, leaf=()):
    o = list(leaf)
    for _ in range(n):
        o = [o]
    return o
before = probe()
deep = nested(10**5)
doc = "[" * 10**5
ok = nested(200)
# The fast walk gives up at the set, 150 levels down, and the general walk takes over.
handed_over = [nested(150, leaf=[{1}]), ok]
for i in range(30):
    for f in (lambda: rjson.dumps(deep), lambda: rjson.dumps(deep, indent=1),
              lambda: rjson.loads(doc)):
        try:
            f()
        except RecursionError:
            pass
        else:
            raise SystemExit("no RecursionError")
    assert rjson.dumps(ok) == json.dumps(ok)
    assert rjson.dumps(handed_over, default=sorted) == json.dumps(handed_over, default=sorted)
after = probe()
print(before, after)
"""


def test_recursion_depth_restored_after_calls():
    """Deep calls, failing or not, must not leak recursion depth (Py_EnterRecursiveCall
    without the matching leave would make later code hit RecursionError sooner)."""
    p = subprocess.run([sys.executable, "-c", DEPTH_CHILD], capture_output=True, text=True,
                       timeout=300, env=_child_env())
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr[-1500:])
    before, after = map(int, p.stdout.split())
    assert abs(before - after) <= 2, f"usable recursion depth {before} before, {after} after"

