"""rjson.dump / rjson.load against json.dump / json.load.

json.dump(obj, fp, **kw) writes the chunks of cls(**kw).iterencode(obj) (no _one_shot:
the pure-Python encoder, so list/dict subclass behaviour and error messages are that
encoder's) with fp.write, one call per chunk; rjson may write fewer, larger chunks, so
the tests compare the text written, never the chunking.  When encoding fails, json has
already written part of the output: only the exception (type, str, args) is compared.
json.load(fp, **kw) is json.loads(fp.read(), **kw).
"""

import collections
import decimal
import io
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import assert_same, canon, exception_details, image, join_chunks

HYP = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


class Recorder:
    """A file-like object recording every write."""

    def __init__(self):
        self.chunks = []

    def write(self, s):
        self.chunks.append(s)
        return len(s) if isinstance(s, str) else None

    def text(self):
        """The text written (json.dump passes chunks as they come: a non-str separator
        reaches fp.write as is; such chunks are shown as <type:repr>)."""
        return join_chunks(self.chunks)


def dump_image(mod, obj, **kw):
    """("ok", text written) or ("raise", details) of mod.dump(obj, <recorder>, **kw)."""
    fp = Recorder()
    try:
        r = mod.dump(obj, fp, **kw)
    except Exception as exc:  # noqa: BLE001
        d = exception_details(exc)
        d["notes"] = getattr(exc, "__notes__", None)
        return ("raise", d)
    assert r is None, f"{mod.__name__}.dump returned {r!r}"
    return ("ok", fp.text())


def check_dump(obj, **kw):
    want = dump_image(json, obj, **kw)
    got = dump_image(rjson, obj, **kw)
    if got != want:
        if got[0] == want[0] == "ok":
            a, b = got[1], want[1]
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            raise AssertionError(f"dump text differs for kw={kw!r} at char {i}: rjson "
                                 f"{a[max(0, i - 40):i + 60]!r}, json {b[max(0, i - 40):i + 60]!r}")
        raise AssertionError(f"dump differs for kw={kw!r}:\n rjson {got!r:.600}\n json  {want!r:.600}")
    return want


# ---------------------------------------------------------------------------
# Corpus

CORPUS_KWS = [
    {},
    {"indent": 2, "sort_keys": True},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"indent": "\t", "ensure_ascii": False, "check_circular": False},
]
_cache = {}


def _corpus(path):
    if path not in _cache:
        _cache.clear()
        _cache[path] = json.loads(path.read_bytes())
    return _cache[path]


def test_corpus_dump(corpus_path):
    obj = _corpus(corpus_path)
    # {} and one other keyword set per file (json.dump is slow: keep the suite fast)
    names = sorted(p.name for p in corpus_path.parent.glob("*.json"))
    i = names.index(corpus_path.name) if corpus_path.name in names else 0
    for kw in (CORPUS_KWS[0], CORPUS_KWS[1 + i % (len(CORPUS_KWS) - 1)]):
        want = io.StringIO()
        json.dump(obj, want, **kw)
        got = Recorder()
        rjson.dump(obj, got, **kw)
        assert got.text() == want.getvalue(), f"{corpus_path.name} kw={kw}"
        assert got.chunks, "nothing written"


def test_corpus_load(corpus_path):
    data = corpus_path.read_bytes()
    want = json.load(io.BytesIO(data))
    assert_same(rjson.load(io.BytesIO(data)), want)
    assert_same(rjson.load(io.StringIO(data.decode("utf-8"))), want)


# ---------------------------------------------------------------------------
# Generated objects x every keyword

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10 ** 40), 10 ** 40),
    st.floats(), st.text(max_size=8),
    st.sampled_from(["\x00", "\u00e9", "\ud800", "\U0001f600", '"\\', "\u2028"]))
keys = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.floats(width=16), st.booleans(),
                 st.none())


class Thing:
    def __init__(self, v):
        self.v = v


