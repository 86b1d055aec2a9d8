"""orjson-face dumps of each native type, byte for byte against the real orjson.

Expected bytes written out here are orjson 3.13's (the oracle is run too, so a literal that
disagrees with orjson fails on the oracle run as well).
"""

import collections
import ctypes
import dataclasses
import datetime as dt
import enum
import math
import random
import sys
import sysconfig
import typing
import uuid

import pytest

from orjson_face import S, SUBJECT_IS_ORACLE, call, check_dumps, dumps_err, dumps_ok, oracle

PASS_SUB = oracle.OPT_PASSTHROUGH_SUBCLASS
NSK = oracle.OPT_NON_STR_KEYS


# ---------------------------------------------------------------------------------------
# str

STRINGS = {
    "empty": "", "ascii": "hello", "quote backslash slash": '"\\/', "short escapes": "\b\f\n\r\t",
    "control chars": "".join(map(chr, range(32))), "DEL": "\x7f", "latin-1": "caf\u00e9 \u00ff",
    "BMP": "\u20ac\u4e2d\u6587", "line separators": "\u2028\u2029", "astral": "\U0001f600\U00010000\U0010ffff",
    "mixed kinds": "a\u00e9\u20ac\U0001f600", "long ascii": "x" * 5000, "long escapes": '"\n' * 3000,
    "long UCS-2": "\u4e2d" * 3000, "long UCS-4": "\U0001f600" * 2000,
    "escape at every offset": "".join("a" * i + "\n" for i in range(40)),
    "non-ASCII after 64 ASCII bytes": "a" * 64 + "\u00e9" + "b" * 17 + "\x01",
}


@pytest.mark.parametrize("s", STRINGS.values(), ids=STRINGS.keys())
def test_str(s):
    dumps_ok(s)
    dumps_ok([s, {s: s}])


def test_str_escapes_exactly():
    assert dumps_ok("\x00\x01\x1f\x7f") == b'"\\u0000\\u0001\\u001f\x7f"'
    assert dumps_ok('"\\/\b\f\n\r\t') == b'"\\"\\\\/\\b\\f\\n\\r\\t"'
    assert dumps_ok("\u00e9\u2028\U0001f600") == "\"\u00e9\u2028\U0001f600\"".encode()


@pytest.mark.parametrize("s", ["\ud800", "\udfff", "a\ud83dz", "\ud83d\ude00", "x" * 100 + "\udc00"],
                         ids=["high", "low", "inside", "pair as two code points", "late"])
def test_str_lone_surrogates_error(s):
    for obj in (s, [1, s], {s: 1}, {"k": s}):
        exc = dumps_err(obj)
        assert str(exc) == "str is not valid UTF-8: surrogates not allowed"
    # default is not asked about an invalid str
    dumps_err(s, default=lambda o: "x")


def test_str_random():
    rng = random.Random(6)
    alphabet = ["a", "\x00", "\x1f", '"', "\\", "\u00e9", "\u07ff", "\u0800", "\uffff", "\U00010000", "\U0010ffff", "\x7f", "/"]
    for _ in range(300):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        dumps_ok(s)


# ---------------------------------------------------------------------------------------
# int, bool, None

INTS = [0, 1, -1, 9, 10, 99, 100, 2**31 - 1, 2**31, -2**31, 2**32, 2**53 - 1, 2**53, -(2**53 - 1), -(2**53),
        2**63 - 1, 2**63, 2**64 - 1, -(2**63), -(2**63) + 1] + [10**k for k in range(20)] + [-10**k for k in range(19)]


@pytest.mark.parametrize("i", INTS)
def test_int(i):
    assert dumps_ok(i) == str(i).encode()
    check_dumps(i, option=oracle.OPT_STRICT_INTEGER)


@pytest.mark.parametrize("i", [2**64, -(2**63) - 1, 10**30, -10**30, 2**1000])
def test_int_beyond_64_bits_errors(i):
    assert str(dumps_err(i)) == "Integer exceeds 64-bit range"
    assert str(dumps_err([i], option=oracle.OPT_STRICT_INTEGER)) == "Integer exceeds 64-bit range"
    # no default for ints either
    dumps_err(i, default=str)


@pytest.mark.parametrize("i", [2**53, -(2**53), 2**63 - 1, 2**64 - 1, -(2**63)])
def test_strict_integer_53_bits(i):
    assert str(dumps_err(i, option=oracle.OPT_STRICT_INTEGER)) == "Integer exceeds 53-bit range"
    dumps_err({"a": [i]}, option=oracle.OPT_STRICT_INTEGER)


