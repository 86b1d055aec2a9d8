"""orjson-face dumps of numpy arrays and scalars under OPT_SERIALIZE_NUMPY, against orjson.

numpy is an optional dependency of the face (and a test dependency, in requirements.txt):
these tests alone skip when it is not importable.
"""

import dataclasses
import gc
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orjson_face import ALL_BITS, S, check_dumps, dumps_err, dumps_ok, oracle, skip_if_oracle

np = pytest.importorskip("numpy")
hnp = pytest.importorskip("hypothesis.extra.numpy")

HYP = settings(max_examples=300, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

O = oracle
N = O.OPT_SERIALIZE_NUMPY
OPTIONS = [N, N | O.OPT_INDENT_2, N | O.OPT_STRICT_INTEGER, N | O.OPT_NAIVE_UTC | O.OPT_UTC_Z,
           N | O.OPT_OMIT_MICROSECONDS | O.OPT_APPEND_NEWLINE, N | O.OPT_PASSTHROUGH_DATETIME | O.OPT_SORT_KEYS]

NUMERIC = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"]


def check_all(obj):
    for option in OPTIONS:
        check_dumps(obj, option=option)
        check_dumps({"a": [obj]}, option=option, default=lambda o: "default:" + type(o).__name__)


@pytest.mark.parametrize("dtype", NUMERIC + ["bool"])
def test_array_of_dtype(dtype):
    info = np.finfo(dtype) if dtype.startswith("float") else np.iinfo(dtype) if dtype != "bool" else None
    if dtype == "bool":
        values = [True, False, True]
    elif dtype.startswith("float"):
        values = [0.0, -0.0, 1.5, 0.1, 1 / 3, float(info.max), float(info.tiny), float(info.smallest_subnormal),
                  float("nan"), float("inf"), float("-inf"), 1e-7, 100.0]
    else:
        values = [0, 1, int(info.min), int(info.max), int(info.max) // 3]
    a = np.array(values, dtype=dtype)
    check_all(a)
    check_all(a.reshape(1, -1))
    check_all(a[0])  # the numpy scalar
    check_all(list(a))  # a list of scalars


def test_exact_bytes():
    assert dumps_ok(np.arange(6).reshape(2, 3), option=N) == b"[[0,1,2],[3,4,5]]"
    assert dumps_ok(np.array([0.1, -0.0, np.nan, np.inf, 1e16, 1e-7]), option=N) == b"[0.1,-0.0,null,null,1e+16,1e-7]"
    # float32 by its own shortest digits; float16 via float32's shortest digits
    assert dumps_ok(np.array([0.1, 1 / 3], dtype=np.float32), option=N) == b"[0.1,0.33333334]"
    assert dumps_ok(np.array([0.1, 65504], dtype=np.float16), option=N) == b"[0.099975586,65504.0]"
    assert dumps_ok(np.array([np.iinfo(np.uint64).max]), option=N) == b"[18446744073709551615]"
    # OPT_STRICT_INTEGER does not apply to numpy integers
    assert dumps_ok(np.array([2**60]), option=N | O.OPT_STRICT_INTEGER) == b"[1152921504606846976]"
    assert dumps_ok(np.int64(2**60), option=N | O.OPT_STRICT_INTEGER) == b"1152921504606846976"
    assert dumps_ok([np.int8(1), np.uint8(2), np.float32(1.5), np.int16(-3), np.bool_(True)], option=N) == \
        b"[1,2,1.5,-3,true]"


SHAPES = {
    "empty": np.array([]), "2x0": np.zeros((2, 0)), "0x2": np.zeros((0, 2)), "3d": np.arange(24).reshape(2, 3, 4),
    "4d": np.arange(16.0).reshape(2, 2, 2, 2), "1x1x1": np.ones((1, 1, 1), dtype=np.int8),
    "big": np.arange(100000, dtype=np.int32), "readonly": np.frombuffer(b"\x01\x00\x00\x00" * 3, dtype=np.int32),
    "contiguous slice": np.arange(10)[2:7], "dict of arrays": {"a": np.zeros((2, 0)), "b": np.array([])},
}


@pytest.mark.parametrize("obj", SHAPES.values(), ids=SHAPES.keys())
def test_shapes(obj):
    check_all(obj)


def test_not_c_contiguous():
    for a in (np.arange(6)[::2], np.asfortranarray(np.arange(6).reshape(2, 3)), np.arange(6).reshape(2, 3).T):
        exc = dumps_err(a, option=N)
        assert str(exc) == "numpy array is not C contiguous; use ndarray.tolist() in default"
        assert dumps_ok(a, option=N, default=lambda o: o.tolist()) == dumps_ok(a.tolist())


def test_not_native_endian():
    for a in (np.array([1], dtype=">i4"), np.array([1.5], dtype=">f8")):
        assert str(dumps_err(a, option=N)) == "numpy array is not native-endianness"


UNSUPPORTED = {
    "complex": np.array([1 + 2j]), "object": np.array([1, "a"], dtype=object), "unicode": np.array(["ab"]),
    "bytes": np.array([b"ab"]), "timedelta64": np.array([1], dtype="timedelta64[s]"),
    "longdouble": np.array([1], dtype=np.longdouble), "0-d float": np.array(1.5), "0-d int": np.array(3),
}


@pytest.mark.parametrize("a", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_dtypes(a):
    assert str(dumps_err(a, option=N)) == "unsupported datatype in numpy array"
    # such arrays go to default
    assert dumps_ok(a, option=N, default=lambda o: "d") == b'"d"'


def test_explicit_default_none_is_a_default():
    # orjson quirk: default=None given explicitly counts as a default (not callable), so the
    # numpy errors become "Type is not JSON serializable" with a TypeError as cause
    for a in (np.array([1 + 2j]), np.arange(6)[::2], np.array(1.5)):
        exc = dumps_err(a, option=N, default=None, cause=True)
        assert str(exc) == "Type is not JSON serializable: numpy.ndarray"
        assert type(exc.__cause__) is TypeError


def test_structured_array():
    a = np.zeros(2, dtype=[("a", "i4")])
    # sic: orjson's message for it
    assert str(dumps_err(a, option=N)) == "numpy array is not C contiguous; use ndarray.tolist() in default"
    assert dumps_ok(a, option=N, default=lambda o: "d") == b'"d"'


SCALARS = {
    "complex": np.complex64(1), "timedelta64": np.timedelta64(1, "s"), "bytes_": np.bytes_(b"x"),
    "str_ (a str subclass)": np.str_("x"), "longdouble": np.longdouble(1), "void": np.void(b"\x00"),
}


@pytest.mark.parametrize("s", SCALARS.values(), ids=SCALARS.keys())
def test_other_scalars(s):
    check_all(s)
    check_dumps(s)


def test_numpy_needs_the_option():
    assert str(dumps_err(np.array([1]))) == "Type is not JSON serializable: numpy.ndarray"
    assert str(dumps_err(np.int64(1))) == "Type is not JSON serializable: numpy.int64"
    assert str(dumps_err(np.float64(1.5))) == "Type is not JSON serializable: numpy.float64"
    assert dumps_ok(np.array([1, 2]), default=lambda o: o.tolist()) == b"[1,2]"
    assert str(dumps_err({np.int64(1): 1}, option=N | O.OPT_NON_STR_KEYS)) == \
        "Dict key must a type serializable with OPT_NON_STR_KEYS"


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_array_subclasses_are_not_serialized():
    assert str(dumps_err(np.matrix([[1, 2]]), option=N)) == "Type is not JSON serializable: matrix"
    assert str(dumps_err(np.ma.array([1, 2]), option=N)) == "Type is not JSON serializable: MaskedArray"


DT64_UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns"]


@pytest.mark.parametrize("unit", DT64_UNITS)
def test_datetime64_units(unit):
    # (months before 1970 crash orjson: test_orjson_differences.py)
    before_1970 = [] if unit == "M" else ["1969-12-31T23:59:59", "1900-03-01T01:02:03"]
    base = np.array(["2021-01-01T00:00:00", "2000-02-29T12:34:56"] + before_1970, dtype="datetime64[s]")
    a = base.astype(f"datetime64[{unit}]")
    check_all(a)
    check_all(a[0])
    assert dumps_ok(a[:1], option=N) == (b'["2020-12-31T00:00:00"]' if unit == "W" else b'["2021-01-01T00:00:00"]')


def test_datetime64_fractions_and_options():
    frac = {"ms": "2021-01-01T00:00:00.123", "us": "2021-01-01T00:00:00.123456", "ns": "2021-01-01T00:00:00.123456789"}
    for unit, text in frac.items():
        check_all(np.array([text], dtype=f"datetime64[{unit}]"))
    assert dumps_ok(np.array([frac["ns"]], dtype="datetime64[ns]"), option=N) == b'["2021-01-01T00:00:00.123456"]'
    assert dumps_ok(np.array([frac["ms"]], dtype="datetime64[ms]"), option=N) == b'["2021-01-01T00:00:00.123000"]'
    assert dumps_ok(np.array(["1969-12-31T23:59:59.5"], dtype="datetime64[ms]"), option=N) == \
        b'["1969-12-31T23:59:59.500000"]'
    assert dumps_ok(np.array(["2021-01-01"], dtype="datetime64[s]"), option=N | O.OPT_NAIVE_UTC | O.OPT_UTC_Z) == \
        b'["2021-01-01T00:00:00Z"]'
    # OPT_PASSTHROUGH_DATETIME does not apply to datetime64
    assert dumps_ok(np.datetime64("2021-01-01", "D"), option=N | O.OPT_PASSTHROUGH_DATETIME) == b'"2021-01-01T00:00:00"'


@pytest.mark.parametrize("unit,message", [("ps", "unsupported numpy.datetime64 unit: picoseconds"),
                                          ("fs", "unsupported numpy.datetime64 unit: femtoseconds")])
def test_datetime64_unsupported_units(unit, message):
    # A value these units can hold: 2021 in picoseconds overflows 64 bits (numpy 2.3+ raises).
    a = np.array([1_000_000], dtype=f"datetime64[{unit}]")
    assert str(dumps_err(a, option=N)) == message
    check_dumps(a[0], option=N)


def test_datetime64_unrepresentable():
    assert str(dumps_err(np.array(["NaT"], dtype="datetime64[s]"), option=N)) == \
        "unrepresentable numpy.datetime64: -9223372036854775808 seconds"
    assert str(dumps_err(np.array(["10000-01-01"], dtype="datetime64[D]"), option=N)) == \
        "unrepresentable numpy.datetime64: 2932897 days"
    assert str(dumps_err(np.array(["-0001-01-01"], dtype="datetime64[D]"), option=N)) == \
        "unrepresentable numpy.datetime64: -719893 days"
    assert dumps_ok(np.array(["0001-01-01"], dtype="datetime64[D]"), option=N) == b'["0001-01-01T00:00:00"]'
    check_dumps(np.datetime64("NaT"), option=N)


def test_numpy_random_arrays():
    rng = np.random.default_rng(6)
    for dtype in NUMERIC:
        if dtype.startswith("float"):
            with np.errstate(over="ignore"):  # inf in float16 and float32 is wanted too
                a = (rng.standard_normal(300) * 10.0 ** rng.integers(-20, 20, 300)).astype(dtype)
        else:
            info = np.iinfo(dtype)
            a = rng.integers(info.min, info.max, 300, dtype=dtype, endpoint=True)
        check_dumps(a, option=N)
        check_dumps(a.reshape(3, 10, 10), option=N | O.OPT_INDENT_2)
    raw = rng.integers(0, 2**63, 500, dtype=np.uint64).view(np.float64)
    check_dumps(raw, option=N)
    check_dumps(rng.integers(0, 2**32, 500, dtype=np.uint64).astype(np.uint32).view(np.float32), option=N)


def test_unaligned_readonly_and_single_byte_orders():
    for dtype in NUMERIC + ["bool", "datetime64[s]"]:
        a = np.arange(1, 7).astype(dtype)
        unaligned = np.frombuffer(b"\x00" + a.tobytes(), dtype=dtype, offset=1).reshape(2, 3)
        assert not unaligned.flags.aligned or a.itemsize == 1
        check_all(unaligned)
    # one byte has no byte order: ">i1" and "|b1" arrays are native
    assert dumps_ok(np.array([-1, 2], dtype=">i1"), option=N) == b"[-1,2]"
    # orjson reads a bool byte as true if it is not 0
    assert dumps_ok(np.array([0, 1, 2, 255], dtype=np.uint8).view(np.bool_), option=N) == b"[false,true,true,true]"


def test_machine_integer_names():
    # arrays: any C name of a machine integer; scalars: only the exact sized types
    for name in ("intc", "uintc", "int_", "uint", "longlong", "ulonglong", "intp", "uintp", "byte", "ubyte", "short"):
        t = getattr(np, name)
        check_all(np.array([1, 2], dtype=t))
        check_all(t(7))


def test_float16_every_value():
    check_dumps(np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16), option=N)


def test_float32_layout_bounds():
    # ryu's (and zmij's) float32 layout has no exponent from 1e-6 up to 1e13
    values = []
    for p in range(-46, 39):
        x = np.float32(10.0 ** p)
        values += [x, np.nextafter(x, np.float32(0)), np.nextafter(x, np.float32(np.inf))]
    a = np.array(values, dtype=np.float32)
    check_dumps(np.concatenate([a, -a]), option=N)
    for x in a:
        check_dumps(x, option=N)


@dataclasses.dataclass
class Frame:
    name: str
    values: object
    _hidden: object = None


def test_arrays_in_dataclasses_and_nested_containers():
    a = np.arange(6, dtype=np.float32).reshape(3, 2) / 7
    obj = {"frames": [Frame("a", a, a), Frame("b", {"inner": (a[0], a.astype(np.int8))})], "t": (np.bool_(False),)}
    check_all(obj)
    check_dumps(obj, option=N | O.OPT_INDENT_2 | O.OPT_SORT_KEYS | O.OPT_PASSTHROUGH_DATACLASS,
                default=lambda o: {"values": o.values})
    deep = a
    for _ in range(250):
        deep = [deep]
    check_dumps(deep, option=N)
    check_dumps(deep, option=N | O.OPT_INDENT_2)


def test_default_sees_what_orjson_hands_it():
    seen = []

    def default(o):
        seen.append(type(o).__name__)
        return o.tolist() if isinstance(o, np.ndarray) else str(o)

    objs = [np.arange(6)[::2], np.array([1 + 2j]), np.array(1.5), np.longdouble(2), np.timedelta64(3, "s"),
            np.array(["x"]), np.zeros(2, dtype=[("a", "i4")])]
    dumps_ok(objs, option=N, default=default)
    # orjson's calls, then rjson's: default was called for the same objects in the same order
    assert seen[: len(seen) // 2] == seen[len(seen) // 2:]
    assert seen[:3] == ["ndarray", "ndarray", "complex"]


def test_errors_inside_default_results():
    # numpy objects returned by default are serialized, or refused, like any other
    check_dumps(object(), option=N, default=lambda o: np.arange(3))
    check_dumps(object(), option=N, default=lambda o: np.arange(6)[::2], cause=True)
    check_dumps(object(), option=N, default=lambda o: np.array([1], dtype=">i4"), cause=True)


# datetime64 values orjson writes right (or refuses with the message rjson gives): without
# NaT, values whose seconds overflow 64 bits and months before 1970 (test_orjson_differences.py)
DT64_SECONDS = {"W": 604800, "D": 86400, "h": 3600, "m": 60}
PLAUSIBLE_SECONDS = 400_000_000_000  # about 12,700 years either side of 1970


FIRST_SECOND, LAST_SECOND = -62_167_219_200, 253_402_207_200  # 0000-01-01, orjson's last instant


def dt64_values(unit, representable=False):
    seconds = {"Y": 31_556_952, "M": 2_629_746, **DT64_SECONDS, "s": 1}.get(unit)
    per_second = {"ms": 10**3, "us": 10**6, "ns": 10**9}.get(unit, 1)
    limit = 2**63 // DT64_SECONDS[unit] if unit in DT64_SECONDS else 2**63 - 1
    low = 0 if unit == "M" else -limit
    if representable:
        if unit == "ns":
            return st.integers(low, limit)
        first, last = {"Y": (-1970, 8029), "M": (0, 8029 * 12 + 11)}.get(
            unit, (-(-FIRST_SECOND * per_second // (seconds or 1)), LAST_SECOND * per_second // (seconds or 1)))
        return st.integers(first, last)
    plausible = min(PLAUSIBLE_SECONDS * per_second // (seconds or 1), limit)
    return st.one_of(st.integers(max(low, -plausible), plausible), st.integers(low, limit))


UNSUPPORTED_DTYPES = ["complex64", "complex128", "longdouble", "U2", "S2", "V4", "timedelta64[s]"]


@st.composite
def numpy_arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(NUMERIC + ["bool"] + [f"datetime64[{u}]" for u in DT64_UNITS]
                                          + UNSUPPORTED_DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
    if dtype.kind == "M":
        # orjson ignores the error of a value it cannot write in an array of two or more
        # dimensions (and writes a truncated document: test_orjson_differences.py)
        unit = np.datetime_data(dtype)[0]
        a = draw(hnp.arrays(np.int64, shape, elements=dt64_values(unit, len(shape) >= 2))).view(dtype)
    elif dtype.kind == "V":
        a = np.zeros(shape, dtype)
    else:
        a = draw(hnp.arrays(dtype, shape))
    variant = draw(st.sampled_from(["plain", "swapped", "strided", "transposed", "unaligned", "fortran"]))
    if variant == "swapped":
        a = a.astype(a.dtype.newbyteorder())
    elif variant == "strided" and a.ndim:
        a = a[..., ::2]
    elif variant == "transposed":
        a = a.T
    elif variant == "unaligned":
        a = np.frombuffer(b"\x00" + a.tobytes(), dtype=a.dtype, offset=1).reshape(a.shape)
    elif variant == "fortran":
        a = np.asfortranarray(a)
    return a


def default_of(kind):
    if kind == "tolist":
        return lambda o: o.tolist() if isinstance(o, np.ndarray) else repr(o)
    if kind == "raises":
        def default(o):
            raise ValueError("no")
        return default
    return None


@given(a=numpy_arrays(), wrap=st.sampled_from(["bare", "list", "dict", "scalar", "dataclass"]),
       option=st.integers(0, ALL_BITS), numpy=st.booleans(),
       default=st.sampled_from([None, "tolist", "raises"]))
@HYP
def test_hypothesis_arrays(a, wrap, option, numpy, default):
    if numpy:
        option |= N
    obj = {"bare": a, "list": [a, 1], "dict": {"a": a}, "dataclass": Frame("x", a)}.get(wrap)
    if wrap == "scalar":
        obj = a.flat[0] if a.size else a
    kw = {} if default is None else {"default": default_of(default)}
    check_dumps(obj, option=option, cause=True, **kw)


numpy_scalars = st.one_of(
    st.sampled_from(NUMERIC + ["bool"]).flatmap(lambda t: hnp.from_dtype(np.dtype(t)).map(np.dtype(t).type)),
    st.sampled_from(DT64_UNITS).flatmap(lambda u: dt64_values(u).map(lambda v: np.datetime64(v, u))))


@given(scalars=st.lists(numpy_scalars, max_size=8), option=st.integers(0, ALL_BITS))
@HYP
def test_hypothesis_scalars(scalars, option):
    check_dumps(scalars, option=option | N, cause=True)
    check_dumps(scalars, option=option & ~N, cause=True)


@skip_if_oracle  # orjson leaks a reference to numpy.datetime64 at each NaT scalar it refuses
def test_refcounts_stay_flat():
    a = np.arange(12.0).reshape(3, 4)
    dt = np.array(["2021-01-01"], dtype="datetime64[s]")
    strided, swapped, cplx = np.arange(6)[::2], np.array([1], dtype=">i4"), np.array([1j])
    scalars = [np.float64(1.5), np.int32(-3), np.bool_(True), np.datetime64(1, "s"), np.datetime64("NaT")]

    def default(o):
        return o.tolist() if isinstance(o, np.ndarray) else None

    objs = [a, dt, strided, swapped, cplx, *scalars, default, a.dtype, dt.dtype, np.ndarray, np.float64, np.datetime64]
    calls = [
        lambda: S.dumps([a, dt, *scalars[:4]], option=N | O.OPT_INDENT_2),
        lambda: S.dumps([strided, cplx], option=N, default=default),
        lambda: S.dumps(swapped, option=N),
        lambda: S.dumps(strided, option=N),
        lambda: S.dumps(scalars[4], option=N),
        lambda: S.dumps(np.array(["NaT"], dtype="datetime64[s]"), option=N),
        lambda: S.dumps(a, option=N, default=None),
        lambda: S.dumps(a),
    ]
    for call_ in calls:  # warm: numpy's types are looked up once
        try:
            call_()
        except S.JSONEncodeError:
            pass
    gc.collect()
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(50):
        for call_ in calls:
            try:
                call_()
            except S.JSONEncodeError:
                pass
    gc.collect()
    assert [sys.getrefcount(o) for o in objs] == before
