"""The orjson face's API surface: names, option bits, argument rules, exceptions, Fragment.

Differential against the real orjson (see orjson_face.py); exact messages are orjson 3.13's.
"""

import inspect
import json

import pytest

from orjson_face import (ALL_BITS, OPTION_NAMES, S, SUBJECT_NAME, assert_same_outcome,
                         call, check_dumps, check_loads, dumps_err, dumps_ok, oracle)


# ---------------------------------------------------------------------------------------
# names

def test_import_forms():
    if SUBJECT_NAME != "rjson.orjson":
        pytest.skip("only rjson.orjson has two import forms")
    import rjson
    import rjson.orjson
    from rjson import orjson

    assert orjson is rjson.orjson is S


def test_public_names():
    assert set(S.__all__) == set(oracle.__all__)
    for name in oracle.__all__:
        assert hasattr(S, name), name
    for name in ("dumps", "loads", "Fragment", "JSONDecodeError", "JSONEncodeError"):
        assert callable(getattr(S, name)), name


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_option_constant(name):
    value = getattr(S, name)
    assert type(value) is int
    assert value == getattr(oracle, name)


def test_option_constants_exactly_orjsons():
    assert sorted(n for n in dir(S) if n.startswith("OPT_")) == OPTION_NAMES
    # the values, as orjson 3.13 documents them (drop-in code may spell them as numbers)
    assert {n: getattr(S, n) for n in OPTION_NAMES} == {
        "OPT_APPEND_NEWLINE": 1024, "OPT_INDENT_2": 1, "OPT_NAIVE_UTC": 2,
        "OPT_NON_STR_KEYS": 4, "OPT_OMIT_MICROSECONDS": 8, "OPT_PASSTHROUGH_DATACLASS": 2048,
        "OPT_PASSTHROUGH_DATETIME": 512, "OPT_PASSTHROUGH_SUBCLASS": 256,
        "OPT_SERIALIZE_DATACLASS": 0, "OPT_SERIALIZE_NUMPY": 16, "OPT_SERIALIZE_UUID": 0,
        "OPT_SORT_KEYS": 32, "OPT_STRICT_INTEGER": 64, "OPT_UTC_Z": 128}


def test_version():
    # rjson's own version, so not compared with orjson's
    assert type(S.__version__) is str and S.__version__
    if SUBJECT_NAME == "rjson.orjson":
        import rjson

        assert S.__version__ == rjson.__version__


def test_signatures():
    assert str(inspect.signature(S.dumps)) == "(obj, /, default=None, option=None)"
    assert str(inspect.signature(S.loads)) == "(obj, /)"
    assert S.dumps.__name__ == "dumps" and S.loads.__name__ == "loads"


# ---------------------------------------------------------------------------------------
# exceptions

def test_exception_classes():
    assert issubclass(S.JSONEncodeError, TypeError)
    assert issubclass(S.JSONDecodeError, json.JSONDecodeError)
    assert issubclass(S.JSONDecodeError, ValueError)
    assert S.JSONDecodeError.__name__ == "JSONDecodeError"


def test_raised_exceptions_are_catchable_as_orjson_documents():
    with pytest.raises(S.JSONEncodeError) as info:
        S.dumps(object())
    assert isinstance(info.value, TypeError)
    with pytest.raises(S.JSONDecodeError) as info:
        S.loads(b"[")
    assert isinstance(info.value, json.JSONDecodeError) and isinstance(info.value, ValueError)


def test_decode_error_constructed_like_jsons():
    e = S.JSONDecodeError("m", "doc", 1)
    assert (str(e), e.msg, e.doc, e.pos, e.lineno, e.colno) == ("m: line 1 column 2 (char 1)", "m", "doc", 1, 1, 2)


# ---------------------------------------------------------------------------------------
# dumps: arguments

class Unknown:
    pass


DUMPS_CALLS = {
    "no args": ((), {}),
    "obj by keyword": ((), {"obj": 1}),
    "positional default and option": ((1, None, 0), {}),
    "keyword default and option": ((1,), {"default": None, "option": None}),
    "option before default": ((1,), {"option": 0, "default": None}),
    "unknown keyword": ((1,), {"foo": 1}),
    "default twice": ((1, None), {"default": None}),
    "option twice": ((1, None, 0), {"option": 0}),
    "option None": ((1,), {"option": None}),
    "option positional str": ((1, None, "x"), {}),
    "default not called when unneeded": ((1,), {"default": 1}),
    "default not callable": ((Unknown(),), {"default": 1}),
}