def test_bool_none():
    assert dumps_ok([True, False, None]) == b"[true,false,null]"
    assert dumps_ok(True, option=oracle.OPT_STRICT_INTEGER) == b"true"


# ---------------------------------------------------------------------------------------
# float

FLOATS = [0.0, -0.0, 1.0, -1.0, 1.5, 0.1, 0.3, 2 / 3, 100.0, 1e15, 1e16, 1e17, 9007199254740993.0,
          123456789012345680.0, 1e21, 1e22, 1e23, 1e100, 1e300, 1.7976931348623157e308, 1e-4, 1e-5,
          1e-6, 1e-7, 2.5e-5, 1.2345e-300, 2.2250738585072014e-308, 5e-324, 12345678901234567.0,
          0.000123456789, 1234567.891, -1e-7, -1e16, 3.141592653589793, 4.35, 299792458.0]


@pytest.mark.parametrize("f", FLOATS, ids=repr)
def test_float(f):
    dumps_ok(f)
    dumps_ok([f, -f])


def test_float_spelling():
    # orjson's own spelling, not repr's: 1e-7 (not 1e-07), 1e+16, decimals down to 1e-5
    got = dumps_ok([1e16, 1e-7, 1e-5, 2.5e-5, 1e15, 1e22, 5e-324, -0.0, 100.0])
    assert got == b"[1e+16,1e-7,0.00001,0.000025,1000000000000000.0,1e+22,5e-324,-0.0,100.0]"


@pytest.mark.parametrize("f", [math.nan, math.inf, -math.inf, -math.nan], ids=repr)
def test_float_nonfinite_is_null(f):
    assert dumps_ok(f) == b"null"
    assert dumps_ok({"a": [f]}) == b'{"a":[null]}'


def test_float_random_bits():
    rng = random.Random(6)
    import struct

    values = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(2000)]
    values += [rng.uniform(-1e6, 1e6) for _ in range(500)] + [rng.random() * 10.0 ** rng.randint(-30, 30) for _ in range(500)]
    for start in range(0, len(values), 100):
        dumps_ok(values[start:start + 100])


# ---------------------------------------------------------------------------------------
# dict, list, tuple

def test_containers():
    dumps_ok([])
    dumps_ok({})
    dumps_ok(())
    dumps_ok([[], {}, (), [[]], {"a": {}}, ((),)])
    assert dumps_ok((1, (2, [3]), {"t": (4,)})) == b'[1,[2,[3]],{"t":[4]}]'
    dumps_ok({"b": 1, "a": 2, "\u00e9": 3, "": 4})  # insertion order
    dumps_ok({str(i): i for i in range(1000)})
    dumps_ok(list(range(10000)))


@pytest.mark.parametrize("key", [1, 1.5, True, None, (1,), b"k", frozenset()], ids=repr)
def test_dict_non_str_key_errors(key):
    assert str(dumps_err({key: 1})) == "Dict key must be str"
    assert str(dumps_err({"a": 1, key: 1}, option=oracle.OPT_SORT_KEYS)) == "Dict key must be str"


def test_dict_key_escapes():
    assert dumps_ok({'\x00"\\\n\u2028': 1}) == b'{"\\u0000\\"\\\\\\n\xe2\x80\xa8":1}'


def test_dict_mutated_key_order_of_ordered_dict():
    # orjson writes a dict subclass in the order of the underlying dict: an OrderedDict's
    # move_to_end does not show (json.dumps would write b, c, a)
    od = collections.OrderedDict(a=1, b=2, c=3)
    od.move_to_end("a")
    assert dumps_ok(od) == b'{"a":1,"b":2,"c":3}'


# ---------------------------------------------------------------------------------------
# subclasses of str, int, dict, list (and what is not serialized)

class MyStr(str):
    def __str__(self):
        return "other"


class MyInt(int):
    def __int__(self):
        return 7

    __index__ = __int__


class MyDict(dict):
    def items(self):
        return [("x", 1)]

    def __iter__(self):
        return iter(["x"])

    def __len__(self):
        return 0


class MyList(list):
    def __iter__(self):
        return iter([9])

    def __len__(self):
        return 0


class MyFloat(float):
    pass


class MyTuple(tuple):
    pass


