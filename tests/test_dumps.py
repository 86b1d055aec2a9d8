"""Differential tests of rjson.dumps against the running interpreter's json.dumps.

json is the oracle everywhere: every test computes the expected output with
json.dumps(obj, **kw) and asserts rjson.dumps(obj, **kw) returns the identical
str (or raises the same exception type with the same message).

Note: with indent=None the stdlib uses its C encoder, with indent given (before
3.13) the pure-Python encoder, and the two differ on dict/list subclasses with
overridden __len__/__iter__/items(); rjson must match json for both.
"""

import collections
import decimal
import enum
import itertools
import json
import math
import os
import random
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import SOLE_REFCOUNT

CORPUS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CORPUS_FILES = sorted(CORPUS_DIR.glob("*.json")) if CORPUS_DIR.is_dir() else []

HYP = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


# ----------------------------------------------------------------------------
# helpers

def outcome(func, *args, **kwargs):
    """('ok', type, value) or ('raise', type, str(exc), notes)."""
    try:
        r = func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return ("raise", type(exc), str(exc), getattr(exc, "__notes__", None))
    return ("ok", type(r), r)


def _short(x, n=400):
    r = repr(x)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


def check_same(obj, **kw):
    """rjson.dumps(obj, **kw) behaves exactly like json.dumps(obj, **kw)."""
    want = outcome(json.dumps, obj, **kw)
    got = outcome(rjson.dumps, obj, **kw)
    if got != want:
        if got[0] == want[0] == "ok":
            a, b = got[2], want[2]
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            raise AssertionError(
                f"dumps differs for kw={kw!r} at char {i}: got {a[max(0, i-40):i+60]!r}, "
                f"json {b[max(0, i-40):i+60]!r} (lengths {len(a)} vs {len(b)}); obj={_short(obj)}")
        raise AssertionError(f"outcomes differ for kw={kw!r}: got {_short(got)}, "
                             f"json {_short(want)}; obj={_short(obj)}")
    if want[0] == "ok":
        assert type(got[2]) is str
    return want


# Keyword sets: C-encoder paths (indent None) and Python-encoder paths (indent given).
KW_BASIC = [
    {},
    {"indent": 2},
    {"sort_keys": True},
    {"indent": 2, "sort_keys": True},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"indent": "\t", "ensure_ascii": False},
]


def kw_id(kw):
    return ",".join(f"{k}={v!r}" for k, v in kw.items()) or "default"


# ----------------------------------------------------------------------------
# corpus

CORPUS_KWS = [
    {},
    {"ensure_ascii": False},
    {"separators": (",", ":")},
    {"indent": 2},
    {"indent": 4, "sort_keys": True},
    {"indent": "\t"},
    {"sort_keys": True},
    {"ensure_ascii": False, "indent": 1},
]

_corpus_cache = {}


def load_corpus(path):
    if path not in _corpus_cache:
        _corpus_cache.clear()  # keep at most one document alive
        _corpus_cache[path] = json.loads(path.read_text(encoding="utf-8"))
    return _corpus_cache[path]


def test_corpus_present():
    if not CORPUS_DIR.is_dir() and not os.environ.get("CI"):
        pytest.skip(f"{CORPUS_DIR} missing")
    assert len(CORPUS_FILES) >= 13, f"expected the 13 corpus files in {CORPUS_DIR}"


@pytest.mark.parametrize(
    "path,kw", [(p, kw) for p in CORPUS_FILES for kw in CORPUS_KWS],  # file-major: cache hits
    ids=[f"{p.name}-{kw_id(kw)}" for p in CORPUS_FILES for kw in CORPUS_KWS])
def test_corpus(path, kw):
    obj = load_corpus(path)
    want = json.dumps(obj, **kw)
    got = rjson.dumps(obj, **kw)
    assert type(got) is str
    if got != want:
        i = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
        pytest.fail(f"{path.name} kw={kw}: first difference at char {i}: "
                    f"got {got[max(0, i-60):i+60]!r} json {want[max(0, i-60):i+60]!r}")


# ----------------------------------------------------------------------------
# hypothesis: JSON-able values x keyword sets

SPECIAL_CHARS = ["\x00", "\x01", "\x08", "\t", "\n", "\x0c", "\r", "\x1f", " ", '"', "\\", "/",
                 "\x7f", "\x80", "\x9f", "\xa0", "\xe9", "\xff", "\u0100", "\u07ff", "\u0800",
                 "\u2028", "\u2029", "\ud7ff", "\ud800", "\udbff", "\udc00", "\udfff", "\ue000",
                 "\ufeff", "\ufffe", "\uffff", "\U00010000", "\U0001f600", "\U0010ffff"]

