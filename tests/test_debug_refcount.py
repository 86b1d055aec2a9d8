"""Total reference count balance of every public function, on debug builds of CPython.
(The orjson face too: ``orjson_cases``.)

``sys.gettotalrefcount()`` (debug builds only) is the sum of all reference counts in the
interpreter: a call that leaks one reference anywhere, on any path, makes it grow. Every
public function (``rjson.dumps`` and ``rjson.loads`` with all their keywords) runs here over
varied inputs and every error path: malformed documents broken at every position (truncated,
a byte replaced, a byte inserted; str, bytes, bytearray, memoryview), invalid UTF-8 at every
position, exceptions raised by ``default`` and by the hooks, unsupported types and
non-finite floats deep inside containers, circular references, bad keys, recursion errors,
bad keyword values, unknown and duplicate keywords, wrong argument counts.

After a warm-up (caches fill: rjson's key cache, interned names, type caches), the same batch
of calls runs several times and the total reference count must not grow at all from one
batch to the next. On failure, each kind of call is measured alone to name the leaking ones.
"""

import gc
import itertools
import json
import math
import random
import re
import sys
import time
from collections import OrderedDict

import pytest

import rjson

pytestmark = pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"), reason="needs a debug build of CPython")

MAX_WARMUP_BATCHES = 8
MEASURED_BATCHES = 3
LEAK_CALLS = 10


# ---------------------------------------------------------------------------- inputs

class Boom(Exception):
    pass


class Thing:
    def __init__(self, v):
        self.v = v


class IntSub(int):
    pass


class FloatSub(float):
    pass


class StrSub(str):
    pass


class ListSub(list):
    pass


class TupleSub(tuple):
    pass


class DictSub(dict):
    pass


class ItemsRaise(dict):
    def items(self):
        raise Boom("items")


class ItemsNotPairs(dict):
    def items(self):
        return [(1, 2, 3)]


class IterRaise(list):
    def __iter__(self):
        raise Boom("iter")


def random_value(rng, depth=0):
    kind = rng.randrange(12 if depth < 4 else 7)
    if kind == 0:
        return rng.randrange(-10**6, 10**6)
    if kind == 1:
        return rng.choice([10**30 + 7, -(2**63), 2**64, 0, -1, True, False, None])
    if kind == 2:
        return rng.choice([0.0, -0.0, 1.5, 1e-7, 1e16, 1e300, -2.5e-300, 1 / 3, 123456789.125])
    if kind in (3, 4):
        alphabet = "ab \"\\/\n\t\x00\x1f\x7f\u00e9\u0100\u20ac\ud800\udfff\U0001f600"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
    if kind == 5:
        return rng.choice([IntSub(5), FloatSub(2.5), StrSub("sub\u00e9")])
    if kind == 6:
        return "k%d" % rng.randrange(50)
    n = rng.randrange(5)
    if kind in (7, 8):
        return [random_value(rng, depth + 1) for _ in range(n)]
    if kind == 9:
        return tuple(random_value(rng, depth + 1) for _ in range(n))
    if kind == 10:
        return ListSub(random_value(rng, depth + 1) for _ in range(n))
    d = {}
    for _ in range(n):
        key = rng.choice(["k%d" % rng.randrange(30), "\u00e9k", "", rng.randrange(100), 2.5, True, None])
        d[key] = random_value(rng, depth + 1)
    return d if rng.randrange(3) else DictSub(d)


def deep(depth, leaf, kind="list"):
    for i in range(depth):
        if kind == "list":
            leaf = [i, leaf]
        elif kind == "dict":
            leaf = {"d%d" % i: leaf, "z": i}
        else:
            leaf = ("t", leaf)
    return leaf


def default_ok(o):
    if isinstance(o, Thing):
        return {"thing": [o.v, "x"]}
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def default_raises(o):
    raise Boom("default")


class Marker:
    pass


def default_unsupported(o):
    """Returns something unsupported, which comes back to it once (then a TypeError)."""
    if isinstance(o, Marker):
        raise TypeError("marker")
    return [1, {"m": Marker()}]


