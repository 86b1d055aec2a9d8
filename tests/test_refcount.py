"""Reference counting of rjson.dumps / rjson.loads inputs and outputs.

Every input object (top object, nested containers, keys, values, the default
function, the separators tuple, the indent str) must have the same
sys.getrefcount after N calls as before, whether the calls succeed or raise.
The objects are built at run time so that they are not shared with constants,
interned strings or small-int caches.

On a refcount mismatch the objects are parked in _GRAVEYARD so that an
over-decref'd object is never freed (a later use-after-free would crash the
run instead of reporting the failure).
"""

import gc
import json
import os
import sys
import tracemalloc

import pytest

import rjson
from conftest import SOLE_REFCOUNT

N_CALLS = 25
_GRAVEYARD = []


def fresh_str(tag):
    return "%s_%d_%s" % (tag, id(object()) % 1000, "x" * 3)


class Thing:
    def __init__(self, v):
        self.v = v


def build():
    """(top, [every object reachable from top, top included])."""
    k = [fresh_str("key%d" % i) for i in range(8)]
    big = 10**30 + 7
    neg = -(10**25) - 3
    fl = 1.0 / 3.0
    fl2 = float(k[0].__len__()) + 0.125
    s1 = fresh_str("val\u00e9")
    s2 = fresh_str("\U0001f600astral")
    leaf = [big, fl, s1, neg]
    tup = (s2, fl2, [])
    inner = {k[1]: leaf, k[2]: tup, k[3]: {}}
    top = {k[0]: inner, k[4]: [leaf, tup], k[5]: s1, k[6]: big, k[7]: [inner]}
    objs = [top, leaf, tup, tup[2], inner, inner[k[3]], top[k[4]], top[k[7]], big, neg, fl, fl2,
            s1, s2] + k
    return top, objs


def refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


def assert_stable(objs, call, expect=None, n=N_CALLS):
    """Call call() n times (expecting exception type `expect`, or success), after one call
    that fills what is made once. What rjson keeps between calls (dumps' key texts hold short
    keys, which these objects include) is let go before each reading."""
    for i in range(n + 1):
        if i == 1:
            rjson._purge()
            gc.collect()
            before = refcounts(objs)
        if expect is None:
            r = call()
            assert type(r) in (str, list, dict, int, float, bool, type(None))
            del r
        else:
            try:
                call()
            except expect:
                pass
            else:
                raise AssertionError(f"expected {expect.__name__}")
    rjson._purge()
    gc.collect()
    after = refcounts(objs)
    if before != after:
        _GRAVEYARD.append(objs)
        diffs = [(i, type(o).__name__, repr(o)[:40], b, a)
                 for i, (o, b, a) in enumerate(zip(objs, before, after)) if b != a]
        raise AssertionError(f"refcounts changed after {n} calls (index, type, repr, before, "
                             f"after): {diffs}")


def fresh_seps():
    return tuple([fresh_str(","), fresh_str(":")])


def fresh_indent():
    return "".join(["-", "-", "\t"])


KW_CASES = {
    "default": lambda: {},
    "indent_int": lambda: {"indent": 2},
    "indent_str": lambda: {"indent": fresh_indent()},
    "sort_keys": lambda: {"sort_keys": True},
    "sort_indent": lambda: {"sort_keys": True, "indent": fresh_indent()},
    "separators": lambda: {"separators": fresh_seps()},
    "separators_list": lambda: {"separators": [fresh_str(";"), fresh_str("=")]},
    "ascii_false": lambda: {"ensure_ascii": False, "separators": fresh_seps()},
    "no_check_circular": lambda: {"check_circular": False},
    "skipkeys": lambda: {"skipkeys": True},
}


def kw_objs(kw):
    """The refcounted objects among the keyword values (separators tuple and its
    items, indent str, default function)."""
    out = []
    for name in ("separators", "indent", "default"):
        v = kw.get(name)
        if v is not None and not isinstance(v, (int, bool)):
            out.append(v)
            if isinstance(v, (tuple, list)):
                out.extend(v)
    return out


# ---------------------------------------------------------------------------- dumps, success

@pytest.mark.parametrize("case", list(KW_CASES))
def test_dumps_success(case):
    kw = KW_CASES[case]()
    top, objs = build()
    assert rjson.dumps(top, **kw) == json.dumps(top, **kw)
    assert_stable(objs + kw_objs(kw), lambda: rjson.dumps(top, **kw))