values = st.recursive(
    scalars | st.builds(Thing, st.integers(0, 3)) | st.just(frozenset([1])),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.lists(kids, max_size=3).map(tuple),
                           st.dictionaries(keys, kids, max_size=4),
                           st.dictionaries(st.text(max_size=3), kids, max_size=4)),
    max_leaves=20)


def _default(o):
    if isinstance(o, Thing):
        return {"thing": o.v}
    raise TypeError(f"custom: {type(o).__name__}")


kwsets = st.fixed_dictionaries({}, optional={
    "skipkeys": st.booleans(),
    "ensure_ascii": st.booleans(),
    "check_circular": st.booleans(),
    "allow_nan": st.booleans(),
    "indent": st.sampled_from([None, 0, 1, 2, -1, "", "\t", "ab"]),
    "separators": st.sampled_from([None, (",", ":"), (", ", ": "), [";", "="], ("", "")]),
    "sort_keys": st.booleans(),
    "default": st.sampled_from([None, repr, _default]),
})


@HYP
@given(obj=values, kw=kwsets)
def test_hypothesis_dump(obj, kw):
    check_dump(obj, **kw)


@settings(HYP, max_examples=40)
@given(obj=values, kw=kwsets)
def test_hypothesis_dump_load_roundtrip(obj, kw):
    kw = dict(kw, default=_default, skipkeys=True, allow_nan=True)
    fp = io.StringIO()
    try:
        json.dump(obj, fp, **kw)
    except (TypeError, ValueError):
        return
    text = fp.getvalue()
    out = io.StringIO()
    rjson.dump(obj, out, **kw)
    assert out.getvalue() == text
    # not always JSON (indent="ab", separators=(";", "=")): compare whatever load does
    assert image(rjson.load, io.StringIO(text)) == image(json.load, io.StringIO(text))


# ---------------------------------------------------------------------------
# The encoder json.dump uses (no _one_shot): subclasses and messages

class ListIter(list):
    def __iter__(self):
        return iter(["iter", *list.__iter__(self)])


class ListLen0(list):
    def __len__(self):
        return 0


class DictItems(dict):
    def items(self):
        return [("items", 1)] + list(dict.items(self))


class DictKeys(dict):
    def keys(self):
        return ["k-overridden"]


class TupleIter(tuple):
    def __iter__(self):
        return iter(("t-iter",))


class FloatRepr(float):
    def __repr__(self):
        return "nope"


class IntRepr(int):
    def __repr__(self):
        return "nope"


SUBCLASS_OBJS = {
    "list_iter": lambda: ListIter([1, 2]),
    "list_len0": lambda: ListLen0([1, 2]),
    "dict_items": lambda: DictItems(a=1),
    "dict_keys": lambda: DictKeys(b=2),
    "tuple_iter": lambda: TupleIter((1, 2)),
    "odict": lambda: collections.OrderedDict([("z", 1), ("a", 2)]),
    "float_int_repr": lambda: [FloatRepr(1.5), IntRepr(3), {IntRepr(4): FloatRepr(2.5)}],
    "nested": lambda: {"x": [ListIter([DictItems(q=ListLen0([1]))])]},
}


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True}, {"skipkeys": True}],
                         ids=repr)
@pytest.mark.parametrize("name", list(SUBCLASS_OBJS))
def test_dump_subclasses_follow_json_dump(name, kw):
    check_dump(SUBCLASS_OBJS[name](), **kw)


# ---------------------------------------------------------------------------
# Failures: the exception only (json has written part of the output)

def _circular():
    a = {"a": [1]}
    a["a"].append(a)
    return a


FAILING = {
    "set": lambda: [1, {2}],
    "set_top": lambda: {1},
    "object_deep": lambda: {"a": [1, 2, {"b": object()}]},
    "circular": _circular,
    "nan": lambda: [1.0, float("nan")],
    "inf_key": lambda: {float("inf"): 1},
    "bad_key": lambda: {"a": 1, (1,): 2},
    "unorderable": lambda: {"b": 1, 1: 2},
    "bytes": lambda: [b"x"],
    "decimal": lambda: {"d": decimal.Decimal("1.1")},
    "deep": lambda: _deep(100000),
}


