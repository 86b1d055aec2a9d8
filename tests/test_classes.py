"""rjson.JSONEncoder / rjson.JSONDecoder against json.JSONEncoder / json.JSONDecoder.

Everything is differential: the same construction, call, subclass or attribute change is
made on a json class and on the rjson class, and the results (conftest.image: value with
exact types, or exception type/str/args/JSONDecodeError fields) must be equal.

Stdlib facts these tests rely on (CPython 3.9-3.15):
- JSONEncoder.__init__ stores its arguments as given; `separators` is unpacked into
  item_separator/key_separator, `indent` not None sets item_separator=',', class attributes
  item_separator=', ' / key_separator=': ' apply otherwise; `default` becomes an instance
  attribute only when not None.
- encode(o) returns the escaped str for a str o, else ''.join(self.iterencode(o,
  _one_shot=True)); iterencode reads the instance's attributes at call time; iterencode(o)
  without _one_shot uses the pure-Python encoder (list/dict subclass behaviour, messages).
- JSONDecoder.__init__ stores the hooks (parse_float/parse_int/parse_constant default to
  float/int/_CONSTANTS.__getitem__ when falsy) and builds self.scan_once, which captures
  them; decode calls self.raw_decode(s, idx=<after whitespace>), raw_decode calls
  self.scan_once(s, idx) and turns StopIteration(i) into "Expecting value" at i.
rjson's documented difference: iterencode (not one-shot) yields fewer, larger chunks.
"""

import collections
import datetime
import decimal
import importlib
import json
import json.scanner
import math
import pickle  # noqa: F401  (pickling is not required: not tested)

import pytest

import rjson
from conftest import DEEP_INDENT, canon, image, join_chunks

ENC = {"json": json.JSONEncoder, "rjson": rjson.JSONEncoder}
DEC = {"json": json.JSONDecoder, "rjson": rjson.JSONDecoder}


def both(a, b, ctx=""):
    assert a == b, f"differ{ctx}:\n rjson {a!r:.800}\n json  {b!r:.800}"


# ---------------------------------------------------------------------------
# Module surface

def test_module_names():
    assert rjson.JSONDecodeError is json.JSONDecodeError
    assert issubclass(rjson.JSONDecodeError, ValueError)
    for name in ("JSONEncoder", "JSONDecoder", "JSONDecodeError", "dump", "dumps", "load",
                 "loads"):
        assert hasattr(rjson, name), name
    assert isinstance(rjson.JSONEncoder, type) and isinstance(rjson.JSONDecoder, type)


def test_submodules():
    dec = importlib.import_module("rjson.decoder")
    enc = importlib.import_module("rjson.encoder")
    assert dec.JSONDecoder is rjson.JSONDecoder
    assert dec.JSONDecodeError is json.JSONDecodeError is json.decoder.JSONDecodeError
    assert enc.JSONEncoder is rjson.JSONEncoder
    assert rjson.decoder is dec and rjson.encoder is enc
    from rjson.decoder import JSONDecodeError, JSONDecoder  # noqa: F401
    from rjson.encoder import JSONEncoder  # noqa: F401
    assert JSONDecodeError is json.JSONDecodeError
    assert JSONEncoder is rjson.JSONEncoder and JSONDecoder is rjson.JSONDecoder


def test_isinstance_relations():
    e, d = rjson.JSONEncoder(), rjson.JSONDecoder()
    assert type(e) is rjson.JSONEncoder and type(d) is rjson.JSONDecoder
    assert isinstance(e, rjson.JSONEncoder) and isinstance(d, rjson.JSONDecoder)
    assert not isinstance(e, rjson.JSONDecoder) and not isinstance(d, rjson.JSONEncoder)

    class E(rjson.JSONEncoder):
        pass

    class D(rjson.JSONDecoder):
        pass

    assert isinstance(E(), rjson.JSONEncoder) and issubclass(E, rjson.JSONEncoder)
    assert isinstance(D(), rjson.JSONDecoder) and issubclass(D, rjson.JSONDecoder)
    assert type(E()) is E and type(D()) is D
    try:
        rjson.loads("[1,")
    except json.JSONDecodeError as exc:
        assert isinstance(exc, rjson.JSONDecodeError) and isinstance(exc, ValueError)
    else:
        raise AssertionError("no error")


# ---------------------------------------------------------------------------
# JSONEncoder construction and attributes

class SepIterable:
    def __iter__(self):
        return iter([";", "="])


ENC_ATTRS = ["skipkeys", "ensure_ascii", "check_circular", "allow_nan", "sort_keys", "indent",
             "item_separator", "key_separator"]