@pytest.mark.parametrize("case", list(KW_CASES))
def test_dumps_success_with_default(case):
    kw = KW_CASES[case]()
    top, objs = build()
    things = [Thing(fresh_str("t%d" % i)) for i in range(3)]
    def default(o):
        if isinstance(o, Thing):
            return {"".join(["from_default_", o.v]): [o.v, 1.5]}  # deterministic
        raise TypeError("nope")

    top[fresh_str("things")] = things
    objs = objs + things + [t.v for t in things] + [default]
    kw["default"] = default
    assert rjson.dumps(top, **kw) == json.dumps(top, **kw)
    assert_stable(objs + kw_objs(kw), lambda: rjson.dumps(top, **kw))


def test_dumps_key_kinds():
    fk = 2.5 + len(fresh_str("a"))
    ik = 10**40 + 1
    nk = float("nan")
    skipped = (fresh_str("tuplekey"),)
    v = [fresh_str("v")]
    d = {fk: v, ik: v, nk: v, fresh_str("s"): v, skipped: v, True: v, None: v}
    objs = [d, fk, ik, nk, skipped, skipped[0], v, v[0]]
    for kw in ({"skipkeys": True}, {"skipkeys": True, "indent": 1}):
        assert_stable(objs, lambda: rjson.dumps(d, **kw))


def test_dumps_result_refcount():
    top, _ = build()
    r = rjson.dumps(top)
    assert sys.getrefcount(r) == SOLE_REFCOUNT
    r2 = rjson.dumps(fresh_str("toplevel"))
    assert sys.getrefcount(r2) == SOLE_REFCOUNT
    r3 = rjson.dumps(top, indent=2, sort_keys=True)
    assert sys.getrefcount(r3) == SOLE_REFCOUNT


def test_dumps_subclass_inputs():
    class L(list):
        pass

    class D(dict):
        def items(self):
            return dict.items(self)

    class I(int):  # noqa: E742
        pass

    class F(float):
        pass

    class S(str):
        pass

    i, f, s = I(10**20), F(0.5), S(fresh_str("s"))
    inner = D({s: [i, f]})
    top = L([inner, s, i, f, (inner,)])
    objs = [top, inner, i, f, s]
    for kw in ({}, {"indent": 1}, {"sort_keys": True}):
        assert_stable(objs, lambda: rjson.dumps(top, **kw))


# ---------------------------------------------------------------------------- dumps, failures

def _deep_unsupported():
    top, objs = build()
    bad = Thing(fresh_str("bad"))
    holder = [1.5, bad]
    top[fresh_str("z_last")] = {fresh_str("deep"): [[holder]]}
    return top, objs + [bad, holder], TypeError, {}


def _nan_value():
    top, objs = build()
    nan = float("nan")
    holder = [0.5 + len(objs), nan]
    top[fresh_str("z_nan")] = holder
    return top, objs + [nan, holder], ValueError, {"allow_nan": False}


def _nan_key():
    top, objs = build()
    nan = float("inf")
    holder = {nan: fresh_str("v")}
    top[fresh_str("z_nank")] = [holder]
    return top, objs + [nan, holder], ValueError, {"allow_nan": False}


class Boom(Exception):
    pass


def _default_raises():
    top, objs = build()
    bad = Thing(1)
    top[fresh_str("z_thing")] = [bad]

    def default(o):
        raise Boom(fresh_str("boom"))

    return top, objs + [bad, default], Boom, {"default": default}


def _default_raises_late():
    top, objs = build()
    bad = Thing(1)
    top[fresh_str("z_thing")] = [Thing(0), bad]

    def default(o):
        if o is bad:
            raise Boom("late")
        return [fresh_str("ok"), {fresh_str("k"): 1.5}]

    return top, objs + [bad, default], Boom, {"default": default}


def _circular_list():
    top, objs = build()
    loop = [fresh_str("l")]
    loop.append(loop)
    top[fresh_str("z_loop")] = loop
    return top, objs + [loop, loop[0]], ValueError, {}


def _circular_dict():
    top, objs = build()
    loop = {fresh_str("a"): 1.25}
    loop[fresh_str("self")] = [loop]
    top[fresh_str("z_loop")] = loop
    return top, objs + [loop], ValueError, {}


def _circular_default():
    top, objs = build()
    bad = Thing(1)
    top[fresh_str("z")] = [bad]

    def default(o):
        return [o]

    return top, objs + [bad, default], ValueError, {"default": default}


def _bad_key():
    top, objs = build()
    key = (fresh_str("tuplekey"),)
    top[fresh_str("z")] = {fresh_str("ok"): 1, key: 2}
    return top, objs + [key], TypeError, {}


