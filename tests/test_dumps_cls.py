"""rjson.dumps(cls=..., **extra) and keyword combinations, differential against json.dumps.

json.dumps builds cls(skipkeys=..., ensure_ascii=..., check_circular=..., allow_nan=...,
indent=..., separators=..., default=..., sort_keys=..., **kw) (cls defaults to JSONEncoder,
so an unknown keyword is JSONEncoder.__init__'s TypeError) and returns its .encode(obj)
as is.  Every test compares rjson.dumps with json.dumps: the str, or the exception's type,
str, args and __notes__.
"""

import collections
import decimal
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjson
from conftest import canon, image, join_chunks

HYP = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def both(got, want, ctx=""):
    assert got == want, f"differ{ctx}:\n rjson {got!r:.800}\n json  {want!r:.800}"


class Thing:
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"Thing({self.v!r})"


# ---------------------------------------------------------------------------
# Encoder classes, made on both bases

def make_classes(base, log):
    """Subclasses of ``base`` (json.JSONEncoder or rjson.JSONEncoder) logging into ``log``."""

    class DefaultSub(base):
        def default(self, o):
            log.append(("default", repr(o)))
            if isinstance(o, (set, frozenset)):
                return sorted(o, key=repr)
            if isinstance(o, Thing):
                return {"thing": o.v}
            if isinstance(o, complex):
                return [o.real, o.imag]
            return super().default(o)

    class EncodeSub(base):
        def encode(self, o):
            log.append(("encode", canon(o) if not isinstance(o, (set, Thing)) else repr(o)))
            return "<" + super().encode(o) + ">"

    class IterencodeSub(base):
        def iterencode(self, o, *args, **kw):
            log.append(("iterencode", args, kw))
            return [c.replace(",", ";") for c in super().iterencode(o, *args, **kw)]

    class InitSub(base):
        def __init__(self, *, tag="none", upper=False, **kw):
            log.append(("init", tag, upper, [(k, canon(v) if not callable(v) else v.__name__)
                                            for k, v in kw.items()]))
            super().__init__(**kw)
            self.tag, self.upper = tag, upper

        def encode(self, o):
            out = super().encode(o)
            return f"{self.tag}:{out.upper() if self.upper else out}"

    class Plain(base):
        pass

    return {"DefaultSub": DefaultSub, "EncodeSub": EncodeSub, "IterencodeSub": IterencodeSub,
            "InitSub": InitSub, "Plain": Plain}


CLS_NAMES = ["DefaultSub", "EncodeSub", "IterencodeSub", "InitSub", "Plain"]


def check(obj, cls_name=None, base="rjson", **kw):
    """rjson.dumps(obj, cls=<cls_name on base>, **kw) == json.dumps(obj, cls=<cls_name on
    json.JSONEncoder>, **kw), and the classes' logs agree.  cls_name None: no cls;
    "JSONEncoder": the base class itself."""
    jlog, rlog = [], []
    if cls_name is None:
        jkw, rkw = dict(kw), dict(kw)
    elif cls_name == "JSONEncoder":
        jkw = dict(kw, cls=json.JSONEncoder)
        rkw = dict(kw, cls=json.JSONEncoder if base == "json" else rjson.JSONEncoder)
    else:
        jkw = dict(kw, cls=make_classes(json.JSONEncoder, jlog)[cls_name])
        rbase = json.JSONEncoder if base == "json" else rjson.JSONEncoder
        rkw = dict(kw, cls=make_classes(rbase, rlog)[cls_name])
    want = image(json.dumps, obj, **jkw)
    got = image(rjson.dumps, obj, **rkw)
    both(got, want, f" for dumps({obj!r:.100}, cls={cls_name} on {base}, {kw!r})")
    assert rlog == jlog, f"calls differ for cls={cls_name}: rjson {rlog!r:.400} json {jlog!r:.400}"
    return want


# ---------------------------------------------------------------------------
# Specific cases

