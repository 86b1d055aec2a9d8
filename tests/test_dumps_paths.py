"""The encoder's two walks (src/encode/fast.rs and src/encode/encoder.rs) agree with json.

Most documents are written by the fast walk, which gives up (and lets the general walk start
over) at anything it does not do: other types, subclasses, non-str keys, refused values, deep
nesting, cycles. These tests put those things at the edges of what it does, at the start and
at the end of large documents, and compare with json byte for byte (and the orjson face with
orjson where it is installed).
"""

import json
import sys

import pytest

import rjson
from conftest import SMALL_THREAD_STACK

try:
    import orjson
except ImportError:  # the ABI matrix may lack a wheel
    orjson = None

FORMATS = [
    {},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"indent": 2},
    {"indent": "\t", "separators": (";", "\u00e9 ")},
    {"indent": 0, "ensure_ascii": False},
    {"sort_keys": True},
    {"sort_keys": True, "indent": 1, "ensure_ascii": False},
]


def same(obj, **kw):
    try:
        want = json.dumps(obj, **kw)
    except Exception as exc:  # noqa: BLE001 - the oracle's outcome, whatever it is
        with pytest.raises(type(exc)) as got:
            rjson.dumps(obj, **kw)
        # From 3.14 json's RecursionError reports the C stack it used ("Stack overflow (used
        # 8152 kB) while ..."); rjson, which does not recurse, reports its nesting limit.
        if not isinstance(exc, RecursionError):
            assert str(got.value) == str(exc)
        return
    assert rjson.dumps(obj, **kw) == want
    if orjson is not None and not kw:
        try:
            want_bytes = orjson.dumps(obj)
        except orjson.JSONEncodeError as exc:
            with pytest.raises(rjson.orjson.JSONEncodeError) as got:
                rjson.orjson.dumps(obj)
            assert str(got.value) == str(exc)
        else:
            assert rjson.orjson.dumps(obj) == want_bytes


class Sub(dict):
    pass


class Str(str):
    pass


class Int(int):
    pass


def nested_lists(depth, leaf=0):
    doc = leaf
    for _ in range(depth):
        doc = [doc, "x"]
    return doc


def nested_dicts(depth, leaf=0):
    doc = leaf
    for i in range(depth):
        doc = {"k": doc, "n": i}
    return doc


BIG = [{"id": i, "name": f"item {i}", "tags": ["a", "b"], "score": i / 7, "ok": i % 2 == 0, "none": None}
       for i in range(2000)]

ODD_VALUES = [
    Sub(a=1), Str("s"), Int(5), {1: "int key"}, {"a": 1, 2: "mixed"}, {None: 1, True: 2, 1.5: 3},
    float("nan"), float("inf"), 2**64, -(2**63) - 1, 2**70, "\ud800", (1, 2), [], {}, (),
    1 + 2j, b"bytes",
]


@pytest.mark.parametrize("kw", FORMATS)
@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
@pytest.mark.parametrize("where", ["first", "last", "deep"])
def test_what_the_fast_walk_gives_up_on(odd, where, kw):
    if where == "first":
        doc = [odd] + BIG
    elif where == "last":
        doc = BIG + [{"z": odd}]
    else:
        doc = BIG[:10] + [nested_dicts(20, leaf=[odd])]
    same(doc, **kw)
    same(doc, **kw, allow_nan=False)
    same(doc, **kw, default=repr)


@pytest.mark.parametrize("depth", [1, 2, 30, 31, 32, 33, 34, 60, 128, 200, 253, 254, 255, 300])
@pytest.mark.parametrize("make", [nested_lists, nested_dicts])
def test_nesting_around_the_fast_walks_depth(depth, make):
    same(make(depth))
    same(make(depth), indent=1)
    same(make(depth, leaf=[]))
    same(make(depth, leaf={}))


def test_recursion_limit_counts_in_the_fast_walk():
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(120)
        for depth in (10, 60, 110, 125):
            same(nested_lists(depth))
            same(nested_dicts(depth))
    finally:
        sys.setrecursionlimit(old)


def short_decimals(rng, n):
    """Floats read from decimals of up to 8 fractional digits, from 1e-4 to 1e7 and either
    side of those bounds, as measured or priced data holds them."""
    out = []
    for _ in range(n):
        digits = rng.randint(1, 16)
        decimals = rng.randint(0, min(digits, 9))
        mantissa = rng.randrange(10 ** digits)
        out.append(rng.choice((1, -1)) * float(f"{mantissa}e-{decimals}"))
    return out