chars = st.one_of(
    st.characters(codec=None),  # excludes surrogates
    st.characters(categories=["Cs", "Cc", "Cf", "Co", "Cn"]),
    st.sampled_from(SPECIAL_CHARS),
)
texts = st.text(chars, max_size=40)
ints = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, -2**31, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1,
                     2**64, 10**18, 10**19, 10**100, -10**100]),
    st.integers(min_value=1, max_value=4299).map(lambda n: 10**n - 1),  # up to 4299 digits
)
floats_bits = st.integers(min_value=0, max_value=2**64 - 1).map(
    lambda b: struct.unpack("<d", struct.pack("<Q", b))[0])
floats = st.one_of(st.floats(), floats_bits)
scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts)
keys = st.one_of(texts, texts, ints, floats, st.booleans(), st.none())
str_keys = texts

json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.lists(children, max_size=6).map(tuple),
        st.dictionaries(str_keys, children, max_size=6),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=30,
)

separators = st.one_of(
    st.none(),
    st.tuples(st.sampled_from([",", ", ", " , ", "", ";\n", "\u2028", "é"]),
              st.sampled_from([":", ": ", " : ", "", "=>", "\u00a0"])),
    st.tuples(st.sampled_from([",", ", "]), st.sampled_from([":", ": "])).map(list),
)
indents = st.one_of(st.none(), st.integers(min_value=-3, max_value=6),
                    st.sampled_from(["\t", "--", "", " ", "  ", "\u00a0"]))
kwsets = st.fixed_dictionaries({}, optional={
    "skipkeys": st.booleans(),
    "ensure_ascii": st.booleans(),
    "check_circular": st.booleans(),
    "allow_nan": st.booleans(),
    "indent": indents,
    "separators": separators,
    "sort_keys": st.booleans(),
    "default": st.sampled_from([None, repr]),
})


@HYP
@given(obj=json_values, kw=kwsets)
def test_hypothesis_values(obj, kw):
    check_same(obj, **kw)


@HYP
@given(obj=json_values)
def test_hypothesis_values_default_kw(obj):
    check_same(obj)
    check_same(obj, indent=2)


@HYP
@given(obj=st.dictionaries(keys, scalars, max_size=8), kw=kwsets)
def test_hypothesis_mixed_keys(obj, kw):
    # sort_keys with mixed key types raises TypeError: message must match json's
    check_same(obj, **kw)
    check_same(obj, sort_keys=True)
    check_same(obj, sort_keys=True, indent=1)


@HYP
@given(s=texts)
def test_hypothesis_strings(s):
    for ea in (True, False):
        check_same(s, ensure_ascii=ea)
        check_same([s], ensure_ascii=ea)
        check_same({s: s}, ensure_ascii=ea)
        check_same({s: [s]}, ensure_ascii=ea, indent=1)


# ----------------------------------------------------------------------------
# scalars, top level and nested

SCALARS = [None, True, False, 0, 1, -1, 2**63, -(2**64) - 1, 10**300, 0.0, -0.0, 1.0, 0.5,
           float("nan"), float("inf"), float("-inf"), "", "abc", "é", "\U0001f600", "\ud800"]


@pytest.mark.parametrize("kw", KW_BASIC + [{"indent": 0}, {"indent": -1}, {"allow_nan": True}],
                         ids=kw_id)
@pytest.mark.parametrize("value", SCALARS, ids=repr)
def test_scalars(value, kw):
    check_same(value, **kw)
    check_same([value], **kw)
    check_same((value,), **kw)
    check_same({"k": value}, **kw)
    check_same([value, [value, {"a": value}], value], **kw)


@pytest.mark.parametrize("kw", KW_BASIC, ids=kw_id)
def test_empty_containers(kw):
    for obj in ([], {}, (), [[]], [{}], {"a": {}}, {"a": []}, [[], {}, ()], [[[[]]]],
                collections.OrderedDict(), {"a": [{}], "b": [[], []]}):
        check_same(obj, **kw)


# ----------------------------------------------------------------------------
# strings and ensure_ascii

def _all_bmp():
    return "".join(chr(i) for i in range(0x10000))


