"""orjson-face options one by one (INDENT_2, APPEND_NEWLINE, SORT_KEYS, NON_STR_KEYS, ...)
and every combination of the option bits, byte for byte against the real orjson."""

import collections
import dataclasses
import datetime as dt
import enum
import uuid

import pytest

from orjson_face import ALL_BITS, MyDict, MyInt, MyList, MyStr, check_dumps, dumps_err, dumps_ok, oracle

O = oracle
I2 = O.OPT_INDENT_2
NL = O.OPT_APPEND_NEWLINE
SK = O.OPT_SORT_KEYS
NSK = O.OPT_NON_STR_KEYS


@dataclasses.dataclass
class Point:
    x: int
    y: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Nothing:
    pass


class Kind(enum.Enum):
    A = "a"
    ONE = 1


class Number(enum.IntEnum):
    TWO = 2


SHAPES = {
    "scalar": 1, "string": "x", "empty list": [], "empty dict": {}, "empty tuple": (),
    "list of empties": [[], {}, ()], "dict of empties": {"a": [], "b": {}},
    "nested": [1, [2, [3, []]], {"b": None, "a": {"c": [{}]}}],
    "empty dataclass": Nothing(), "dataclass": Point(1, [Point(2), {}]),
    "mixed": {"z": [True, False, None, 1.5, -0.0, "\u00e9\n"], "a": {"x": [], "y": [[{}]]}},
    "long": list(range(300)), "wide": {f"k{i}": [i] for i in range(300)},
}