OBJS = [
    {"a": [1, 2.5, None, True, "\u00e9\U0001f600"], "b": {"c": (1, 2)}, "d": -0.0},
    [{3, 1, 2}, Thing(Thing(1)), 1j],
    "top-level str",
    [float("nan"), float("inf")],
    {"b": 1, "a": {"d": [], "c": {}}},
    {1: "int key", 2.5: "float key", None: "none", True: "bool"},
    {(1,): "tuple key", "ok": 1},
    [b"bytes"],
    12345678901234567890,
]
KWS = [{}, {"indent": 2}, {"sort_keys": True}, {"skipkeys": True}, {"allow_nan": False},
       {"ensure_ascii": False, "separators": (",", ":")}, {"default": repr},
       {"indent": "\t", "sort_keys": True, "skipkeys": True, "default": repr},
       {"check_circular": False}]


@pytest.mark.parametrize("kw", KWS, ids=repr)
@pytest.mark.parametrize("base", ["json", "rjson"])
@pytest.mark.parametrize("cls_name", CLS_NAMES + ["JSONEncoder"])
def test_cls(cls_name, base, kw):
    for obj in OBJS:
        check(obj, cls_name, base, **kw)


@pytest.mark.parametrize("base", ["json", "rjson"])
def test_extra_keywords_to_cls(base):
    for extra in ({"tag": "T"}, {"tag": "T", "upper": True}, {"upper": 1},
                  {"tag": "T", "indent": 1, "sort_keys": True}, {"nope": 1}):
        for obj in OBJS[:3]:
            check(obj, "InitSub", base, **extra)


@pytest.mark.parametrize("kw", [
    {"foo": 1}, {"encoding": "utf-8"}, {"foo": 1, "indent": 2}, {"cls": None, "foo": 1},
    {"foo": 1, "bar": 2}, {"item_separator": ","}, {"obj": 1},
], ids=repr)
def test_unknown_keywords(kw):
    """Without cls (or cls=None) the keyword reaches JSONEncoder.__init__: same TypeError."""
    for obj in ([1], "s", {1}):
        both(image(rjson.dumps, obj, **kw), image(json.dumps, obj, **kw), f" {kw}")


@pytest.mark.parametrize("base", ["json", "rjson"])
def test_unknown_keyword_with_cls_base(base):
    cls = json.JSONEncoder if base == "json" else rjson.JSONEncoder
    both(image(rjson.dumps, [1], cls=cls, foo=1), image(json.dumps, [1], cls=json.JSONEncoder, foo=1))
    plain = make_classes(cls, [])["Plain"]
    jplain = make_classes(json.JSONEncoder, [])["Plain"]
    both(image(rjson.dumps, [1], cls=plain, foo=1), image(json.dumps, [1], cls=jplain, foo=1))


def test_cls_result_returned_as_is():
    """json.dumps returns whatever cls(...).encode returns."""
    for result in (b"bytes", None, 42, ["x"], "str"):
        class Odd(json.JSONEncoder):
            def encode(self, o, result=result):
                return result

        class ROdd(rjson.JSONEncoder):
            def encode(self, o, result=result):
                return result

        assert canon(rjson.dumps([1], cls=Odd)) == canon(json.dumps([1], cls=Odd)) == canon(result)
        assert canon(rjson.dumps([1], cls=ROdd)) == canon(result)


def test_cls_factory_function():
    calls = []

    def factory(**kw):
        calls.append(list(kw))
        return json.JSONEncoder(**dict(kw, indent=3))

    want = json.dumps({"a": [1]}, cls=factory, sort_keys=True)
    jcalls = list(calls)
    del calls[:]
    assert rjson.dumps({"a": [1]}, cls=factory, sort_keys=True) == want
    assert calls == jcalls == [["skipkeys", "ensure_ascii", "check_circular", "allow_nan",
                                "indent", "separators", "default", "sort_keys"]]


def test_cls_keywords_as_passed_by_json():
    """The values json.dumps passes to cls: its defaults, and explicit values as given."""
    seen = []

    class Spy(json.JSONEncoder):
        def __init__(self, **kw):
            seen.append([(k, v if not callable(v) else v.__name__) for k, v in kw.items()])
            super().__init__(**kw)

    for kw in ({}, {"indent": 0, "separators": [",", ":"], "skipkeys": 1, "ensure_ascii": 0,
                    "default": repr, "sort_keys": "", "allow_nan": None, "check_circular": []},
               {"indent": None}):
        seen.clear()
        want = image(json.dumps, [1], cls=Spy, **kw)
        jseen = list(seen)
        seen.clear()
        got = image(rjson.dumps, [1], cls=Spy, **kw)
        both(got, want)
        assert seen == jseen, kw