STRINGS = [
    "", "plain", 'quote"back\\slash/', "\x00\x01\x02\x1f", "\b\f\n\r\t", "\x7f", "\x80\x9f\xa0",
    "\u2028\u2029", "caf\xe9", "\u4e2d\u6587", "\U0001f600\U0001f4a9", "\U00010000\U0010ffff",
    "\ud800", "\udfff", "\udc00\ud800", "a\ud83dz", "\ud83d\ude00", "\ufeff", "\uffff",
    "x" * 10000, "\xe9" * 5000, "\U0001f600" * 3000, "\x00" * 1000, '"' * 1000,
]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("s", STRINGS, ids=lambda s: _short(s, 30))
def test_strings(s, ensure_ascii):
    check_same(s, ensure_ascii=ensure_ascii)
    check_same([s, s], ensure_ascii=ensure_ascii)
    check_same({s: s}, ensure_ascii=ensure_ascii)
    check_same({s: s}, ensure_ascii=ensure_ascii, indent=2)
    check_same({s: s, "z": 1}, ensure_ascii=ensure_ascii, sort_keys=True)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_bmp_char_and_some_astral(ensure_ascii):
    s = _all_bmp() + "".join(chr(c) for c in range(0x10000, 0x110000, 997))
    check_same(s, ensure_ascii=ensure_ascii)
    check_same([s], ensure_ascii=ensure_ascii, indent=1)
    check_same({s: 1}, ensure_ascii=ensure_ascii)
    # each char on its own: catches per-char escaping mistakes with a precise failure
    for c in map(chr, range(0x0, 0x800)):
        check_same(c, ensure_ascii=ensure_ascii)
        check_same({c: c}, ensure_ascii=ensure_ascii)


def test_str_representations():
    # the same text held in the 1-, 2- and 4-byte internal kinds and ascii
    for base in ["abc", "ab\xe9", "ab\u0100", "ab\U00010000"]:
        for s in (base, base * 50, base + "\x00", base[:-1]):
            for ea in (True, False):
                check_same(s, ensure_ascii=ea)
                check_same([s], ensure_ascii=ea)


ESCAPE_PROBES = ["\x00", "\x1f", '"', "\\", "\x7f", "\xe9", "\u2028", "\ud800", "\U0001f600"]


@pytest.mark.parametrize("base", ["a", "\xe9", "\u4e2d", "\U0001f600"], ids=repr)
def test_escape_at_every_offset(base):
    """A special char at every position of strings of length 0..70 (catches chunked /
    vectorised escaping that mishandles block boundaries), for each internal str kind."""
    for n in range(0, 71):
        for c in ESCAPE_PROBES:
            items = [base * p + c + base * (n - p) for p in range(n + 1)]
            for ea in (True, False):
                want = json.dumps(items, ensure_ascii=ea)
                got = rjson.dumps(items, ensure_ascii=ea)
                if got != want:
                    for it in items:  # pinpoint
                        check_same(it, ensure_ascii=ea)
                    assert got == want


@pytest.mark.parametrize("marker", ["\xe9", "\u4e2d", "\U0001f600"], ids=repr)
def test_escape_in_ascii_runs_of_wide_strs(marker):
    """A special char at every position of an ASCII run inside a str of a wider kind (the
    marker sets the kind): runs of plain ASCII are packed a block at a time."""
    for n in range(0, 40):
        for c in ESCAPE_PROBES + ["~", " "]:
            items = [marker + "a" * p + c + "b" * (n - p) + m for p in range(n + 1)
                     for m in ("", marker)]
            for ea in (True, False):
                assert rjson.dumps(items, ensure_ascii=ea) == json.dumps(items, ensure_ascii=ea)


def test_sort_keys_of_dicts_sharing_key_objects():
    """Dicts with the same key objects in the same order are sorted once per call and the
    order reused: same keys in other orders, prefixes, nesting and more shapes than are
    kept must each still come out in their own sorted order."""
    keys = ["b", "a", "\u00e9", "c", "\U0001f600", "ab", "", "B"]
    rng = random.Random(7)
    shapes = [rng.sample(keys, rng.randint(1, len(keys))) for _ in range(40)]
    shapes += [list(p) for p in itertools.permutations(keys[:3])]

    def record(shape, depth):
        return {k: (record(shapes[(i + depth) % len(shapes)], depth - 1) if depth and i == 0 else i)
                for i, k in enumerate(shape)}

    doc = [record(shape, 2) for shape in shapes * 3]
    for kw in ({}, {"ensure_ascii": False, "separators": (",", ":")}, {"indent": 1}):
        assert rjson.dumps(doc, sort_keys=True, **kw) == json.dumps(doc, sort_keys=True, **kw)
    want = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert rjson.orjson.dumps(doc, option=rjson.orjson.OPT_SORT_KEYS) == want


# ----------------------------------------------------------------------------
# floats