def _mixed_sort():
    top, objs = build()
    ik = 10**22
    sub = {fresh_str("s"): 1, ik: 2}
    top[fresh_str("z")] = sub
    return top, objs + [ik, sub], TypeError, {"sort_keys": True}


def _int_too_big():
    if not hasattr(sys, "get_int_max_str_digits") or sys.get_int_max_str_digits() == 0:
        pytest.skip("no int digit limit")
    top, objs = build()
    big = 10 ** (sys.get_int_max_str_digits() + 5)
    top[fresh_str("z")] = [1, big]
    return top, objs + [big], ValueError, {}


def _recursion():
    top, objs = build()
    root = cur = []
    mids = []
    # deeper than json goes anywhere (3.14's C stack allowance is ~65,000 levels)
    for i in range(100000):
        nxt = []
        cur.append(nxt)
        if i % 25000 == 0:
            mids.append(nxt)
        cur = nxt
    top[fresh_str("z")] = root
    return top, objs + [root] + mids, RecursionError, {}


FAILURES = {
    "unsupported_deep": _deep_unsupported,
    "nan_value": _nan_value,
    "inf_key": _nan_key,
    "default_raises": _default_raises,
    "default_raises_late": _default_raises_late,
    "circular_list": _circular_list,
    "circular_dict": _circular_dict,
    "circular_via_default": _circular_default,
    "bad_key": _bad_key,
    "mixed_sort": _mixed_sort,
    "int_too_big": _int_too_big,
    "recursion": _recursion,
}


@pytest.mark.parametrize("kwcase", ["default", "indent_str", "sort_keys", "separators",
                                    "ascii_false"])
@pytest.mark.parametrize("case", list(FAILURES))
def test_dumps_failure(case, kwcase):
    top, objs, exc, extra = FAILURES[case]()
    kw = KW_CASES[kwcase]()
    kw.update(extra)
    if case == "recursion" and kw.get("indent") and sys.version_info >= (3, 14):
        # From 3.14 both encoders nest as deep as the C stack allows (rjson: 65,000 levels),
        # and the indentation written on the way grows with the square of the depth: 6 GB
        # of "--\t" there. Newlines alone keep the same paths.
        kw["indent"] = 0
    # the oracle agrees this input fails this way
    with pytest.raises(exc):
        json.dumps(top, **kw)
    n = 5 if case == "recursion" else N_CALLS
    assert_stable(objs + kw_objs(kw), lambda: rjson.dumps(top, **kw), expect=exc, n=n)


# ---------------------------------------------------------------------------- loads

def _doc():
    return ('{"%s": [1, 2.5, -0.0, 1e400, "s\\u00e9\\ud83d\\ude00", null, true, {"k": []}],'
            ' "big": 123456789012345678901234567890, "nested": [[[{"a": {"b": [1]}}]]]}'
            % fresh_str("key"))


LOADS_INPUTS = {
    "str": lambda: _doc(),
    "str_nonascii": lambda: "".join(["[\"\u00e9\U0001f600\", ", _doc(), "]\n"]),
    "bytes": lambda: _doc().encode("utf-8"),
    "bytes_utf8_bom": lambda: b"\xef\xbb\xbf" + _doc().encode("utf-8"),
    "bytes_utf16": lambda: _doc().encode("utf-16"),
    "bytearray": lambda: bytearray(_doc().encode("utf-8")),
}

LOADS_BAD = {
    "truncated": lambda: _doc()[:-5],
    "trailing": lambda: _doc() + " x",
    "bad_escape": lambda: "".join(['["a\\x', fresh_str("b"), '"]']),
    "bad_bytes": lambda: b"".join([b'["\xff\xfe\xfd', fresh_str("b").encode()]),
    "blank": lambda: " " * 7,
    "deep": lambda: "[" * 100000,
}


@pytest.mark.parametrize("case", list(LOADS_INPUTS))
def test_loads_success(case):
    s = LOADS_INPUTS[case]()
    assert rjson.loads(s) == json.loads(s)
    assert_stable([s], lambda: rjson.loads(s))


@pytest.mark.parametrize("case", list(LOADS_BAD))
def test_loads_failure(case):
    s = LOADS_BAD[case]()
    try:
        json.loads(s)
    except Exception as e:  # noqa: BLE001
        exc = type(e)
    else:
        raise AssertionError("test bug: json.loads accepted it")
    assert_stable([s], lambda: rjson.loads(s), expect=exc, n=5 if case == "deep" else N_CALLS)