def test_cls_explicit_none_and_default_class():
    obj = {"b": [1, 2.5], "a": "\u00e9"}
    for kw in ({}, {"indent": 2}, {"sort_keys": True}):
        want = json.dumps(obj, **kw)
        assert rjson.dumps(obj, cls=None, **kw) == want
        assert rjson.dumps(obj, cls=rjson.JSONEncoder, **kw) == want
        assert rjson.dumps(obj, cls=json.JSONEncoder, **kw) == want
        assert json.dumps(obj, cls=rjson.JSONEncoder, **kw) == want


def test_default_subclass_called_like_json():
    """A default override sees the same objects in the same order as json's."""
    obj = {"z": [Thing(1), {"y": frozenset({Thing(2)})}], "a": Thing([Thing(3), {4, 5}])}
    for kw in ({}, {"indent": 2}, {"sort_keys": True}, {"check_circular": False}):
        check(obj, "DefaultSub", "rjson", **kw)


def test_circular_through_default_subclass():
    class Self(json.JSONEncoder):
        def default(self, o):
            return [o]

    class RSelf(rjson.JSONEncoder):
        def default(self, o):
            return [o]

    for obj in (Thing(1), [Thing(1)], {"a": Thing(2)}):
        both(image(rjson.dumps, obj, cls=RSelf), image(json.dumps, obj, cls=Self))
        both(image(rjson.dumps, obj, cls=RSelf, indent=1), image(json.dumps, obj, cls=Self, indent=1))


# ---------------------------------------------------------------------------
# sort_keys with unorderable keys

UNORDERABLE = [
    {"b": 1, 1: 2},
    {1: 1, "a": 2},
    {None: 1, "a": 2},
    {"a": 1, (1,): 2},
    {1.5: 1, "x": 2, None: 3},
    {True: 1, "t": 2},
    {"a": 1, "b": 2, 3: 3, "c": 4},
    {"x": {"y": 1, 2: 2}},
    {"x": [{"q": 1, None: 2}]},
    {2: 1, 1.5: 2, True: 3, "s": 4},
    {Thing(1): 1, "a": 2},
]


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"skipkeys": True},
                                {"skipkeys": True, "indent": 1}, {"default": repr}], ids=repr)
@pytest.mark.parametrize("obj", UNORDERABLE, ids=repr)
def test_sort_keys_unorderable(obj, kw):
    both(image(rjson.dumps, obj, sort_keys=True, **kw), image(json.dumps, obj, sort_keys=True, **kw))
    check(obj, "Plain", "rjson", sort_keys=True, **kw)


# ---------------------------------------------------------------------------
# Keyword values of the wrong type: the error (or success) of the encoder json picks.
# json.JSONEncoder.encode returns early for a str object (nothing else is looked at); the
# C encoder (one-shot, indent None before 3.13) checks the separators are str when it
# starts; the pure-Python one (indent before 3.13, iterencode(o), dump) fails only where
# it first uses a bad separator or indent, with the message of that operation.

BAD_INDENTS = [[1], 1.5, b"x", object(), 10 ** 30, -(10 ** 30)]
BAD_SEPARATORS = [(",", None), (5, ":"), (",", 5), (b",", b":"), ("", 0.5)]
BAD_OBJS = [[1, 2], {"a": 1, "b": [2]}, "s", [], {}, 1, [[]], [{"a": "b"}], None]


def _bad_check(obj, kw):
    both(image(rjson.dumps, obj, **kw), image(json.dumps, obj, **kw), f" dumps({obj!r}, {kw})")
    both(image(lambda: rjson.JSONEncoder(**kw).encode(obj)),
         image(lambda: json.JSONEncoder(**kw).encode(obj)), f" encode({obj!r}) {kw}")


def _bad_check_iterencode(obj, kw):
    both(image(lambda: join_chunks(rjson.JSONEncoder(**kw).iterencode(obj))),
         image(lambda: join_chunks(json.JSONEncoder(**kw).iterencode(obj))),
         f" iterencode({obj!r}) {kw}")