def default_returns_self(o):
    return o


def default_deep_thing(o):
    """A few levels of default calls, each nested in the previous one's result, then Boom."""
    if isinstance(o, Thing) and o.v > 0:
        return [Thing(o.v - 1)]
    if isinstance(o, Thing) and o.v == 0:
        return {"zero": [Thing(-1)]}
    raise Boom("deep")


def default_endless(o):
    """Each result needs default again: RecursionError at the recursion limit."""
    return [Marker()]


DUMPS_KEYWORDS = {
    "skipkeys": [False, True],
    "ensure_ascii": [True, False],
    "check_circular": [True, False],
    "allow_nan": [True, False],
    "indent": [None, 0, 2, "\t", ""],
    "separators": [None, (",", ":"), [", ", ": "]],
    "sort_keys": [False, True],
}


def keyword_sets():
    """Every value of every keyword, in a covering but not exhaustive set of combinations."""
    names = list(DUMPS_KEYWORDS)
    out = [{}]
    for name in names:
        for value in DUMPS_KEYWORDS[name]:
            out.append({name: value})
    rng = random.Random(5)
    for _ in range(40):
        out.append({name: rng.choice(vals) for name, vals in DUMPS_KEYWORDS.items() if rng.randrange(2)})
    return out


def loads_documents():
    doc = ('{"a": [1, -2.5e3, 0.125, 1e400, true, false, null, NaN, -Infinity], '
           '"\\u00e9k\\ud83d\\ude00": "s\\n\\"\\\\\\/\\u0000", "o": {"x": {}}, "e": [], '
           '"big": 123456789012345678901234567890, "k": "\u00e9\u20ac\U0001f600"}')
    assert json.loads(doc)
    return doc