ENC_KWARGS = [
    {}, {"skipkeys": True}, {"ensure_ascii": False}, {"check_circular": False},
    {"allow_nan": False}, {"sort_keys": True}, {"indent": 2}, {"indent": 0}, {"indent": -3},
    {"indent": "\t"}, {"indent": ""}, {"indent": None}, {"indent": True},
    {"separators": (",", ":")}, {"separators": [";", "="]}, {"separators": ("", "")},
    {"separators": "ab"}, {"separators": (" ,\n", " : ")},
    {"indent": 4, "separators": (",", ": ")}, {"indent": 2, "separators": None},
    {"indent": "--", "sort_keys": True, "ensure_ascii": False},
    {"default": repr}, {"default": None},
    {"skipkeys": 1, "ensure_ascii": 0, "check_circular": "", "allow_nan": [], "sort_keys": "y"},
    {"skipkeys": False, "ensure_ascii": True, "check_circular": True, "allow_nan": True,
     "sort_keys": False, "indent": None, "separators": None, "default": None},
]


def kw_id(kw):
    return ",".join(f"{k}={v!r}" for k, v in kw.items()) or "none"


def enc_attrs(e, kw):
    out = []
    for a in ENC_ATTRS:
        v = getattr(e, a)
        # identity with the objects passed in, as json keeps them
        same = [v is x for x in kw.values()] + [v is x for x in kw.get("separators") or ()]
        out.append((a, canon(v), same))
    return out


@pytest.mark.parametrize("kw", ENC_KWARGS, ids=kw_id)
def test_encoder_attributes(kw):
    j, r = json.JSONEncoder(**kw), rjson.JSONEncoder(**kw)
    both(enc_attrs(r, kw), enc_attrs(j, kw))
    if kw.get("default") is not None:
        assert r.default is kw["default"]
    else:
        assert r.default.__self__ is r
        both(image(r.default, object()), image(j.default, object()))
        both(image(r.default, {1}), image(j.default, {1}))


def test_encoder_class_attributes():
    assert rjson.JSONEncoder.item_separator == json.JSONEncoder.item_separator == ", "
    assert rjson.JSONEncoder.key_separator == json.JSONEncoder.key_separator == ": "


@pytest.mark.parametrize("args,kw", [
    ((True,), {}), ((), {"foo": 1}), ((), {"separators": (",",)}), ((), {"separators": 5}),
    ((), {"separators": (",", ":", ";")}), ((), {"separators": SepIterable()}),
    ((), {"separators": {"a": 1, "b": 2}}), ((), {"encoding": "utf-8"}),
    ((), {"indent": 2, "foo": 1}), ((1, 2), {}),
], ids=repr)
def test_encoder_constructor_errors(args, kw):
    def attrs(cls):
        return enc_attrs(cls(*args, **kw), {})

    both(image(attrs, rjson.JSONEncoder), image(attrs, json.JSONEncoder))


# ---------------------------------------------------------------------------
# encode / iterencode

class ListIter(list):
    def __iter__(self):
        return iter([-1, *list.__iter__(self)])


class DictItems(dict):
    def items(self):
        return [("items", "overridden")] + list(dict.items(self))


class DictKeysIter(dict):
    def __iter__(self):
        return iter(["iter-overridden"])


class FloatSub(float):
    def __repr__(self):
        return "FloatSub!"


class IntSub(int):
    def __repr__(self):
        return "IntSub!"


class StrSub(str):
    pass


class Thing:
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"Thing({self.v!r})"


def _circular():
    a = [1]
    a.append(a)
    return a


ENC_OBJS = {
    "nested": lambda: {"a": [1, 2.5, None, True, False, "s\u00e9\U0001f600", -0.0, 10 ** 30],
                       "b": {"c": {}, "d": []}, "e": (1, (2,))},
    "str": lambda: "top \u00e9 \"q\" \\ \x00 \ud800",
    "str_sub": lambda: StrSub("sub\u00e9"),
    "int": lambda: 12345678901234567890,
    "float": lambda: 1e-7,
    "nan_inf": lambda: [float("nan"), float("inf"), -float("inf")],
    "keys": lambda: {1: "i", 2.5: "f", True: "t", None: "n", "s": "s", -0.0: "z"},
    "bad_key": lambda: {"a": 1, (1, 2): 2},
    "date_key": lambda: {datetime.date(2020, 1, 2): 1},
    "unsupported": lambda: [1, {2, 3}],
    "thing": lambda: {"t": Thing(1)},
    "circular": _circular,
    "subclasses": lambda: [ListIter([1, 2]), DictItems(a=1), DictKeysIter(b=2), FloatSub(1.5),
                           IntSub(7), collections.OrderedDict(z=1, a=2)],
    "mixed_sort": lambda: {"b": 1, 2: 3},
    "empty": lambda: [[], {}, (), ""],
    "decimal": lambda: decimal.Decimal("1.5"),
}
ENC_CALL_KWARGS = [{}, {"indent": 2}, {"sort_keys": True}, {"allow_nan": False},
                   {"skipkeys": True}, {"ensure_ascii": False, "separators": (",", ":")},
                   {"default": repr}, {"indent": "\t", "sort_keys": True, "skipkeys": True}]