def _container_refcounts(x, out):
    out.append(sys.getrefcount(x))
    if isinstance(x, list):
        for v in x:
            if isinstance(v, (list, dict)):
                _container_refcounts(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            if isinstance(v, (list, dict)):
                _container_refcounts(v, out)
    return out


def test_loads_result_refcounts():
    s = _doc()
    r = rjson.loads(s)
    assert sys.getrefcount(r) == SOLE_REFCOUNT
    j = json.loads(s)
    got = _container_refcounts(r, [])
    want = _container_refcounts(j, [])
    # every container is referenced only by its parent (same pattern as json's result)
    assert got == want


# ---------------------------------------------------------------------------- leaks without a debug build

def _dumps_error_calls():
    top, _ = build()
    bad = dict(top)
    bad["zz"] = [object()]
    nan = [1.0, float("nan")]
    loop = [1]
    loop.append(loop)

    def default(o):
        raise Boom("x")

    return [
        (lambda: rjson.dumps(bad), TypeError),
        (lambda: rjson.dumps(bad, indent=1, sort_keys=True), TypeError),
        (lambda: rjson.dumps(nan, allow_nan=False), ValueError),
        (lambda: rjson.dumps(loop), ValueError),
        (lambda: rjson.dumps(bad, default=default), Boom),
        (lambda: rjson.dumps({1: 1, "a": 2}, sort_keys=True), TypeError),
        (lambda: rjson.dumps({(1,): [2]}), TypeError),
        (lambda: rjson.loads('{"a": [1, 2, {"b": [3'), ValueError),
        (lambda: rjson.loads(b'[1, 2, "\xff'), ValueError),
        (lambda: rjson.loads('[1, 2, {"x": [3]}] x'), ValueError),
    ]


def _success_calls():
    top, _ = build()
    doc = json.dumps(top)
    return [
        lambda: rjson.dumps(top),
        lambda: rjson.dumps(top, indent=2, sort_keys=True, ensure_ascii=False),
        lambda: rjson.dumps([Thing(1)], default=lambda o: {"t": [o.v]}),
        lambda: rjson.loads(doc),
        lambda: rjson.loads(doc.encode()),
    ]


def _run_mix(rounds):
    errs = _dumps_error_calls()
    oks = _success_calls()
    for _ in range(rounds):
        for f, exc in errs:
            try:
                f()
            except exc:
                pass
        for f in oks:
            f()


def test_no_gc_object_leak():
    """Leaked lists/dicts/exceptions stay tracked by the GC: their count must not grow."""
    _run_mix(20)
    gc.collect()
    n0 = len(gc.get_objects())
    _run_mix(200)
    gc.collect()
    n1 = len(gc.get_objects())
    assert n1 - n0 < 100, f"{n1 - n0} more GC-tracked objects after 3000 calls"


def test_no_tracemalloc_growth():
    """Python-allocated memory (result strs, ints, floats, exceptions) must not grow."""
    _run_mix(10)
    gc.collect()
    tracemalloc.start()
    try:
        _run_mix(10)
        gc.collect()
        m0 = tracemalloc.get_traced_memory()[0]
        _run_mix(150)
        gc.collect()
        m1 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert m1 - m0 < 256 * 1024, f"traced memory grew by {m1 - m0} bytes over 2250 calls"


def _rss():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        pytest.skip("no /proc/self/statm")


def test_no_rss_growth_large_buffers():
    """Native (non-Python) buffers on success and error paths must be freed: 400 calls
    that each build ~200 KB of output would leak ~80 MB."""
    big = [fresh_str("x" * 2000 + "%d" % i) for i in range(100)]
    bad = big + [object()]
    nan = big + [float("nan")]
    doc = json.dumps(big)
    bad_doc = doc[:-1] + ", x]"

    def once():
        rjson.dumps(big)
        rjson.dumps(big, indent=2)
        rjson.loads(doc)
        for f, exc in ((lambda: rjson.dumps(bad), TypeError),
                       (lambda: rjson.dumps(nan, allow_nan=False), ValueError),
                       (lambda: rjson.loads(bad_doc), ValueError)):
            try:
                f()
            except exc:
                pass

    for _ in range(50):
        once()
    gc.collect()
    r0 = _rss()
    for _ in range(400):
        once()
    gc.collect()
    r1 = _rss()
    assert r1 - r0 < 30 * 1024 * 1024, f"RSS grew by {(r1 - r0) >> 20} MiB"


@pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"), reason="needs a debug build of Python")
def test_total_refcount_debug_build():
    _run_mix(20)
    gc.collect()
    t0 = sys.gettotalrefcount()
    _run_mix(200)  # 3000 calls
    gc.collect()
    t1 = sys.gettotalrefcount()
    assert t1 - t0 < 200, f"total refcount grew by {t1 - t0} over 3000 calls"