def cases():
    """[(name, zero-argument callable)]: every call the test makes, each a kind of its own."""
    out = []
    add = out.append
    rng = random.Random(1234)
    kwsets = keyword_sets()

    # dumps: successes, varied values under every keyword.
    values = [random_value(rng) for _ in range(40)]
    values += [{"t": [Thing(1), {"s": {1, 2}}]}, OrderedDict([("b", 1), ("a", [2])]), "", [], {}, (),
               10**50, -0.0, math.inf, "\u00e9" * 40, "\U0001f600" * 40, StrSub("x"), TupleSub((1, "a"))]
    for i, kw in enumerate(kwsets):
        add((f"dumps ok kw#{i}", lambda kw=kw: [_call(rjson.dumps, v, default=default_ok, **kw) for v in values]))
    add(("dumps obj= keyword", lambda: rjson.dumps(obj={"a": [1]}, indent=1)))

    # dumps: failures deep inside containers, under a spread of keywords.
    fail_kws = [{}, {"indent": 2}, {"sort_keys": True}, {"ensure_ascii": False, "separators": (",", ":")},
                {"check_circular": False}, {"indent": "\t", "sort_keys": True, "skipkeys": True}]
    loop_list = [1, "a"]
    loop_list.append([loop_list])
    loop_dict = {"a": 1}
    loop_dict["self"] = [{"x": loop_dict}]
    big_digits = 10 ** (sys.get_int_max_str_digits() + 10) if hasattr(sys, "get_int_max_str_digits") else None
    failing = {
        "unsupported in list": lambda d: deep(d, [1, object()]),
        "unsupported in dict": lambda d: deep(d, {"k": 1.5, "bad": Thing(1)}, "dict"),
        "unsupported in tuple": lambda d: deep(d, (b"bytes",), "tuple"),
        "set deep": lambda d: deep(d, {"s": {1, 2}}, "dict"),
        "nan deep": lambda d: deep(d, [1.0, math.nan]),
        "inf key deep": lambda d: deep(d, {math.inf: 1}, "dict"),
        "tuple key deep": lambda d: deep(d, {"a": 1, (1, 2): 2}, "dict"),
        "mixed sort keys deep": lambda d: deep(d, {"a": 1, 2: 2, None: 3}, "dict"),
        "items raise deep": lambda d: deep(d, ItemsRaise(a=1)),
        "items not pairs deep": lambda d: deep(d, ItemsNotPairs(a=1)),
        "iter raise deep": lambda d: deep(d, IterRaise([1, 2])),
        "thing deep": lambda d: deep(d, [Thing(3)]),
        "circular list": lambda d: deep(d, loop_list),
        "circular dict": lambda d: deep(d, loop_dict, "dict"),
    }
    if big_digits is not None:
        failing["int too many digits"] = lambda d: deep(d, [1, big_digits])
    defaults = {"no default": None, "default raises": default_raises, "default unsupported": default_unsupported,
                "default returns self": default_returns_self, "default recursing": default_deep_thing,
                "default ok": default_ok}
    for (fname, make), (dname, dflt) in itertools.product(failing.items(), defaults.items()):
        objs = [make(d) for d in (0, 1, 5)]
        for j, kw in enumerate(fail_kws):
            if kw.get("check_circular") is False and (dname == "default returns self" or "circular" in fname):
                continue  # endless recursion: once below, not for every combination
            kw = dict(kw, default=dflt) if dflt is not None else kw
            kw = dict(kw, allow_nan=False) if "nan" in fname or "inf" in fname else kw
            add((f"dumps {fname}, {dname}, kw#{j}", lambda objs=objs, kw=kw: [_call(rjson.dumps, o, **kw) for o in objs]))
    too_deep = deep(sys.getrecursionlimit() + 100, [])
    for j, kw in enumerate(fail_kws):
        add((f"dumps recursion kw#{j}", lambda kw=kw: _call(rjson.dumps, too_deep, **kw)))
    add(("dumps recursion through default", lambda: _call(rjson.dumps, [Thing(1)], default=default_endless)))
    add(("dumps default returns self, no circular check",
         lambda: _call(rjson.dumps, {"a": [Thing(1)]}, default=default_returns_self, check_circular=False)))
    add(("dumps circular, no circular check", lambda: [_call(rjson.dumps, loop_list, check_circular=False),
                                                      _call(rjson.dumps, loop_dict, check_circular=False,
                                                            indent=1)]))

    # dumps: bad arguments and keyword values.
    bad_calls = {
        "no argument": ((), {}),
        "two positionals": (([1], True), {}),
        "obj twice": (([1],), {"obj": [2]}),
        "unknown keyword": (([1],), {"frobnicate": 1}),
        "cls": (([1],), {"cls": json.JSONEncoder}),
        "indent float": (([1],), {"indent": 1.5}),
        "indent list": (([1, [2]],), {"indent": [2]}),
        "separators int": (([1],), {"separators": 5}),
        "separators short": (([1],), {"separators": (",",)}),
        "separators long": (([1],), {"separators": (",", ":", ";")}),
        "separators not str": (([1, {"a": 1}],), {"separators": (1, 2)}),
        "separators bytes": (([1, {"a": 1}],), {"separators": (b",", b":")}),
        "default not callable": (([Thing(1)],), {"default": 5}),
        "bool-ish keyword": (({"b": 1, "a": [1.5]},), {"sort_keys": [1], "skipkeys": "", "ensure_ascii": 0.0}),
        "non-str keyword name": (([1],), {"\udc80": 1}),
    }
    for name, (args, kw) in bad_calls.items():
        add((f"dumps bad: {name}", lambda args=args, kw=kw: _call(rjson.dumps, *args, **kw)))

    # loads: valid documents in every input type.
    doc = loads_documents()
    docb = doc.encode()
    valid = [doc, docb, bytearray(docb), memoryview(docb), doc.encode("utf-16"), doc.encode("utf-32-be"),
             b"\xef\xbb\xbf" + docb, StrSub(doc), json.dumps(values[:20], default=default_ok),
             '{"a": 1, "a": 2, "a": {"a": [3]}}', "  [\n1 ]  ", '"\\ud800"', "123456789" * 30]
    add(("loads valid", lambda: [_call(rjson.loads, v) for v in valid]))
    add(("loads s= keyword", lambda: rjson.loads(s=doc)))

    # loads: malformed input at every position.
    broken = []
    for i in range(len(doc) + 1):
        broken.append(doc[:i])
        for c in ("x", "]", "}", ",", '"', "\\", "\x01", ":", "-", "0", "\u00e9"):
            broken.append(doc[:i] + c + doc[i + 1:])
            broken.append(doc[:i] + c + doc[i:])
    broken_bytes = [b.encode("utf-8", "surrogatepass") for b in broken[::3]]
    bad_utf8 = []
    for i in range(len(docb) + 1):
        for junk in (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f"):
            bad_utf8.append(docb[:i] + junk + docb[i:])
    add(("loads broken str", lambda: [_call(rjson.loads, b) for b in broken]))
    add(("loads broken bytes", lambda: [_call(rjson.loads, b) for b in broken_bytes]))
    add(("loads broken bytearray", lambda: [_call(rjson.loads, bytearray(b)) for b in broken_bytes[::5]]))
    add(("loads broken memoryview", lambda: [_call(rjson.loads, memoryview(b)) for b in broken_bytes[::5]]))
    add(("loads invalid utf-8", lambda: [_call(rjson.loads, b) for b in bad_utf8]))
    add(("loads broken utf-16", lambda: [_call(rjson.loads, b.encode("utf-16-le", "surrogatepass"))
                                         for b in broken[::17]]))
    nested = "[" * (sys.getrecursionlimit() + 100)
    add(("loads recursion", lambda: [_call(rjson.loads, nested), _call(rjson.loads, nested.encode()),
                                     _call(rjson.loads, '{"a":' * 5000)]))
    if hasattr(sys, "get_int_max_str_digits"):
        huge = "[1, " + "7" * (sys.get_int_max_str_digits() + 1) + "]"
        add(("loads int too many digits", lambda: _call(rjson.loads, huge)))

    # loads: hooks, each returning and each raising, wherever they are called.
    def raise_hook(*a):
        raise Boom("hook")

    hook_doc = '{"a": [1, 2.5, NaN, {"b": -Infinity}], "c": {"d": 10}}'
    hooks = {"object_hook": lambda d: ("obj", len(d)), "object_pairs_hook": lambda p: list(p),
             "parse_float": lambda s: ("f", s), "parse_int": lambda s: ("i", s),
             "parse_constant": lambda s: ("c", s)}
    for name, hook in hooks.items():
        add((f"loads hook {name}", lambda name=name, hook=hook: _call(rjson.loads, hook_doc, **{name: hook})))
        add((f"loads hook {name} raises", lambda name=name: _call(rjson.loads, hook_doc, **{name: raise_hook})))
        add((f"loads hook {name} on broken doc", lambda name=name, hook=hook: [
            _call(rjson.loads, b, **{name: hook}) for b in broken[::41]]))
    add(("loads all hooks", lambda: _call(rjson.loads, hook_doc, **hooks)))
    add(("loads None hooks", lambda: _call(rjson.loads, hook_doc, **{k: None for k in hooks})))

    # loads: bad arguments.
    released = memoryview(b"[1]")
    released.release()
    noncontig = memoryview(b"[1, 2, 3, 4]")[::2]
    bad_loads = {
        "no argument": ((), {}),
        "int": ((1,), {}),
        "None": ((None,), {}),
        "list": (([doc],), {}),
        "two positionals": ((doc, doc), {}),
        "s twice": ((doc,), {"s": doc}),
        "unknown keyword": ((doc,), {"frobnicate": 1}),
        "cls": ((doc,), {"cls": json.JSONDecoder}),
        "released memoryview": ((released,), {}),
        "non-contiguous memoryview": ((noncontig,), {}),
        "hook not callable": ((doc,), {"object_hook": 5}),
        "encoding": ((doc,), {"encoding": "utf-8"}),
    }
    for name, (args, kw) in bad_loads.items():
        add((f"loads bad: {name}", lambda args=args, kw=kw: _call(rjson.loads, *args, **kw)))
    orjson_cases(add, values, broken)
    return out


def orjson_cases(add, values, broken):
    """The orjson face: dumps of JSON's types and orjson's native ones under option sets, its
    refusals (deep inside containers), and loads of good and broken documents of every type."""
    import dataclasses
    import datetime
    import enum
    import uuid

    oj = rjson.orjson

    @dataclasses.dataclass
    class Rec:
        id: int
        name: str
        _hidden: int = 0

    @dataclasses.dataclass
    class Slotted:
        __slots__ = ("a", "b")
        a: int
        b: list

    class Color(enum.Enum):
        RED = "red"
        ONE = 1

    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    natives = [Rec(1, "r\u00e9c"), Slotted(2, [Rec(3, "x")]), Color.RED, Color.ONE,
               uuid.UUID(int=2**127 + 5), datetime.date(2024, 2, 29), datetime.time(12, 30, 1, 5),
               datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz),
               datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc), oj.Fragment(b'{"f":[1]}'),
               {"k%d" % i: [Rec(i, "n"), Color.ONE] for i in range(5)}, {1: "int key", None: 2, 2.5: 3}]
    option_sets = [0, oj.OPT_SORT_KEYS, oj.OPT_INDENT_2 | oj.OPT_APPEND_NEWLINE, oj.OPT_NON_STR_KEYS,
                   oj.OPT_NAIVE_UTC | oj.OPT_UTC_Z | oj.OPT_OMIT_MICROSECONDS, oj.OPT_STRICT_INTEGER,
                   oj.OPT_PASSTHROUGH_DATACLASS | oj.OPT_PASSTHROUGH_DATETIME | oj.OPT_PASSTHROUGH_SUBCLASS,
                   oj.OPT_NON_STR_KEYS | oj.OPT_SORT_KEYS]
    everything = values + natives
    for option in option_sets:
        add((f"orjson dumps option {option}",
             lambda option=option: [_call(oj.dumps, v, default=default_ok, option=option) for v in everything]))
    refused = {
        "unsupported": [1, {"a": object()}], "default raises": [Thing(1)], "surrogate": ["a\ud800"],
        "int too big": [[2**64]], "non-str key": [{1: 2}], "recursion": deep(600, [1]),
        "bad option": [1], "surrogate key": [{"\ud800": 1}],
    }
    for name, doc in refused.items():
        kw = {"default": default_raises} if name == "default raises" else {}
        if name == "bad option":
            kw["option"] = 1 << 20
        add((f"orjson dumps refused: {name}", lambda doc=doc, kw=kw: [_call(oj.dumps, deep(d, doc), **kw) for d in (0, 3, 40)]))
    pieces = [_call(oj.dumps, v, default=default_ok, option=oj.OPT_NON_STR_KEYS) for v in everything]
    good = b"[" + b",".join(p for p in pieces if p is not None) + b"]"
    for kind, convert in (("bytes", bytes), ("str", bytes.decode), ("bytearray", bytearray), ("memoryview", memoryview)):
        add((f"orjson loads {kind}", lambda convert=convert: _call(oj.loads, convert(good))))
    add(("orjson loads broken", lambda: [_call(oj.loads, b) for b in broken[::7]]))
    add(("orjson loads invalid utf-8, BOM, surrogates, NaN", lambda: [_call(oj.loads, d) for d in (
        b'["\xff"]', b"\xef\xbb\xbf[1]", b"\xef\xbb\xbf\xed\xa0\x80", '"\ud800"', "[NaN]", b"", 5, None)]))


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - every error path is wanted; only refcounts are checked
        return None