def _join(e, o, *args, **kw):
    return join_chunks(e.iterencode(o, *args, **kw))


@pytest.mark.parametrize("kw", ENC_CALL_KWARGS, ids=kw_id)
@pytest.mark.parametrize("name", list(ENC_OBJS))
def test_encode_and_iterencode(name, kw):
    make = ENC_OBJS[name]
    j, r = json.JSONEncoder(**kw), rjson.JSONEncoder(**kw)
    both(image(r.encode, make()), image(j.encode, make()), f" (encode {name})")
    both(image(_join, r, make()), image(_join, j, make()), f" (iterencode {name})")
    both(image(_join, r, make(), _one_shot=True), image(_join, j, make(), _one_shot=True),
         f" (iterencode one-shot {name})")
    both(image(_join, r, make(), False), image(_join, j, make(), False))
    both(image(_join, r, make(), True), image(_join, j, make(), True))


def test_iterencode_returns_iterable_of_str():
    e = rjson.JSONEncoder(indent=1)
    obj = {"a": list(range(1000)), "b": "x" * 10000}
    it = e.iterencode(obj)
    chunks = list(it)
    assert chunks and all(type(c) is str for c in chunks)
    assert "".join(chunks) == json.JSONEncoder(indent=1).encode(obj)
    assert "".join(rjson.JSONEncoder().iterencode("s")) == '"s"'


def test_encode_result_type():
    for o in ("abc", [1], StrSub("x"), {"a": "b"}):
        r = rjson.JSONEncoder().encode(o)
        assert type(r) is str and r == json.JSONEncoder().encode(o)


MUTATIONS = [("indent", 2), ("indent", "\t"), ("sort_keys", True), ("item_separator", ";"),
             ("key_separator", "="), ("ensure_ascii", False), ("allow_nan", False),
             ("skipkeys", True), ("default", repr), ("check_circular", False),
             ("default", 5), ("indent", [1]), ("item_separator", 5), ("key_separator", None)]


@pytest.mark.parametrize("attr,value", MUTATIONS, ids=repr)
def test_encoder_attributes_read_at_call_time(attr, value):
    """json's iterencode reads self.indent, self.default, ... each time it runs."""
    names = ["nested", "keys", "bad_key", "thing", "nan_inf", "str"]
    if attr != "check_circular":
        names.append("circular")
    for name in names:
        j, r = json.JSONEncoder(), rjson.JSONEncoder()
        setattr(j, attr, value)
        setattr(r, attr, value)
        both(image(r.encode, ENC_OBJS[name]()), image(j.encode, ENC_OBJS[name]()),
             f" (encode {name} after {attr}={value!r})")
        both(image(_join, r, ENC_OBJS[name]()), image(_join, j, ENC_OBJS[name]()),
             f" (iterencode {name} after {attr}={value!r})")
        both(image(rjson.dumps, ENC_OBJS[name](), cls=lambda **kw: r),
             image(json.dumps, ENC_OBJS[name](), cls=lambda **kw: j))


# ---------------------------------------------------------------------------
# JSONEncoder subclasses

def default_sub(base, log):
    class DefaultSub(base):
        def default(self, o):
            log.append(("default", canon(o) if not isinstance(o, (Thing, set, complex))
                        else repr(sorted(o) if isinstance(o, set) else getattr(o, "v", o))))
            if isinstance(o, set):
                return sorted(o)
            if isinstance(o, complex):
                return [o.real, o.imag]
            if isinstance(o, Thing):
                return {"thing": o.v}
            return super().default(o)

    return DefaultSub


DEFAULT_OBJS = [
    [{1, 2}, 1j, Thing([Thing(2), {3}]), "x"],
    {"a": Thing(1), "b": [Thing(2), {5, 4}], "c": object},
    Thing(Thing(Thing(None))),
    {3, 1, 2},
    [1, bytes(2)],
    {"k": float("nan"), "s": {1}},
    # the encoder the stdlib picks (C one-shot, or pure Python) decides subclass behaviour
    [ListIter([{1}]), DictItems(a=Thing(1)), DictKeysIter(b={2}), FloatSub(0.5), IntSub(3)],
]


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True, "allow_nan": False},
                                {"check_circular": False}], ids=kw_id)
def test_subclass_default_override(kw):
    jlog, rlog = [], []
    J, R = default_sub(json.JSONEncoder, jlog), default_sub(rjson.JSONEncoder, rlog)
    for o in DEFAULT_OBJS:
        both(image(R(**kw).encode, o), image(J(**kw).encode, o), f" (encode {o!r})")
        both(image(_join, R(**kw), o), image(_join, J(**kw), o))
        both(image(rjson.dumps, o, cls=R, **kw), image(json.dumps, o, cls=J, **kw))
        both(image(json.dumps, o, cls=R, **kw), image(json.dumps, o, cls=J, **kw))
        assert rlog == jlog, (o, rlog, jlog)