def test_short_decimal_floats_and_the_rest():
    """Short decimals are written by their own path while most floats met are short, then by
    Żmij; every float reads the same whichever wrote it, in any order of the two kinds."""
    import random
    rng = random.Random(8)
    short = short_decimals(rng, 3000)
    long = [rng.uniform(-1e3, 1e3) for _ in range(3000)]
    edges = [1e-4, -1e-4, 9.9999e-5, 1e7, 9999999.99999999, 1e7 - 1e-9, 0.5, 617.0, 1e-4 + 1e-12]
    for doc in (short, long, short + long + short, long[:5] + short, edges + short,
                [x for pair in zip(short, long) for x in pair], [{"v": x} for x in short[:500]]):
        for kw in ({}, {"ensure_ascii": False, "separators": (",", ":")}, {"indent": 2}):
            same(doc, **kw)


def test_cycles():
    lst = [1, 2]
    lst.append([lst])
    d = {"a": 1}
    d["self"] = {"x": [d]}
    for obj in (lst, d):
        same(obj)
        same(obj, check_circular=False)  # RecursionError in both


def test_dict_tables_of_every_kind():
    deleted = {f"k{i}": i for i in range(50)}
    for i in range(0, 50, 3):
        del deleted[f"k{i}"]
    deleted["new"] = "after the deletions"

    class Obj:
        def __init__(self):
            self.a, self.b, self.c = 1, "two", [3]

    split = vars(Obj())  # a split table: keys shared by the class's instances
    general = {"a": 1}
    general[5] = 6  # a table that holds a non-str key, then only str keys again
    del general[5]
    general["b"] = 2
    nonascii = {"\u00e9t\u00e9": "\u20ac", "\U0001f600": "\x00\x1f\"\\"}
    for obj in (deleted, split, general, nonascii, [deleted, split, general, nonascii]):
        for kw in FORMATS:
            same(obj, **kw)


def test_the_fast_walk_keeps_no_reference():
    leaf_str, leaf_list, key = "leaf value " * 3, [1.5, 2], "a key of its own"
    doc = {key: [leaf_str, leaf_list, {"k": leaf_list}], "n": [leaf_str] * 10}
    # (The key texts keep one reference to a short key once it was written twice: let go.)
    rjson._purge()
    before = [sys.getrefcount(o) for o in (leaf_str, leaf_list, key, doc)]
    for _ in range(100):
        rjson.dumps(doc)
        rjson.dumps(doc, indent=2)
        rjson.orjson.dumps(doc)
    rjson._purge()
    assert [sys.getrefcount(o) for o in (leaf_str, leaf_list, key, doc)] == before
    # A document the fast walk gives up on part way (default needed at the end).
    given_up = [doc, object()]
    for _ in range(100):
        rjson.dumps(given_up, default=lambda o: "obj")
    del given_up
    rjson._purge()
    assert [sys.getrefcount(o) for o in (leaf_str, leaf_list, key, doc)] == before