def _deep(n):
    root = cur = []
    for _ in range(n):
        cur.append([])
        cur = cur[0]
    return root


class Boom(Exception):
    pass


def _boom(o):
    raise Boom(f"boom {type(o).__name__}")


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True}, {"allow_nan": False},
                                {"default": _boom}, {"check_circular": False, "default": _boom},
                                {"separators": (",", ":"), "ensure_ascii": False}], ids=repr)
@pytest.mark.parametrize("name", list(FAILING))
def test_dump_failures(name, kw):
    if name == "circular" and kw.get("check_circular") is False:
        pytest.skip("infinite recursion")
    want = dump_image(json, FAILING[name](), **kw)
    got = dump_image(rjson, FAILING[name](), **kw)
    if name == "deep" and want[1]["notes"]:
        # 3.14+ notes every level the error crossed: as many as json's own Python frames
        # allowed it to nest, which rjson (no frames) cannot match one for one.
        assert set(got[1].pop("notes")) == set(want[1].pop("notes")) == {"when serializing list item 0"}
    assert got == want


@pytest.mark.parametrize("kw", [{"separators": (",", None)}, {"separators": (5, ":")},
                                {"separators": (",", 5), "indent": 1}, {"indent": [1]},
                                {"indent": 1.5}, {"separators": (b",", b":")}], ids=repr)
def test_dump_bad_keyword_types(kw):
    """json.dump uses the pure-Python encoder: a bad separator fails where it is first
    written (or never).  NB: the README lists "non-str separators raise TypeError when the
    encoder starts" as a deliberate difference."""
    for obj in ([1, 2], {"a": 1, "b": [2]}, "s", [], [[]]):
        assert dump_image(rjson, obj, **kw) == dump_image(json, obj, **kw), (obj, kw)


# ---------------------------------------------------------------------------
# fp.write

class FailingWriter:
    def __init__(self, exc):
        self.exc = exc
        self.calls = 0

    def write(self, s):
        self.calls += 1
        raise self.exc


@pytest.mark.parametrize("make_exc", [lambda: OSError(28, "No space left on device"),
                                      lambda: ValueError("closed"), lambda: Boom("w"),
                                      lambda: UnicodeEncodeError("ascii", "\u00e9", 0, 1, "x")],
                         ids=["OSError", "ValueError", "Boom", "UnicodeEncodeError"])
@pytest.mark.parametrize("obj", [[1, 2, {"a": "b"}], "s", 1.5, {"x": list(range(5000))}],
                         ids=["list", "str", "float", "big"])
def test_write_errors_propagate(obj, make_exc):
    exc = make_exc()
    jfp, rfp = FailingWriter(exc), FailingWriter(exc)
    with pytest.raises(type(exc)) as j:
        json.dump(obj, jfp)
    with pytest.raises(type(exc)) as r:
        rjson.dump(obj, rfp)
    assert r.value is exc and j.value is exc
    assert rfp.calls == 1


@pytest.mark.parametrize("fp", [
    lambda: 5, lambda: None, lambda: object(), lambda: io.BytesIO(),
    lambda: type("W", (), {"write": None})(), lambda: type("W", (), {"write": 5})(),
    lambda: type("W", (), {"write": lambda self: None})(),
    lambda: _closed(io.StringIO()), lambda: io.StringIO("x", newline=None),
], ids=["int", "None", "object", "BytesIO", "write_None", "write_int", "write_no_arg",
        "closed", "StringIO"])
@pytest.mark.parametrize("kw", [{}, {"indent": 1}], ids=repr)
def test_bad_file_objects(fp, kw):
    obj = {"a": [1, 2.5, None]}
    want = image(json.dump, obj, fp(), **kw)
    got = image(rjson.dump, obj, fp(), **kw)
    assert got == want


def _closed(f):
    f.close()
    return f