CASES = cases()


def run_batch(calls):
    for _, call in calls:
        call()


# sys._clear_type_cache is deprecated from 3.13 for sys._clear_internal_caches (which empties
# the type cache too).
clear_type_cache = getattr(sys, "_clear_internal_caches", None) or sys._clear_type_cache


def measure():
    # The interpreter's type attribute cache keeps a reference to each name it caches, in up
    # to 4096 slots; names made afresh per call (PyObject_GetAttrString, PyObject_CallMethod
    # and the like make a new str each time) land in ever other slots, so the total grows,
    # ever more slowly, until every slot is taken. 3.13 debug builds showed it after the
    # warm-up. Emptied before each reading: references owned elsewhere are still counted.
    # rjson's own caches (object keys) likewise.
    clear_type_cache()
    rjson._purge()
    gc.collect()
    gc.collect()
    return sys.gettotalrefcount()


# ---------------------------------------------------------------------------- tests

def test_cases_cover_the_api():
    names = " ".join(name for name, _ in CASES)
    for needed in ("dumps ok", "default raises", "unsupported in dict", "circular", "nan deep", "recursion",
                   "loads broken", "invalid utf-8", "hook", "bad: unknown keyword", "bad: cls",
                   "orjson dumps option", "orjson dumps refused", "orjson loads"):
        assert needed in names, needed
    for kw in DUMPS_KEYWORDS:
        assert any(kw in case for case in keyword_sets()), kw


