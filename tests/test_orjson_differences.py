"""Where orjson 3.13 crashes or writes a wrong value, the orjson face must raise a clean
Python error or write the correct value instead: documented differences (README).

These tests are skipped when the subject is the real orjson (they would crash it or fail on
its output). Each call runs in a child interpreter, so a crash fails one test only.
"""

import json

import pytest

from orjson_face import run_isolated, skip_if_oracle

pytestmark = skip_if_oracle

# Prints ("ok", bytes) or ("raise", type name, str, cause type name, JSONEncodeError?) of
# subject.dumps(OBJ, option=OPTION), OBJ and OPTION being defined by the test's code before.
REPORT = """
try:
    out = ("ok", subject.dumps(OBJ, option=OPTION).decode())
except Exception as e:
    c = e.__cause__
    out = ("raise", type(e).__name__, str(e), type(c).__name__ if c is not None else None,
           isinstance(e, subject.JSONEncodeError))
import json
print(json.dumps(out))
"""


def outcome_of(setup, obj="OBJ", option="0"):
    code = f"{setup}\nOBJ = {obj}\nOPTION = {option}\n{REPORT}"
    rc, out, err = run_isolated(code)
    assert rc == 0, f"the child died (exit code {rc}):\n{err[-3000:]}"
    return tuple(json.loads(out.strip().splitlines()[-1]))


def assert_clean_error(out, original):
    """An error: ``original`` itself, or a JSONEncodeError caused by it."""
    assert out[0] == "raise", f"no error: wrote {out[1]!r}"
    assert out[1] == original or (out[4] and out[3] == original), out


TZ = """
import datetime as dt
class Tz(dt.tzinfo):
    def __init__(self, get):
        self.get = get
    def utcoffset(self, d):
        return self.get()
    def dst(self, d):
        return None
def boom():
    raise ValueError("boom")
"""


def test_utcoffset_raising():
    # orjson: segmentation fault
    out = outcome_of(TZ, "dt.datetime(2020, 1, 1, tzinfo=Tz(boom))")
    assert_clean_error(out, "ValueError")
    if out[1] == "ValueError":
        assert out[2] == "boom"
    out = outcome_of(TZ, "[1, {'a': dt.datetime(2020, 1, 1, tzinfo=Tz(boom))}]", "subject.OPT_UTC_Z")
    assert_clean_error(out, "ValueError")
    # as a key (it raises from the second call on: hashing the key calls it once)
    setup = TZ + "calls = []\ndef second_raises():\n    calls.append(1)\n    return dt.timedelta(0) if len(calls) == 1 else boom()\n"
    out = outcome_of(setup, "{dt.datetime(2020, 1, 1, tzinfo=Tz(second_raises)): 1}", "subject.OPT_NON_STR_KEYS")
    assert_clean_error(out, "ValueError")


@pytest.mark.parametrize("value", ["5", "'x'", "dt.timedelta(hours=30)", "dt.timedelta(days=-2)"])
def test_utcoffset_returning_no_valid_offset(value):
    # orjson reads it as a timedelta anyway and writes +00:00, +06:00 or garbage (+142620:00);
    # datetime itself raises TypeError (not a timedelta) or ValueError (not within a day)
    out = outcome_of(TZ, f"dt.datetime(2020, 1, 1, tzinfo=Tz(lambda: {value}))")
    assert out[0] == "raise", f"wrote {out[1]!r}"
    assert out[1] in ("TypeError", "ValueError") or out[4], out


def test_utcoffset_none_on_an_aware_datetime():
    # orjson writes +00:00; isoformat writes no offset: the face writes that or raises
    out = outcome_of(TZ, "dt.datetime(2020, 1, 1, 2, 3, 4, tzinfo=Tz(lambda: None))")
    assert out == ("ok", '"2020-01-01T02:03:04"') or (out[0] == "raise" and (out[4] or out[1] == "TypeError")), out