def test_write_return_value_ignored_and_called_with_str():
    class Weird:
        def __init__(self):
            self.seen = []

        def write(self, s):
            self.seen.append(type(s))
            return "not a count"

    w = Weird()
    rjson.dump({"a": [1, 2]}, w, indent=2)
    assert w.seen and set(w.seen) == {str}


def test_write_looked_up_on_the_object():
    """json.dump calls fp.write: a per-instance write attribute is used."""
    out = []
    fp = type("Bare", (), {})()
    fp.write = out.append
    rjson.dump([1, {"b": None}], fp, sort_keys=True)
    assert "".join(out) == json.dumps([1, {"b": None}], sort_keys=True)


def test_dump_large_object_streams():
    """A large object still produces the same text (rjson may chunk it as it likes)."""
    obj = [{"k%d" % i: ["v" * 50, i, i / 7]} for i in range(20000)]
    rec = Recorder()
    rjson.dump(obj, rec, indent=1)
    assert rec.text() == json.dumps(obj, indent=1)


# ---------------------------------------------------------------------------
# Keywords and cls through dump

def test_dump_keywords_pass_through():
    obj = {"b": [1, float("nan"), Thing(2)], "a": {"\u00e9": None, (1,): 2}, 3: True}
    kw = dict(skipkeys=True, ensure_ascii=False, check_circular=False, allow_nan=True,
              indent="  ", separators=(";", "="), default=_default, sort_keys=False)
    check_dump(obj, **kw)
    check_dump(obj, **dict(kw, sort_keys=True, skipkeys=True))
    obj2 = {"b": 1, "a": [1, 2]}
    check_dump(obj2, sort_keys=True, indent=0)
    check_dump(obj2, cls=None, sort_keys=True)


def _logging_cls(base, log):
    class Logged(base):
        def __init__(self, **kw):
            log.append(("init", [(k, getattr(v, "__name__", None) if callable(v) else canon(v))
                                 for k, v in kw.items()]))
            super().__init__(**kw)

        def encode(self, o):
            log.append(("encode",))
            return "ENCODE-NOT-USED-BY-DUMP"

        def default(self, o):
            log.append(("default", type(o).__name__))
            return {"default": repr(getattr(o, "v", None))}

    return Logged


@pytest.mark.parametrize("base", ["json", "rjson"])
@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True, "skipkeys": True},
                                {"extra_ignored": None}, {"default": repr}], ids=repr)
def test_dump_cls(base, kw):
    """dump calls cls(**kw).iterencode(obj): encode overrides are not used, default is,
    keywords arrive in json.dump's order."""
    jlog, rlog = [], []
    J = _logging_cls(json.JSONEncoder, jlog)
    R = _logging_cls(json.JSONEncoder if base == "json" else rjson.JSONEncoder, rlog)
    if "extra_ignored" in kw:
        # a cls accepting an extra keyword
        def add_extra(c):
            class WithExtra(c):
                def __init__(self, *, extra_ignored, **k):
                    super().__init__(**k)
            return WithExtra
        J, R = add_extra(J), add_extra(R)
    obj = {"z": [Thing(1), {"y": Thing(2)}], "a": None, (1,): 3}
    want = dump_image(json, obj, cls=J, **kw)
    got = dump_image(rjson, obj, cls=R, **kw)
    assert got == want
    assert rlog == jlog


@pytest.mark.parametrize("base", ["json", "rjson"])
def test_dump_cls_iterencode_override(base):
    def make(b, log):
        class Chunky(b):
            def iterencode(self, o, *args, **kw):
                log.append(("iterencode", canon(o), args, kw))
                for chunk in super().iterencode(o, *args, **kw):
                    yield "<" + chunk + ">"
        return Chunky

    jlog, rlog = [], []
    J = make(json.JSONEncoder, jlog)
    R = make(json.JSONEncoder if base == "json" else rjson.JSONEncoder, rlog)
    obj = {"a": [1, 2]}
    jfp, rfp = Recorder(), Recorder()
    json.dump(obj, jfp, cls=J)
    rjson.dump(obj, rfp, cls=R)
    assert rlog == jlog
    if base == "json":
        assert rfp.chunks == jfp.chunks  # the override's own chunks, written one by one
    else:
        # rjson's iterencode may yield fewer chunks: the written text differs by the
        # number of "<>" pairs only, each chunk written as the override yields it
        assert all(c.startswith("<") and c.endswith(">") for c in rfp.chunks)
        assert "".join(c[1:-1] for c in rfp.chunks) == "".join(c[1:-1] for c in jfp.chunks)


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True, "allow_nan": False}],
                         ids=repr)