def _tricky_floats():
    vals = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, 100.0, 1e16, 1e15, 1e17,
            9999999999999998.0, 9007199254740992.0, float(2**53 + 1), float(2**53 - 1),
            float(2**63), float(2**64), 1e22, 1e23, 123456789012345680.0, 12345678901234567890.0,
            1e-4, 1e-5, 0.0001, 0.00001, 9.999999999999999e-05, 1.0000000000000001e-04,
            1e-7, 1e-07, 1e+16, 5e-324, -5e-324, 1e-323, 2.2250738585072014e-308,
            2.225073858507201e-308, 1.7976931348623157e+308, -1.7976931348623157e+308,
            4.35, 2.675, 1.5, 0.5, 123.456, -123.456e-10, 3.141592653589793, 2.718281828459045,
            1e308, 1e-308, 1e100, 1e-100, 8.41e21, 5e-310, 1.2345678901234567e-300,
            math.ulp(1.0), 1 - math.ulp(0.5), float("nan"), float("inf"), float("-inf"),
            -float("nan")]
    for k in range(-325, 310):
        vals.append(float(f"1e{k}"))
    for k in range(-10, 25):
        base = 10.0 ** k
        vals += [base, math.nextafter(base, 0), math.nextafter(base, math.inf), -base]
    for e in range(-1074, 1024, 7):
        vals.append(math.ldexp(1.0, e))
        vals.append(math.ldexp(1.0, e) * 1.5)
    return vals


TRICKY_FLOATS = _tricky_floats()


def test_tricky_floats_alone():
    for f in TRICKY_FLOATS:
        check_same(f)
        check_same(f, indent=2)


def test_tricky_floats_in_containers():
    check_same(TRICKY_FLOATS)
    check_same(TRICKY_FLOATS, indent=1)
    check_same(tuple(TRICKY_FLOATS), separators=(",", ":"))
    d = {}
    for i, f in enumerate(TRICKY_FLOATS):
        d[f"k{i}"] = f
    check_same(d)
    check_same(d, sort_keys=True, indent=0)


def test_tricky_floats_as_keys():
    d = {f: i for i, f in enumerate(TRICKY_FLOATS)}
    check_same(d)
    check_same(d, indent=2)
    for f in TRICKY_FLOATS:
        check_same({f: f})
        check_same({f: f, "x": 0}, indent=1)


def test_float_sweep_seeded():
    rnd = random.Random(20240607)
    bits = [struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0] for _ in range(20000)]
    decs = [float("%de%d" % (rnd.randrange(1, 10 ** rnd.randint(1, 17)), rnd.randint(-40, 40)))
            for _ in range(20000)]
    for batch in (bits, decs):
        want = json.dumps(batch)
        got = rjson.dumps(batch)
        if got != want:
            for f in batch:  # pinpoint the first bad value
                check_same(f)
            assert got == want