def test_default_override_beats_default_keyword():
    """default= given to __init__ is an instance attribute: it wins over the method."""
    J, R = default_sub(json.JSONEncoder, []), default_sub(rjson.JSONEncoder, [])
    o = [{1}, Thing(1)]
    both(image(R(default=repr).encode, o), image(J(default=repr).encode, o))
    both(image(rjson.dumps, o, cls=R, default=repr), image(json.dumps, o, cls=J, default=repr))


def encode_sub(base, log):
    class EncodeSub(base):
        def encode(self, o):
            log.append(("encode", canon(o)))
            return "ENC(" + super().encode(o) + ")"

    return EncodeSub


def iterencode_sub(base, log, result=None):
    class IterencodeSub(base):
        def iterencode(self, o, *args, **kw):
            log.append(("iterencode", canon(o), args, kw))
            if result is not None:
                return result
            return ["<"] + list(super().iterencode(o, *args, **kw)) + [">"]

    return IterencodeSub


@pytest.mark.parametrize("o", [[1, "a"], {"k": [1.5]}, "plain str", StrSub("s"), 5, None],
                         ids=repr)
def test_subclass_encode_override(o):
    jlog, rlog = [], []
    J, R = encode_sub(json.JSONEncoder, jlog), encode_sub(rjson.JSONEncoder, rlog)
    both(image(R().encode, o), image(J().encode, o))
    both(image(rjson.dumps, o, cls=R), image(json.dumps, o, cls=J))
    both(image(rjson.dumps, o, cls=R, indent=1), image(json.dumps, o, cls=J, indent=1))
    # iterencode does not go through encode
    both(image(_join, R(), o), image(_join, J(), o))
    assert rlog == jlog


@pytest.mark.parametrize("result", [None, ["a", "b"], ("t",), "str-result", iter(["x"]), 7],
                         ids=["super", "list", "tuple", "str", "iterator", "int"])
@pytest.mark.parametrize("o", [[1, "a"], {"k": [1.5]}, "plain str", StrSub("s"), 5, None],
                         ids=repr)
def test_subclass_iterencode_override(o, result):
    """encode(o) is ''.join(self.iterencode(o, _one_shot=True)) except for str o."""
    if isinstance(result, type(iter([]))):
        results = (iter(["x"]), iter(["x"]))
    else:
        results = (result, result)
    jlog, rlog = [], []
    J = iterencode_sub(json.JSONEncoder, jlog, results[0])
    R = iterencode_sub(rjson.JSONEncoder, rlog, results[1])
    both(image(R().encode, o), image(J().encode, o))
    assert rlog == jlog
    if result is None:
        both(image(rjson.dumps, o, cls=R, sort_keys=True),
             image(json.dumps, o, cls=J, sort_keys=True))
        both(image(_join, R(), o), image(_join, J(), o))
        assert rlog == jlog


def test_subclass_calling_super_everywhere():
    def make(base, log):
        class Super(base):
            def __init__(self, **kw):
                log.append(("init", sorted(kw)))
                kw["sort_keys"] = True
                super().__init__(**kw)

            def default(self, o):
                log.append(("default", type(o).__name__))
                return super().default(o) if not isinstance(o, set) else sorted(o)

            def encode(self, o):
                log.append(("encode",))
                return super().encode(o).replace(" ", "_")

            def iterencode(self, o, _one_shot=False):
                log.append(("iterencode", _one_shot))
                return super().iterencode(o, _one_shot)

        return Super

    jlog, rlog = [], []
    J, R = make(json.JSONEncoder, jlog), make(rjson.JSONEncoder, rlog)
    for o in ({"b": {2, 1}, "a": [1, 2]}, [object()], "s t"):
        for kw in ({}, {"indent": 2}):
            both(image(rjson.dumps, o, cls=R, **kw), image(json.dumps, o, cls=J, **kw))
            both(image(R(**kw).encode, o), image(J(**kw).encode, o))
            both(image(_join, R(**kw), o), image(_join, J(**kw), o))
            assert rlog == jlog


def test_subclass_class_attribute_separators():
    def make(base):
        class Seps(base):
            item_separator = " | "
            key_separator = " => "

        return Seps

    J, R = make(json.JSONEncoder), make(rjson.JSONEncoder)
    o = {"a": [1, 2], "b": {"c": None}}
    for kw in ({}, {"indent": 2}, {"separators": (",", ":")}, {"sort_keys": True}):
        both(image(R(**kw).encode, o), image(J(**kw).encode, o), f" {kw}")
        both(image(_join, R(**kw), o), image(_join, J(**kw), o), f" {kw}")
        both(image(rjson.dumps, o, cls=R, **kw), image(json.dumps, o, cls=J, **kw))


