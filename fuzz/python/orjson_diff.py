"""Differential fuzzing of rjson's orjson face (`rjson.orjson`) against the real orjson:
`loads` on mutated documents (the same value, or the same JSONDecodeError: message, position,
document), and `dumps` on generated objects with option flags (the same bytes, or the same
exception type). Exits at once, saying so, while rjson has no orjson face.

The objects mix JSON's types with the native ones orjson writes: dataclasses (plain, slots,
frozen, inherited, with private fields) in every state an instance's attributes can be in
(fresh, deleted and set again, extra attributes, `__dict__` made or replaced, more attributes
than a class shares), runs of one class, datetimes in every kind of zone, dates, times, UUIDs
and enum members. Each input builds its object twice: rjson writes the first while its
instances are fresh, orjson the second (orjson makes every instance's `__dict__`), and rjson
writes the second again in the state orjson left it.

    python fuzz/python/orjson_diff.py CORPUS_DIR [SEED_DIR...] -max_total_time=60
"""

import dataclasses
import datetime as dt
import enum
import importlib
import sys
import uuid
import zoneinfo

import atheris

from common import assert_same_outcome, outcome, run

try:
    face = importlib.import_module("rjson.orjson")
except ImportError:
    face = None
import orjson
import pytz
from dateutil import tz as dateutil_tz

from dumps_diff import Unknown, key, scalar, text, value

OPTIONS = ["OPT_INDENT_2", "OPT_SORT_KEYS", "OPT_NON_STR_KEYS", "OPT_APPEND_NEWLINE",
           "OPT_STRICT_INTEGER", "OPT_PASSTHROUGH_SUBCLASS", "OPT_SERIALIZE_NUMPY",
           "OPT_NAIVE_UTC", "OPT_UTC_Z", "OPT_OMIT_MICROSECONDS", "OPT_PASSTHROUGH_DATETIME",
           "OPT_PASSTHROUGH_DATACLASS"]


@dataclasses.dataclass
class Plain:
    a: object
    b: object = None


@dataclasses.dataclass
class Private:
    x: object
    _c: object = 0


@dataclasses.dataclass
class Child(Plain):
    c: object = "c"


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: object


@dataclasses.dataclass
class Slotted:
    __slots__ = ("a", "_b", "c")
    a: object
    _b: object
    c: object


@dataclasses.dataclass
class SlottedChild(Slotted):
    __slots__ = ("d",)
    d: object


@dataclasses.dataclass
class Empty:
    pass


class Color(enum.Enum):
    RED = 1
    GREEN = "green"
    BLUE = 1.5
    PAIR = (1, "two")
    NOTHING = None


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2 ** 70


class Word(str, enum.Enum):
    HI = "hi\u00e9\U0001f600"


class Bits(enum.Flag):
    A = 1
    B = 2


# Zones with whole-minute offsets (offsets whose seconds round up to a whole hour are a
# documented difference: orjson writes "+00:60"), and named zones back to their local mean times.
ZONES = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
         dt.timezone(dt.timedelta(0)), dt.timezone(dt.timedelta(hours=23, minutes=59)),
         zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("America/New_York"), zoneinfo.ZoneInfo("UTC"),
         dateutil_tz.gettz("Asia/Kolkata"), dateutil_tz.tzutc(), dateutil_tz.tzoffset(None, -3600 * 3),
         pytz.utc]
PYTZ = pytz.timezone("Europe/Paris")
MICROSECONDS = [0, 1, 999, 10000, 99999, 100000, 123456, 999999]


class DatetimeSub(dt.datetime):
    pass


# Every level of nesting counts one: documents stay under 12 levels deep. (orjson writes past
# the end of its output on some lists nested 15 deep: a documented difference.)
MAX_DEPTH = 5


@atheris.instrument_func
def moment(fdp):
    kind = fdp.ConsumeIntInRange(0, 3)
    if kind == 3:
        # time: microseconds 10000 to 99999 are a documented difference (orjson drops a zero)
        return dt.time(fdp.ConsumeIntInRange(0, 23), fdp.ConsumeIntInRange(0, 59), fdp.ConsumeIntInRange(0, 59),
                       fdp.PickValueInList([0, 1, 999, 100000, 999999]))
    date = dt.date(fdp.ConsumeIntInRange(1, 9999), fdp.ConsumeIntInRange(1, 12), fdp.ConsumeIntInRange(1, 28))
    if kind == 0:
        return date
    micro = fdp.PickValueInList(MICROSECONDS) if fdp.ConsumeBool() else fdp.ConsumeIntInRange(0, 999999)
    naive = dt.datetime(date.year, date.month, date.day, fdp.ConsumeIntInRange(0, 23),
                        fdp.ConsumeIntInRange(0, 59), fdp.ConsumeIntInRange(0, 59), micro,
                        fold=fdp.ConsumeIntInRange(0, 1))
    zone = fdp.ConsumeIntInRange(0, len(ZONES) + 2)
    if zone < len(ZONES):
        return naive.replace(tzinfo=ZONES[zone])
    if zone == len(ZONES):
        return PYTZ.localize(naive.replace(year=max(naive.year, 2)))
    if zone == len(ZONES) + 1:
        return DatetimeSub(naive.year, naive.month, naive.day, naive.hour)
    return naive


