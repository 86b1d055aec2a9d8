"""orjson-face dumps of numpy arrays and scalars under OPT_SERIALIZE_NUMPY, against orjson.

numpy is an optional dependency of the face (and a test dependency, in requirements.txt):
these tests alone skip when it is not importable.
"""

import pytest

from orjson_face import check_dumps, dumps_err, dumps_ok, oracle

np = pytest.importorskip("numpy")

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
    a = np.array(["2021-01-01T00:00:00"], dtype="datetime64[s]").astype(f"datetime64[{unit}]")
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