SUBCLASSES = {
    "str": MyStr("s\u00e9"), "int": MyInt(3), "big int": MyInt(2**64), "53-bit int": MyInt(2**53),
    "dict": MyDict(a=1, b=[MyStr("x")]), "list": MyList([1, MyInt(2)]),
    "OrderedDict": collections.OrderedDict(a=1), "defaultdict": collections.defaultdict(int, a=1),
    "Counter": collections.Counter("aab"), "float": MyFloat(1.5), "tuple": MyTuple((1,)),
    "namedtuple": collections.namedtuple("Point", "x y")(1, 2), "bool list": [True, False],
}


@pytest.mark.parametrize("obj", SUBCLASSES.values(), ids=SUBCLASSES.keys())
@pytest.mark.parametrize("option", [0, PASS_SUB, oracle.OPT_STRICT_INTEGER, PASS_SUB | oracle.OPT_SORT_KEYS],
                         ids=["plain", "passthrough", "strict", "passthrough sort"])
def test_subclasses(obj, option):
    check_dumps(obj, option=option)
    check_dumps([obj], option=option, default=lambda o: ["default", type(o).__name__])


def test_subclasses_read_as_their_base():
    # the overridden methods are not called: the data is read directly
    assert dumps_ok([MyStr("s"), MyInt(3), MyDict(a=1), MyList([1, 2])]) == b'["s",3,{"a":1},[1,2]]'
    assert str(dumps_err(MyFloat(1.5))) == "Type is not JSON serializable: MyFloat"
    assert str(dumps_err(MyTuple((1,)))) == "Type is not JSON serializable: MyTuple"
    assert str(dumps_err(MyDict(), option=PASS_SUB)) == "Type is not JSON serializable: MyDict"
    assert str(dumps_err(collections.OrderedDict(), option=PASS_SUB)) == \
        "Type is not JSON serializable: collections.OrderedDict"


def test_str_subclass_keys():
    # a str subclass is not a str key (without OPT_NON_STR_KEYS)
    assert str(dumps_err({MyStr("k"): 1})) == "Dict key must be str"
    assert str(dumps_err({MyStr("k"): 1}, option=PASS_SUB)) == "Dict key must be str"
    assert dumps_ok({MyStr("k"): 1}, option=NSK) == b'{"k":1}'
    assert dumps_ok({MyStr("k"): 1}, option=NSK | PASS_SUB) == b'{"k":1}'
    assert dumps_ok({MyInt(3): 1}, option=NSK | PASS_SUB) == b'{"3":1}'


def test_passthrough_subclass_goes_to_default():
    assert dumps_ok(MyStr("s"), option=PASS_SUB, default=lambda o: "D" + o) == b'"Ds"'
    assert dumps_ok([MyInt(3)], option=PASS_SUB, default=lambda o: o.real + 1) == b"[4]"


UNSUPPORTED = {
    "object": object(), "set": {1}, "frozenset": frozenset(), "bytes": b"x", "bytearray": bytearray(b"x"),
    "memoryview": memoryview(b"x"), "complex": 1j, "type": int, "function": len, "range": range(3),
    "Decimal": __import__("decimal").Decimal("1.5"), "timedelta": __import__("datetime").timedelta(1),
    "generator": (x for x in ()), "dict view": {}.keys(), "class instance": MyFloat,
}