@atheris.instrument_func
def instance(fdp, depth):
    """A dataclass instance, its attributes in one of the states CPython can keep them in."""
    kind = fdp.ConsumeIntInRange(0, 6)
    depth += 1
    if kind == 1:
        return Slotted(item(fdp, depth), item(fdp, depth), item(fdp, depth))
    if kind == 6:
        return SlottedChild(item(fdp, depth), item(fdp, depth), item(fdp, depth), item(fdp, depth))
    if kind == 2:
        return Frozen(item(fdp, depth))
    if kind == 3:
        return Empty()
    if kind == 4:
        o = Private(item(fdp, depth), item(fdp, depth))
    elif kind == 5:
        o = Child(item(fdp, depth), item(fdp, depth), item(fdp, depth))
    else:
        o = Plain(item(fdp, depth), item(fdp, depth))
    for _ in range(fdp.ConsumeIntInRange(0, 3)):
        change = fdp.ConsumeIntInRange(0, 7)
        names = [f.name for f in dataclasses.fields(o)]
        if change in (0, 1):
            # deleted, or deleted and set again (to the end of the instance's order); a
            # field's default on the class answers getattr but not delattr
            name = names[-change]
            try:
                kept = getattr(o, name)
                delattr(o, name)
            except AttributeError:
                continue
            if change == 1:
                setattr(o, name, kept)
        elif change == 2:
            setattr(o, fdp.PickValueInList(["z", "_hidden", "\u00e9t\u00e9", "a"]), item(fdp, depth))
        elif change == 3:
            o.__dict__["made"] = item(fdp, depth)
        elif change == 4:
            # (an attribute named "" is a documented difference: orjson dies)
            o.__dict__ = {text(fdp) or "e": item(fdp, depth) for _ in range(fdp.ConsumeIntInRange(0, 3))}
        elif change == 5:
            for k in range(fdp.ConsumeIntInRange(25, 40)):
                setattr(o, f"f{k}", k)
        elif change == 6:
            vars(o)
    return o


@atheris.instrument_func
def native(fdp, depth):
    kind = fdp.ConsumeIntInRange(0, 5)
    if kind == 0:
        return moment(fdp)
    if kind == 1:
        return uuid.UUID(int=fdp.ConsumeIntInRange(0, 2 ** 128 - 1))
    if kind == 2:
        return fdp.PickValueInList([Color.RED, Color.GREEN, Color.BLUE, Color.PAIR, Color.NOTHING, Level.LOW,
                                    Level.HIGH, Word.HI, Bits.A, Bits.A | Bits.B])
    if kind == 3 and depth < MAX_DEPTH:
        # a run: items of one class, now and then interrupted
        make = fdp.PickValueInList([lambda: moment(fdp), lambda: instance(fdp, depth + 1),
                                    lambda: native(fdp, depth + 1)])
        return [make() for _ in range(fdp.ConsumeIntInRange(0, 8))]
    return instance(fdp, depth)


@atheris.instrument_func
def item(fdp, depth):
    choice = fdp.ConsumeIntInRange(0, 9)
    if depth >= MAX_DEPTH or choice < 3:
        return scalar(fdp)
    if choice < 6:
        return native(fdp, depth)
    if choice == 6:
        return value(fdp, depth + 3)  # nested up to its own depth of 6
    n = fdp.ConsumeIntInRange(0, 5)
    if choice == 7:
        return [item(fdp, depth + 1) for _ in range(n)]
    if choice == 8:
        return tuple(item(fdp, depth + 1) for _ in range(n))
    return {key(fdp): item(fdp, depth + 1) for _ in range(n)}


def default(o):
    if isinstance(o, Unknown):
        return [o.n, str(o.n)]
    if dataclasses.is_dataclass(o):
        return sorted(k for k in dir(o) if not k.startswith("__"))
    if isinstance(o, (dt.date, dt.time)):
        return o.isoformat()
    raise TypeError(f"no default for {type(o).__name__}")


def same_kind(got, want, context):
    """Values must agree exactly; for exceptions only the type (messages are orjson's own)."""
    if got[0] == want[0] == "raise":
        assert type(got[1]).__name__ == type(want[1]).__name__, (context, got[1], want[1])
        assert isinstance(got[1], TypeError) == isinstance(want[1], TypeError)
        return
    assert_same_outcome(got, want, context)


def same_loads(got, want, doc):
    """As `same_kind`, and a JSONDecodeError says what orjson's says, where orjson says it;
    except where orjson's parse buffer ran out on an invalid document dense in values (a
    documented difference: rjson reports the syntax error itself)."""
    same_kind(got, want, doc)
    if want[0] == "raise" and isinstance(want[1], orjson.JSONDecodeError) and want[1].msg != "failed to allocate memory":
        def facts(e):
            return e.msg, e.pos, e.lineno, e.colno, e.doc
        assert facts(got[1]) == facts(want[1]), (doc, facts(got[1]), facts(want[1]))


def build(data):
    """The options, `default` and object an input spells."""
    fdp = atheris.FuzzedDataProvider(data)
    option = 0
    for name in OPTIONS:
        if fdp.ConsumeBool() and hasattr(orjson, name):
            option |= getattr(orjson, name)
    hook = default if fdp.ConsumeBool() else None
    return option, hook, item(fdp, 0)


def test_one_input(data):
    if not data:
        return
    if data[0] & 1:
        doc = data[1:] if data[0] & 2 else data[1:].decode("utf-8", "surrogateescape")
        same_loads(outcome(face.loads, doc), outcome(orjson.loads, doc), doc)
        return
    option, hook, fresh = build(data[1:])
    option, hook, obj = build(data[1:])
    got = outcome(face.dumps, fresh, default=hook, option=option)
    want = outcome(orjson.dumps, obj, default=hook, option=option)
    # The input as context: an instance with a deleted field has no repr.
    same_kind(got, want, (data, option))
    again = outcome(face.dumps, obj, default=hook, option=option)
    same_kind(again, want, (data, option, "after orjson"))


if __name__ == "__main__":
    if face is None:
        print("orjson_diff: rjson has no orjson face (rjson.orjson) yet; nothing to fuzz")
        sys.exit(0)
    run(test_one_input)
