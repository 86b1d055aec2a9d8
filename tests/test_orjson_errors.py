"""orjson-face dumps errors: default (calls, nesting limit, raising), recursion limits,
circular references, unsupported values; the same error type, message and cause as orjson."""

import dataclasses
import inspect
import sys

import pytest

from orjson_face import S, call, check_dumps, dumps_err, dumps_ok, oracle


class Unknown:
    pass


class Other:
    pass


def nest(depth, inner):
    for _ in range(depth):
        inner = [inner]
    return inner


def nest_dict(depth, inner):
    for _ in range(depth):
        inner = {"a": inner}
    return inner


def nest_mixed(depth, inner):
    for i in range(depth):
        inner = [inner] if i % 2 else {"k": inner}
    return inner


# ---------------------------------------------------------------------------------------
# default

def test_default_result_is_serialized():
    assert dumps_ok(Unknown(), default=lambda o: [1, "x", {"k": None}]) == b'[1,"x",{"k":null}]'
    assert dumps_ok({"a": [Unknown(), 2]}, default=lambda o: "U") == b'{"a":["U",2]}'
    dumps_ok([Unknown(), Other()], default=lambda o: type(o).__name__, option=oracle.OPT_INDENT_2 | oracle.OPT_SORT_KEYS)
    # default is called for each unsupported value, in order
    seen = []
    S.dumps([Unknown(), {"b": Other()}, Unknown()], default=lambda o: seen.append(type(o).__name__) or len(seen))
    assert seen == ["Unknown", "Other", "Unknown"]


def test_default_is_not_called_for_supported_values():
    calls = []
    S.dumps([1, "x", 1.5, None, True, {"a": []}, ()], default=calls.append)
    assert calls == []


class Countdown:
    def __init__(self, n):
        self.n = n


def countdown(o):
    if isinstance(o, Countdown):
        return Countdown(o.n - 1) if o.n > 0 else "end"
    raise TypeError


@pytest.mark.parametrize("n", [1, 100, 253, 254, 255, 256, 400])
def test_default_returning_unsupported_again(n):
    # Countdown(n) takes n + 1 calls of default; orjson allows 255 in a row (n = 254)
    want = check_dumps(Countdown(n), default=countdown)
    check_dumps([[Countdown(n)]], default=countdown)
    if n <= 254:
        assert want == ("ok", b'"end"')
    else:
        assert str(want[1]) == "default serializer exceeds recursion limit"


def test_default_returning_its_argument():
    assert str(dumps_err(Unknown(), default=lambda o: o)) == "default serializer exceeds recursion limit"
    assert str(dumps_err([Unknown()], default=lambda o: Other() if isinstance(o, Unknown) else o)) == \
        "default serializer exceeds recursion limit"


def test_default_chain_count_is_per_value():
    # 254 calls for one value, then 254 for the next: the count starts again
    assert dumps_ok([Countdown(254), Countdown(254)], default=countdown) == b'["end","end"]'


@pytest.mark.parametrize("exc", [ZeroDivisionError("boom"), TypeError("nope"), ValueError(), KeyError("k"),
                                 RecursionError("deep")], ids=repr)
def test_default_raising(exc):
    def default(o):
        raise exc

    got = dumps_err(Unknown(), default=default, cause=True)
    assert str(got) == "Type is not JSON serializable: Unknown"
    assert type(got.__cause__) is type(exc)
    dumps_err({"a": [1, Unknown()]}, default=default, cause=True)
    # the subject's error has the very exception raised by default as its cause
    with pytest.raises(S.JSONEncodeError) as info:
        S.dumps(Unknown(), default=default)
    assert info.value.__cause__ is exc


@pytest.mark.parametrize("default", [1, "x", Unknown()], ids=repr)
def test_default_not_callable(default):
    # checked only when needed
    assert dumps_ok([1], default=default) == b"[1]"
    got = dumps_err(Unknown(), default=default, cause=True)
    assert str(got) == "Type is not JSON serializable: Unknown"