@pytest.mark.parametrize("args,kwargs", DUMPS_CALLS.values(), ids=DUMPS_CALLS.keys())
def test_dumps_arguments(args, kwargs):
    assert_same_outcome(call(S.dumps, *args, **kwargs), call(oracle.dumps, *args, **kwargs),
                        (args, kwargs))


@pytest.mark.parametrize("option", [True, False, 1.0, "1", b"1", [], -1, 4096, 8191, 1 << 20, 2**31 - 1],
                         ids=repr)
def test_dumps_invalid_option(option):
    assert str(dumps_err([1], option=option)) == "Invalid opts"


def test_dumps_every_valid_option_value_accepted():
    # 0..4095: every combination of the 12 bits
    for option in range(ALL_BITS + 1):
        assert S.dumps([1], option=option) in (b"[1]", b"[1]\n", b"[\n  1\n]", b"[\n  1\n]\n"), option


def test_dumps_returns_bytes():
    assert type(S.dumps({"a": [1, 2.5, "x", None, True]})) is bytes
    assert dumps_ok({"a": [1, 2.5, "x", None, True]}) == b'{"a":[1,2.5,"x",null,true]}'


@pytest.mark.parametrize("length", [0, 1, 2, 980, 990, 1000, 1010, 1020, 4096, 70_000, 1_000_003])
def test_dumps_result_is_a_whole_bytes_object(length):
    # rjson makes the bytes in place, in the buffer it wrote (sizes about its first
    # capacity and growth steps): it must be an ordinary bytes in every respect.
    doc = ["x" * length, length]
    out = dumps_ok(doc)
    copy = bytes(bytearray(out))
    assert out == copy and len(out) == len(copy) and hash(out) == hash(copy)
    assert out.endswith(b"]") and out[:2] == b'["'
    assert {out: 1}[copy] == 1
    assert out + b"!" == copy + b"!"
    assert memoryview(out).tobytes() == copy
    assert out.decode() == json.dumps(doc, separators=(",", ":"))
    # the NUL CPython keeps after a bytes' data (C callers rely on it)
    import ctypes
    assert ctypes.string_at(ctypes.c_char_p(out)) == out


# ---------------------------------------------------------------------------------------
# loads: arguments and input types

def test_loads_arguments():
    for args, kwargs in [((), {}), ((b"1", 2), {}), ((), {"obj": b"1"}), ((b"1",), {"foo": 1})]:
        assert_same_outcome(call(S.loads, *args, **kwargs), call(oracle.loads, *args, **kwargs),
                            (args, kwargs))
    assert str(call(oracle.loads)[1]) == "orjson.loads() takes exactly one argument (0 given)"
    assert str(call(oracle.loads, obj=1)[1]) == "orjson.loads() takes no keyword arguments"


def test_loads_input_types():
    for doc in [b'{"a":[1]}', bytearray(b'{"a":[1]}'), memoryview(b'{"a":[1]}'), '{"a":[1]}']:
        assert check_loads(doc) == ("ok", {"a": [1]})


class StrSub(str):
    pass


class BytesSub(bytes):
    pass


WRONG_INPUTS = {
    "int": 1, "None": None, "list": [b"1"], "str subclass": StrSub("[1]"),
    "bytes subclass": BytesSub(b"[1]"), "non-contiguous memoryview": memoryview(b"[1, 2]")[::2],
    "Fragment": oracle.Fragment(b"1"),
}


@pytest.mark.parametrize("doc", WRONG_INPUTS.values(), ids=WRONG_INPUTS.keys())
def test_loads_wrong_input_type(doc):
    if isinstance(doc, oracle.Fragment):
        doc = S.Fragment(b"1")
    want = check_loads(doc)
    assert want[0] == "raise"
    assert str(want[1]) == "Input must be bytes, bytearray, memoryview, or str: line 1 column 1 (char 0)"


def test_loads_memoryview_of_other_buffers():
    import array

    check_loads(memoryview(array.array("b", b"[1,2]")))
    check_loads(memoryview(bytearray(b"[1,2]"))[1:4])


# ---------------------------------------------------------------------------------------
# Fragment