def test_json_dump_with_rjson_encoder(kw):
    """json.dump(obj, fp, cls=rjson.JSONEncoder): rjson's iterencode (no _one_shot) gives
    json's text, and json's errors."""
    for obj in ({"b": [1, 2.5, None, "\u00e9"], "a": {}}, SUBCLASS_OBJS["nested"](),
                SUBCLASS_OBJS["list_iter"](), [float("nan")], [{1}], _circular()):
        want = dump_image(json, obj, **kw)
        fp = Recorder()
        got = image(json.dump, obj, fp, cls=rjson.JSONEncoder, **kw)
        if want[0] == "ok":
            assert got[0] == "ok" and fp.text() == want[1], (obj, kw)
        else:
            assert got == want, (obj, kw)


def test_dump_cls_factory_and_unknown_keyword():
    def factory(**kw):
        return json.JSONEncoder(**dict(kw, indent=3))

    obj = [1, {"a": 2}]
    assert dump_image(rjson, obj, cls=factory) == dump_image(json, obj, cls=factory)
    for kw in ({"foo": 1}, {"cls": None, "foo": 1}, {"cls": json.JSONEncoder, "foo": 1},
               {"cls": rjson.JSONEncoder, "foo": 1}, {"encoding": "utf-8"}):
        want = dump_image(json, obj, **dict(kw, cls=json.JSONEncoder if kw.get("cls") else None))
        assert dump_image(rjson, obj, **kw) == want, kw


def test_dump_positional_and_missing_arguments():
    for args, kw in [(([1],), {}), (([1], Recorder(), True), {}), ((), {"obj": [1], "fp": Recorder()}),
                     (([1],), {"fp": Recorder()}), ((), {})]:
        assert image(rjson.dump, *args, **kw)[0] == image(json.dump, *args, **kw)[0], (args, kw)
        want = image(json.dump, *args, **kw)
        got = image(rjson.dump, *args, **kw)
        if want[0] == "raise":
            assert got[1]["type"] is want[1]["type"]


# ---------------------------------------------------------------------------
# Real files

@pytest.mark.parametrize("kw", [{}, {"indent": 2, "ensure_ascii": False, "sort_keys": True}],
                         ids=repr)
def test_real_files(tmp_path, kw):
    obj = {"\u00e9": [1, 2.5, None, True, "\U0001f600"], "b": {"c": [float("inf")]}}
    jp, rp = tmp_path / "json.json", tmp_path / "rjson.json"
    with open(jp, "w", encoding="utf-8") as f:
        json.dump(obj, f, **kw)
    with open(rp, "w", encoding="utf-8") as f:
        assert rjson.dump(obj, f, **kw) is None
    assert rp.read_bytes() == jp.read_bytes()
    with open(rp, encoding="utf-8") as f:
        got = rjson.load(f)
    with open(jp, encoding="utf-8") as f:
        want = json.load(f)
    assert canon(got) == canon(want)
    with open(rp, "rb") as f:
        assert canon(rjson.load(f)) == canon(want)
    with open(rp, "rb") as f:
        assert canon(rjson.load(f, parse_float=decimal.Decimal, object_pairs_hook=list)) == \
            canon(json.loads(rp.read_bytes(), parse_float=decimal.Decimal, object_pairs_hook=list))