@pytest.mark.parametrize("obj", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_types(obj):
    exc = dumps_err(obj)
    assert str(exc).startswith("Type is not JSON serializable: ")
    dumps_err({"a": [obj]})
    dumps_ok([obj], default=lambda o: type(o).__name__)


# ---------------------------------------------------------------------------------------
# dataclasses

@dataclasses.dataclass
class Plain:
    b: int
    a: str = "x"
    _private: int = 3
    __mangled: int = 4
    items: list = dataclasses.field(default_factory=list)
    not_init: int = dataclasses.field(default=7, init=False)
    no_repr: int = dataclasses.field(default=8, repr=False)
    cv: typing.ClassVar[int] = 5


@dataclasses.dataclass
class Child(Plain):
    z: int = 9
    b: int = 10


@dataclasses.dataclass(slots=True)
class Slotted:
    a: int
    _b: int = 2
    c: str = "\u00e9"
    cv: typing.ClassVar[int] = 5
    iv: dataclasses.InitVar[int] = 0

    def __post_init__(self, iv):
        pass


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: int
    b: tuple = (1, 2)


@dataclasses.dataclass(frozen=True, slots=True)
class FrozenSlots:
    a: int
    nxt: "FrozenSlots" = None


@dataclasses.dataclass
class NoInitNoDefault:
    a: int
    b: int = dataclasses.field(init=False)


@dataclasses.dataclass
class Empty:
    pass


@dataclasses.dataclass
class Base:
    x: int = 1


@dataclasses.dataclass(slots=True)
class SlotsOverDict(Base):
    y: int = 2


@dataclasses.dataclass(slots=True)
class SlotsBase:
    x: int = 1


@dataclasses.dataclass(slots=True)
class SlotsOverSlots(SlotsBase):
    y: int = 2
    _z: int = 3


@dataclasses.dataclass(slots=True)
class SlotsUnsorted:
    z: int = 1
    a: dict = dataclasses.field(default_factory=lambda: {"y": 1, "b": 2})


@dataclasses.dataclass(slots=True, **({"weakref_slot": True} if sys.version_info >= (3, 11) else {}))
class WeakrefSlots:
    a: int = 1


@dataclasses.dataclass
class DictOverSlots(SlotsBase):
    y: int = 2


@dataclasses.dataclass
class ReadsDict:
    a: int = 1

    def __getattribute__(self, name):
        return 99 if name == "a" else object.__getattribute__(self, name)


@dataclasses.dataclass(slots=True)
class ReadsAttr:
    a: int = 1

    def __getattribute__(self, name):
        return 99 if name == "a" else object.__getattribute__(self, name)


@dataclasses.dataclass
class DataclassDict(dict):
    a: int = 1


class NotADataclass:
    __slots__ = ()
    __dataclass_fields__ = {}


@dataclasses.dataclass
class Holder:
    value: object = None
    d: dict = dataclasses.field(default_factory=lambda: {"z": 1, "y": 2})


def _with_extra():
    p = Plain(1)
    p.extra = "in __dict__"
    return p


def _with_reordered():
    h = Holder(1)
    del h.value
    h.value = 2  # now after d in __dict__
    return h


def _with_deleted():
    h = Holder(1)
    del h.value
    return h


def _unicode_fields():
    ns = {}
    exec("import dataclasses\n@dataclasses.dataclass\nclass U:\n    \u00e9: int = 1\n    \u00fc_x: int = 2\n"
         "    a\u4e2d: int = 3\n", ns)
    return ns["U"]()


def _escaped_dict_key():
    h = Holder()
    h.__dict__['q"\n'] = 1
    return h


DATACLASSES = {
    "plain (private, mangled, init=False, ClassVar skipped)": Plain(1),
    "inheritance": Child(),
    "slots": Slotted(1),
    "frozen": Frozen(1),
    "frozen slots nested": FrozenSlots(1, FrozenSlots(2)),
    "init=False without default": NoInitNoDefault(1),
    "empty": Empty(),
    "slots over a dict base": SlotsOverDict(),
    "dict over a slots base (slot field not written)": DictOverSlots(),
    "slots over a slots base": SlotsOverSlots(),
    "slots out of order (sort keys sorts the dict in it only)": SlotsUnsorted(),
    "slots with a __weakref__ slot": WeakrefSlots(),
    "__dict__ read directly": ReadsDict(),
    "slots read by getattr": ReadsAttr(),
    "dataclass that is a dict": DataclassDict(),
    "class with __dataclass_fields__": NotADataclass(),
    "extra attribute": _with_extra(),
    "__dict__ order": _with_reordered(),
    "deleted field of a __dict__ dataclass": _with_deleted(),
    "non-ASCII field names": _unicode_fields(),
    "escaped key in __dict__": _escaped_dict_key(),
    "nested values": Holder([Plain(1), {"k": Slotted(2)}, (Frozen(3),)]),
}


@pytest.mark.parametrize("obj", DATACLASSES.values(), ids=DATACLASSES.keys())
@pytest.mark.parametrize("option", [0, oracle.OPT_SORT_KEYS, oracle.OPT_INDENT_2, oracle.OPT_PASSTHROUGH_DATACLASS,
                                    oracle.OPT_SERIALIZE_DATACLASS | oracle.OPT_APPEND_NEWLINE],
                         ids=["plain", "sort", "indent", "passthrough", "serialize+newline"])
def test_dataclass(obj, option):
    check_dumps(obj, option=option)
    check_dumps({"v": [obj]}, option=option, default=lambda o: dataclasses.asdict(o)
                if dataclasses.is_dataclass(o) else repr(o))


def test_slotted_dataclasses_in_runs_and_alternating():
    """A slots dataclass's field names are read once for a run of its instances: runs of one
    class, alternating classes, and a class whose fields change between its instances (a
    `default` call mid-document) all come out as orjson writes them."""
    @dataclasses.dataclass(slots=True)
    class A:
        x: int
        y: str = "y"
        _z: int = 0

    @dataclasses.dataclass(slots=True)
    class B:
        y: str = "b"

    objs = [A(k) for k in range(5)] + [B(), A(9), B(), B(), FrozenSlots(1, FrozenSlots(2))]
    for option in (0, oracle.OPT_SORT_KEYS, oracle.OPT_INDENT_2):
        check_dumps(objs, option=option)

    class Change:
        pass

    def drop_y(o):
        fields = dict(A.__dataclass_fields__)
        del fields["y"]
        A.__dataclass_fields__ = fields
        return "changed"

    saved = A.__dataclass_fields__
    for dumps in (oracle.dumps, S.dumps):
        try:
            assert dumps([A(1), Change(), A(2)], default=drop_y) == b'[{"x":1,"y":"y"},"changed",{"x":2}]'
        finally:
            A.__dataclass_fields__ = saved


def _dict_made(o):
    """Whether the interpreter has made `o`'s `__dict__` (CPython 3.11+ keep a new instance's
    attributes beside its class's shared keys until `__dict__` is asked for). The managed
    dict's word is 3 words before the object; 3.12 tags values kept there by the low bit."""
    word = ctypes.c_size_t.from_address(id(o) - 3 * ctypes.sizeof(ctypes.c_void_p)).value
    return word != 0 and not (sys.version_info[:2] == (3, 12) and word & 1)


@dataclasses.dataclass
class Attrs:
    a: int
    b: str = "b"
    _c: int = 0


def _attribute_states():
    """name -> maker of a fresh instance whose attributes are in that state."""
    def reordered():
        o = Attrs(1)
        del o.a
        o.a = 2
        return o

    def extra():
        o = Attrs(1)
        o.z = [Attrs(2)]
        o._hidden = 3
        return o

    def deleted_all():
        o = Attrs(1)
        del o.a, o.b, o._c
        return o

    def many():  # past the 30 keys a class shares: a dict of its own
        o = Attrs(1)
        for k in range(40):
            setattr(o, f"f{k}", k)
        return o

    def made():
        o = Attrs(1)
        o.__dict__["made"] = True
        return o

    def replaced(d):
        def make():
            o = Attrs(1)
            o.__dict__ = d()
            return o
        return make

    def other_order():  # instances of one class, attributes set in different orders
        class Late:
            pass
        first, second = Late(), Late()
        first.x, first.y = 1, 2
        second.y, second.x = 3, 4
        Late = dataclasses.dataclass(Late)
        return [first, second]

    def odd_names():  # names written the general way beside ones kept as member texts
        o = Attrs(1)
        for name in ["é", 'q"q', "back\\slash", "del\x7f", "n" * 29, "n" * 30, "n" * 31, "n" * 32, "n" * 33,
                     "_" + "n" * 40, "\u2028", "😀"]:
            setattr(o, name, name)
        return o

    return {
        "fresh": lambda: Attrs(1), "reordered": reordered, "extra and private": extra,
        "odd names": odd_names,
        "all deleted": deleted_all, "many attributes": many, "__dict__ made": made,
        "__dict__ replaced": replaced(lambda: {"q": 1, "_r": 2}), "__dict__ emptied": replaced(dict),
        "__dict__ replaced by a subclass": replaced(lambda: MyDict(a=1)),
        "orders per instance": other_order,
    }


@pytest.mark.parametrize("option", [0, oracle.OPT_INDENT_2, oracle.OPT_SORT_KEYS], ids=["plain", "indent", "sort"])
@pytest.mark.parametrize("make", _attribute_states().values(), ids=_attribute_states().keys())
def test_dataclass_attributes_in_every_state(make, option):
    """A dataclass instance's attributes come out as orjson writes its `__dict__`, however the
    interpreter keeps them: beside the class's shared keys (new instances), in a dict made of
    them, or in a dict of their own. Each library gets fresh instances, rjson's first: six, so
    that rjson writes the later ones from its member texts (made from a class's fifth)."""
    ours = call(S.dumps, [make() for _ in range(6)], option=option)
    theirs = call(oracle.dumps, [make() for _ in range(6)], option=option)
    assert ours == theirs


@pytest.mark.skipif(SUBJECT_IS_ORACLE, reason="rjson's own property: orjson makes the __dict__")
@pytest.mark.skipif(sys.version_info < (3, 11) or sysconfig.get_config_var("Py_GIL_DISABLED"),
                    reason="instances keep their attributes apart from a dict since CPython 3.11 "
                           "(free-threaded builds place the dict elsewhere)")
def test_dumps_does_not_make_instance_dicts():
    """Writing a dataclass reads its attributes where they are: making its `__dict__` would
    allocate mid-walk (a garbage collection could run finalizers) and cost time."""
    records = [Attrs(k, str(k)) for k in range(100)] + [Plain(1), Child()]
    assert not any(map(_dict_made, records))
    out = S.dumps(records)
    assert not any(map(_dict_made, records))
    assert out == oracle.dumps(records)
    assert all(map(_dict_made, records))  # the check can see a made dict


def test_runs_of_one_native_class_and_what_interrupts_them():
    """A list whose first item is a natively written type has the rest of its items of that
    class written without asking again what they are: runs of each type, interrupted by every
    other kind of item (JSON's types, their subclasses, other native types, items that need
    `default`), under options that change how (or whether) each type is written natively."""
    class Shade(enum.Enum):
        DARK = "dark"
        LIGHT = 2

    firsts = [dt.datetime(2020, 1, 2, 3, 4, 5, 6), dt.datetime(1999, 12, 31, tzinfo=dt.timezone.utc),
              dt.date(2020, 1, 2), dt.time(1, 2, 3, 4), uuid.UUID(int=7), Shade.DARK, Attrs(1), Slotted(2),
              Frozen(3), Attrs(dt.date(2020, 1, 2), Shade.DARK)]
    # Written by the fast walk, then items that send the whole document to the general walk.
    interruptions = ["s", 1, 1.5, None, True, [1], {"k": 1}, (2,), Color.RED, dt.date(1, 1, 1),
                     dt.datetime(2001, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=-5))), dt.time(4, 5),
                     uuid.UUID(int=99), Plain(5), Shade.LIGHT, Attrs(7)]
    others = [Slotted(6), MyIntForRuns(3), object()]
    for first in firsts:
        same = [first, first, type(first) is dt.datetime and first.replace(microsecond=9) or first]
        doc = same + [x for item in interruptions for x in (item, first)] + same
        for option in (0, oracle.OPT_INDENT_2, oracle.OPT_PASSTHROUGH_DATETIME,
                       oracle.OPT_NAIVE_UTC | oracle.OPT_OMIT_MICROSECONDS | oracle.OPT_UTC_Z,
                       oracle.OPT_SORT_KEYS, oracle.OPT_PASSTHROUGH_DATACLASS):
            check_dumps(doc, option=option, default=repr)
            check_dumps({"runs": [doc[:3], doc]}, option=option, default=repr)
            check_dumps(doc + [x for item in others for x in (item, first)], option=option, default=repr)