def test_total_refcount_stable():
    """Warm up until a whole batch leaves the total unchanged (caches filled), then every
    measured batch must leave it unchanged too. A leak of one reference on any path grows
    every batch; a cache that is still filling does not keep growing."""
    deltas = []
    stable = 0
    for _ in range(MAX_WARMUP_BATCHES):
        delta = batch_delta()
        deltas.append(delta)
        stable = stable + 1 if delta <= 0 else 0
        if stable == 2:
            break
    measured = [batch_delta() for _ in range(MEASURED_BATCHES)]
    if any(d > 0 for d in measured):
        pytest.fail(f"sys.gettotalrefcount() grew over identical batches of {len(CASES)} kinds of call: "
                    f"warm-up deltas {deltas}, measured deltas {measured}; largest growths of one group "
                    f"alone: {leaking_cases()}")


def batch_delta(calls=None):
    """Growth of the total reference count over one batch of calls (default: every case)."""
    before = measure()
    run_batch(CASES if calls is None else calls)
    # The int `before` itself holds the one reference that the second reading counts more.
    return measure() - before - 1


def test_measure_is_exact():
    """An empty batch, or one of calls that cannot leak, reads as exactly no growth."""
    noop = [("noop", lambda: None), ("len", lambda: _call(len, [1, 2]))]
    batch_delta(noop)
    assert [batch_delta([]) for _ in range(3)] == [0, 0, 0]
    assert [batch_delta(noop) for _ in range(3)] == [0, 0, 0]