def test_default_returning_values_that_error():
    assert str(dumps_err(Unknown(), default=lambda o: 2**64)) == "Integer exceeds 64-bit range"
    assert str(dumps_err(Unknown(), default=lambda o: "\ud800")) == "str is not valid UTF-8: surrogates not allowed"
    assert str(dumps_err(Unknown(), default=lambda o: {1: 2})) == "Dict key must be str"
    assert str(dumps_err(Unknown(), default=lambda o: 2**53, option=oracle.OPT_STRICT_INTEGER)) == \
        "Integer exceeds 53-bit range"


def test_default_not_asked_about_value_errors():
    # values of a supported type that cannot be written are errors, default or not
    for obj in (2**64, "\ud800", {1: 2}):
        dumps_err(obj, default=lambda o: "d")


@dataclasses.dataclass
class Box:
    value: object


def test_default_inside_dataclass_and_keys():
    assert dumps_ok(Box(Unknown()), default=lambda o: "d") == b'{"value":"d"}'
    # keys never go to default
    assert str(dumps_err({Unknown(): 1}, default=lambda o: "k", option=oracle.OPT_NON_STR_KEYS)) == \
        "Dict key must a type serializable with OPT_NON_STR_KEYS"


def test_default_may_return_containers_up_to_the_depth_limit():
    for outer in (0, 1, 10, 200, 253, 254):
        for inner in {0, 1, 253 - outer, 254 - outer, 255 - outer}:
            if inner < 0:
                continue
            check_dumps(nest(outer, Unknown()), default=lambda o: nest(inner, 1))


# ---------------------------------------------------------------------------------------
# recursion limit (254 levels of containers) and circular references

@pytest.mark.parametrize("depth", [1, 100, 253, 254, 255, 256, 1000, 100000])
@pytest.mark.parametrize("make", [nest, nest_dict, nest_mixed], ids=["list", "dict", "mixed"])
def test_depth_limit(depth, make):
    for inner in (1, [], {}):
        want = check_dumps(make(depth - 1, inner))
        levels = depth - 1 + (inner != 1)  # an empty container is a level too
        if levels <= 254:
            assert want[0] == "ok"
        else:
            assert str(want[1]) == "Recursion limit reached"
    check_dumps(make(depth, 1), option=oracle.OPT_INDENT_2 | oracle.OPT_SORT_KEYS)


def test_depth_limit_exact():
    assert dumps_ok(nest(254, 1)).count(b"[") == 254
    assert str(dumps_err(nest(255, 1))) == "Recursion limit reached"
    assert str(dumps_err(nest(254, []))) == "Recursion limit reached"
    assert dumps_ok(nest(253, [])).count(b"[") == 254


def test_depth_limit_is_not_the_recursion_limit():
    """orjson counts its own levels only: with the interpreter's recursion limit (before 3.12,
    also C code's; a 3.13 debug build allows C code 500 levels) just above the current depth,
    254 levels, and 254 levels through `default`, still encode."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        check_dumps(nest(254, 1))
        check_dumps(nest(255, 1))
        check_dumps(Unknown(), default=lambda o: [o])
    finally:
        sys.setrecursionlimit(old)


def test_depth_limit_through_dataclasses_and_tuples():
    d = 1
    for _ in range(254):
        d = Box(d)
    check_dumps(d)
    check_dumps(Box(d))
    t = 1
    for _ in range(255):
        t = (t,)
    check_dumps(t)
    check_dumps(t[0])


def test_circular_references():
    lst = []
    lst.append(lst)
    dct = {}
    dct["self"] = dct
    box = Box(None)
    box.value = [box]
    for obj in (lst, dct, box, [1, {"a": lst}]):
        assert str(dumps_err(obj)) == "Recursion limit reached"
        dumps_err(obj, option=oracle.OPT_INDENT_2)


def test_circular_through_default():
    u = Unknown()
    assert str(dumps_err(u, default=lambda o: [o])) == "Recursion limit reached"


# ---------------------------------------------------------------------------------------
# error type

def test_errors_are_jsonencodeerror():
    for obj, kw in [(object(), {}), (2**64, {}), ({1: 1}, {}), ("\ud800", {}), (nest(300, 1), {}),
                    (1, {"option": -1}), (Unknown(), {"default": lambda o: 1 / 0})]:
        got = call(S.dumps, obj, **kw)
        assert got[0] == "raise" and isinstance(got[1], S.JSONEncodeError) and isinstance(got[1], TypeError), (obj, kw)