@pytest.mark.parametrize("seconds,text", [(3599, "+01:00"), (-3570, "-01:00"), (5 * 3600 + 59 * 60 + 45, "+06:00"),
                                          (-(22 * 3600 + 59 * 60 + 45), "-23:00"), (3 * 3600 + 59 * 60 + 30, "+04:00")])
def test_offset_seconds_rounding_up_to_an_hour(seconds, text):
    # orjson writes "+00:60", "-00:60", "+05:60", "-22:60", "+03:60": the minutes must carry
    setup = "import datetime as dt"
    out = outcome_of(setup, f"dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(seconds={seconds})))")
    assert out == ("ok", f'"2020-01-01T00:00:00{text}"'), out


DELETED = """
import dataclasses
@dataclasses.dataclass(slots=True)
class C:
    a: int
    b: int
c = C(1, 2)
del c.a
"""


def test_dataclass_with_deleted_slot():
    # orjson: segmentation fault
    out = outcome_of(DELETED, "c")
    assert_clean_error(out, "AttributeError")
    out = outcome_of(DELETED, "{'x': [c]}", "subject.OPT_INDENT_2")
    assert_clean_error(out, "AttributeError")


BORROWED = """
import dataclasses
@dataclasses.dataclass(slots=True)
class A:
    x: int = 1
class B:  # a dataclass to orjson whose field is A's slot
    __slots__ = ("a",)
    __dataclass_fields__ = A.__dataclass_fields__
B.x = A.__dict__["x"]
b = B()
"""


@pytest.mark.parametrize("obj", ["b", "[A(), b]"])
def test_dataclass_field_read_by_another_class_slot(obj):
    # orjson: segmentation fault (it reads the slot at A's offset in a B)
    assert_clean_error(outcome_of(BORROWED, obj), "TypeError")


EMPTY_NAME = """
import dataclasses
@dataclasses.dataclass
class D:
    a: int
fresh = D(1)
setattr(fresh, "", 2)
made = D(3)
made.__dict__ = {"": 4, "b": 5}
"""


@pytest.mark.parametrize("obj, option, text", [
    ("fresh", "0", '{"a":1,"":2}'),
    ("[D(0), fresh, made]", "0", '[{"a":0},{"a":1,"":2},{"":4,"b":5}]'),
    ("{'k': made}", "subject.OPT_INDENT_2", '{\n  "k": {\n    "": 4,\n    "b": 5\n  }\n}'),
])
def test_dataclass_attribute_with_an_empty_name(obj, option, text):
    # orjson: illegal instruction (it looks at the first character of each name for "_")
    assert outcome_of(EMPTY_NAME, obj, option) == ("ok", text)


NESTED = """
import ctypes, json, sys
def nested(item):
    obj = item
    for _ in range(DEPTH):
        obj = [obj] + [item] * 25
    return obj
out = subject.dumps(nested(ITEM))
if hasattr(sys, "gettotalrefcount"):
    in_block = None  # debug allocators put their own header before the object
else:
    # Over 512 bytes, CPython's object allocator takes the block from malloc.
    libc = ctypes.CDLL(None)
    libc.malloc_usable_size.restype = ctypes.c_size_t
    libc.malloc_usable_size.argtypes = [ctypes.c_void_p]
    in_block = sys.getsizeof(out) <= libc.malloc_usable_size(id(out))
print(json.dumps([out == json.dumps(nested(TEXT), separators=(",", ":")).encode(), in_block]))
"""


@pytest.mark.parametrize("depth", [15, 20])
@pytest.mark.parametrize("item, text", [
    ("1234567890", "1234567890"),
    ("dt.date(1, 1, 1)", "'0001-01-01'"),
    ("dt.datetime(2020, 1, 1)", "'2020-01-01T00:00:00'"),
    ("uuid.UUID(int=5)", "'00000000-0000-0000-0000-000000000005'"),
], ids=["ints", "dates", "datetimes", "uuids"])
def test_nested_lists_over_4_kib(depth, item, text):
    # orjson writes past the end of its output's block (a heap buffer overflow: glibc aborts
    # later, in "free(): invalid next size"); found by fuzz/python/orjson_diff.py
    rc, out, err = run_isolated(f"import datetime as dt, uuid\nDEPTH = {depth}\nITEM = {item}\nTEXT = {text}\n{NESTED}")
    assert rc == 0, f"the child died (exit code {rc}):\n{err[-3000:]}"
    same, in_block = json.loads(out.strip().splitlines()[-1])
    assert same
    assert in_block in (True, None)