def test_measure_sees_a_leak():
    """A batch that leaks a reference per call reads as that many: to a plain object, and to
    an attribute name that the type cache holds too."""
    import ctypes

    class Holder:
        attr = 1

    obj = object()
    name = "".join(["at", "tr"])  # a str of its own, not the interned "attr"
    leaked = [0, 0]  # small ints, shared: counting leaves the total unchanged

    def leak(i, o):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(o))
        leaked[i] += 1

    leaks = [("object", lambda: leak(0, obj)), ("name", lambda: (getattr(Holder, name), leak(1, name)))]
    try:
        batch_delta(leaks)
        assert [batch_delta(leaks * 5) for _ in range(3)] == [10, 10, 10]
    finally:
        for i, o in enumerate((obj, name)):
            for _ in range(leaked[i]):
                ctypes.pythonapi.Py_DecRef(ctypes.py_object(o))


def leaking_cases(budget=120.0):
    """The groups of calls whose total grows most when run alone (for the failure message;
    within a time budget: a full collection per reading is slow in a large test process)."""
    groups = {}
    for name, call in CASES:
        groups.setdefault(re.split(r",| kw#", name)[0], []).append((name, call))
    found = []
    deadline = time.monotonic() + budget
    for group, calls in groups.items():
        if time.monotonic() > deadline:
            found.append((0, f"(out of time before {group!r})"))
            break
        run_batch(calls)
        delta = batch_delta(calls * LEAK_CALLS)
        if delta > 0:
            found.append((delta, f"{group} ({len(calls)} kinds x {LEAK_CALLS})"))
    found.sort(key=lambda x: -x[0])
    return [(name, delta) for delta, name in found[:8]] or "none alone (only several kinds together)"