def test_int_sweep_seeded():
    rnd = random.Random(7)
    vals = []
    for bitlen in range(0, 400):
        for _ in range(5):
            v = rnd.getrandbits(bitlen) if bitlen else 0
            vals += [v, -v]
    for bitlen in range(0, 140):
        vals += [2**bitlen - 1, 2**bitlen, -(2**bitlen), -(2**bitlen) + 1, 10**(bitlen // 3)]
    check_same(vals)
    check_same({v: 0 for v in vals})
    check_same({v: 0 for v in vals}, sort_keys=True)


@HYP
@given(f=floats)
def test_hypothesis_floats(f):
    check_same(f)
    check_same([f, -f, [f]])
    check_same({"f": f}, indent=1)
    check_same({f: f})
    check_same({f: f}, indent=1)


@HYP
@given(lst=st.lists(floats, max_size=50))
def test_hypothesis_float_lists(lst):
    check_same(lst)
    check_same(lst, separators=(",", ":"), indent=1)


# ----------------------------------------------------------------------------
# ints

INTS = [0, 1, -1, 9, 10, 99, 100, 2**31 - 1, 2**31, 2**32, 2**53, 2**53 + 1, 2**62, 2**63 - 1,
        2**63, -2**63, -2**63 - 1, 2**64 - 1, 2**64, -2**64, 10**18, 10**19, 10**20, 2**100,
        -2**100, 10**4299, -10**4299, 3**2000]


@pytest.mark.parametrize("n", INTS, ids=lambda n: _short(n, 24))
def test_ints(n):
    check_same(n)
    check_same([n, -n], indent=2)
    check_same({n: n})
    check_same({n: n, -n: 0}, sort_keys=True)
    check_same({n: n}, indent=1)


def test_int_max_str_digits_unlimited():
    if not hasattr(sys, "set_int_max_str_digits"):
        pytest.skip("no int max str digits limit on this Python")
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)
        big = 7 ** 20000
        check_same(big)
        check_same([big, -big])
        check_same({big: 1}, indent=1)
    finally:
        sys.set_int_max_str_digits(old)


# ----------------------------------------------------------------------------
# dict keys

class IntSub(int):
    def __repr__(self):
        return "IntSub-repr"

    __str__ = __repr__


class FloatSub(float):
    def __repr__(self):
        return "FloatSub-repr"

    __str__ = __repr__


class StrSub(str):
    def __repr__(self):
        return "StrSub-repr"

    __str__ = __repr__


class Color(enum.IntEnum):
    RED = 1
    NEG = -5
    BIG = 2**70


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


class Shade(str, enum.Enum):
    LIGHT = "light"
    DARK = "d\xe4rk\U0001f600"


class FloatEnum(float, enum.Enum):
    HALF = 0.5
    TINY = 1e-7


KEY_CASES = {
    "float_1.5": {1.5: "a"},
    "bools_none": {True: 1, False: 2, None: 3},
    "neg_zero": {-0.0: 0},
    "nan_inf": {float("nan"): 1, float("inf"): 2, float("-inf"): 3},
    "huge_int": {10**30: 1, -(10**40): 2, 2**64: 3},
    "int_sub": {IntSub(5): "x", IntSub(-7): "y"},
    "float_sub": {FloatSub(2.5): "x"},
    "str_sub": {StrSub("k"): "v"},
    "int_enum": {Color.RED: 1, Color.BIG: 2},
    "int_flag": {Perm.R: 1, Perm.R | Perm.W: 2},
    "str_enum": {Shade.LIGHT: 1, Shade.DARK: 2},
    "float_enum": {FloatEnum.TINY: 1},
    "mixed": {"a": 1, 2: 2, 3.5: 3, True: 4, None: 5},
    "ints_for_sort": {10: "a", 9: "b", -1: "c", 100: "d", 2**70: "e"},
    "floats_for_sort": {1e10: "a", 2.5: "b", -0.5: "c", 1e-7: "d"},
    "strs_for_sort": {"b": 1, "a": 2, "B": 3, "\xe9": 4, "\U0001f600": 5, "\ufffd": 6, "": 7},
    "nan_keys_sort": {float("nan"): 1, 1.0: 2, float("nan"): 3, 0.5: 4},
}


@pytest.mark.parametrize("kw", KW_BASIC + [{"skipkeys": True}, {"skipkeys": True, "indent": 1}],
                         ids=kw_id)
@pytest.mark.parametrize("case", list(KEY_CASES), ids=str)
def test_dict_keys(case, kw):
    check_same(KEY_CASES[case], **kw)
    check_same([KEY_CASES[case]], **kw)


def test_int_keys_sorted_numerically():
    d = {10: 1, 9: 2, 100: 3, -5: 4}
    for kw in ({"sort_keys": True}, {"sort_keys": True, "indent": 2}):
        r = check_same(d, **kw)
        # numerically sorted (-5, 9, 10, 100), not as strings
        assert r[2].index('"-5"') < r[2].index('"9"') < r[2].index('"10"') < r[2].index('"100"')


def test_sort_keys_large_dicts_exact_order():
    """Sorting must be Python's list sort (timsort) with Python comparisons: with NaN keys
    the comparisons are inconsistent and only the same algorithm gives the same order."""
    rnd = random.Random(3)
    ints = {rnd.randrange(-10**6, 10**6): i for i in range(1000)}
    strs = {"".join(rnd.choice("abAB\xe9\u4e2d\U0001f600_0") for _ in range(rnd.randint(0, 6))): i
            for i in range(1000)}
    floats = {}
    for i in range(300):
        floats[float("nan") if i % 17 == 0 else rnd.uniform(-100, 100)] = i
    mixed_num = {}
    for i in range(300):
        mixed_num[rnd.choice([rnd.randrange(-50, 50), rnd.uniform(-50, 50), float("nan")])] = i
    for d in (ints, strs, floats, mixed_num):
        check_same(d, sort_keys=True)
        check_same(d, sort_keys=True, indent=1)


class RevStr(str):
    """A str key whose ordering is reversed: sort_keys must use Python comparisons."""

    def __lt__(self, other):
        return str.__gt__(self, other)

    def __gt__(self, other):
        return str.__lt__(self, other)

    __hash__ = str.__hash__


def test_sort_keys_uses_python_comparison():
    d = {RevStr("a"): 1, RevStr("c"): 2, RevStr("b"): 3}
    check_same(d, sort_keys=True)
    check_same(d, sort_keys=True, indent=1)


# ----------------------------------------------------------------------------
# subclasses

class MyList(list):
    def __repr__(self):
        return "nope"


class MyTuple(tuple):
    def __repr__(self):
        return "nope"


class MyDict(dict):
    def __repr__(self):
        return "nope"


class DictItems(dict):
    def items(self):
        return [("x", 1), ("y", [2, 3])]


class DictItemsGen(dict):
    def items(self):
        return iter([("b", 1), ("a", 2)])


class DictKeysIter(dict):
    def keys(self):
        return ["zz"]

    def __iter__(self):
        return iter(["zz"])

    def __getitem__(self, k):
        return "overridden"


class DictLen0(dict):
    def __len__(self):
        return 0


class ListIter(list):
    def __iter__(self):
        return iter([9, "nine", [9]])


class ListLen0(list):
    def __len__(self):
        return 0


class ListGetitem(list):
    def __getitem__(self, i):
        return "overridden"


class TupleIter(tuple):
    def __iter__(self):
        return iter([7])


class DictItemsOddKeys(dict):
    def items(self):
        return [(1, "one"), ("a", [1]), (2.5, None), (None, True)]


class DictItemsBadKey(dict):
    def items(self):
        return [((1, 2), "x"), ("a", 1)]


class DictItemsDuplicates(dict):
    def items(self):
        return [("b", 1), ("a", 2), ("b", 3)]


class TupleLen5(tuple):
    def __len__(self):
        return 5


class ListIterGen(list):
    def __iter__(self):
        yield "gen"
        yield from list.__iter__(self)


Point = collections.namedtuple("Point", "x y")


def _odict_moved():
    od = collections.OrderedDict([("a", 1), ("b", 2), ("c", 3)])
    od.move_to_end("a")
    od.move_to_end("c", last=False)
    return od


def _defaultdict():
    dd = collections.defaultdict(list)
    dd["z"].append(1)
    dd["a"].append(2)
    dd[3].append(3)
    return dd


SUBCLASS_CASES = {
    "int_enum": lambda: [Color.RED, Color.NEG, Color.BIG],
    "int_flag": lambda: [Perm.R, Perm.R | Perm.W | Perm.X, Perm(0)],
    "str_enum": lambda: [Shade.LIGHT, Shade.DARK, {"k": Shade.DARK}],
    "strenum": lambda: [enum.StrEnum("SE", {"A": "alpha"}).A] if hasattr(enum, "StrEnum") else [],
    "float_enum": lambda: [FloatEnum.HALF, FloatEnum.TINY],
    "int_sub": lambda: [IntSub(3), IntSub(-(2**80)), {"k": IntSub(0)}],
    "float_sub": lambda: [FloatSub(0.1), FloatSub(1e-7), FloatSub(-0.0), FloatSub(1e16)],
    "float_sub_nonfinite": lambda: [FloatSub("nan"), FloatSub("inf"), FloatSub("-inf")],
    "str_sub": lambda: [StrSub("hello"), StrSub("\xe9\ud800"), {StrSub("k"): StrSub("v")}],
    "bool_like": lambda: [True, False, IntSub(1)],
    "list_sub": lambda: MyList([1, MyList([2]), "x"]),
    "tuple_sub": lambda: MyTuple((1, MyTuple((2,)), "x")),
    "namedtuple": lambda: [Point(1, 2), {"p": Point("a", [3])}],
    "dict_sub": lambda: MyDict(a=1, b=MyDict(c=[1])),
    "odict": lambda: collections.OrderedDict([("b", 1), ("a", 2)]),
    "odict_moved": _odict_moved,
    "defaultdict": _defaultdict,
    "counter": lambda: collections.Counter("abracadabra"),
    "dict_items": lambda: DictItems(a=1),
    "dict_items_empty": lambda: DictItems(),
    "dict_items_gen": lambda: DictItemsGen(a=1),
    "dict_items_nested": lambda: [DictItems(q=0), {"k": DictItems(r=0)}],
    "dict_keys_iter": lambda: DictKeysIter(a=1, b=2),
    "dict_len0": lambda: DictLen0(a=1),
    "list_iter": lambda: ListIter([1, 2]),
    "list_iter_empty": lambda: ListIter(),
    "list_len0": lambda: ListLen0([1, 2]),
    "list_getitem": lambda: ListGetitem([1, 2]),
    "tuple_iter": lambda: TupleIter((1, 2)),
    "dict_items_odd_keys": lambda: DictItemsOddKeys(a=1),
    "dict_items_bad_key": lambda: DictItemsBadKey(a=1),
    "dict_items_duplicates": lambda: DictItemsDuplicates(a=1),
    "tuple_len5": lambda: TupleLen5((1,)),
    "list_iter_gen": lambda: ListIterGen([1, [2]]),
    "nested_mix": lambda: {"l": ListIter([0]), "d": DictLen0(z=1), "t": TupleIter(()),
                           "e": Color.NEG, "s": Shade.LIGHT},
    "top_int_enum": lambda: Color.BIG,
    "top_str_enum": lambda: Shade.DARK,
    "top_float_sub": lambda: FloatSub(2.5),
    "top_str_sub": lambda: StrSub("top"),
}


@pytest.mark.parametrize("kw", KW_BASIC + [{"indent": None, "sort_keys": True,
                                            "separators": [";", "="]},
                                           {"skipkeys": True}, {"skipkeys": True, "indent": 1}],
                         ids=kw_id)
@pytest.mark.parametrize("case", list(SUBCLASS_CASES), ids=str)
def test_subclasses(case, kw):
    check_same(SUBCLASS_CASES[case](), **kw)


class NumberProtocolInt(int):
    """int subclass whose number-protocol hooks lie: json uses int.__repr__ only."""

    def __int__(self):
        return 666

    def __index__(self):
        return 666

    def __float__(self):
        return 6.66

    def __format__(self, spec):
        return "fmt"


class NumberProtocolFloat(float):
    def __float__(self):
        return 6.66

    def __int__(self):
        return 666

    def __format__(self, spec):
        return "fmt"


class StrHooks(str):
    def __str__(self):
        return "hooked"

    def __format__(self, spec):
        return "fmt"

    def __len__(self):
        return 0

    def __iter__(self):
        return iter("hooked")

    def encode(self, *a, **k):
        return b"hooked"


def test_number_protocol_hooks_ignored():
    obj = [NumberProtocolInt(5), NumberProtocolInt(-(2**90)), NumberProtocolFloat(0.25),
           NumberProtocolFloat("nan"), StrHooks("real \xe9"),
           {NumberProtocolInt(7): 1, NumberProtocolFloat(1e-7): 2, StrHooks("k\u2028"): 3}]
    for kw in KW_BASIC + [{"allow_nan": True, "ensure_ascii": False}]:
        check_same(obj, **kw)
        check_same(obj[0], **kw)
        check_same(obj[2], **kw)
        check_same(obj[4], **kw)


exotic_scalars = st.one_of(
    scalars,
    ints.map(IntSub), floats.map(FloatSub), texts.map(StrSub),
    st.sampled_from([Color.RED, Color.NEG, Color.BIG, Perm.R, Perm.R | Perm.X, Shade.LIGHT,
                     Shade.DARK, FloatEnum.HALF, FloatEnum.TINY]),
)
exotic_keys = st.one_of(keys, ints.map(IntSub), floats.map(FloatSub), texts.map(StrSub),
                        st.sampled_from([Color.RED, Color.BIG, Shade.DARK, Perm.W]))
exotic_values = st.recursive(
    exotic_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(MyList),
        st.lists(children, max_size=5).map(tuple),
        st.lists(children, max_size=5).map(MyTuple),
        st.lists(children, max_size=3).map(lambda l: Point(l[0], l[1]) if len(l) >= 2 else l),
        st.dictionaries(exotic_keys, children, max_size=5),
        st.dictionaries(str_keys, children, max_size=5).map(collections.OrderedDict),
        st.dictionaries(exotic_keys, children, max_size=5).map(MyDict),
        st.dictionaries(str_keys, children, max_size=5).map(
            lambda d: collections.defaultdict(list, d)),
    ),
    max_leaves=25,
)