class MyIntForRuns(int):
    pass


class NotDecorated(Plain):
    """A subclass of a dataclass without @dataclass: orjson looks for __dataclass_fields__ in
    the class's own dict only, so this is no dataclass to it."""


class LoudMeta(type):
    """A metaclass whose __getattr__ would see (and count) a lookup through the class."""
    lookups = 0

    def __getattr__(cls, name):
        LoudMeta.lookups += 1
        raise AttributeError(name)


@dataclasses.dataclass
class WithLoudMeta(metaclass=LoudMeta):
    a: int = 1


class NoDataclassLoudMeta(metaclass=LoudMeta):
    pass


class LoudEnum(enum.Enum):
    A = 1


def test_dataclass_found_in_the_class_dict_only():
    assert str(dumps_err(NotDecorated(1))) == "Type is not JSON serializable: NotDecorated"
    check_dumps([NotDecorated(1)], default=repr)
    before = LoudMeta.lookups
    objs = [WithLoudMeta(), LoudEnum.A, NoDataclassLoudMeta()]
    assert dumps_ok(objs, default=lambda o: "other") == b'[{"a":1},1,"other"]'
    assert LoudMeta.lookups == before


def test_dataclass_exact_bytes():
    assert dumps_ok(Plain(1)) == b'{"b":1,"a":"x","items":[],"no_repr":8}'
    assert dumps_ok(Child()) == b'{"b":10,"a":"x","items":[],"no_repr":8,"z":9}'
    assert dumps_ok(Slotted(1)) == b'{"a":1,"c":"\xc3\xa9"}'
    assert dumps_ok(SlotsOverDict()) == b'{"x":1,"y":2}'
    assert dumps_ok(DictOverSlots()) == b'{"y":2}'
    assert dumps_ok(ReadsDict()) == b'{"a":1}'
    assert dumps_ok(ReadsAttr()) == b'{"a":99}'
    assert dumps_ok(DataclassDict()) == b"{}"
    assert dumps_ok(_with_extra()) == b'{"b":1,"a":"x","items":[],"no_repr":8,"extra":"in __dict__"}'
    assert dumps_ok(_with_deleted()) == b'{"d":{"z":1,"y":2}}'
    # OPT_SORT_KEYS sorts dicts inside a dataclass, not the dataclass's own fields
    assert dumps_ok(Holder(1), option=oracle.OPT_SORT_KEYS) == b'{"value":1,"d":{"y":2,"z":1}}'