def test_subclass_init_without_super():
    """json's methods read the attributes: a subclass that sets none gets AttributeError
    for the missing ones, one that sets them all works."""
    def make(base, full):
        class NoSuper(base):
            def __init__(self, **kw):
                self.indent = 3
                if full:
                    self.skipkeys = self.sort_keys = False
                    self.ensure_ascii = self.check_circular = self.allow_nan = True

        return NoSuper

    for full in (False, True):
        J, R = make(json.JSONEncoder, full), make(rjson.JSONEncoder, full)
        o = {"a": [1, {"b": 2}]}
        both(image(R().encode, o), image(J().encode, o))
        both(image(_join, R(), o), image(_join, J(), o))
        both(image(rjson.dumps, o, cls=R), image(json.dumps, o, cls=J))


def test_encoder_subclass_with_extra_init_keywords():
    def make(base):
        class Prefixed(base):
            def __init__(self, *, prefix, **kw):
                super().__init__(**kw)
                self.prefix = prefix

            def encode(self, o):
                return self.prefix + super().encode(o)

        return Prefixed

    J, R = make(json.JSONEncoder), make(rjson.JSONEncoder)
    for kw in ({"prefix": ">"}, {"prefix": ">", "indent": 1}, {}, {"prefix": 1}):
        both(image(rjson.dumps, [1], cls=R, **kw), image(json.dumps, [1], cls=J, **kw))


# ---------------------------------------------------------------------------
# Cross use: rjson classes with json's functions and the other way round

CROSS_OBJS = [{"a": [1, 2.5, None, "\u00e9"], "b": {"c": True}}, [float("nan")], "s", [{1}],
              _circular()]


@pytest.mark.parametrize("kw", [{}, {"indent": 2}, {"sort_keys": True}, {"allow_nan": False},
                                {"default": list}, {"separators": (",", ":")}], ids=kw_id)
def test_rjson_encoder_as_cls_everywhere(kw):
    for o in CROSS_OBJS:
        want = image(json.dumps, o, **kw)
        both(image(json.dumps, o, cls=rjson.JSONEncoder, **kw), want, f" json.dumps {o!r:.50}")
        both(image(rjson.dumps, o, cls=rjson.JSONEncoder, **kw), want, f" rjson.dumps {o!r:.50}")
        both(image(rjson.dumps, o, cls=json.JSONEncoder, **kw), want)


DEC_DOCS = ['{"a": [1, 2.5, NaN, {"b": -Infinity}], "a": "dup"}', " [1, 2] ", "[1,", "",
            "\ufeff[]", "[1] x", '"\\ud800"', "123456789012345678901234567890", '"\x00"']


@pytest.mark.parametrize("kw", [{}, {"parse_float": str}, {"object_pairs_hook": list},
                                {"strict": False}, {"parse_constant": str, "parse_int": float}],
                         ids=kw_id)
def test_rjson_decoder_as_cls_everywhere(kw):
    for doc in DEC_DOCS:
        want = image(json.loads, doc, **kw)
        both(image(json.loads, doc, cls=rjson.JSONDecoder, **kw), want, f" json.loads {doc!r}")
        both(image(rjson.loads, doc, cls=rjson.JSONDecoder, **kw), want, f" rjson.loads {doc!r}")
        both(image(rjson.loads, doc, cls=json.JSONDecoder, **kw), want)


# ---------------------------------------------------------------------------
# JSONDecoder construction and attributes

DEC_ATTRS = ["object_hook", "parse_float", "parse_int", "strict", "object_pairs_hook"]


def _hook(x):
    return ("hook", x)


DEC_KWARGS = [
    {}, {"object_hook": _hook}, {"parse_float": decimal.Decimal}, {"parse_int": float},
    {"parse_constant": str}, {"strict": False}, {"object_pairs_hook": list},
    {"strict": 0}, {"strict": "yes"}, {"strict": None},
    {"parse_float": 0}, {"parse_int": ""}, {"parse_constant": None}, {"parse_float": None},
    {"object_hook": 0}, {"object_pairs_hook": "x"},
    {"object_hook": _hook, "object_pairs_hook": list, "parse_float": str, "parse_int": str,
     "parse_constant": str, "strict": False},
]


def dec_attrs(d):
    out = []
    for a in DEC_ATTRS:
        v = getattr(d, a)
        out.append((a, v if v in (None, float, int, str, list, decimal.Decimal, _hook)
                    else canon(v)))
    pc = d.parse_constant
    out.append(("parse_constant", [image(pc, c) for c in ("NaN", "Infinity", "-Infinity",
                                                          "null", "x")]))
    return out