@HYP
@given(obj=exotic_values, kw=kwsets)
def test_hypothesis_subclass_values(obj, kw):
    check_same(obj, **kw)


def test_subclass_repr_is_ignored():
    # guard against a vacuous oracle: json itself must not use the overridden reprs
    out = json.dumps([IntSub(3), FloatSub(0.5), StrSub("s"), Color.RED, Shade.LIGHT])
    assert "repr" not in out and "Color" not in out and "Shade" not in out
    assert rjson.dumps([IntSub(3), FloatSub(0.5), StrSub("s"), Color.RED, Shade.LIGHT]) == out


# ----------------------------------------------------------------------------
# indent and separators

INDENTS = [None, 0, 1, 2, 4, 8, -1, -4, "", "\t", "--", " ", "\u00a0\u00a0", "\n"]
# Separators of 2 to 8 ASCII bytes are stored as one word: the longest such, and one past.
SEPARATORS = [None, (",", ":"), (", ", ": "), [",", ":"], [" , ", " : "], ("", ""),
              ("\n,", ":\t"), ("\u00e9", "\u2192"), ("<------>", "=======>"),
              ("<------->", "========>")]
SHAPE = {"a": [1, 2, {"b": None, "c": [], "d": {}}], "e": "x", "f": [[], [[1]], ()],
         "g": {"h": {"i": [True, False]}}, "": 1.5}