def test_dataclass_passthrough():
    assert str(dumps_err(Plain(1), option=oracle.OPT_PASSTHROUGH_DATACLASS)) == "Type is not JSON serializable: Plain"
    assert dumps_ok(Frozen(1), option=oracle.OPT_PASSTHROUGH_DATACLASS,
                    default=lambda o: {"custom": o.a}) == b'{"custom":1}'


def test_dataclass_class_itself_is_not_serialized():
    assert str(dumps_err(Plain)) == "Type is not JSON serializable: type"


def test_dataclass_non_str_key_in_dict():
    h = Holder()
    h.__dict__[1] = 2
    assert str(dumps_err(h)) == "Dict key must be str"
    assert str(dumps_err(h, option=NSK)) == "Dict key must be str"


def test_dataclass_cache_sees_class_changes():
    # a per-class cache of field names must notice a class changed after first use
    @dataclasses.dataclass
    class Changing:
        a: int = 1
        b: int = 2

    dumps_ok(Changing())
    dumps_ok([Changing()] * 3)
    Changing.__dataclass_fields__ = {"a": Changing.__dataclass_fields__["a"]}
    dumps_ok(Changing())

    @dataclasses.dataclass(slots=True)
    class ChangingSlots:
        a: int = 1
        b: int = 2

    dumps_ok(ChangingSlots())
    fields = dict(ChangingSlots.__dataclass_fields__)
    del fields["a"]
    ChangingSlots.__dataclass_fields__ = fields
    assert dumps_ok(ChangingSlots()) == b'{"b":2}'