def test_sorted_keys_of_every_kind():
    # The fast walk sorts str keys by code point itself (src/ffi/unicode.rs cmp_chars),
    # across the four storage kinds, as sorted(d.items()) and orjson's OPT_SORT_KEYS do.
    chars = ["", "a", "ab", "b", "\x7f", "\x80", "\u00e9", "\u00ff", "\u0100", "\u20ac", "\ud7ff",
             "\ud800", "\udfff", "\ue000", "\uffff", "\U00010000", "\U0001f600", "\U0010ffff"]
    keys = {a + b for a in chars for b in chars}
    doc = {k: [k] for k in sorted(keys, key=hash)}
    nested = {"z": doc, "a": [doc, {"y": 1, "x": {"\u00e9": 2, "e": 3}}]}
    for kw in ({"sort_keys": True}, {"sort_keys": True, "ensure_ascii": False}, {"sort_keys": True, "indent": 2}):
        for obj in (doc, nested):
            same(obj, **kw)
    if orjson is not None:
        clean = {k: v for k, v in doc.items() if not any(0xD800 <= ord(c) < 0xE000 for c in k)}
        for obj in (clean, {"z": clean, "a": [clean]}):
            assert rjson.orjson.dumps(obj, option=rjson.orjson.OPT_SORT_KEYS) == orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def test_key_texts_kept_between_calls():
    # The fast walk keeps the quoted text of short ASCII keys, by key object, across calls
    # and faces (src/encode/keys.rs): every setting must still get its own text.
    keys = ["plain", "a\x7f", "tab\tkey", "quote\"", "x" * 30, "y" * 31, "\u00e9t\u00e9", "", "\U0001f600"]
    doc = {k: [i, {k: k}] for i, k in enumerate(keys)}
    for _ in range(3):
        for kw in FORMATS + [{"ensure_ascii": False}, {"separators": (",", ":")}]:
            same(doc, **kw)
    # Many more keys than slots, made and dropped: addresses are reused by other strs.
    for round_ in range(5):
        made = {f"{round_}-{i}-{'k' * (i % 40)}": i for i in range(3000)}
        assert rjson.dumps(made) == json.dumps(made)
        if orjson is not None:
            assert rjson.orjson.dumps(made) == orjson.dumps(made)
        del made
    # A key written once is not kept (no reference); from its second time it is, with at
    # most one reference however often it is written.
    # (One in a while a new key has the address of the last one offered in its set, and is
    # taken for it: hence "most".)
    fresh = [f"fresh key {i}" for i in range(100)]
    unheld = [sys.getrefcount(k) for k in fresh]
    for k in fresh:
        rjson.dumps({k: 1})
    after = [sys.getrefcount(k) for k in fresh]
    assert sum(a == n for a, n in zip(after, unheld)) >= 90
    key = "".join(["a key", " to count"])
    d = {key: 1}
    unheld = sys.getrefcount(key)
    rjson.dumps(d)
    rjson.dumps(d)
    assert sys.getrefcount(key) == unheld + 1
    for _ in range(100):
        rjson.dumps(d)
        rjson.orjson.dumps(d)
    assert sys.getrefcount(key) == unheld + 1
    # rjson._purge() lets go of it (and of loads' cached keys), as re.purge() empties re's cache.
    rjson._purge()
    assert sys.getrefcount(key) == unheld
    assert rjson.dumps(d) == rjson.dumps(d) == json.dumps(d)
    loaded = next(iter(rjson.loads('{"a cached key": 1}')))
    held = sys.getrefcount(loaded)
    rjson._purge()
    assert sys.getrefcount(loaded) == held - 1
    assert rjson._purge() is None
    with pytest.raises(TypeError):
        rjson._purge(1)


def test_an_endless_chain_of_default_results_stops():
    # From 3.14 json's C encoder is bounded by stack space, not by a count; rjson's walk
    # never recurses, so it bounds `default` calls by its nesting limit (no endless loop).
    class Thing:
        pass

    for lib in (json, rjson):
        with pytest.raises(RecursionError):
            lib.dumps([Thing()], default=lambda o: Thing())
        with pytest.raises(RecursionError):
            lib.dumps({"a": Thing()}, default=lambda o: [Thing()], check_circular=False)


SMALL_STACK_CHILD = SMALL_THREAD_STACK + """
import sys, threading, rjson
def nested(depth, make):
    doc = 0
    for i in range(depth):
        doc = make(doc, i)
    return doc
makers = [lambda d, i: [d, "x"], lambda d, i: {"k": d, "n": i}, lambda d, i: ({"k": [d]},)]
def run():
    for depth in range(1, 80):
        for make in makers:
            doc = nested(depth, make)
            rjson.dumps(doc), rjson.dumps(doc, indent=2), rjson.orjson.dumps(doc)
    print("done", flush=True)
# The smallest stack Python lets a thread have; a debug build of 3.13 needs 64 KiB itself (it
# crashed freeing these documents in 48 KiB, with or without rjson), 3.14+ allows 100 KiB.
small_thread_stack(65536 if hasattr(sys, "gettotalrefcount") else 32768)
t = threading.Thread(target=run)
t.start()
t.join()
"""


def test_the_fast_walk_fits_the_smallest_thread_stack():
    import subprocess
    proc = subprocess.run([sys.executable, "-c", SMALL_STACK_CHILD], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout == "done\n", (proc.returncode, proc.stderr[-2000:])