@pytest.mark.parametrize("obj", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("option", [I2, NL, I2 | NL, I2 | SK, I2 | NL | SK], ids=["indent", "newline", "indent+newline",
                                                                              "indent+sort", "indent+newline+sort"])
def test_indent_newline_sort(obj, option):
    dumps_ok(obj, option=option)


def test_indent_exact():
    assert dumps_ok([]) == b"[]" and dumps_ok([], option=I2) == b"[]" and dumps_ok({}, option=I2) == b"{}"
    assert dumps_ok([[]], option=I2) == b"[\n  []\n]"
    assert dumps_ok({"a": {}}, option=I2) == b'{\n  "a": {}\n}'
    assert dumps_ok({"a": 1, "b": [1, 2], "c": {"d": "e"}}, option=I2) == \
        b'{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ],\n  "c": {\n    "d": "e"\n  }\n}'
    assert dumps_ok(Nothing(), option=I2) == b"{}"
    assert dumps_ok([1], option=I2 | NL) == b"[\n  1\n]\n"
    assert dumps_ok("x", option=NL) == b'"x"\n'
    assert dumps_ok({"a": []}, option=NL) == b'{"a":[]}\n'


def test_sort_keys():
    keys = ["b", "a", "A", "\u00e9", "z", "", "\U0001f600", "\uffff", "\ue000", "\U00010000", "aa", "a\x00", "B"]
    obj = {k: i for i, k in enumerate(keys)}
    got = dumps_ok(obj, option=SK)
    # by UTF-8 bytes (= code points)
    assert got == dumps_ok(dict(sorted(obj.items(), key=lambda kv: kv[0].encode())))
    dumps_ok({"b": {"d": 1, "c": 2}, "a": [{"z": 1, "y": 2}]}, option=SK)
    dumps_ok(MyDict(b=1, a=2), option=SK)
    dumps_ok({f"k{i:05d}"[::-1]: i for i in range(2000)}, option=SK)


NSK_KEYS = {
    "int": 1, "negative int": -1, "u64 max": 2**64 - 1, "i64 min": -(2**63), "float": 1.5, "-0.0": -0.0,
    "nan": float("nan"), "inf": float("inf"), "1e16": 1e16, "1e-7": 1e-7, "True": True, "False": False,
    "None": None, "naive datetime": dt.datetime(2020, 1, 2, 3, 4, 5, 6),
    "aware datetime": dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
    "offset datetime": dt.datetime(2020, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
    "date": dt.date(2020, 1, 2), "time": dt.time(1, 2, 3, 4), "enum str": Kind.A, "enum int": Kind.ONE,
    "IntEnum": Number.TWO, "uuid": uuid.UUID(int=1), "str subclass": MyStr("s"), "int subclass": MyInt(7),
    "escaped str": '\u00e9"\n',
}


@pytest.mark.parametrize("key", NSK_KEYS.values(), ids=NSK_KEYS.keys())
@pytest.mark.parametrize("option", [0, O.OPT_NAIVE_UTC, O.OPT_UTC_Z | O.OPT_NAIVE_UTC, O.OPT_OMIT_MICROSECONDS,
                                    O.OPT_STRICT_INTEGER, O.OPT_PASSTHROUGH_DATETIME, O.OPT_PASSTHROUGH_SUBCLASS, SK | I2])
def test_non_str_keys(key, option):
    dumps_ok({key: 1}, option=NSK | option)
    dumps_ok({"b": 0, key: [1], "a": 2}, option=NSK | option)
    # without the option, only str keys (and not str subclasses)
    if type(key) is not str:
        assert str(dumps_err({key: 1}, option=option)) == "Dict key must be str"


def test_non_str_keys_exact():
    keys = [10, -1, 1.5, -2.5, float("nan"), 1e16, 1e-7, True, False, None, dt.date(2020, 1, 2),
            dt.datetime(2020, 1, 2, 3, 4, 5, 6), dt.time(1, 2, 3, 4), Kind.A, Number.TWO, uuid.UUID(int=1)]
    got = dumps_ok({k: i for i, k in enumerate(keys)}, option=NSK)
    assert got == (b'{"10":0,"-1":1,"1.5":2,"-2.5":3,"null":4,"1e+16":5,"1e-7":6,"true":7,"false":8,'
                   b'"null":9,"2020-01-02":10,"2020-01-02T03:04:05.000006":11,"01:02:03.000004":12,"a":13,"2":14,'
                   b'"00000000-0000-0000-0000-000000000001":15}')
    # the datetime options apply to keys; STRICT_INTEGER and PASSTHROUGH_DATETIME do not
    assert dumps_ok({dt.datetime(2020, 1, 2, 0, 0, 0, 5): 1}, option=NSK | O.OPT_NAIVE_UTC | O.OPT_UTC_Z | O.OPT_OMIT_MICROSECONDS) \
        == b'{"2020-01-02T00:00:00Z":1}'
    assert dumps_ok({2**60: 1}, option=NSK | O.OPT_STRICT_INTEGER) == b'{"1152921504606846976":1}'
    assert dumps_ok({dt.date(2020, 1, 1): 1}, option=NSK | O.OPT_PASSTHROUGH_DATETIME) == b'{"2020-01-01":1}'


def test_non_str_keys_duplicates_and_sorting():
    # keys that format alike are all written (no dedup); sorting is stable among equal texts
    assert dumps_ok({1: "int", "1": "str"}, option=NSK) == b'{"1":"int","1":"str"}'
    assert dumps_ok({1: "int", "1": "str"}, option=NSK | SK) == b'{"1":"int","1":"str"}'
    assert dumps_ok({"1": "str", 1: "int"}, option=NSK | SK) == b'{"1":"str","1":"int"}'
    assert dumps_ok({"b": 1, 2: 2, "a": 3, 1.5: 4, None: 5}, option=NSK | SK) == b'{"1.5":4,"2":2,"a":3,"b":1,"null":5}'
    assert dumps_ok({True: 1, False: 2, None: 3}, option=NSK | SK) == b'{"false":2,"null":3,"true":1}'
    dumps_ok({dt.date(2020, 1, 1): 1, "2019": 2, Kind.A: 3, 10: 4, 9: 5}, option=NSK | SK)


KEY_ERRORS = {
    "tuple": ((1, 2), "Dict key must a type serializable with OPT_NON_STR_KEYS"),
    "bytes": (b"x", "Dict key must a type serializable with OPT_NON_STR_KEYS"),
    "frozenset": (frozenset(), "Dict key must a type serializable with OPT_NON_STR_KEYS"),
    "object": (object(), "Dict key must a type serializable with OPT_NON_STR_KEYS"),
    "u64 + 1": (2**64, "Dict integer key must be within 64-bit range"),
    "i64 min - 1": (-(2**63) - 1, "Dict integer key must be within 64-bit range"),
    "big IntEnum": (enum.IntEnum("Huge", {"H": 2**70}).H, "Dict integer key must be within 64-bit range"),
    "time with tzinfo": (dt.time(1, tzinfo=dt.timezone.utc), "datetime.time must not have tzinfo set"),
    "lone surrogate": ("\ud800", "str is not valid UTF-8: surrogates not allowed"),
    "datetime subclass": (type("D", (dt.datetime,), {})(2020, 1, 1), "Dict key must a type serializable with OPT_NON_STR_KEYS"),
}


@pytest.mark.parametrize("key,message", KEY_ERRORS.values(), ids=KEY_ERRORS.keys())
def test_non_str_key_errors(key, message):
    assert str(dumps_err({key: 1}, option=NSK)) == message
    # default is not used for keys
    assert str(dumps_err({"a": 1, key: 1}, option=NSK | SK, default=lambda o: "k")) == message


# ---------------------------------------------------------------------------------------
# every combination of the option bits on values that most options act on

def sample():
    return {
        "b": [1, -2**53, 2**53, 2**63, 1.5, -0.0, float("nan"), "\u00e9\u2028\n", True, None, (), [], {}],
        "a": {"dt": dt.datetime(2020, 1, 2, 3, 4, 5, 6), "utc": dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc),
              "date": dt.date(2020, 1, 2), "time": dt.time(1, 2, 3, 4), "uuid": uuid.UUID(int=7), "enum": Kind.A},
        "c": Point(1, [Point(2)]),
        "d": [MyStr("s"), MyInt(3), MyDict(k=1), MyList([1]), collections.OrderedDict(z=1, y=2)],
    }


def sample_with_keys():
    return {"z": 1, 3: "int", 1.5: "float", None: "none", dt.date(2020, 1, 1): "date", Kind.ONE: "enum", "a": 2}


def fallback(o):
    if dataclasses.is_dataclass(o):
        return {"dataclass": dataclasses.asdict(o)}
    if isinstance(o, (dt.date, dt.time)):
        return "passed:" + o.isoformat()
    if isinstance(o, (str, int, dict, list)):
        return ["subclass", type(o).__name__, o if not isinstance(o, (dict, list)) else dict(o) if isinstance(o, dict) else list(o)]
    raise TypeError


def test_every_option_combination():
    for option in range(ALL_BITS + 1):
        check_dumps(sample(), option=option)
        check_dumps(sample(), option=option, default=fallback)
        check_dumps(sample_with_keys(), option=option)
        check_dumps([dt.datetime(2020, 1, 2, 3, 4, 5, 6), 2**60, {"b": [], "a": {}}], option=option)