def test_many_dataclass_records():
    rows = [Plain(i, str(i), items=[i, float(i)]) for i in range(2000)]
    dumps_ok(rows)
    rows = [Slotted(i, c="\u00e9" * (i % 5)) for i in range(2000)]
    dumps_ok(rows)


# ---------------------------------------------------------------------------------------
# enum

class Color(enum.Enum):
    RED = 1
    NAME = "\u00e9"
    RATIO = 1.5
    NOTHING = None
    LIST = [1, 2]
    MAP = {"a": 1}
    PAIR = (1, 2)
    DAY = __import__("datetime").date(2020, 1, 1)
    ID = uuid.UUID(int=5)
    FLAG = True
    DC = Frozen(1)


class Nested(enum.Enum):
    INNER = Color.RED


class IntE(enum.IntEnum):
    A = 1
    B = 2**53


class StrE(str, enum.Enum):
    A = "a"


class FloatE(float, enum.Enum):
    A = 1.25


class Perm(enum.Flag):
    R = 1
    W = 2


class IntPerm(enum.IntFlag):
    R = 1
    W = 2


class Big(enum.Enum):
    HUGE = 2**64
    OBJ = object()


class OwnValue(enum.Enum):
    """Redefines `value`: what it returns is written, not `_value_`."""
    A = 1

    @property
    def value(self):
        return ["own", self._value_]


class Doubled(enum.Enum):
    """A `_value_` property on the class: member.value runs it."""
    A = 1
    B = 2


Doubled._value_ = property(lambda self: self.__dict__["_value_"] * 2)


ENUMS = list(Color) + [OwnValue.A, Doubled.A, Doubled.B, Nested.INNER, IntE.A, IntE.B, StrE.A, FloatE.A, Perm.R, Perm.R | Perm.W, Perm(0),
                       IntPerm.R | IntPerm.W, Big.HUGE, Big.OBJ]
if sys.version_info >= (3, 11):
    ENUMS.append(enum.StrEnum("S", {"X": "x"}).X)


@pytest.mark.parametrize("member", ENUMS, ids=repr)
@pytest.mark.parametrize("option", [0, PASS_SUB, oracle.OPT_STRICT_INTEGER, oracle.OPT_PASSTHROUGH_DATETIME,
                                    oracle.OPT_INDENT_2 | oracle.OPT_SORT_KEYS])
def test_enum(member, option):
    check_dumps(member, option=option)
    check_dumps({"e": [member]}, option=option)