@pytest.mark.parametrize("separators", SEPARATORS, ids=repr)
@pytest.mark.parametrize("indent", INDENTS, ids=repr)
def test_indent_separators_grid(indent, separators):
    for obj in (SHAPE, [SHAPE, SHAPE], [], {}, 1, "s", [1], {"a": 1}):
        check_same(obj, indent=indent, separators=separators)
        check_same(obj, indent=indent, separators=separators, sort_keys=True,
                   ensure_ascii=False)


def test_indent_bool():
    # bool is an int: the stdlib treats indent=True as 1 and indent=False as 0
    for indent in (True, False):
        check_same(SHAPE, indent=indent)


def test_skipkeys_positions():
    k = (1, 2)
    cases = [{k: 1}, {k: 1, "a": 2}, {"a": 1, k: 2}, {"a": 1, k: 2, "b": 3},
             {k: 1, b"x": 2, "a": 3, frozenset(): 4}, {"a": {k: {}}, "b": [{k: 1}]}]
    for obj in cases:
        for kw in KW_BASIC:
            check_same(obj, skipkeys=True, **kw)


# ----------------------------------------------------------------------------
# default

class Thing:
    def __init__(self, v):
        self.v = v


def test_default_called_like_json():
    def make_default(log):
        def default(o):
            log.append(o)
            if isinstance(o, Thing):
                if o.v == "list":
                    return [1, Thing("dict"), Thing(2.5)]
                if o.v == "dict":
                    return {"k": Thing("str"), 3: None}
                if o.v == "str":
                    return "s\xe9"
                if o.v == "chain":
                    return Thing("chain2")
                if o.v == "chain2":
                    return {"end": True}
                return o.v
            if isinstance(o, (set, frozenset)):
                return sorted(o)
            if isinstance(o, complex):
                return [o.real, o.imag]
            if isinstance(o, decimal.Decimal):
                return str(o)
            raise TypeError(f"cannot {type(o).__name__}")
        return default

    objs = [Thing("list"), [Thing("chain"), {1, 2}, 1j], {"a": Thing(None), "b": decimal.Decimal("1.10")},
            (Thing("str"), Thing(10**20), Thing(float("nan")))]
    for obj in objs:
        for kw in KW_BASIC + [{"allow_nan": False}, {"check_circular": False}]:
            log_j, log_r = [], []
            want = outcome(json.dumps, obj, default=make_default(log_j), **kw)
            got = outcome(rjson.dumps, obj, default=make_default(log_r), **kw)
            assert got == want, (kw, got, want)
            # called with the same objects (identity for the originals), in the same order
            assert [type(o) for o in log_r] == [type(o) for o in log_j]
            assert [getattr(o, "v", o) for o in log_r] == [getattr(o, "v", o) for o in log_j]