@pytest.mark.parametrize("kw", DEC_KWARGS, ids=kw_id)
def test_decoder_attributes(kw):
    j, r = json.JSONDecoder(**kw), rjson.JSONDecoder(**kw)
    both(dec_attrs(r), dec_attrs(j))
    for a in DEC_ATTRS + ["parse_constant"]:
        if kw.get(a):
            assert getattr(r, a) is kw[a], a
    assert callable(r.scan_once)


def test_decoder_default_attributes():
    d = rjson.JSONDecoder()
    assert d.object_hook is None and d.object_pairs_hook is None
    assert d.parse_float is float and d.parse_int is int and d.strict is True
    assert math.isnan(d.parse_constant("NaN")) and d.parse_constant("-Infinity") == -math.inf


@pytest.mark.parametrize("args,kw", [((True,), {}), ((), {"foo": 1}), ((), {"encoding": "x"}),
                                     ((None, None), {}), ((), {"object_hook": _hook, "cls": 1})],
                         ids=repr)
def test_decoder_constructor_errors(args, kw):
    def attrs(cls):
        return dec_attrs(cls(*args, **kw))

    both(image(attrs, rjson.JSONDecoder), image(attrs, json.JSONDecoder))


def test_decoder_strict_bool_raising():
    class Bad:
        def __bool__(self):
            raise ValueError("no truth")

    both(image(lambda: rjson.JSONDecoder(strict=Bad()).decode('"a"')),
         image(lambda: json.JSONDecoder(strict=Bad()).decode('"a"')))


# ---------------------------------------------------------------------------
# decode / raw_decode / scan_once

@pytest.mark.parametrize("kw", [{}, {"strict": False}, {"object_pairs_hook": list},
                                {"parse_float": decimal.Decimal, "object_hook": _hook}],
                         ids=kw_id)
def test_decode(kw):
    j, r = json.JSONDecoder(**kw), rjson.JSONDecoder(**kw)
    for doc in DEC_DOCS + [" \t\n", "1 2", '{"a": 1}\n', StrSub('["sub"]'), "[1]\x00",
                           "  NaN  ", "-Infinity", "[\n1,\n2\n,]"]:
        both(image(r.decode, doc), image(j.decode, doc), f" for decode({doc!r})")


@pytest.mark.parametrize("doc", [b"[1]", bytearray(b"[1]"), memoryview(b"[1]"), 1, None, 1.5,
                                 ["[1]"], object()], ids=lambda d: type(d).__name__)
def test_decode_non_str(doc):
    j, r = json.JSONDecoder(), rjson.JSONDecoder()
    both(image(r.decode, doc), image(j.decode, doc))
    both(image(r.raw_decode, doc), image(j.raw_decode, doc))
    both(image(r.raw_decode, doc, 0), image(j.raw_decode, doc, 0))
    both(image(r.scan_once, doc, 0), image(j.scan_once, doc, 0))


RAW_CASES = [
    ("[1, 2] tail", 0), ("[1, 2] tail", 1), ("[1, 2] tail", 4), ("[1, 2] tail", 6),
    ("[1, 2] tail", 7), ("[1, 2] tail", 11), ("[1, 2] tail", 12), ("[1, 2] tail", 100),
    ("[1, 2] tail", -1), ("[1, 2] tail", -100), (" 1", 0), (" 1", 1), ("", 0),
    ('xx{"a": NaN}yy', 2), ("abc", 0), ("12 34", 3), ("[1,", 0), ("1.5e3x", 0),
    ('"\\u00e9" ', 0), ('"\x00"', 0), ("\ufeff1", 0), ("\ufeff1", 1), ("truefalse", 4),
    ("[1]", True), ("[1]", False), ("1", 2 ** 70), ("1", -(2 ** 70)), ("1", 1.0), ("1", None),
    ("1", "0"), ("\u00e9\U0001f6001", 2), ("\U0001f600 [2]", 1),
    # no value where a literal or a number starts: StopIteration, "Expecting value" inside
    ("tru", 0), ("-x", 0), ("+1", 0), (".5", 0), ("x-", 1), ("[nul]", 0), ("[1, -]", 0), ('{"a": fals}', 0),
]


@pytest.mark.parametrize("s,idx", RAW_CASES, ids=repr)
def test_raw_decode(s, idx):
    for kw in ({}, {"strict": False, "parse_int": str, "object_pairs_hook": list}):
        j, r = json.JSONDecoder(**kw), rjson.JSONDecoder(**kw)
        both(image(r.raw_decode, s, idx), image(j.raw_decode, s, idx), f" raw_decode({s!r}, {idx!r})")
        both(image(r.raw_decode, s, idx=idx), image(j.raw_decode, s, idx=idx))
        both(image(r.scan_once, s, idx), image(j.scan_once, s, idx), f" scan_once({s!r}, {idx!r})")
    j, r = json.JSONDecoder(), rjson.JSONDecoder()
    both(image(r.raw_decode, s), image(j.raw_decode, s))