def test_enum_exact():
    assert dumps_ok([Color.RED, Color.NAME, Color.RATIO, Color.NOTHING, Color.PAIR, Nested.INNER, Perm.R | Perm.W]) == \
        b'[1,"\xc3\xa9",1.5,null,[1,2],1,3]'
    assert dumps_ok([IntE.A, StrE.A], option=PASS_SUB) == b'[1,"a"]'  # enums are not passed through
    assert str(dumps_err(Big.HUGE)) == "Integer exceeds 64-bit range"
    assert str(dumps_err(IntE.B, option=oracle.OPT_STRICT_INTEGER)) == "Integer exceeds 53-bit range"
    assert str(dumps_err(Big.OBJ)) == "Type is not JSON serializable: object"
    assert dumps_ok(Big.OBJ, default=lambda o: "d") == b'"d"'
    assert str(dumps_err(Color)) == f"Type is not JSON serializable: {type(Color).__name__}"


# ---------------------------------------------------------------------------------------
# uuid

class MyUUID(uuid.UUID):
    pass


@pytest.mark.parametrize("u", [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID(int=5),
                               uuid.uuid5(uuid.NAMESPACE_DNS, "x"), uuid.UUID("{12345678-1234-5678-1234-567812345678}")],
                         ids=str)
def test_uuid(u):
    assert dumps_ok(u) == f'"{u}"'.encode()
    assert dumps_ok([u], option=oracle.OPT_SERIALIZE_UUID) == f'["{u}"]'.encode()


def test_uuid_random_and_subclass():
    rng = random.Random(6)
    dumps_ok([uuid.UUID(int=rng.getrandbits(128)) for _ in range(500)])
    assert str(dumps_err(MyUUID(int=3))) == "Type is not JSON serializable: MyUUID"


# ---------------------------------------------------------------------------------------
# TypedDict

class Movie(typing.TypedDict):
    title: str
    year: int


def test_typeddict():
    assert dumps_ok(Movie(title="x", year=1999)) == b'{"title":"x","year":1999}'
    dumps_ok([Movie(title="\u00e9", year=2)], option=oracle.OPT_SORT_KEYS | oracle.OPT_INDENT_2)


# ---------------------------------------------------------------------------------------
# object identity in the output is irrelevant: repeated objects are written each time

def test_repeated_objects():
    shared = {"a": [1, 2]}
    dumps_ok([shared, shared, [shared]])
    assert call(S.dumps, [shared] * 3) == ("ok", b'[{"a":[1,2]},{"a":[1,2]},{"a":[1,2]}]')


# ---------------------------------------------------------------------------------------
# natives in the fast walk (dataclasses read through their instance dict, dates and times
# that need no Python code) and where it hands over to the general walk

@dataclasses.dataclass
class AllPrivate:
    _a: int = 1
    _b: str = "x"


@dataclasses.dataclass
class WithGetattr:
    a: int = 1

    def __getattr__(self, name):
        raise AttributeError(name)


@dataclasses.dataclass
class DictProperty:
    a: int = 1

    @property
    def __dict__(self):
        return {"from": "property"}


class MyTz(dt.tzinfo):
    """A tzinfo whose utcoffset is Python code: the fast walk hands it over."""

    def utcoffset(self, d):
        return dt.timedelta(hours=2)

    def dst(self, d):
        return None


def _nested(value, depth):
    for _ in range(depth):
        value = [value]
    return value


def _non_str_key():
    o = AllPrivate()
    o.__dict__[1] = 2
    return o


def test_natives_in_the_fast_walk():
    fixed = dt.timezone(dt.timedelta(hours=-3, minutes=-30))
    values = [
        AllPrivate(), [AllPrivate()], WithGetattr(), DictProperty(), _non_str_key(),
        {"d": [dt.date(2020, 2, 29), dt.time(1, 2, 3, 4), dt.datetime(2020, 1, 1, tzinfo=fixed)]},
        [dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)],
        [dt.time(1, tzinfo=dt.timezone.utc)],  # an error, from the general walk
        [Plain(i) for i in range(3)] + [dt.datetime(2020, 1, 1, tzinfo=MyTz())],  # handed over late
        _nested(Plain(1), 40),  # deeper than the fast walk goes
    ]
    for value in values:
        for option in (0, oracle.OPT_INDENT_2, oracle.OPT_NAIVE_UTC | oracle.OPT_UTC_Z, oracle.OPT_OMIT_MICROSECONDS,
                       oracle.OPT_PASSTHROUGH_DATETIME, oracle.OPT_PASSTHROUGH_DATACLASS):
            check_dumps(value, option=option)
            check_dumps(value, option=option, default=repr)