@pytest.mark.parametrize("more", [{}, {"sort_keys": True}], ids=repr)
@pytest.mark.parametrize("indent", BAD_INDENTS, ids=repr)
def test_bad_indent_types(indent, more):
    for obj in BAD_OBJS:
        _bad_check(obj, dict(more, indent=indent))
        _bad_check_iterencode(obj, dict(more, indent=indent))


@pytest.mark.parametrize("more", [{}, {"sort_keys": True}, {"ensure_ascii": False}], ids=repr)
@pytest.mark.parametrize("separators", BAD_SEPARATORS, ids=repr)
def test_bad_separator_types_one_shot(separators, more):
    """indent=None, dumps/encode: json's C encoder's TypeError (or a str returned early)."""
    for obj in BAD_OBJS:
        _bad_check(obj, dict(more, separators=separators))


@pytest.mark.parametrize("more", [{"indent": 1}, {}], ids=repr)
@pytest.mark.parametrize("separators", BAD_SEPARATORS, ids=repr)
def test_bad_separator_types_python_encoder(separators, more):
    """The pure-Python encoder's behaviour: dumps with indent (json before 3.13) and
    iterencode(o).  NB: the README lists "non-str separators raise TypeError when the
    encoder starts" as a deliberate difference; the stdlib fails later or not at all."""
    for obj in BAD_OBJS:
        if more:
            _bad_check(obj, dict(more, separators=separators))
        _bad_check_iterencode(obj, dict(more, separators=separators))


# ---------------------------------------------------------------------------
# hypothesis: objects x keyword sets x cls

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10 ** 40), 10 ** 40), st.floats(),
    st.text(max_size=8),
    st.sampled_from(["\x00", "\u00e9", "\ud800", "\U0001f600", '"\\', "\u2028", "\x7f"]),
    st.builds(Thing, st.integers(0, 3)), st.just(frozenset([1])), st.just(1j),
    st.just(decimal.Decimal("2.5")))
keys = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.floats(width=16), st.booleans(),
                 st.none(), st.just((1,)))
values = st.recursive(
    scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.lists(kids, max_size=3).map(tuple),
                           st.dictionaries(keys, kids, max_size=4),
                           st.dictionaries(st.text(max_size=3), kids, max_size=4),
                           st.lists(st.tuples(keys, kids), max_size=3).map(collections.OrderedDict)),
    max_leaves=20)


def _default_fn(o):
    if isinstance(o, Thing):
        return ["thing", o.v]
    raise TypeError(f"custom default cannot do {type(o).__name__}")


kwsets = st.fixed_dictionaries({}, optional={
    "skipkeys": st.booleans(),
    "ensure_ascii": st.booleans(),
    "check_circular": st.booleans(),
    "allow_nan": st.booleans(),
    "indent": st.sampled_from([None, 0, 1, 2, -1, "", "\t", "--", True]),
    "separators": st.sampled_from([None, (",", ":"), (", ", ": "), [";", "="], ("", ""),
                                   (" ,", " : ")]),
    "sort_keys": st.booleans(),
    "default": st.sampled_from([None, repr, _default_fn]),
})


@HYP
@given(obj=values, kw=kwsets)
def test_hypothesis_no_cls(obj, kw):
    check(obj, None, **kw)


@HYP
@given(obj=values, kw=kwsets, cls_name=st.sampled_from(CLS_NAMES + ["JSONEncoder"]),
       base=st.sampled_from(["json", "rjson"]))
def test_hypothesis_cls(obj, kw, cls_name, base):
    check(obj, cls_name, base, **kw)


@settings(HYP, max_examples=60)
@given(obj=values, kw=kwsets)
def test_hypothesis_rjson_encoder_in_json_dumps(obj, kw):
    both(image(json.dumps, obj, cls=rjson.JSONEncoder, **kw), image(json.dumps, obj, **kw))
    enc_kw = {k: v for k, v in kw.items()}
    both(image(lambda: rjson.JSONEncoder(**enc_kw).encode(obj)),
         image(lambda: json.JSONEncoder(**enc_kw).encode(obj)))


def test_nan_messages_through_cls():
    obj = [1.0, float("nan")]
    for kw in ({}, {"indent": 2}):
        check(obj, "JSONEncoder", "rjson", allow_nan=False, **kw)
        check(obj, "DefaultSub", "rjson", allow_nan=False, **kw)
        check({math.inf: 1}, "Plain", "rjson", allow_nan=False, **kw)