FRAGMENTS = {
    "bytes": b'{"a":1}', "str": '{"a":1}', "empty bytes": b"", "empty str": "",
    "not json, written verbatim": b"not json", "invalid UTF-8, verbatim": b"\xff",
    "non-ASCII str": "[\"\u00e9\U0001f600\"]", "whitespace kept": '{"x": [1, 2]}',
    "newlines kept": b"[1,\n2]",
}


@pytest.mark.parametrize("contents", FRAGMENTS.values(), ids=FRAGMENTS.keys())
@pytest.mark.parametrize("option", [0, oracle.OPT_INDENT_2, oracle.OPT_APPEND_NEWLINE,
                                    oracle.OPT_INDENT_2 | oracle.OPT_SORT_KEYS])
def test_fragment(contents, option):
    for make in (lambda m: m.Fragment(contents), lambda m: [m.Fragment(contents), 1],
                 lambda m: {"b": m.Fragment(contents), "a": [m.Fragment(contents)]}):
        want = call(oracle.dumps, make(oracle), option=option)
        got = call(S.dumps, make(S), option=option)
        assert_same_outcome(got, want, (contents, option))
        assert want[0] == "ok"


@pytest.mark.parametrize("contents", [bytearray(b"1"), memoryview(b"1"), 1, None, StrSub("[1]"),
                                      BytesSub(b"[1]"), "\ud800"], ids=repr)
def test_fragment_contents_checked_when_dumped(contents):
    fragment = S.Fragment(contents)  # constructing it accepts anything
    want = call(oracle.dumps, [oracle.Fragment(contents)])
    got = call(S.dumps, [fragment])
    assert_same_outcome(got, want, contents)
    assert want[0] == "raise"
    # a Fragment is not passed to default even when its contents are wrong
    want = call(oracle.dumps, oracle.Fragment(contents), default=lambda o: "d")
    got = call(S.dumps, fragment, default=lambda o: "d")
    assert_same_outcome(got, want, contents)


def test_fragment_messages():
    assert str(call(oracle.dumps, oracle.Fragment(1))[1]) == "orjson.Fragment's content is not of type bytes or str"
    assert str(call(oracle.dumps, oracle.Fragment("\ud800"))[1]) == "str is not valid UTF-8: surrogates not allowed"


def test_fragment_of_fragment():
    want = call(oracle.dumps, oracle.Fragment(oracle.Fragment(b"1")))
    got = call(S.dumps, S.Fragment(S.Fragment(b"1")))
    assert_same_outcome(got, want, "Fragment(Fragment)")


@pytest.mark.parametrize("args,kwargs", [((), {}), ((b"1", b"2"), {}), ((), {"contents": b"1"})],
                         ids=["none", "two", "keyword"])
def test_fragment_constructor_arguments(args, kwargs):
    want = call(oracle.Fragment, *args, **kwargs)
    got = call(S.Fragment, *args, **kwargs)
    assert_same_outcome(got, want, (args, kwargs))
    assert str(want[1]) == "orjson.Fragment() takes exactly 1 positional argument"


def test_fragment_not_a_key_not_loadable():
    want = call(oracle.dumps, {oracle.Fragment(b"1"): 1}, option=oracle.OPT_NON_STR_KEYS)
    got = call(S.dumps, {S.Fragment(b"1"): 1}, option=S.OPT_NON_STR_KEYS)
    assert_same_outcome(got, want, "Fragment key")
    want = call(oracle.dumps, {oracle.Fragment(b"1"): 1})
    got = call(S.dumps, {S.Fragment(b"1"): 1})
    assert_same_outcome(got, want, "Fragment key")


def test_fragment_with_passthrough_subclass_still_written():
    assert call(S.dumps, S.Fragment(b"[1]"), option=S.OPT_PASSTHROUGH_SUBCLASS) == ("ok", b"[1]")


def test_fragment_is_final_and_opaque():
    with pytest.raises(TypeError):
        type("Sub", (S.Fragment,), {})
    f = S.Fragment(b"1")
    with pytest.raises(AttributeError):
        f.x = 1


def test_fragment_returned_by_default():
    want = call(oracle.dumps, Unknown(), default=lambda o: oracle.Fragment(b"[1,2]"))
    got = call(S.dumps, Unknown(), default=lambda o: S.Fragment(b"[1,2]"))
    assert_same_outcome(got, want, "default returns Fragment")
    assert want == ("ok", b"[1,2]")