@pytest.mark.parametrize("month", ["1969-12", "1968-12", "1969-06", "1900-03", "1000-11"])
def test_numpy_datetime64_months_before_1970(month):
    # orjson aborts (illegal instruction) on a December before 1970 and raises
    # "unrepresentable numpy.datetime64: -7 months" on other months; accepted here: the
    # right date, or orjson's error
    pytest.importorskip("numpy")
    setup = "import numpy as np"
    out = outcome_of(setup, f"np.array(['{month}'], dtype='datetime64[M]')", "subject.OPT_SERIALIZE_NUMPY")
    import numpy as np

    months = int(np.datetime64(month, "M").astype(np.int64))
    assert out == ("ok", f'["{month}-01T00:00:00"]') or \
        out[:3] == ("raise", "TypeError", f"unrepresentable numpy.datetime64: {months} months"), out


@pytest.mark.parametrize("obj,message", [
    ("np.array(['NaT'], dtype='datetime64[D]')", "-9223372036854775808 days"),
    ("np.datetime64('NaT', 'W')", "-9223372036854775808 weeks"),
    ("np.array(['NaT'], dtype='datetime64[m]')", "-9223372036854775808 minutes"),
    ("np.array(['NaT'], dtype='datetime64[ns]')", "-9223372036854775808 nanoseconds"),
    ("np.array([2**62], dtype='datetime64[h]')", "4611686018427387904 hours"),
])
def test_numpy_datetime64_orjson_writes_wrong(obj, message):
    # orjson writes NaT as 1970-01-01 in weeks to minutes (the seconds overflow and wrap), as
    # 1677-09-21T00:12:43.145224 in nanoseconds, and other values whose seconds overflow as
    # whatever they wrap to; rjson refuses them as orjson refuses NaT in seconds
    pytest.importorskip("numpy")
    out = outcome_of("import numpy as np", obj, "subject.OPT_SERIALIZE_NUMPY")
    assert out[:3] == ("raise", "TypeError", f"unrepresentable numpy.datetime64: {message}"), out


def test_numpy_datetime64_error_in_a_nested_row():
    # orjson drops the error of a row of a 2-d (or deeper) array and goes on: it writes b'[[]'
    # here, which is not JSON; rjson raises the error, as orjson does for a 1-d array
    pytest.importorskip("numpy")
    out = outcome_of("import numpy as np", "np.array([['-0001-12-31T23']], dtype='datetime64[h]')",
                     "subject.OPT_SERIALIZE_NUMPY")
    assert out[:3] == ("raise", "TypeError", "unrepresentable numpy.datetime64: -17268673 hours"), out


def test_numpy_datetime64_units_with_a_multiplier():
    # orjson aborts (unreachable code) on a unit such as datetime64[2s]; rjson writes the date
    pytest.importorskip("numpy")
    setup = "import numpy as np"
    out = outcome_of(setup, "np.array([30, -1], dtype='datetime64[2s]')", "subject.OPT_SERIALIZE_NUMPY")
    assert out == ("ok", '["1970-01-01T00:01:00","1969-12-31T23:59:58"]')
    out = outcome_of(setup, "np.datetime64(2**62, '25h')", "subject.OPT_SERIALIZE_NUMPY")
    assert out[:3] == ("raise", "TypeError", "unrepresentable numpy.datetime64: 4611686018427387904 * 25 hours"), out