def test_default_receives_the_object_itself():
    seen_j, seen_r = [], []
    t = Thing(1)
    json.dumps([t], default=lambda o: seen_j.append(o) or 0)
    rjson.dumps([t], default=lambda o: seen_r.append(o) or 0)
    assert seen_j == [t]
    assert len(seen_r) == 1 and seen_r[0] is t


def test_default_not_called_for_supported_types():
    calls = []
    obj = [1, 1.5, "s", None, True, [()], {"a": {}}, Color.RED, StrSub("x"), MyList(), MyDict()]
    r = rjson.dumps(obj, default=lambda o: calls.append(o) or "X")
    assert calls == []
    assert r == json.dumps(obj)


def test_default_none_is_no_default():
    check_same([1, 2], default=None)
    check_same({"a": 1}, default=None, indent=1)


def test_default_result_subclasses():
    def default(o):
        return {"i": Color.BIG, "s": Shade.DARK, "l": ListIter([1]), "d": DictItems()}
    for kw in KW_BASIC:
        check_same([Thing(0)], default=default, **kw)


# ----------------------------------------------------------------------------
# not circular: shared objects are fine

def test_shared_not_circular():
    shared = [1, {"x": 2}]
    d = {"y": 3}
    obj = [shared, shared, {"a": shared, "b": shared}, d, d, (d, d)]
    for kw in KW_BASIC:
        check_same(obj, **kw)
        check_same(obj, check_circular=False, **kw)


def test_default_returning_shared_object():
    shared = {"s": [1]}
    for kw in KW_BASIC:
        check_same([Thing(0), Thing(1), shared], default=lambda o: shared, **kw)


# ----------------------------------------------------------------------------
# keyword argument values

def test_truthy_keyword_values():
    obj = {"b": "\xe9", "a": [1.5, float("nan")], (1,): 2}
    for v in (0, 1, "", "yes", [], [0], None):
        check_same(obj, ensure_ascii=v, skipkeys=True)
        check_same(obj, sort_keys=v, skipkeys=True)
        check_same(obj, skipkeys=v)
        check_same(obj, allow_nan=v, skipkeys=True)
        check_same(obj, check_circular=v, skipkeys=True, indent=1)


def test_all_keywords_explicit_defaults():
    obj = {"a": [1, 2.5, "x"]}
    kw = dict(skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True,
              indent=None, separators=None, default=None, sort_keys=False)
    assert rjson.dumps(obj, **kw) == json.dumps(obj, **kw) == json.dumps(obj)


def test_obj_as_keyword():
    # json.dumps's first parameter is positional-or-keyword
    want = json.dumps(obj={"a": 1}, indent=1)
    assert rjson.dumps(obj={"a": 1}, indent=1) == want


def test_result_is_exact_str_and_fresh():
    r = rjson.dumps([1, "a"])
    assert type(r) is str
    assert sys.getrefcount(r) == SOLE_REFCOUNT
    assert r == json.dumps([1, "a"])