def test_scan_once_keywords_and_arity():
    j, r = json.JSONDecoder(), rjson.JSONDecoder()
    for args, kw in [(("[1] x",), {"idx": 0}), ((), {"string": "[1] x", "idx": 0}), (("1",), {}),
                     ((), {}), (("1", 0, 0), {}), (("1", 0), {"foo": 1})]:
        both(image(r.scan_once, *args, **kw), image(j.scan_once, *args, **kw), f" {args} {kw}")


def test_scan_once_stop_iteration():
    r = rjson.JSONDecoder()
    for s, idx in ((" 1", 0), ("1", 1), ("x", 0), ("[", 0)):
        try:
            r.scan_once(s, idx)
        except StopIteration as exc:
            j = json.JSONDecoder()
            try:
                j.scan_once(s, idx)
            except StopIteration as jexc:
                assert exc.value == jexc.value
            else:
                raise AssertionError("json did not raise StopIteration")
        except Exception as exc:  # noqa: BLE001
            both(image(r.scan_once, s, idx), image(json.JSONDecoder().scan_once, s, idx))
            assert not isinstance(exc, StopIteration)


def test_scan_once_uses_captured_hooks():
    log = {"json": [], "rjson": []}
    for name, cls in DEC.items():
        d = cls(object_hook=lambda o, n=name: (log[n].append(sorted(o)), o)[1],
                parse_float=lambda s, n=name: (log[n].append(s), s)[1])
        log[name].append(canon(d.scan_once('{"a": [1.5, {"b": 2.25}]} x', 0)))
    assert log["rjson"] == log["json"]


def test_hooks_captured_at_init():
    """Changing the hook attributes after __init__ has no effect (json's scan_once
    captured them), also strict."""
    def run(cls):
        calls = []
        d = cls()
        d.object_hook = lambda o: calls.append(o) or "changed"
        d.object_pairs_hook = lambda p: calls.append(p) or "changed"
        d.parse_float = lambda s: calls.append(s) or "changed"
        d.parse_int = lambda s: calls.append(s) or "changed"
        d.parse_constant = lambda s: calls.append(s) or "changed"
        d.strict = False
        out = [image(d.decode, '{"a": [1, 2.5, NaN]}'), image(d.decode, '"\x00"'),
               image(d.raw_decode, "[1.5] x")]
        return out, calls

    rout, rcalls = run(rjson.JSONDecoder)
    jout, jcalls = run(json.JSONDecoder)
    both(rout, jout)
    assert rcalls == jcalls == []


def test_decoder_reused_many_times():
    j, r = json.JSONDecoder(object_pairs_hook=list), rjson.JSONDecoder(object_pairs_hook=list)
    for doc in DEC_DOCS * 3:
        both(image(r.decode, doc), image(j.decode, doc))


# ---------------------------------------------------------------------------
# JSONDecoder subclasses

def decoder_sub(base, log, decode=True, raw=True):
    ns = {}
    if decode:
        def dec(self, s, *args, **kw):
            log.append(("decode", canon(s), args, kw))
            return ("decoded", super(Sub, self).decode(s, *args, **kw))
        ns["decode"] = dec
    if raw:
        def raw_decode(self, s, *args, **kw):
            log.append(("raw_decode", canon(s), args, kw))
            obj, end = super(Sub, self).raw_decode(s, *args, **kw)
            return ("raw", obj), end
        ns["raw_decode"] = raw_decode
    Sub = type("Sub", (base,), ns)
    return Sub


@pytest.mark.parametrize("which", ["decode", "raw_decode", "both"])
def test_decoder_subclass_overrides(which):
    docs = ["[1, 2]", "  {} \n", "[1,", "1 x", "", b"[1]", "\ufeff1"]
    for doc in docs:
        jlog, rlog = [], []
        J = decoder_sub(json.JSONDecoder, jlog, which != "raw_decode", which != "decode")
        R = decoder_sub(rjson.JSONDecoder, rlog, which != "raw_decode", which != "decode")
        both(image(rjson.loads, doc, cls=R), image(json.loads, doc, cls=J), f" loads({doc!r})")
        both(image(rjson.loads, doc, cls=R, parse_int=str),
             image(json.loads, doc, cls=J, parse_int=str))
        if isinstance(doc, str):
            both(image(R().decode, doc), image(J().decode, doc))
            both(image(R().raw_decode, doc), image(J().raw_decode, doc))
        assert rlog == jlog, (doc, rlog, jlog)


@pytest.mark.parametrize("ret", [("x", 0), ("x", 1), ("x", 3), ("x", 100), ("x", -1), 5, ("x",),
                                 ("x", "1"), ("x", None), ("x", 1.0)], ids=repr)