@pytest.mark.parametrize("obj", ["u", "[1, {'k': u}]"])
def test_uuid_with_its_int_deleted(obj):
    """A UUID whose `int` slot was deleted: orjson segfaults; rjson raises the AttributeError
    of reading it."""
    out = outcome_of("import uuid\nu = uuid.UUID(int=7)\nobject.__delattr__(u, 'int')", obj)
    assert_clean_error(out, "AttributeError")


@pytest.mark.parametrize("value, error", [("'x'", "TypeError"), ("2**128", "ValueError"), ("-1", "ValueError")])
@pytest.mark.parametrize("obj", ["u", "[u, u]", "[1, {'k': [u]}]"])
def test_uuid_whose_int_is_not_a_uuid_int(value, error, obj):
    """A UUID whose `int` slot holds a str or an int out of range: orjson writes digits from
    the str's bytes, or raises SystemError; rjson raises the error `int` deserves."""
    out = outcome_of(f"import uuid\nu = uuid.UUID(int=7)\nobject.__setattr__(u, 'int', {value})", obj)
    assert_clean_error(out, error)


def test_uuid_whose_int_is_an_int_subclass():
    """An int subclass in the slot is read as the int it is, as orjson reads it."""
    out = outcome_of("import uuid\nu = uuid.UUID(int=7)\nobject.__setattr__(u, 'int', True)", "[u, u]")
    assert out == ("ok", '["00000000-0000-0000-0000-000000000001","00000000-0000-0000-0000-000000000001"]')


ENUM_CYCLE = """
import enum
class A(enum.Enum):
    X = 1
class B(enum.Enum):
    Y = 2
A.X.__dict__["_value_"] = B.Y
B.Y.__dict__["_value_"] = A.X
"""


@pytest.mark.parametrize("obj, option", [("A.X", "0"), ("[1, {'k': B.Y}]", "subject.OPT_INDENT_2"),
                                         ("{A.X: 1}", "subject.OPT_NON_STR_KEYS")])
def test_enum_values_in_a_cycle(obj, option):
    """Two enum members whose values are each other: orjson crashes (stack overflow); rjson
    follows the chain to orjson's depth limit and raises, as for nesting too deep."""
    out = outcome_of(ENUM_CYCLE, obj, option)
    assert out[:3] == ("raise", "TypeError", "Recursion limit reached") and out[4], out


def test_time_microseconds_keep_their_leading_zero():
    import datetime as dt

    from orjson_face import S

    # orjson 3.13 writes 10000..99999 microseconds of a time without the leading zero
    # (b'"00:00:00.10000"' for 10 ms); rjson writes them as datetime.time.isoformat() does.
    for us in (10000, 10001, 50000, 99999):
        t = dt.time(0, 0, 0, us)
        assert S.dumps(t) == ('"%s"' % t.isoformat()).encode()


def test_loads_of_a_released_memoryview():
    from orjson_face import S

    # orjson reads the buffer a released memoryview no longer holds (here still alive by
    # chance, so it returns [1, 2]); rjson raises what using a released memoryview raises.
    view = memoryview(b"[1, 2]")
    view.release()
    with pytest.raises(ValueError, match="operation forbidden on released memoryview object"):
        S.loads(view)


@pytest.mark.parametrize("doc,msg,pos", [
    (b"[" * 300, "unexpected end of data", 300),
    (b"[1," * 300, "unexpected end of data", 900),
    (b"[" * 1024 + b"x", "unexpected character, expected a JSON value", 1024),
    (b"[" * 1025 + b"]", "depth limit exceeded", 1025),
])
def test_loads_of_dense_invalid_documents(doc, msg, pos):
    from orjson_face import S

    # orjson sizes its parse buffer for valid documents: on invalid ones denser in values
    # (nested arrays left open) it runs out before reaching the error and reports "failed to
    # allocate memory" at some earlier position; rjson reports the error itself.
    with pytest.raises(S.JSONDecodeError) as exc:
        S.loads(doc)
    assert (exc.value.msg, exc.value.pos) == (msg, pos)