def test_real_file_errors(tmp_path):
    p = tmp_path / "x.json"
    obj = {"a": "\u00e9"}
    with open(p, "wb") as f:
        want = image(json.dump, obj, f)
    with open(p, "wb") as f:
        got = image(rjson.dump, obj, f)
    assert got == want and got[0] == "raise"
    # a text file in ASCII: ensure_ascii=False text cannot be written.  The error's
    # object/start/end are those of the chunk being written: chunks may differ, so only
    # the type, encoding and reason are compared
    with open(p, "w", encoding="ascii") as f:
        want = image(json.dump, obj, f, ensure_ascii=False)
    with open(p, "w", encoding="ascii") as f:
        got = image(rjson.dump, obj, f, ensure_ascii=False)
    assert got[0] == want[0] == "raise"
    assert [got[1][k] for k in ("type", "encoding", "reason")] == \
        [want[1][k] for k in ("type", "encoding", "reason")]
    with open(p, "w", encoding="utf-8") as f:
        f.write('{"a": [1, 2,]}')
    for mode in ("r", "rb"):
        with open(p, mode) as f:
            want = image(json.load, f)
        with open(p, mode) as f:
            got = image(rjson.load, f)
        assert got == want and got[0] == "raise"


# ---------------------------------------------------------------------------
# load

class StrSub(str):
    pass


class BytesSub(bytes):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.calls = []

    def read(self, *args, **kw):
        self.calls.append((args, kw))
        return self.data


LOAD_DATA = ['{"a": [1, 2.5, NaN, {"b": null}]}', b'{"a": [1, 2.5]}', bytearray(b"[1]"),
             '{"a": 1}'.encode("utf-16"), b"\xef\xbb\xbf[1]", "\ufeff[1]", "[1,", "", b"\xff",
             5, None, ["[1]"], '"\x00"', "[1] x", StrSub('{"s": 1}'), BytesSub(b"[2.5]")]
# (not a memoryview: rjson.loads accepts one, a documented extension of json.loads)


@pytest.mark.parametrize("data", LOAD_DATA, ids=repr)
def test_load_reads_fp_read(data):
    jr, rr = Reader(data), Reader(data)
    assert image(rjson.load, rr) == image(json.load, jr)
    assert rr.calls == jr.calls == [((), {})]


LOAD_HOOK_KWS = [
    {"object_hook": lambda d: ("o", d)}, {"object_pairs_hook": list},
    {"parse_float": decimal.Decimal, "parse_int": float, "parse_constant": str},
    {"strict": False}, {"cls": json.JSONDecoder}, {"foo": 1},
    {"cls": json.JSONDecoder, "parse_int": str},
]


@pytest.mark.parametrize("kw", LOAD_HOOK_KWS, ids=lambda kw: sorted(kw))
@pytest.mark.parametrize("data", ['{"a": [1, 2.5, NaN, {"b": "\x01"}]}',
                                  b'[1, {"c": -Infinity}]', "[1,"], ids=repr)
def test_load_keywords(data, kw):
    assert image(rjson.load, Reader(data), **kw) == image(json.load, Reader(data), **kw)


def test_load_cls_rjson_decoder():
    class D(rjson.JSONDecoder):
        def decode(self, s):
            return ("D", super().decode(s))

    assert rjson.load(io.StringIO("[1.5]"), cls=D, parse_float=str) == ("D", ["1.5"])
    assert json.load(io.StringIO("[1.5]"), cls=D, parse_float=str) == ("D", ["1.5"])


def test_load_bad_fp():
    class ReadRaises:
        def read(self):
            raise Boom("read failed")

    for fp in (5, None, object(), ReadRaises(), type("R", (), {"read": None})()):
        assert image(rjson.load, fp) == image(json.load, fp)
    assert image(rjson.load, io.StringIO("[1]"), 2) == image(json.load, io.StringIO("[1]"), 2)


def test_load_nan_identity():
    got = rjson.load(io.StringIO("[NaN, Infinity]"))
    assert math.isnan(got[0]) and got[1] == math.inf