def test_raw_decode_override_results(ret):
    """decode checks what raw_decode returns: trailing whitespace, 'Extra data'."""
    def make(base):
        class R(base):
            def raw_decode(self, s, idx=0):
                return ret
        return R

    for doc in ("1", " 1 ", "12345"):
        both(image(make(rjson.JSONDecoder)().decode, doc), image(make(json.JSONDecoder)().decode, doc))
        both(image(rjson.loads, doc, cls=make(rjson.JSONDecoder)),
             image(json.loads, doc, cls=make(json.JSONDecoder)))


def test_scan_once_replaced_on_instance():
    """raw_decode calls self.scan_once: the py_make_scanner recipe (custom parse_array /
    parse_object then a rebuilt scanner) works on rjson.JSONDecoder subclasses."""
    def make(base, log):
        class Custom(base):
            def __init__(self, **kw):
                super().__init__(**kw)
                orig_array = self.parse_array

                def parse_array(s_and_end, scan_once, **kw2):
                    values, end = orig_array(s_and_end, scan_once, **kw2)
                    log.append(("array", canon(values), end))
                    return tuple(values), end

                self.parse_array = parse_array
                self.scan_once = json.scanner.py_make_scanner(self)

        return Custom

    jlog, rlog = [], []
    J, R = make(json.JSONDecoder, jlog), make(rjson.JSONDecoder, rlog)
    for doc in ('{"a": [1, [2.5, "x"]], "b": []}', "[NaN, [[]]]", "[1,", "[1] 2"):
        for kw in ({}, {"parse_float": str, "object_pairs_hook": list}):
            both(image(rjson.loads, doc, cls=R, **kw), image(json.loads, doc, cls=J, **kw))
            both(image(R(**kw).decode, doc), image(J(**kw).decode, doc))
            both(image(R(**kw).raw_decode, doc), image(J(**kw).raw_decode, doc))
    assert rlog == jlog


def test_scan_once_replaced_with_function():
    def make(base):
        class Fixed(base):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.scan_once = lambda s, idx: (("scanned", s[idx:]), len(s))
        return Fixed

    for doc in ("[1]", "  x", ""):
        both(image(make(rjson.JSONDecoder)().decode, doc), image(make(json.JSONDecoder)().decode, doc))
        both(image(rjson.loads, doc, cls=make(rjson.JSONDecoder)),
             image(json.loads, doc, cls=make(json.JSONDecoder)))


def test_decoder_parse_helpers_present():
    """Attributes json.scanner.py_make_scanner reads exist, with json's values."""
    r, j = rjson.JSONDecoder(), json.JSONDecoder()
    for a in ("parse_object", "parse_array", "parse_string", "memo"):
        assert hasattr(r, a), a
    assert r.parse_object is j.parse_object and r.parse_array is j.parse_array
    assert r.parse_string is j.parse_string
    assert r.memo == {}


def test_check_circular_false_recursion():
    o = _circular()
    for cls in (rjson.JSONEncoder, json.JSONEncoder):
        for kw in ({}, {"indent": DEEP_INDENT}):
            with pytest.raises(RecursionError):
                cls(check_circular=False, **kw).encode(o)
            with pytest.raises(RecursionError):
                "".join(cls(check_circular=False, **kw).iterencode(o))


def test_reentrant_encoder_and_decoder():
    """default / object_hook may call back into the same instance or module."""
    def run(mod):
        enc = mod.JSONEncoder(sort_keys=True,
                              default=lambda o: [enc.encode(sorted(o)), mod.dumps({"in": 1})])
        dec = None

        def hook(d):
            if "inner" in d:
                return ("decoded", dec.decode(d["inner"]))
            return d

        dec = mod.JSONDecoder(object_hook=hook, parse_float=str)
        return [image(enc.encode, {"b": {2, 1}, "a": [{3}]}),
                image(dec.decode, '{"inner": "[1.5, {\\"x\\": 2.5}]", "z": 0.5}')]

    both(run(rjson), run(json))


def test_decoder_subclass_init_without_super():
    """json's decode/raw_decode read self.scan_once: missing -> AttributeError."""
    def make(base, with_scan):
        class NoInit(base):
            def __init__(self, **kw):
                if with_scan:
                    self.scan_once = lambda s, idx: ("scanned", idx + 1)

        return NoInit

    for with_scan in (False, True):
        J, R = make(json.JSONDecoder, with_scan), make(rjson.JSONDecoder, with_scan)
        for doc in ("1", " 1", "[1]", "", b"1"):
            both(image(R().decode, doc), image(J().decode, doc), f" {doc!r} {with_scan}")
            both(image(R().raw_decode, doc), image(J().raw_decode, doc))
            both(image(rjson.loads, doc, cls=R), image(json.loads, doc, cls=J))
